package state

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qwenstudio/qwenstudio/app/store"
	"github.com/qwenstudio/qwenstudio/llm/hub"
	"github.com/qwenstudio/qwenstudio/llm/hub/hubtest"
)

// hubFixture is a fake hub with one tiny model (two quantizations) and a catalog naming it.
type hubFixture struct {
	srv    *hubtest.Server
	opts   hub.Options
	q8, q4 []byte
	st     *store.Store
	dbPath string
}

const tinyRepo = "test/Tiny-GGUF"

func newHubFixture(t *testing.T, size int) *hubFixture {
	t.Helper()
	t.Setenv("LLAMA_CACHE", t.TempDir())
	fx := &hubFixture{srv: hubtest.New(t)}
	fx.q8 = hubtest.TinyGGUF(hubtest.Model{Name: "Tiny", FileType: 7, Padding: size})
	fx.q4 = hubtest.TinyGGUF(hubtest.Model{Name: "Tiny", FileType: 15, Padding: size / 2})
	fx.srv.AddRepo(tinyRepo, hubtest.File{Path: "Tiny-Q8_0.gguf", Data: fx.q8}, hubtest.File{Path: "Tiny-Q4_K_M.gguf", Data: fx.q4})
	file := func(p string, data []byte) map[string]any { return map[string]any{"path": p, "size": len(data)} }
	cj, _ := json.Marshal(map[string]any{"schema": 1, "models": []any{
		map[string]any{"name": "qwen3:tiny", "display": "Qwen3 Tiny", "family": "qwen3", "arch": "qwen3", "context_length": 4096,
			"dims": map[string]any{"layers": 2, "embd": 64, "heads": 4, "kv_heads": 2, "head_dim": 16, "vocab": 1000},
			"gguf": map[string]any{"hf": tinyRepo, "default": "Q8_0", "quants": []any{
				map[string]any{"quant": "Q8_0", "files": []any{file("Tiny-Q8_0.gguf", fx.q8)}},
				map[string]any{"quant": "Q4_K_M", "files": []any{file("Tiny-Q4_K_M.gguf", fx.q4)}},
			}}},
	}})
	cat, err := hub.ParseCatalog(cj)
	if err != nil {
		t.Fatal(err)
	}
	fx.opts = hub.Options{Catalog: cat, CacheDir: filepath.Join(t.TempDir(), "hub"), Source: hub.SourceHF,
		Endpoint: fx.srv.URL(), Folders: []string{}, Home: t.TempDir(),
		Download: hub.Downloader{Parallel: 1, Backoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond,
			StallTimeout: time.Minute, ProgressEvery: 2 * time.Millisecond, LockPoll: 2 * time.Millisecond,
			FreeSpace: func(string) (uint64, error) { return 1 << 40, nil }}}
	fx.dbPath = filepath.Join(t.TempDir(), "q.db")
	fx.st = fx.openStore(t)
	return fx
}

