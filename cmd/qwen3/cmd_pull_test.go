package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qwenstudio/qwenstudio/llm/hub"
	"github.com/qwenstudio/qwenstudio/llm/hub/hubtest"
)

// hubEnv points the model manager at temporary folders and a loopback hub serving Qwen/Qwen3-0.6B-GGUF
// (a tiny GGUF under the official file name), so that no test reads or writes the real caches.
type hubEnv struct {
	srv          *hubtest.Server
	cache, home  string
	llama, extra string
	model        []byte
	commit       string
}

func newHubEnv(t *testing.T) *hubEnv {
	t.Helper()
	h := &hubEnv{srv: hubtest.New(t), cache: t.TempDir(), home: t.TempDir(), llama: t.TempDir(), extra: t.TempDir()}
	for k, v := range map[string]string{"HF_HUB_CACHE": h.cache, "HOME": h.home, "LLAMA_CACHE": h.llama,
		"QWEN_STUDIO_MODEL_DIRS": "", "QWEN_STUDIO_SOURCE": "", "HF_TOKEN": "", "HF_ENDPOINT": h.srv.URL(),
		"MODELSCOPE_ENDPOINT": h.srv.URL(), "XDG_CACHE_HOME": ""} {
		t.Setenv(k, v)
	}
	h.model = hubtest.TinyGGUF(hubtest.Model{Name: "Qwen3 0.6B", FileType: 7, Layers: 28, Embd: 1024, Heads: 16,
		KVHeads: 8, Context: 40960, Padding: 3 << 20})
	h.commit = h.srv.AddRepo("Qwen/Qwen3-0.6B-GGUF", hubtest.File{Path: "Qwen3-0.6B-Q8_0.gguf", Data: h.model},
		hubtest.File{Path: "README.md", Data: []byte("readme")})
	return h
}

func (h *hubEnv) snapshotFile() string {
	return filepath.Join(h.cache, "models--Qwen--Qwen3-0.6B-GGUF", "snapshots", h.commit, "Qwen3-0.6B-Q8_0.gguf")
}

func q3(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb}
	code = runCLI(context.Background(), env, args)
	return out.String(), errb.String(), code
}

