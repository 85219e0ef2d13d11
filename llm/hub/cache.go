package hub

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DefaultCacheDir returns the Hugging Face hub cache that huggingface_hub itself would use: $HF_HUB_CACHE,
// else $HUGGINGFACE_HUB_CACHE (older name), else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else
// ~/.cache/huggingface/hub (on every OS, as huggingface_hub does).
func DefaultCacheDir() string {
	for _, k := range []string{"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"} {
		if v := os.Getenv(k); v != "" {
			return expandOrSelf(v)
		}
	}
	if v := os.Getenv("HF_HOME"); v != "" {
		return filepath.Join(expandOrSelf(v), "hub")
	}
	if v := os.Getenv("XDG_CACHE_HOME"); v != "" {
		return filepath.Join(v, "huggingface", "hub")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "huggingface", "hub")
}

func expandOrSelf(p string) string {
	if e, err := expandHome(p); err == nil {
		return e
	}
	return p
}

// Cache is a Hugging Face hub cache directory:
//
//	models--ORG--NAME/
//	  blobs/SHA256             file content, named by LFS sha256 (or git blob id for small files)
//	  blobs/SHA256.incomplete  a download in progress (same name huggingface_hub uses, so each resumes the other's)
//	  snapshots/COMMIT/PATH    symlink to ../../blobs/SHA256
//	  refs/main                the commit main pointed to when last downloaded
//	.locks/models--ORG--NAME/SHA256.lock
type Cache struct{ Dir string }

// repoFolder is huggingface_hub's folder name for a model repository.
func repoFolder(repo string) string { return "models--" + strings.ReplaceAll(repo, "/", "--") }

// repoFromFolder reverses repoFolder; ok is false for anything that is not a model repository folder.
func repoFromFolder(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, "models--")
	if !ok {
		return "", false
	}
	org, nm, ok := strings.Cut(rest, "--")
	if !ok || org == "" || nm == "" {
		return "", false
	}
	return org + "/" + nm, true
}

func (c *Cache) RepoDir(repo string) string { return filepath.Join(c.Dir, repoFolder(repo)) }

func (c *Cache) blobPath(repo, etag string) string {
	return filepath.Join(c.RepoDir(repo), "blobs", etag)
}

func (c *Cache) lockPath(repo, etag string) string {
	return filepath.Join(c.Dir, ".locks", repoFolder(repo), etag+".lock")
}

// SnapshotPath is where PATH of repo at commit appears.
func (c *Cache) SnapshotPath(repo, commit, path string) string {
	return filepath.Join(c.RepoDir(repo), "snapshots", commit, filepath.FromSlash(path))
}

// Commit returns the commit a revision points to in the cache: refs/REV when the revision is a branch or
// tag that was downloaded, or the revision itself when it names a snapshot.
func (c *Cache) Commit(repo, rev string) (string, bool) {
	if rev == "" {
		rev = "main"
	}
	if b, err := os.ReadFile(filepath.Join(c.RepoDir(repo), "refs", filepath.FromSlash(rev))); err == nil {
		if commit := strings.TrimSpace(string(b)); commit != "" {
			return commit, true
		}
	}
	if st, err := os.Stat(filepath.Join(c.RepoDir(repo), "snapshots", rev)); err == nil && st.IsDir() {
		return rev, true
	}
	return "", false
}

// Snapshots lists the snapshot (commit) folders of repo.
func (c *Cache) Snapshots(repo string) []string {
	ents, _ := os.ReadDir(filepath.Join(c.RepoDir(repo), "snapshots"))
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

// File returns the path of a complete file of repo: at rev when it resolves in the cache, otherwise in any
// snapshot (a file the user already has is better than a download). A snapshot entry whose blob is missing
// does not count.
func (c *Cache) File(repo, rev, path string) (string, bool) {
	try := func(commit string) (string, bool) {
		p := c.SnapshotPath(repo, commit, path)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, true
		}
		return "", false
	}
	if commit, ok := c.Commit(repo, rev); ok {
		if p, ok := try(commit); ok {
			return p, true
		}
	}
	if rev != "" && rev != "main" {
		return "", false // a pinned revision must not fall back to another
	}
	for _, s := range c.Snapshots(repo) {
		if p, ok := try(s); ok {
			return p, true
		}
	}
	return "", false
}

// link makes snapshots/COMMIT/PATH point at blobs/ETAG with a relative symlink, like huggingface_hub. Where
// symlinks are not allowed (Windows without developer mode) it hard-links, and copies as a last resort.
func (c *Cache) link(repo, commit, path, etag string) (string, error) {
	dst := c.SnapshotPath(repo, commit, path)
	blob := c.blobPath(repo, etag)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", fmt.Errorf("hub: %w", err)
	}
	rel, err := filepath.Rel(filepath.Dir(dst), blob)
	if err != nil {
		return "", fmt.Errorf("hub: %w", err)
	}
	if cur, err := os.Readlink(dst); err == nil && cur == rel {
		return dst, nil
	}
	tmp := dst + ".tmp-link"
	_ = os.Remove(tmp)
	if err := os.Symlink(rel, tmp); err != nil {
		if err := os.Link(blob, tmp); err != nil {
			if err := copyFile(blob, tmp); err != nil {
				return "", fmt.Errorf("hub: link %s: %w", dst, err)
			}
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("hub: link %s: %w", dst, err)
	}
	return dst, nil
}

// writeRef records that rev pointed to commit, unless rev is the commit itself.
func (c *Cache) writeRef(repo, rev, commit string) error {
	if rev == "" {
		rev = "main"
	}
	if rev == commit || commit == "" {
		return nil
	}
	p := filepath.Join(c.RepoDir(repo), "refs", filepath.FromSlash(rev))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	return writeFileAtomic(p, []byte(commit))
}

// Repos lists the model repositories in the cache.
func (c *Cache) Repos() ([]string, error) {
	ents, err := os.ReadDir(c.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	var out []string
	for _, e := range ents {
		if repo, ok := repoFromFolder(e.Name()); ok && e.IsDir() {
			out = append(out, repo)
		}
	}
	return out, nil
}

func writeFileAtomic(p string, data []byte) error {
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("hub: %w", err)
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := out.ReadFrom(in); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	return out.Close()
}
