package hub

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Removal is what removing a model deletes, worked out before anything is deleted so that it can be shown
// and confirmed.
type Removal struct {
	Ref   Ref
	Repo  string
	Whole bool     // the whole models--ORG--NAME folder goes
	Paths []string // what is deleted: snapshot entries and the blobs no other entry uses, or the folder
	Bytes int64    // disk space freed
}

// PlanRemove works out what removing ref deletes from the Hugging Face cache: the model's snapshot entries
// and their blobs, but not blobs another entry still uses, nor the vision projector while another model of
// the repository needs it. hf://ORG/REPO without a file removes the whole repository. Models in LM Studio's,
// llama.cpp's or the user's folders are not ours to delete, and local paths neither.
func PlanRemove(ctx context.Context, ref string, opts Options) (*Removal, error) {
	cat, err := opts.catalog()
	if err != nil {
		return nil, err
	}
	r, err := ParseRef(ref, cat)
	if err != nil {
		return nil, err
	}
	if r.Kind == RefLocal {
		return nil, fmt.Errorf("hub: %s is a local path, not a downloaded model; delete it yourself if you mean to", r.Path)
	}
	cache := opts.cache()
	if r.Kind == RefRepo && r.Selector == "" {
		dir := cache.RepoDir(r.Repo)
		if _, err := os.Stat(dir); err != nil {
			return nil, &NotDownloadedError{Ref: r, Missing: []string{r.Repo}}
		}
		return &Removal{Ref: r, Repo: r.Repo, Whole: true, Paths: []string{dir}, Bytes: dirSize(dir)}, nil
	}
	res, err := opts.resolveRef(ctx, r)
	if err != nil {
		return nil, err
	}
	if res.Location != LocHFCache {
		return nil, fmt.Errorf("hub: %s is in %s (%s); Qwen Studio uses it in place and leaves deleting it to you",
			r.String(), locationName(res.Location), res.Path)
	}
	rm := &Removal{Ref: r, Repo: res.Repo}
	files := append([]string(nil), res.Files...)
	if res.MMProj != "" && !projectorShared(res) {
		files = append(files, res.MMProj)
	}
	if fi, err := os.Stat(res.Path); err == nil && fi.IsDir() {
		files = nil
		for _, f := range listTree(res.Path) {
			files = append(files, filepath.Join(res.Path, filepath.FromSlash(f)))
		}
	}
	repoDir := cache.RepoDir(res.Repo)
	// Only entries inside this repository's cache folder are ours (a projector may have been found elsewhere).
	own := files[:0]
	for _, f := range files {
		if strings.HasPrefix(f, repoDir+string(filepath.Separator)) {
			own = append(own, f)
		}
	}
	files = own
	going := map[string]bool{}
	for _, f := range files {
		going[f] = true
	}
	// Blobs other snapshot entries (other revisions, other files) still point to are kept.
	used := map[string]bool{}
	for _, entry := range snapshotEntries(repoDir) {
		if !going[entry] {
			used[blobOf(entry)] = true
		}
	}
	for _, f := range files {
		rm.Paths = append(rm.Paths, f)
		if b := blobOf(f); b != f && !used[b] {
			if st, err := os.Stat(b); err == nil {
				rm.Paths = append(rm.Paths, b)
				rm.Bytes += st.Size()
			}
			used[b] = true // listed once
		} else if b == f {
			if st, err := os.Lstat(f); err == nil {
				rm.Bytes += st.Size() // a hard link or copy where symlinks were not allowed
			}
		}
	}
	if len(snapshotEntries(repoDir)) == len(files) {
		// Nothing of the repository would be left: remove its folder, refs and lock files too.
		rm.Whole, rm.Paths = true, []string{repoDir}
		rm.Bytes = dirSize(repoDir)
	}
	return rm, nil
}

// Apply deletes what the plan lists, and the snapshot folders it empties.
func (rm *Removal) Apply() error {
	var errs []error
	for _, p := range rm.Paths {
		if err := os.RemoveAll(p); err != nil {
			errs = append(errs, err)
		}
	}
	if rm.Whole {
		lock := filepath.Join(filepath.Dir(rm.Paths[0]), ".locks", filepath.Base(rm.Paths[0]))
		_ = os.RemoveAll(lock)
	} else if len(rm.Paths) > 0 {
		// Empty folders left in the snapshot (split parts lived in a sub-folder).
		for _, p := range rm.Paths {
			for d := filepath.Dir(p); strings.Contains(d, string(filepath.Separator)+"snapshots"+string(filepath.Separator)); d = filepath.Dir(d) {
				if os.Remove(d) != nil {
					break
				}
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("hub: remove %s: %w", rm.Ref.String(), err)
	}
	return nil
}

// projectorShared reports whether another GGUF model in the same snapshot folder needs the vision projector.
func projectorShared(res *Resolved) bool {
	dir := filepath.Dir(res.MMProj)
	mine := map[string]bool{}
	for _, f := range res.Files {
		mine[f] = true
	}
	for _, f := range listTree(dir) {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if isGGUF(f) && !isMMProj(f) && !mine[p] {
			return true
		}
	}
	return false
}

// snapshotEntries lists every file entry in every snapshot of a repository folder.
func snapshotEntries(repoDir string) []string {
	var out []string
	root := filepath.Join(repoDir, "snapshots")
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// blobOf returns the blob a snapshot entry links to, or the entry itself when it is not a symlink.
func blobOf(entry string) string {
	t, err := os.Readlink(entry)
	if err != nil {
		return entry
	}
	if !filepath.IsAbs(t) {
		t = filepath.Join(filepath.Dir(entry), t)
	}
	return filepath.Clean(t)
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if st, err := os.Lstat(p); err == nil && st.Mode().IsRegular() {
				n += st.Size()
			}
		}
		return nil
	})
	return n
}

func locationName(loc string) string {
	switch loc {
	case LocLMStudio:
		return "LM Studio's models folder"
	case LocLlamaCpp:
		return "llama.cpp's cache"
	case LocFolder:
		return "one of your model folders"
	}
	return loc
}