func (fx *hubFixture) openStore(t *testing.T) *store.Store {
	st, err := store.Open(context.Background(), fx.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func (fx *hubFixture) models(t *testing.T, st *store.Store) *Models {
	t.Helper()
	m, err := NewModels(st, fx.opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

func waitDownload(t *testing.T, m *Models, ref string, ok func(DownloadView) bool) DownloadView {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		for _, d := range m.Downloads() {
			if d.Ref == ref && ok(d) {
				return d
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %+v", ref, m.Downloads())
		}
		select {
		case <-m.Changed():
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func TestDownloadAndCatalogFit(t *testing.T) {
	ctx := context.Background()
	fx := newHubFixture(t, 64<<10)
	m := fx.models(t, fx.st)
	if err := m.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	cat := m.Catalog()
	if len(cat) != 1 || len(cat[0].Quants) != 2 {
		t.Fatalf("catalog %+v", cat)
	}
	q := cat[0].Quants[0]
	if q.Quant != "Q8_0" || q.Ref != "qwen3:tiny" || q.Downloaded || q.Size != int64(len(fx.q8)) || q.Fit.Verdict != hub.Fits {
		t.Errorf("before download: %+v", q)
	}
	if cat[0].Quants[1].Ref != "qwen3:tiny-q4_k_m" {
		t.Errorf("second quant ref %q", cat[0].Quants[1].Ref)
	}
	if err := m.Download(ctx, "qwen3:tiny"); err != nil {
		t.Fatal(err)
	}
	d := waitDownload(t, m, "qwen3:tiny", func(d DownloadView) bool { return d.State != store.DownloadActive })
	if d.State != store.DownloadCompleted || d.Path == "" || d.Name != "Qwen3 Tiny Q8_0" || d.Progress.AllTotal != int64(len(fx.q8)) {
		t.Fatalf("download %+v", d)
	}
	m.Wait()
	if recs, _ := fx.st.Downloads(ctx); len(recs) != 0 {
		t.Errorf("completed download still recorded: %+v", recs)
	}
	if got := m.Catalog()[0].Quants[0]; !got.Downloaded {
		t.Error("catalog does not show the download")
	}
	local := m.Local()
	if len(local) != 1 || local[0].Path != d.Path || local[0].Quant != "Q8_0" {
		t.Fatalf("local %+v", local)
	}
	// Delete.
	rm, err := m.PlanDelete(ctx, local[0].Ref)
	if err != nil || rm.Bytes < int64(len(fx.q8)) {
		t.Fatalf("plan %+v %v", rm, err)
	}
	if err := m.Delete(ctx, rm); err != nil {
		t.Fatal(err)
	}
	if len(m.Local()) != 0 {
		t.Errorf("still listed after delete: %+v", m.Local())
	}
	if _, err := os.Stat(d.Path); err == nil {
		t.Error("file still there after delete")
	}
}

// stallAt starts a download that stalls after half the file and waits until that much has arrived.
func stallAt(t *testing.T, fx *hubFixture, m *Models, ref string) {
	t.Helper()
	half := int64(len(fx.q8) / 2)
	fx.srv.SetFaults(hubtest.Faults{Stalls: 1, StallAfter: half, StallFor: time.Minute})
	if err := m.Download(context.Background(), ref); err != nil {
		t.Fatal(err)
	}
	waitDownload(t, m, ref, func(d DownloadView) bool { return d.Progress.Done >= half })
	fx.srv.SetFaults(hubtest.Faults{})
}

func TestPauseResumeAcrossRestart(t *testing.T) {
	ctx := context.Background()
	fx := newHubFixture(t, 2<<20)
	m := fx.models(t, fx.st)
	stallAt(t, fx, m, "qwen3:tiny")
	m.Pause("qwen3:tiny")
	waitDownload(t, m, "qwen3:tiny", func(d DownloadView) bool { return d.State == store.DownloadPaused })
	m.Wait()
	if recs, _ := fx.st.Downloads(ctx); len(recs) != 1 || recs[0].State != store.DownloadPaused {
		t.Fatalf("records after pause %+v", recs)
	}
	m.Close()

	// A new run finds the paused download and resumes it where it stopped.
	m2 := fx.models(t, fx.st)
	if err := m2.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	if ds := m2.Downloads(); len(ds) != 1 || ds[0].State != store.DownloadPaused {
		t.Fatalf("restored %+v", ds)
	}
	fx.srv.ResetStats()
	if err := m2.Resume(ctx, "qwen3:tiny"); err != nil {
		t.Fatal(err)
	}
	d := waitDownload(t, m2, "qwen3:tiny", func(d DownloadView) bool { return d.State != store.DownloadActive })
	if d.State != store.DownloadCompleted {
		t.Fatalf("after resume %+v", d)
	}
	if st := fx.srv.Stats(); len(st.RangeStarts) == 0 || st.RangeStarts[0] < int64(len(fx.q8)/2) {
		t.Errorf("resume started at %v, want ≥ %d (it should continue the partial file)", st.RangeStarts, len(fx.q8)/2)
	}
	got, _ := os.ReadFile(d.Path)
	if string(got) != string(fx.q8) {
		t.Error("downloaded file differs")
	}
}

func TestRunningDownloadResumesAfterQuit(t *testing.T) {
	ctx := context.Background()
	fx := newHubFixture(t, 2<<20)
	m := fx.models(t, fx.st)
	stallAt(t, fx, m, "qwen3:tiny")
	m.Close() // the app quits mid-download
	if recs, _ := fx.st.Downloads(ctx); len(recs) != 1 || recs[0].State != store.DownloadActive {
		t.Fatalf("records after quit %+v", recs)
	}
	m2 := fx.models(t, fx.st)
	if err := m2.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	d := waitDownload(t, m2, "qwen3:tiny", func(d DownloadView) bool { return d.State != store.DownloadActive })
	if d.State != store.DownloadCompleted {
		t.Fatalf("after restart %+v", d)
	}
}

func TestCancelDeletesPartialFiles(t *testing.T) {
	ctx := context.Background()
	fx := newHubFixture(t, 2<<20)
	m := fx.models(t, fx.st)
	stallAt(t, fx, m, "qwen3:tiny")
	blobs := filepath.Join(fx.opts.CacheDir, "models--test--Tiny-GGUF", "blobs")
	if p, _ := filepath.Glob(filepath.Join(blobs, "*.incomplete")); len(p) == 0 {
		t.Fatal("no partial file while downloading")
	}
	m.Cancel(ctx, "qwen3:tiny")
	m.Wait()
	if ds := m.Downloads(); len(ds) != 0 {
		t.Errorf("cancelled download still listed: %+v", ds)
	}
	if recs, _ := fx.st.Downloads(ctx); len(recs) != 0 {
		t.Errorf("cancelled download still recorded: %+v", recs)
	}
	left, _ := filepath.Glob(filepath.Join(blobs, "*.incomplete*"))
	if len(left) != 0 {
		t.Errorf("partial files left: %v", left)
	}
}

func TestDownloadFailureIsReported(t *testing.T) {
	ctx := context.Background()
	fx := newHubFixture(t, 64<<10)
	m := fx.models(t, fx.st)
	if err := m.Download(ctx, "hf://test/Missing-GGUF:Q8_0"); err != nil {
		t.Fatal(err)
	}
	d := waitDownload(t, m, "hf://test/Missing-GGUF:Q8_0", func(d DownloadView) bool { return d.State != store.DownloadActive })
	if d.State != store.DownloadFailed || d.Error == "" {
		t.Fatalf("%+v", d)
	}
	if err := m.Download(ctx, "/some/local.gguf"); err == nil || !strings.Contains(err.Error(), "Settings") {
		t.Errorf("local path: %v", err)
	}
}

func TestHubOptionsFromSettings(t *testing.T) {
	s := DefaultSettings()
	s.Source, s.Endpoint, s.ExtraFolders = SourceCustom, "http://127.0.0.1:9/", []string{"/models"}
	o := HubOptions(s, "/cache")
	if o.Source != hub.SourceHF || o.Endpoint != "http://127.0.0.1:9/" || o.CacheDir != "/cache" || len(o.Folders) != 1 {
		t.Errorf("%+v", o)
	}
	s.Source = SourceModelScope
	if o := HubOptions(s, ""); o.Source != hub.SourceModelScope || o.Endpoint != "" {
		t.Errorf("%+v", o)
	}
}
