package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qwenstudio/qwenstudio/llm/hub/hubtest"
)

// fixture is a fake hub with a tiny text model (two quantizations), a tiny vision model and a catalog
// that names them, plus Options pointing at a fresh cache.
type fixture struct {
	srv          *hubtest.Server
	cat          *Catalog
	opts         Options
	q8, q4       []byte // test/Tiny-GGUF files
	vl, mm       []byte // test/TinyVL-GGUF files
	commit       string
	progress     []Progress
	lastProgress Progress
}

const (
	tinyRepo   = "test/Tiny-GGUF"
	tinyVLRepo = "test/TinyVL-GGUF"
)

// newFixture builds the hub; the Q8_0 file is about size bytes.
func newFixture(t *testing.T, size int) *fixture {
	t.Helper()
	t.Setenv("LLAMA_CACHE", t.TempDir()) // keep discovery away from the real llama.cpp cache
	fx := &fixture{srv: hubtest.New(t)}
	fx.q8 = hubtest.TinyGGUF(hubtest.Model{Name: "Tiny", FileType: 7, Padding: size})
	fx.q4 = hubtest.TinyGGUF(hubtest.Model{Name: "Tiny", FileType: 15, Padding: size / 2})
	fx.vl = hubtest.TinyGGUF(hubtest.Model{Arch: "qwen3vl", Name: "TinyVL", FileType: 15, Padding: 4096})
	fx.mm = hubtest.TinyGGUF(hubtest.Model{Arch: "clip", Name: "TinyVL mmproj", FileType: 1, Padding: 2048})
	fx.commit = fx.srv.AddRepo(tinyRepo,
		hubtest.File{Path: "Tiny-Q8_0.gguf", Data: fx.q8},
		hubtest.File{Path: "Tiny-Q4_K_M.gguf", Data: fx.q4},
		hubtest.File{Path: "README.md", Data: []byte("# Tiny\n")})
	fx.srv.AddRepo(tinyVLRepo,
		hubtest.File{Path: "TinyVL-Q4_K_M.gguf", Data: fx.vl},
		hubtest.File{Path: "mmproj-TinyVL-F16.gguf", Data: fx.mm})
	fx.cat = testCatalog(t, fx)
	fx.opts = Options{
		Catalog:  fx.cat,
		CacheDir: filepath.Join(t.TempDir(), "hub"),
		Source:   SourceHF,
		Endpoint: fx.srv.URL(),
		Folders:  []string{},
		Home:     t.TempDir(),
		Download: Downloader{
			Backoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, StallTimeout: 2 * time.Second,
			ProgressEvery: 2 * time.Millisecond, LockPoll: 2 * time.Millisecond,
			FreeSpace: func(string) (uint64, error) { return 1 << 40, nil },
		},
	}
	fx.opts.Download.Progress = func(p Progress) { fx.progress = append(fx.progress, p); fx.lastProgress = p }
	return fx
}

func testCatalog(t *testing.T, fx *fixture) *Catalog {
	t.Helper()
	file := func(p string, data []byte) map[string]any { return map[string]any{"path": p, "size": len(data)} }
	dims := map[string]any{"layers": 2, "embd": 64, "heads": 4, "kv_heads": 2, "head_dim": 16, "vocab": 1000}
	c := map[string]any{"schema": 1, "models": []any{
		map[string]any{"name": "qwen3:tiny", "family": "qwen3", "arch": "qwen3", "context_length": 4096, "dims": dims,
			"gguf": map[string]any{"hf": tinyRepo, "modelscope": tinyRepo, "default": "Q8_0", "quants": []any{
				map[string]any{"quant": "Q8_0", "files": []any{file("Tiny-Q8_0.gguf", fx.q8)}},
				map[string]any{"quant": "Q4_K_M", "files": []any{file("Tiny-Q4_K_M.gguf", fx.q4)}},
			}},
			"safetensors": map[string]any{"hf": "test/Tiny", "modelscope": "test/Tiny", "size": 5000, "approx": true}},
		map[string]any{"name": "qwen3-vl:tiny", "family": "qwen3-vl", "arch": "qwen3vl", "vision": true, "context_length": 4096,
			"dims": dims,
			"gguf": map[string]any{"hf": tinyVLRepo, "default": "Q4_K_M",
				"quants":         []any{map[string]any{"quant": "Q4_K_M", "files": []any{file("TinyVL-Q4_K_M.gguf", fx.vl)}}},
				"mmproj":         []any{map[string]any{"quant": "F16", "files": []any{file("mmproj-TinyVL-F16.gguf", fx.mm)}}},
				"mmproj_default": "F16"}},
	}}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := ParseCatalog(b)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func (fx *fixture) pull(t *testing.T, ref string) (*Resolved, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return Pull(ctx, ref, fx.opts)
}

func (fx *fixture) blob(data []byte) string {
	return filepath.Join(fx.opts.CacheDir, repoFolder(tinyRepo), "blobs", hubtest.SHA256(data))
}

// sameContent fails the test unless the file at p holds want.
func sameContent(t *testing.T, p string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: %d bytes differ from the %d expected", p, len(got), len(want))
	}
}

// noFileWithSuffix fails if any file under dir ends with one of the suffixes.
func noFileWithSuffix(t *testing.T, dir string, suffixes ...string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		for _, s := range suffixes {
			if err == nil && !d.IsDir() && len(p) >= len(s) && p[len(p)-len(s):] == s {
				t.Errorf("left behind: %s", p)
			}
		}
		return nil
	})
}
