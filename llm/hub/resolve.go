package hub

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrNotDownloaded is matched (errors.Is) by the *NotDownloadedError Resolve returns.
var ErrNotDownloaded = errors.New("model not downloaded")

// NotDownloadedError says a model is not on disk and what a pull would fetch.
type NotDownloadedError struct {
	Ref     Ref
	Missing []string // repository files that are missing
	Size    int64    // their total size when the catalog knows it, else 0
	Approx  bool
}

func (e *NotDownloadedError) Error() string {
	s := fmt.Sprintf("%s is not downloaded", e.Ref.String())
	if e.Size > 0 {
		about := ""
		if e.Approx {
			about = "about "
		}
		s += fmt.Sprintf(" (%s%s)", about, FormatBytes(e.Size))
	}
	return s + "; run: qwen3 pull " + e.Ref.String()
}

func (e *NotDownloadedError) Is(target error) bool { return target == ErrNotDownloaded }

// Resolved is a model on disk.
type Resolved struct {
	Ref      Ref
	Path     string   // the GGUF file (first part of a split file), or the model folder
	Files    []string // every file of the model: all parts, or the folder's files
	MMProj   string   // the vision projector for a vision GGUF, "" if none
	Location string   // LocHFCache, LocLMStudio, LocLlamaCpp, LocFolder or LocPath
	Repo     string   // hub repository, when known
	Size     int64    // bytes of Files (and MMProj)
}

// Resolve finds a model on disk and returns the path to load: the GGUF file, or the model folder. When the
// model is not there it returns a *NotDownloadedError (errors.Is(err, ErrNotDownloaded)) saying what a pull
// would fetch; it never touches the network.
func Resolve(ctx context.Context, ref string, opts Options) (string, error) {
	r, err := ResolveModel(ctx, ref, opts)
	if err != nil {
		return "", err
	}
	return r.Path, nil
}

// ResolveModel is Resolve with everything it found.
func ResolveModel(ctx context.Context, ref string, opts Options) (*Resolved, error) {
	cat, err := opts.catalog()
	if err != nil {
		return nil, err
	}
	r, err := ParseRef(ref, cat)
	if err != nil {
		return nil, err
	}
	return opts.resolveRef(ctx, r)
}

func (o *Options) resolveRef(ctx context.Context, r Ref) (*Resolved, error) {
	switch r.Kind {
	case RefLocal:
		return resolveLocal(r)
	case RefCatalog:
		return o.resolveCatalog(ctx, r)
	default:
		return o.resolveRepo(r)
	}
}

func resolveLocal(r Ref) (*Resolved, error) {
	st, err := os.Stat(r.Path)
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	res := &Resolved{Ref: r, Path: r.Path, Location: LocPath}
	if st.IsDir() {
		ents, err := os.ReadDir(r.Path)
		if err != nil {
			return nil, fmt.Errorf("hub: %w", err)
		}
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		sel, err := selectFiles(names, "", nil)
		if err != nil {
			return nil, fmt.Errorf("hub: %s: %w", r.Path, err)
		}
		if !sel.folder {
			res.Path = filepath.Join(r.Path, sel.files[0])
		}
		for _, f := range sel.files {
			res.Files = append(res.Files, filepath.Join(r.Path, f))
		}
		if sel.mmproj != "" {
			res.MMProj = filepath.Join(r.Path, sel.mmproj)
		}
	} else {
		res.Files = []string{r.Path}
		key, part, _ := splitKey(r.Path)
		if part > 0 {
			// The other parts of a split file lie beside the first.
			matches, _ := filepath.Glob(key + "-*-of-*" + filepath.Ext(r.Path))
			if len(matches) > 1 {
				res.Files = matches
				res.Path = matches[0]
			}
		}
		res.MMProj = mmprojBeside(r.Path)
	}
	res.Size = sizeOf(res.Files, res.MMProj)
	return res, nil
}

// mmprojBeside finds a vision projector next to a GGUF file (LM Studio and llama.cpp keep them together).
func mmprojBeside(p string) string {
	if isMMProj(p) {
		return ""
	}
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(p), "*mmproj*.gguf"))
	if len(matches) == 0 {
		return ""
	}
	names := make([]string, len(matches))
	for i, m := range matches {
		names[i] = filepath.Base(m)
	}
	return filepath.Join(filepath.Dir(p), pickMMProj(names, nil))
}

// catalogFiles returns the repository and files of a catalog GGUF reference for a source.
func catalogFiles(r Ref, source string) (repo string, files []CatalogFile, mmproj *CatalogFile, err error) {
	m := r.Model
	q, ok := m.Quant(r.Quant)
	if !ok || m.GGUF == nil {
		return "", nil, nil, fmt.Errorf("hub: %s has no GGUF quantization %q", m.Name, r.Quant)
	}
	repo = m.GGUF.HF
	if source == SourceModelScope {
		repo = m.GGUF.ModelScope
	}
	if repo == "" {
		return "", nil, nil, fmt.Errorf("hub: %s: no %s repository in the catalog; use --source %s or hf://ORG/REPO",
			m.Name, source, otherSource(source))
	}
	if mp, ok := m.MMProj(""); ok {
		mmproj = &mp.Files[0]
	}
	return repo, q.Files, mmproj, nil
}

