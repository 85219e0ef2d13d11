package state

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/qwenstudio/qwenstudio/app/store"
	"github.com/qwenstudio/qwenstudio/llm/hub"
	"github.com/qwenstudio/qwenstudio/platform"
)

// Models is the model manager: the catalog with memory-fit verdicts, the models on disk, and downloads.
// Its methods are safe to call from any goroutine; downloads run on goroutines of their own and report
// through Changed.
type Models struct {
	st  *store.Store
	log *slog.Logger

	mu        sync.Mutex
	opts      hub.Options
	ctxLen    int
	cat       *hub.Catalog
	mem       platform.Memory
	local     []hub.LocalModel
	downloads []*download
	closing   bool // Close is stopping the downloads: their records stay active, to resume at the next start
	changed   chan struct{}
	wg        sync.WaitGroup
}

type download struct {
	DownloadView
	cancel context.CancelFunc
	// discard is set by Cancel: the partial files go when the goroutine ends.
	discard bool
}

// DownloadView is a download as the UI shows it.
type DownloadView struct {
	Ref      string
	Name     string // display name
	State    string // store.DownloadActive, DownloadPaused, DownloadFailed, DownloadCompleted
	Progress hub.Progress
	Error    string
	Path     string // the model to load, once completed
}

// QuantFit is one quantization of a catalog model with its memory estimate.
type QuantFit struct {
	Quant      string
	Ref        string // the reference that downloads it
	Size       int64
	Approx     bool
	Fit        hub.Fit
	Downloaded bool
}

// CatalogEntry is a catalog model with its quantizations.
type CatalogEntry struct {
	Model  *hub.CatalogModel
	Quants []QuantFit
}

// NewModels makes the manager with hub options (the cache folder, source, endpoint and folders to use).
func NewModels(st *store.Store, opts hub.Options, log *slog.Logger) (*Models, error) {
	if log == nil {
		log = slog.Default()
	}
	cat := opts.Catalog
	if cat == nil {
		var err error
		if cat, err = hub.LoadCatalog(); err != nil {
			return nil, err
		}
		opts.Catalog = cat
	}
	return &Models{st: st, log: log, opts: opts, cat: cat, ctxLen: DefaultContext, changed: make(chan struct{}, 1)}, nil
}

// HubOptions turns the settings into hub options; cacheDir "" keeps the standard Hugging Face cache.
func HubOptions(s Settings, cacheDir string) hub.Options {
	o := hub.Options{CacheDir: cacheDir, Folders: slices.Clone(s.ExtraFolders)}
	if o.Folders == nil {
		o.Folders = []string{}
	}
	switch s.Source {
	case SourceModelScope:
		o.Source = hub.SourceModelScope
	case SourceCustom:
		o.Source, o.Endpoint = hub.SourceHF, s.Endpoint
	default:
		o.Source = hub.SourceHF
	}
	return o
}

// Configure applies new hub options (keeping the catalog) and the context length used for fit estimates.
func (m *Models) Configure(opts hub.Options, ctxLen int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	opts.Catalog = m.cat
	m.opts = opts
	if ctxLen <= 0 {
		ctxLen = DefaultContext
	}
	m.ctxLen = ctxLen
	m.bumpLocked()
}

// Changed delivers a value after the state changed; several changes may come as one.
func (m *Models) Changed() <-chan struct{} { return m.changed }

func (m *Models) bumpLocked() {
	select {
	case m.changed <- struct{}{}:
	default:
	}
}

// Refresh reads the free memory and lists the models on disk again.
func (m *Models) Refresh(ctx context.Context) error {
	m.mu.Lock()
	opts := m.opts
	m.mu.Unlock()
	mem, memErr := platform.ReadMemory()
	local, err := hub.Discover(ctx, opts)
	m.mu.Lock()
	defer m.mu.Unlock()
	if memErr == nil {
		m.mem = mem
	}
	if err == nil {
		m.local = local
	}
	m.bumpLocked()
	return errors.Join(err, memErr)
}

// Memory is the memory reading of the last Refresh.
func (m *Models) Memory() platform.Memory {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mem
}

// Local lists the models found on disk by the last Refresh.
func (m *Models) Local() []hub.LocalModel {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.local)
}

// LocalFit estimates the memory a local model needs at the configured context.
func (m *Models) LocalFit(l hub.LocalModel) hub.Fit {
	m.mu.Lock()
	defer m.mu.Unlock()
	return hub.FitLocal(l, m.ctxLen, m.mem)
}

