package hub

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
)

// Pull downloads a model into the Hugging Face cache and returns it as Resolve would. A model already
// complete on disk (in the cache, or in LM Studio's, llama.cpp's or the user's folders for catalog models)
// is returned without downloading anything. Files already in the cache are skipped, partial files resume.
func Pull(ctx context.Context, ref string, opts Options) (*Resolved, error) {
	cat, err := opts.catalog()
	if err != nil {
		return nil, err
	}
	r, err := ParseRef(ref, cat)
	if err != nil {
		return nil, err
	}
	if r.Kind == RefLocal {
		return nil, fmt.Errorf("hub: %s is a local path; there is nothing to pull", r.Path)
	}
	if res, err := opts.resolveRef(ctx, r); err == nil {
		return res, nil
	} else if !errors.Is(err, ErrNotDownloaded) {
		return nil, err
	}
	name, err := opts.sourceName(r)
	if err != nil {
		return nil, err
	}
	src := opts.source(name)
	d := opts.Download
	d.Client = opts.client()
	d.Cache = opts.cache()
	d.defaults()

	type want struct {
		path   string
		expect *CatalogFile
		size   int64
	}
	var (
		repo, rev string
		files     []want
		mmproj    *want
		folder    bool
		pinned    bool
	)
	switch {
	case r.Kind == RefCatalog && r.Quant != QuantSafetensors:
		var cf []CatalogFile
		var mp *CatalogFile
		repo, cf, mp, err = catalogFiles(r, name)
		if err != nil {
			return nil, err
		}
		for i := range cf {
			files = append(files, want{cf[i].Path, &cf[i], cf[i].Size})
		}
		if r.Model.Vision && mp != nil {
			mmproj = &want{mp.Path, mp, mp.Size}
		}
	default:
		sel := r.Selector
		m := r.Model
		repo, rev = r.Repo, r.Revision
		if r.Kind == RefCatalog { // safetensors
			sel = QuantSafetensors
			repo = m.Safetensors.HF
			if name == SourceModelScope {
				repo = m.Safetensors.ModelScope
			}
			if repo == "" {
				return nil, fmt.Errorf("hub: %s: no %s repository for the safetensors weights", m.Name, name)
			}
		}
		var info *RepoInfo
		if err := d.retry(ctx, func() error { info, err = src.List(ctx, repo, rev); return err }); err != nil {
			return nil, err
		}
		sizes := map[string]int64{}
		var paths []string
		for _, f := range info.Files {
			paths = append(paths, f.Path)
			sizes[f.Path] = f.Size
		}
		s, err := selectFiles(paths, sel, m)
		if err != nil {
			return nil, fmt.Errorf("hub: %s: %w", repo, err)
		}
		if err := splitComplete(s.files); err != nil {
			return nil, fmt.Errorf("hub: %s: %w", repo, err)
		}
		if info.Commit != "" && rev == "" {
			// Pin the listing's commit so that every file comes from the same snapshot.
			rev, pinned = info.Commit, true
		}
		for _, f := range s.files {
			files = append(files, want{path: f, size: sizes[f]})
		}
		if s.mmproj != "" {
			mmproj = &want{path: s.mmproj, size: sizes[s.mmproj]}
		}
		folder = s.folder
	}

	all := append([]want(nil), files...)
	if mmproj != nil {
		all = append(all, *mmproj)
	}
	var allTotal, allDone atomic.Int64
	for _, w := range all {
		allTotal.Add(w.size)
	}
	var paths []string
	for i, w := range all {
		j := &fileJob{src: src, repo: repo, rev: rev, path: w.path, expect: w.expect, index: i + 1, count: len(all),
			allTotal: &allTotal, allDone: &allDone, fileSizeEst: w.size}
		p, err := d.fetch(ctx, j)
		if err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	if name == SourceHF && pinned {
		// The files were fetched at the pinned commit; record that main pointed there.
		commit := rev
		if err := d.Cache.writeRef(repo, "main", commit); err != nil {
			return nil, err
		}
	}
	res := &Resolved{Ref: r, Location: LocHFCache, Repo: repo, Files: paths[:len(files)]}
	if mmproj != nil {
		res.MMProj = paths[len(paths)-1]
	}
	res.Path = res.Files[0]
	if folder {
		res.Path = strings.TrimSuffix(paths[0], string(filepath.Separator)+filepath.FromSlash(files[0].path))
	}
	res.Size = sizeOf(res.Files, res.MMProj)
	return res, nil
}
