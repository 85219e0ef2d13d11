package hub

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// Where a local model was found.
const (
	LocHFCache  = "hf-cache"  // the Hugging Face hub cache (ours and huggingface_hub's)
	LocLMStudio = "lmstudio"  // LM Studio's models folder
	LocLlamaCpp = "llama.cpp" // llama.cpp's download cache (llama-cli -hf)
	LocFolder   = "folder"    // a folder the user added
	LocPath     = "path"      // a path given directly
)

// root is a folder other tools keep GGUF files in; they are referenced in place, never copied.
type root struct {
	dir      string
	location string
}

// otherRoots lists the user's folders, LM Studio's folders and llama.cpp's cache that exist.
func (o *Options) otherRoots() []root {
	var out []root
	add := func(dir, loc string) {
		if dir == "" {
			return
		}
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			out = append(out, root{dir, loc})
		}
	}
	home := o.home()
	if home != "" {
		// LM Studio 0.3+ keeps models in ~/.lmstudio/models; older versions in ~/.cache/lm-studio/models.
		add(filepath.Join(home, ".lmstudio", "models"), LocLMStudio)
		add(filepath.Join(home, ".cache", "lm-studio", "models"), LocLMStudio)
	}
	for _, d := range llamaCppDirs(home) {
		add(d, LocLlamaCpp)
	}
	// The user's folders last, so that a folder that is also LM Studio's is reported as LM Studio's.
	for _, d := range o.folders() {
		d, _ = expandHome(d)
		add(d, LocFolder)
	}
	return dedupRoots(out)
}

// llamaCppDirs are the places llama.cpp's -hf option downloads to: $LLAMA_CACHE, else the OS cache
// folder's llama.cpp.
func llamaCppDirs(home string) []string {
	if v := os.Getenv("LLAMA_CACHE"); v != "" {
		return []string{v}
	}
	var out []string
	if v := os.Getenv("XDG_CACHE_HOME"); v != "" {
		out = append(out, filepath.Join(v, "llama.cpp"))
	}
	if home != "" {
		out = append(out, filepath.Join(home, ".cache", "llama.cpp"))
		if runtime.GOOS == "darwin" {
			out = append(out, filepath.Join(home, "Library", "Caches", "llama.cpp"))
		}
	}
	if v := os.Getenv("LOCALAPPDATA"); v != "" && runtime.GOOS == "windows" {
		out = append(out, filepath.Join(v, "llama.cpp"))
	}
	return out
}

func dedupRoots(rs []root) []root {
	seen := map[string]bool{}
	var out []root
	for _, r := range rs {
		k := r.dir
		if p, err := filepath.EvalSymlinks(r.dir); err == nil {
			k = p
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}

// maxWalkDepth bounds how deep a folder is searched (LM Studio: publisher/repo/file is depth 3).
const maxWalkDepth = 5

// walkGGUF lists the GGUF files under dir, skipping partial downloads and hidden folders.
func walkGGUF(dir string) []string {
	var out []string
	base := strings.Count(filepath.Clean(dir), string(filepath.Separator))
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable entries are skipped, not fatal
		}
		if d.IsDir() {
			if p != dir && (strings.HasPrefix(d.Name(), ".") || strings.Count(p, string(filepath.Separator))-base >= maxWalkDepth) {
				return filepath.SkipDir
			}
			return nil
		}
		if isGGUF(d.Name()) {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// findInRoots looks for a file named base in the other tools' folders: exactly that name (LM Studio,
// user folders) or ending in "_"+base (llama.cpp's ORG_REPO_FILE names). size < 0 accepts any size.
func findInRoots(roots []root, base string, size int64) (string, string, bool) {
	lb := strings.ToLower(base)
	for _, r := range roots {
		for _, p := range walkGGUF(r.dir) {
			n := strings.ToLower(filepath.Base(p))
			if n != lb && !strings.HasSuffix(n, "_"+lb) {
				continue
			}
			if st, err := os.Stat(p); err == nil && (size < 0 || st.Size() == size) {
				return p, r.location, true
			}
		}
	}
	return "", "", false
}