// Catalog lists the catalog models with a fit verdict per quantization, marking those already on disk.
func (m *Models) Catalog() []CatalogEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	have := map[string]bool{}
	for _, l := range m.local {
		if l.Catalog != nil && l.Err == nil {
			have[l.Catalog.Name+"|"+strings.ToUpper(l.Quant)] = true
		}
	}
	var out []CatalogEntry
	for _, cm := range m.cat.Models {
		e := CatalogEntry{Model: cm}
		if cm.GGUF != nil {
			for _, q := range cm.GGUF.Quants {
				f, err := hub.FitFor(cm, q.Quant, m.ctxLen, m.mem)
				if err != nil {
					continue
				}
				ref := cm.Name
				if !strings.EqualFold(q.Quant, cm.GGUF.Default) {
					ref += "-" + strings.ToLower(q.Quant)
				}
				e.Quants = append(e.Quants, QuantFit{Quant: q.Quant, Ref: ref, Size: q.Size(), Approx: q.Approx(), Fit: f,
					Downloaded: have[cm.Name+"|"+strings.ToUpper(q.Quant)]})
			}
		}
		out = append(out, e)
	}
	return out
}

// VisionModels lists the catalog models that can see, for the "this model cannot see" hint.
func (m *Models) VisionModels() []*hub.CatalogModel {
	var out []*hub.CatalogModel
	for _, cm := range m.cat.Models {
		if cm.Vision {
			out = append(out, cm)
		}
	}
	return out
}

// Downloads lists the downloads, oldest first.
func (m *Models) Downloads() []DownloadView {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]DownloadView, len(m.downloads))
	for i, d := range m.downloads {
		out[i] = d.DownloadView
	}
	return out
}

func (m *Models) findLocked(ref string) *download {
	for _, d := range m.downloads {
		if d.Ref == ref {
			return d
		}
	}
	return nil
}

// Restore reloads the download list saved by a previous run: downloads that were running start again
// (resuming their partial files), paused and failed ones wait for the user.
func (m *Models) Restore(ctx context.Context) error {
	saved, err := m.st.Downloads(ctx)
	if err != nil {
		return err
	}
	for _, s := range saved {
		switch s.State {
		case store.DownloadActive:
			if err := m.Download(ctx, s.Ref); err != nil {
				m.log.Warn("resuming a download", "ref", s.Ref, "err", err)
			}
		case store.DownloadCompleted:
			// Finished downloads are found on disk by Refresh; the record is no longer needed.
			m.st.DeleteDownload(ctx, s.Ref)
		default:
			m.mu.Lock()
			if m.findLocked(s.Ref) == nil {
				m.downloads = append(m.downloads, &download{DownloadView: DownloadView{Ref: s.Ref, Name: m.displayName(s.Ref),
					State: s.State, Error: s.Error}})
			}
			m.bumpLocked()
			m.mu.Unlock()
		}
	}
	return nil
}

func (m *Models) displayName(ref string) string {
	r, err := hub.ParseRef(ref, m.cat)
	if err == nil && r.Kind == hub.RefCatalog {
		return r.Model.Display + " " + r.Quant
	}
	return ref
}

// Download starts (or resumes) downloading a model reference; it returns once the download is under way.
func (m *Models) Download(ctx context.Context, ref string) error {
	r, err := hub.ParseRef(ref, m.cat)
	if err != nil {
		return err
	}
	if r.Kind == hub.RefLocal {
		return fmt.Errorf("%s is a file on this computer: add its folder in Settings instead", ref)
	}
	ref = r.String()
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.findLocked(ref)
	if d != nil && d.State == store.DownloadActive {
		return nil
	}
	if d == nil {
		d = &download{DownloadView: DownloadView{Ref: ref, Name: m.displayName(ref)}}
		m.downloads = append(m.downloads, d)
	}
	d.State, d.Error, d.discard = store.DownloadActive, "", false
	if err := m.st.PutDownload(ctx, &store.Download{Ref: ref, State: store.DownloadActive}); err != nil {
		m.log.Warn("saving the download list", "err", err)
	}
	dctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d.cancel = cancel
	opts := m.opts
	opts.Download.Progress = func(p hub.Progress) {
		m.mu.Lock()
		d.Progress = p
		m.bumpLocked()
		m.mu.Unlock()
	}
	m.wg.Add(1)
	go m.run(dctx, d, opts)
	m.bumpLocked()
	return nil
}