func otherSource(s string) string {
	if s == SourceModelScope {
		return SourceHF
	}
	return SourceModelScope
}

func (o *Options) resolveCatalog(ctx context.Context, r Ref) (*Resolved, error) {
	m := r.Model
	if r.Quant == QuantSafetensors {
		rr := Ref{Raw: r.Raw, Kind: RefRepo, Model: m, Selector: QuantSafetensors}
		var missing []string
		for _, repo := range []string{m.Safetensors.HF, m.Safetensors.ModelScope} {
			if repo == "" {
				continue
			}
			rr.Repo = repo
			res, err := o.resolveRepo(rr)
			if err == nil {
				res.Ref = r
				return res, nil
			}
			if !errors.Is(err, ErrNotDownloaded) {
				return nil, err
			}
			missing = []string{repo}
		}
		return nil, &NotDownloadedError{Ref: r, Missing: missing, Size: m.Safetensors.Size, Approx: m.Safetensors.Approx}
	}

	cache := o.cache()
	roots := o.otherRoots()
	var lastMissing *NotDownloadedError
	for _, source := range []string{SourceHF, SourceModelScope} {
		repo, files, mmproj, err := catalogFiles(r, source)
		if err != nil {
			continue
		}
		res := &Resolved{Ref: r, Repo: repo}
		nd := &NotDownloadedError{Ref: r}
		want := append([]CatalogFile(nil), files...)
		if m.Vision && mmproj != nil {
			want = append(want, *mmproj)
		}
		for i, f := range want {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			p, loc, ok := "", LocHFCache, false
			if p, ok = cache.File(repo, "", f.Path); !ok {
				size := f.Size
				if f.Approx {
					size = -1
				}
				p, loc, ok = findInRoots(roots, baseName(f.Path), size)
			}
			if !ok {
				nd.Missing = append(nd.Missing, f.Path)
				nd.Size += f.Size
				nd.Approx = nd.Approx || f.Approx
				continue
			}
			if i < len(files) {
				res.Files = append(res.Files, p)
				if res.Location == "" {
					res.Location = loc
				}
			} else {
				res.MMProj = p
			}
		}
		if len(nd.Missing) == 0 {
			res.Path = res.Files[0]
			res.Size = sizeOf(res.Files, res.MMProj)
			return res, nil
		}
		if lastMissing == nil || len(nd.Missing) < len(lastMissing.Missing) {
			lastMissing = nd
		}
	}
	if lastMissing == nil {
		return nil, fmt.Errorf("hub: %s: no repository for quantization %s", m.Name, r.Quant)
	}
	return nil, lastMissing
}

// resolveRepo finds a repository reference in the cache.
func (o *Options) resolveRepo(r Ref) (*Resolved, error) {
	cache := o.cache()
	snaps := cache.Snapshots(r.Repo)
	if commit, ok := cache.Commit(r.Repo, r.Revision); ok {
		snaps = []string{commit}
	} else if r.Revision != "" && r.Revision != "main" {
		snaps = nil
	}
	for _, snap := range snaps {
		dir := filepath.Join(cache.RepoDir(r.Repo), "snapshots", snap)
		names := listTree(dir)
		sel, err := selectFiles(names, r.Selector, r.Model)
		if err != nil {
			continue
		}
		if err := splitComplete(sel.files); err != nil {
			continue
		}
		res := &Resolved{Ref: r, Location: LocHFCache, Repo: r.Repo}
		for _, f := range sel.files {
			res.Files = append(res.Files, filepath.Join(dir, filepath.FromSlash(f)))
		}
		if sel.mmproj != "" {
			res.MMProj = filepath.Join(dir, filepath.FromSlash(sel.mmproj))
		}
		res.Path = res.Files[0]
		if sel.folder {
			res.Path = dir
			if !hasWeightsIndexComplete(dir, names) {
				continue
			}
		}
		res.Size = sizeOf(res.Files, res.MMProj)
		return res, nil
	}
	return nil, &NotDownloadedError{Ref: r, Missing: []string{r.Repo}}
}

// hasWeightsIndexComplete checks that a folder holds config.json and, when the weights are sharded, every
// shard model.safetensors.index.json names.
func hasWeightsIndexComplete(dir string, names []string) bool {
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	if !have["config.json"] {
		return false
	}
	idx, err := os.ReadFile(filepath.Join(dir, "model.safetensors.index.json"))
	if err != nil {
		return have["model.safetensors"]
	}
	for _, shard := range indexShards(idx) {
		if !have[shard] {
			return false
		}
	}
	return true
}

// listTree lists the regular files under dir (following the cache's symlinks) as slash paths; links whose
// blob is gone are left out.
func listTree(dir string) []string {
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err == nil && !strings.HasSuffix(rel, ".tmp-link") {
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

func sizeOf(files []string, extra string) int64 {
	var n int64
	for _, f := range append(append([]string(nil), files...), extra) {
		if f == "" {
			continue
		}
		if st, err := os.Stat(f); err == nil {
			if st.IsDir() {
				for _, g := range listTree(f) {
					if s, err := os.Stat(filepath.Join(f, g)); err == nil {
						n += s.Size()
					}
				}
				continue
			}
			n += st.Size()
		}
	}
	return n
}
