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

func removeRef(t *testing.T, opts Options, ref string) *Removal {
	t.Helper()
	rm, err := PlanRemove(context.Background(), ref, opts)
	if err != nil {
		t.Fatalf("PlanRemove(%s): %v", ref, err)
	}
	if err := rm.Apply(); err != nil {
		t.Fatal(err)
	}
	return rm
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func TestRemoveTakesOnlyThatModel(t *testing.T) {
	fx := newFixture(t, 1000)
	for _, ref := range []string{"qwen3:tiny", "qwen3:tiny-q4_k_m", "qwen3-vl:tiny"} {
		if _, err := fx.pull(t, ref); err != nil {
			t.Fatal(err)
		}
	}
	// A second revision shares the Q4_K_M blob.
	commit2 := fx.srv.SetFile(tinyRepo, hubtest.File{Path: "README.md", Data: []byte("v2")})
	if _, err := fx.pull(t, "hf://test/Tiny-GGUF@"+commit2+":Tiny-Q4_K_M.gguf"); err != nil {
		t.Fatal(err)
	}
	rd := filepath.Join(fx.opts.CacheDir, repoFolder(tinyRepo))
	q4Blob := filepath.Join(rd, "blobs", hubtest.SHA256(fx.q4))
	q8Blob := fx.blob(fx.q8)

	rm := removeRef(t, fx.opts, "qwen3:tiny-q4_k_m")
	if exists(filepath.Join(rd, "snapshots", fx.commit, "Tiny-Q4_K_M.gguf")) {
		t.Error("the snapshot entry is still there")
	}
	if !exists(q4Blob) || rm.Bytes != 0 {
		t.Errorf("the blob another revision uses was deleted (or counted: %d bytes)", rm.Bytes)
	}
	if !exists(q8Blob) || !exists(filepath.Join(rd, "snapshots", fx.commit, "Tiny-Q8_0.gguf")) {
		t.Error("removing Q4_K_M touched Q8_0")
	}
	if _, err := Resolve(context.Background(), "qwen3:tiny", fx.opts); err != nil {
		t.Errorf("qwen3:tiny after removing another quantization: %v", err)
	}

	rm = removeRef(t, fx.opts, "hf://test/Tiny-GGUF@"+commit2+":Tiny-Q4_K_M.gguf")
	if exists(q4Blob) || rm.Bytes != int64(len(fx.q4)) {
		t.Errorf("last user of the blob removed, but blob exists=%v, freed %d", exists(q4Blob), rm.Bytes)
	}

	// The last model of the repository: its whole folder and lock files go; the other repository stays.
	rm = removeRef(t, fx.opts, "qwen3:tiny")
	if !rm.Whole || exists(rd) || exists(filepath.Join(fx.opts.CacheDir, ".locks", repoFolder(tinyRepo))) {
		t.Errorf("whole=%v, folder left=%v", rm.Whole, exists(rd))
	}
	if _, err := Resolve(context.Background(), "qwen3-vl:tiny", fx.opts); err != nil {
		t.Errorf("the vision model was hit: %v", err)
	}

	// A vision model takes its projector with it.
	res, _ := ResolveModel(context.Background(), "qwen3-vl:tiny", fx.opts)
	removeRef(t, fx.opts, "qwen3-vl:tiny")
	if exists(res.MMProj) || exists(res.Path) {
		t.Error("vision model or its projector left behind")
	}
	if _, err := PlanRemove(context.Background(), "qwen3:tiny", fx.opts); !errors.Is(err, ErrNotDownloaded) {
		t.Errorf("removing a model that is not there: %v", err)
	}
}

func TestRemoveKeepsProjectorOtherQuantsNeed(t *testing.T) {
	fx := newFixture(t, 1000)
	q8 := hubtest.TinyGGUF(hubtest.Model{Arch: "qwen3vl", FileType: 7, Padding: 9000})
	fx.srv.SetFile(tinyVLRepo, hubtest.File{Path: "TinyVL-Q8_0.gguf", Data: q8})
	a, err := fx.pull(t, "hf://test/TinyVL-GGUF:Q4_K_M")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.pull(t, "hf://test/TinyVL-GGUF:Q8_0"); err != nil {
		t.Fatal(err)
	}
	removeRef(t, fx.opts, "hf://test/TinyVL-GGUF:Q8_0")
	if !exists(a.MMProj) || !exists(a.Path) {
		t.Error("removing the Q8_0 file took the projector the Q4_K_M model still uses")
	}
}

func TestRemoveLeavesOtherToolsFiles(t *testing.T) {
	home := t.TempDir()
	t.Setenv("LLAMA_CACHE", t.TempDir())
	lm := filepath.Join(home, ".lmstudio", "models", "Qwen", "Qwen3-VL-4B-Instruct-GGUF", "Qwen3VL-4B-Instruct-Q4_K_M.gguf")
	mustWrite(t, lm, hubtest.TinyGGUF(hubtest.Model{}))
	mustWrite(t, filepath.Join(filepath.Dir(lm), "mmproj-Qwen3VL-4B-Instruct-F16.gguf"), hubtest.TinyGGUF(hubtest.Model{Arch: "clip"}))
	opts := Options{CacheDir: t.TempDir(), Home: home, Folders: []string{}}
	_, err := PlanRemove(context.Background(), "qwen3-vl:4b", opts)
	if err == nil || !strings.Contains(err.Error(), "LM Studio") || !exists(lm) {
		t.Fatalf("err = %v; file exists = %v", err, exists(lm))
	}
	if _, err := PlanRemove(context.Background(), lm, opts); err == nil {
		t.Error("a local path was accepted for removal")
	}
}