func (m *Models) run(ctx context.Context, d *download, opts hub.Options) {
	defer m.wg.Done()
	res, err := hub.Pull(ctx, d.Ref, opts)
	bg := context.WithoutCancel(ctx)
	m.mu.Lock()
	var rec *store.Download
	switch {
	case err == nil:
		d.State, d.Path = store.DownloadCompleted, res.Path
		d.Progress.AllDone = d.Progress.AllTotal
		m.st.DeleteDownload(bg, d.Ref)
	case d.discard:
		m.downloads = slices.DeleteFunc(m.downloads, func(x *download) bool { return x == d })
		m.st.DeleteDownload(bg, d.Ref)
		m.discardPartialsLocked(d.Ref, opts)
	case ctx.Err() != nil:
		d.State = store.DownloadPaused
		if !m.closing {
			rec = &store.Download{Ref: d.Ref, State: store.DownloadPaused}
		}
	default:
		d.State, d.Error = store.DownloadFailed, err.Error()
		rec = &store.Download{Ref: d.Ref, State: store.DownloadFailed, Error: err.Error()}
	}
	d.cancel = nil
	m.bumpLocked()
	m.mu.Unlock()
	if rec != nil {
		if err := m.st.PutDownload(bg, rec); err != nil {
			m.log.Warn("saving the download list", "err", err)
		}
	}
	if err == nil {
		if err := m.Refresh(bg); err != nil {
			m.log.Warn("listing models after a download", "err", err)
		}
	}
}

// Pause stops a download, keeping its partial files for Resume (also after a restart).
func (m *Models) Pause(ref string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d := m.findLocked(ref); d != nil && d.cancel != nil {
		d.cancel()
	}
}

// Resume continues a paused or failed download.
func (m *Models) Resume(ctx context.Context, ref string) error { return m.Download(ctx, ref) }

// Cancel stops a download, deletes its partial files and forgets it.
func (m *Models) Cancel(ctx context.Context, ref string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.findLocked(ref)
	if d == nil {
		return
	}
	if d.cancel != nil {
		d.discard = true // run removes it when the pull has stopped
		d.cancel()
		return
	}
	m.downloads = slices.DeleteFunc(m.downloads, func(x *download) bool { return x == d })
	m.st.DeleteDownload(ctx, ref)
	m.discardPartialsLocked(ref, m.opts)
	m.bumpLocked()
}

// discardPartialsLocked deletes the partial files (huggingface_hub's blobs/*.incomplete) of the repository
// ref downloads from, unless another download of that repository is running.
func (m *Models) discardPartialsLocked(ref string, opts hub.Options) {
	repo := m.repoOf(ref, opts)
	if repo == "" {
		return
	}
	for _, o := range m.downloads {
		if o.State == store.DownloadActive && o.Ref != ref && m.repoOf(o.Ref, opts) == repo {
			return
		}
	}
	dir := opts.CacheDir
	if dir == "" {
		dir = hub.DefaultCacheDir()
	}
	blobs := filepath.Join((&hub.Cache{Dir: dir}).RepoDir(repo), "blobs")
	for _, pat := range []string{"*.incomplete", "*.incomplete.parts"} {
		matches, _ := filepath.Glob(filepath.Join(blobs, pat))
		for _, p := range matches {
			if err := os.Remove(p); err != nil {
				m.log.Warn("removing a partial download", "path", p, "err", err)
			}
		}
	}
}

func (m *Models) repoOf(ref string, opts hub.Options) string {
	r, err := hub.ParseRef(ref, m.cat)
	if err != nil {
		return ""
	}
	switch {
	case r.Kind == hub.RefRepo:
		return r.Repo
	case r.Kind == hub.RefCatalog && r.Quant == hub.QuantSafetensors && r.Model.Safetensors != nil:
		if opts.Source == hub.SourceModelScope {
			return r.Model.Safetensors.ModelScope
		}
		return r.Model.Safetensors.HF
	case r.Kind == hub.RefCatalog && r.Model.GGUF != nil:
		if opts.Source == hub.SourceModelScope {
			return r.Model.GGUF.ModelScope
		}
		return r.Model.GGUF.HF
	}
	return ""
}

// PlanDelete works out what deleting a downloaded model removes (for the confirmation dialog).
func (m *Models) PlanDelete(ctx context.Context, ref string) (*hub.Removal, error) {
	m.mu.Lock()
	opts := m.opts
	m.mu.Unlock()
	return hub.PlanRemove(ctx, ref, opts)
}

// Delete applies a removal plan and lists the models again.
func (m *Models) Delete(ctx context.Context, rm *hub.Removal) error {
	if err := rm.Apply(); err != nil {
		return err
	}
	return m.Refresh(ctx)
}

// Close stops the downloads and waits for them; those that were running resume at the next start.
func (m *Models) Close() {
	m.mu.Lock()
	m.closing = true
	for _, d := range m.downloads {
		if d.cancel != nil {
			d.cancel()
		}
	}
	m.mu.Unlock()
	m.wg.Wait()
}

// Wait blocks until no download runs (tests).
func (m *Models) Wait() { m.wg.Wait() }