func TestPullProgressAndResult(t *testing.T) {
	h := newHubEnv(t)
	out, errOut, code := q3(t, "", "pull", "qwen3:0.6b")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	got, err := os.ReadFile(h.snapshotFile())
	if err != nil || !bytes.Equal(got, h.model) {
		t.Fatalf("downloaded file: %v", err)
	}
	// Not a terminal: plain progress lines, then where the model is and whether it fits.
	for _, want := range []string{"[1/1] Qwen/Qwen3-0.6B-GGUF/Qwen3-0.6B-Q8_0.gguf (3.15 MB)", "100%", "verifying sha256", "done: 3.15 MB"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("progress does not show %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "\r") {
		t.Error("a bar drawn with \\r went to a non-terminal")
	}
	for _, want := range []string{"qwen3:0.6b: " + h.snapshotFile(), "memory at 8192 tokens of context: "} {
		if !strings.Contains(out, want) {
			t.Errorf("output does not show %q:\n%s", want, out)
		}
	}
	out, _, code = q3(t, "", "pull", "qwen3:0.6b")
	if code != 0 || !strings.Contains(out, "already on disk (Hugging Face cache)") {
		t.Errorf("second pull: exit %d\n%s", code, out)
	}
}

func TestPullSurvivesHubFaults(t *testing.T) {
	h := newHubEnv(t)
	size := int64(len(h.model))
	h.srv.SetFaults(hubtest.Faults{Errors: 2, Drops: 2, DropAfter: size / 3, Stalls: 1, StallAfter: size / 2, StallFor: 60e9})
	out, errOut, code := q3(t, "", "pull", "qwen3:0.6b", "--stall-timeout", "200ms", "--parallel", "1")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if got, _ := os.ReadFile(h.snapshotFile()); !bytes.Equal(got, h.model) {
		t.Fatal("wrong content after faults")
	}
	if st := h.srv.Stats(); st.BytesServed > size+size/2 {
		t.Errorf("served %d bytes for %d: retries started over instead of resuming", st.BytesServed, size)
	}
}

func TestPullCorruptDataIsAnError(t *testing.T) {
	h := newHubEnv(t)
	h.srv.SetFaults(hubtest.Faults{Corrupts: -1, CorruptAt: 1000})
	_, errOut, code := q3(t, "", "pull", "qwen3:0.6b")
	if code != 1 || !strings.Contains(errOut, "does not match the hub's checksum") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(h.snapshotFile()); err == nil {
		t.Error("corrupt file in the snapshot")
	}
	entries, _ := filepath.Glob(filepath.Join(h.cache, "models--Qwen--Qwen3-0.6B-GGUF", "blobs", "*"))
	if len(entries) != 0 {
		t.Errorf("left in blobs: %v", entries)
	}
}

func TestPullUsageAndMistakes(t *testing.T) {
	newHubEnv(t)
	for _, args := range [][]string{{"pull"}, {"pull", "a", "b"}, {"pull", "qwen3:0.6b", "--source", "ftp"}, {"pull", "qwen3:0.6b", "--parallel", "0"}} {
		if _, _, code := q3(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	_, errOut, code := q3(t, "", "pull", "qwen3:9b")
	if code != 1 || !strings.Contains(errOut, "unknown model") {
		t.Errorf("unknown model: exit %d: %s", code, errOut)
	}
	_, errOut, code = q3(t, "", "pull", "hf://Qwen/Nope-GGUF")
	if code != 1 || !strings.Contains(errOut, "not found") {
		t.Errorf("missing repository: exit %d: %s", code, errOut)
	}
}

func TestPullFromModelScope(t *testing.T) {
	h := newHubEnv(t)
	out, errOut, code := q3(t, "", "pull", "qwen3:0.6b", "--source", "modelscope")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	p := filepath.Join(h.cache, "models--Qwen--Qwen3-0.6B-GGUF", "snapshots", "master", "Qwen3-0.6B-Q8_0.gguf")
	if got, _ := os.ReadFile(p); !bytes.Equal(got, h.model) {
		t.Fatalf("ModelScope download missing or wrong at %s\n%s", p, out)
	}
}

func TestLsListsEveryPlaceAndRmRemovesOnlyThatModel(t *testing.T) {
	h := newHubEnv(t)
	if _, errOut, code := q3(t, "", "pull", "qwen3:0.6b"); code != 0 {
		t.Fatal(errOut)
	}
	vl := hubtest.TinyGGUF(hubtest.Model{Arch: "qwen3vl", FileType: 15, Layers: 36, Embd: 2560, Heads: 32, KVHeads: 8})
	lms := filepath.Join(h.home, ".lmstudio", "models", "lmstudio-community", "Qwen3-VL-4B-Instruct-GGUF")
	os.MkdirAll(lms, 0o755)
	os.WriteFile(filepath.Join(lms, "Qwen3VL-4B-Instruct-Q4_K_M.gguf"), vl, 0o644)
	os.WriteFile(filepath.Join(lms, "mmproj-Qwen3VL-4B-Instruct-F16.gguf"), hubtest.TinyGGUF(hubtest.Model{Arch: "clip"}), 0o644)
	os.WriteFile(filepath.Join(h.llama, "Qwen_Qwen3-1.7B-GGUF_Qwen3-1.7B-Q8_0.gguf"), hubtest.TinyGGUF(hubtest.Model{FileType: 7}), 0o644)
	os.WriteFile(filepath.Join(h.extra, "my-finetune-Q5_K_M.gguf"), hubtest.TinyGGUF(hubtest.Model{FileType: 17}), 0o644)

	out, errOut, code := q3(t, "", "ls", "--dir", h.extra)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	t.Logf("\n%s", out)
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[0], "NAME") || !strings.Contains(lines[0], "QUANT") || !strings.Contains(lines[0], "FIT") {
		t.Errorf("header %q", lines[0])
	}
	for _, want := range [][]string{
		{"qwen3:0.6b ", "Q8_0", "hf-cache"},
		{"qwen3-vl:4b ", "Q4_K_M", "lmstudio"},
		{"qwen3:1.7b ", "Q8_0", "llama.cpp"},
		{"my-finetune-Q5_K_M ", "Q5_K_M", "folder"},
	} {
		found := false
		for _, l := range lines {
			if strings.HasPrefix(l, want[0]) && strings.Contains(l, want[1]) && strings.Contains(l, want[2]) &&
				(strings.Contains(l, "fits") || strings.Contains(l, "tight") || strings.Contains(l, "won't fit")) {
				found = true
			}
		}
		if !found {
			t.Errorf("no line %v in:\n%s", want, out)
		}
	}

	out, _, _ = q3(t, "", "ls", "--json")
	var rows []struct{ Name, Ref, Location, Path, Fit string }
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 3 {
		t.Fatalf("ls --json: %v: %s", err, out)
	}

	// rm asks first; anything but yes keeps the model.
	out, _, code = q3(t, "n\n", "rm", "qwen3:0.6b")
	if code != 0 || !strings.Contains(out, "Remove? [y/N]") || !strings.Contains(out, "nothing removed") {
		t.Errorf("rm answered no: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(h.snapshotFile()); err != nil {
		t.Fatal("removed without a yes")
	}
	out, _, code = q3(t, "y\n", "rm", "qwen3:0.6b")
	if code != 0 || !strings.Contains(out, "removed qwen3:0.6b") || !strings.Contains(out, "freeing 3.15 MB") {
		t.Errorf("rm: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(h.cache, "models--Qwen--Qwen3-0.6B-GGUF")); err == nil {
		t.Error("the repository folder is still there")
	}
	// Other tools' files are listed but never deleted.
	_, errOut, code = q3(t, "", "rm", "-y", "qwen3-vl:4b")
	if code != 1 || !strings.Contains(errOut, "LM Studio") {
		t.Errorf("rm of an LM Studio model: exit %d: %s", code, errOut)
	}
	out, _, _ = q3(t, "", "ls")
	if strings.Contains(out, "qwen3:0.6b") || !strings.Contains(out, "qwen3-vl:4b") || !strings.Contains(out, "qwen3:1.7b") {
		t.Errorf("after rm:\n%s", out)
	}
}

func TestLsCatalog(t *testing.T) {
	newHubEnv(t)
	out, _, code := q3(t, "", "ls", "--catalog")
	if code != 0 || !strings.Contains(out, "qwen3:8b") || !strings.Contains(out, "qwen3-vl:30b-a3b-thinking") ||
		!strings.Contains(out, "q4_k_m,q5_0,q5_k_m,q6_k,q8_0,safetensors") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestProgressBarOnTerminal(t *testing.T) {
	var b bytes.Buffer
	p := &progressPrinter{w: &b, tty: true, lastPct: -1}
	p.update(hub.Progress{Repo: "Qwen/Qwen3-8B-GGUF", Path: "Qwen3-8B-Q4_K_M.gguf", File: 1, Files: 1, Phase: hub.PhaseDownloading,
		Done: 2_500_000_000, Total: 5_000_000_000, Speed: 50_000_000, ETA: 50 * time.Second})
	p.update(hub.Progress{Repo: "Qwen/Qwen3-8B-GGUF", Path: "Qwen3-8B-Q4_K_M.gguf", File: 1, Files: 1, Phase: hub.PhaseDone,
		Done: 5_000_000_000, Total: 5_000_000_000})
	p.finish()
	out := b.String()
	for _, want := range []string{"\r\033[K[1/1] Qwen3-8B-Q4_K_M.gguf", "[############............]  50%", "2.50 GB of 5.00 GB, 50.0 MB/s, 50s left",
		"100% 5.00 GB verified\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("bar output lacks %q:\n%q", want, out)
		}
	}
}
