package hub

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qwenstudio/qwenstudio/llm/hub/hubtest"
)

// writeHFCache lays out files as huggingface_hub does: blobs named by sha256, snapshot symlinks, refs/main.
func writeHFCache(t *testing.T, cacheDir, repo, commit string, files map[string][]byte) {
	t.Helper()
	rd := filepath.Join(cacheDir, repoFolder(repo))
	for name, data := range files {
		blob := filepath.Join(rd, "blobs", hubtest.SHA256(data))
		mustWrite(t, blob, data)
		link := filepath.Join(rd, "snapshots", commit, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(link), 0o755)
		rel, _ := filepath.Rel(filepath.Dir(link), blob)
		if err := os.Symlink(rel, link); err != nil {
			t.Fatal(err)
		}
	}
	mustWrite(t, filepath.Join(rd, "refs", "main"), []byte(commit))
}

func mustWrite(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDiscoverEveryLocation(t *testing.T) {
	home := t.TempDir()
	cacheDir := filepath.Join(t.TempDir(), "hub")
	llamaDir := t.TempDir()
	userDir := t.TempDir()
	t.Setenv("LLAMA_CACHE", llamaDir)
	opts := Options{CacheDir: cacheDir, Home: home, Folders: []string{userDir, filepath.Join(home, ".lmstudio", "models")}}

	q06 := hubtest.TinyGGUF(hubtest.Model{Name: "Qwen3 0.6B", FileType: 7, Layers: 28, Embd: 1024, Heads: 16, KVHeads: 8, Context: 40960})
	writeHFCache(t, cacheDir, "Qwen/Qwen3-0.6B-GGUF", "c0ffee", map[string][]byte{"Qwen3-0.6B-Q8_0.gguf": q06})
	writeHFCache(t, cacheDir, "Qwen/Qwen3-0.6B", "beef", map[string][]byte{
		"config.json": []byte(`{"model_type":"qwen3","torch_dtype":"bfloat16","num_hidden_layers":28,"hidden_size":1024,
			"num_attention_heads":16,"num_key_value_heads":8,"head_dim":128,"vocab_size":151936,"max_position_embeddings":40960}`),
		"model.safetensors": []byte("weights"),
	})
	// A partial download and a dangling snapshot entry are not models.
	mustWrite(t, filepath.Join(cacheDir, repoFolder("Qwen/Qwen3-8B-GGUF"), "blobs", strings.Repeat("a", 64)+".incomplete"), []byte("part"))
	dangling := filepath.Join(cacheDir, repoFolder("Qwen/Qwen3-8B-GGUF"), "snapshots", "dead", "Qwen3-8B-Q4_K_M.gguf")
	os.MkdirAll(filepath.Dir(dangling), 0o755)
	os.Symlink("../../blobs/"+strings.Repeat("a", 64), dangling)

	vl := hubtest.TinyGGUF(hubtest.Model{Arch: "qwen3vl", FileType: 15, Layers: 36, Embd: 2560, Heads: 32, KVHeads: 8})
	mm := hubtest.TinyGGUF(hubtest.Model{Arch: "clip", FileType: 1})
	lms := filepath.Join(home, ".lmstudio", "models", "lmstudio-community", "Qwen3-VL-4B-Instruct-GGUF")
	mustWrite(t, filepath.Join(lms, "Qwen3VL-4B-Instruct-Q4_K_M.gguf"), vl)
	mustWrite(t, filepath.Join(lms, "mmproj-Qwen3VL-4B-Instruct-F16.gguf"), mm)

	inst := hubtest.TinyGGUF(hubtest.Model{Name: "Qwen3 4B Instruct 2507", FileType: 15})
	mustWrite(t, filepath.Join(llamaDir, "unsloth_Qwen3-4B-Instruct-2507-GGUF_Qwen3-4B-Instruct-2507-Q4_K_M.gguf"), inst)

	p1 := hubtest.TinyGGUF(hubtest.Model{Arch: "llama", Name: "Other", FileType: 15, Padding: 1000})
	p2 := []byte(strings.Repeat("x", 500)) // later parts need not be parseable on their own here
	mustWrite(t, filepath.Join(userDir, "other", "Other-Q4_K_M-00001-of-00002.gguf"), p1)
	mustWrite(t, filepath.Join(userDir, "other", "Other-Q4_K_M-00002-of-00002.gguf"), p2)
	mustWrite(t, filepath.Join(userDir, "broken-Q5_K_M.gguf"), []byte("GGUF but not really"))

	models, err := Discover(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	byRef := map[string]LocalModel{}
	for _, m := range models {
		t.Logf("%-40s %-10s %-8s %-7s %8d %s err=%v", m.Ref, m.Location, m.Arch, m.Quant, m.Size, m.Path, m.Err)
		byRef[m.Ref] = m
	}
	if len(models) != 6 {
		t.Errorf("found %d models, want 6 (the LM Studio folder, listed twice, counts once)", len(models))
	}
	check := func(ref, loc, arch, quant string, size int64) LocalModel {
		t.Helper()
		m, ok := byRef[ref]
		if !ok {
			t.Fatalf("%s not found", ref)
		}
		if m.Location != loc || m.Arch != arch || m.Quant != quant || (size > 0 && m.Size != size) {
			t.Errorf("%s: got %s/%s/%s/%d, want %s/%s/%s/%d", ref, m.Location, m.Arch, m.Quant, m.Size, loc, arch, quant, size)
		}
		return m
	}
	m := check("qwen3:0.6b", LocHFCache, "qwen3", "Q8_0", int64(len(q06)))
	if m.Name != "qwen3:0.6b" || m.Repo != "Qwen/Qwen3-0.6B-GGUF" || m.Dims.Layers != 28 || m.Dims.KVHeads != 8 || m.Context != 40960 {
		t.Errorf("header fields: %+v", m)
	}
	m = check("qwen3:0.6b-safetensors", LocHFCache, "qwen3", "BF16", 0)
	if m.Format != "safetensors" || m.Dims.HeadDim != 128 {
		t.Errorf("safetensors folder: %+v", m)
	}
	m = check("qwen3-vl:4b", LocLMStudio, "qwen3vl", "Q4_K_M", int64(len(vl)))
	if filepath.Base(m.MMProj) != "mmproj-Qwen3VL-4B-Instruct-F16.gguf" {
		t.Errorf("vision projector %q", m.MMProj)
	}
	check("qwen3:4b-instruct-2507", LocLlamaCpp, "qwen3", "Q4_K_M", int64(len(inst)))
	split := filepath.Join(userDir, "other", "Other-Q4_K_M-00001-of-00002.gguf")
	m = check(split, LocFolder, "llama", "Q4_K_M", int64(len(p1)+len(p2)))
	if len(m.Files) != 2 {
		t.Errorf("split model files %v", m.Files)
	}
	m = check(filepath.Join(userDir, "broken-Q5_K_M.gguf"), LocFolder, "", "Q5_K_M", 0)
	if m.Err == nil {
		t.Error("a corrupt GGUF was read without error")
	}

	// The same places serve Resolve: models the user already has are not downloaded again.
	opts.Endpoint = "http://127.0.0.1:1" // nothing listens: any network use fails the pulls below
	for _, ref := range []string{"qwen3:0.6b", "qwen3-vl:4b", "qwen3:4b-instruct-2507"} {
		res, err := Pull(context.Background(), ref, opts)
		if err != nil {
			t.Errorf("Pull(%s) with the model on disk: %v", ref, err)
			continue
		}
		if res.Path != byRef[ref].Path {
			t.Errorf("Pull(%s) = %s, want %s", ref, res.Path, byRef[ref].Path)
		}
	}
	if res, err := ResolveModel(context.Background(), "qwen3-vl:4b", opts); err != nil || res.MMProj != byRef["qwen3-vl:4b"].MMProj {
		t.Errorf("ResolveModel(qwen3-vl:4b) = %+v, %v", res, err)
	}
	// A file with an official name but the wrong size (the catalog knows the exact size) is not taken.
	mustWrite(t, filepath.Join(userDir, "Qwen3-8B-Q4_K_M.gguf"), q06)
	if _, err := Resolve(context.Background(), "qwen3:8b", opts); !errors.Is(err, ErrNotDownloaded) {
		t.Errorf("Resolve(qwen3:8b) with a wrong-size file: %v", err)
	}
}
