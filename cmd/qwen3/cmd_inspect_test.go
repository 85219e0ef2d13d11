package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
	"github.com/qwenstudio/qwenstudio/llm/safetensors"
)

func runInspectCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	code := runCLI(context.Background(), env, append([]string{"inspect"}, args...))
	return out.String(), errb.String(), code
}

func inspectWantLines(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func TestInspectGGUF(t *testing.T) {
	dir := testdata.Dir(t, "golden")
	out, stderr, code := runInspectCLI(t, filepath.Join(dir, "models", "a4-qwen3-e256-rv-q4_k_m.gguf"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// Values from golden/manifest.json (model A4, Q4_K_M recipe).
	inspectWantLines(t, out,
		"architecture:   qwen3\n",
		"layers:         2\n",
		"heads:          4\n",
		"kv heads:       2\n",
		"head dim:       64\n",
		"embedding:      256\n",
		"feed-forward:   512\n",
		"tensor types:   Q4_K 12, F32 9, Q6_K 3\n",
		"context:        4096\n",
		"chat template:  present",
		"tokenizer:      gpt2 (pre qwen2), vocab 4224\n",
		"file size:      1.7 MiB (1730272 bytes)\n",
		"at ctx 4096:",
		// KV cache: 2 (K,V) × 2 layers × 4096 positions × 2 kv heads × 64 × 2 bytes = 4 MiB.
		"KV cache 4.0 MiB",
	)

	out, stderr, code = runInspectCLI(t, filepath.Join(dir, "models", "a3-qwen3moe-e32-rv-q8_0.gguf"), "--ctx", "1024")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// 2 × 2 layers × 1024 × 2 kv heads × 16 × 2 bytes = 256 KiB.
	inspectWantLines(t, out, "architecture:   qwen3moe\n", "experts:        8 (2 used per token", "Q8_0 15, F32 11",
		"at ctx 1024:", "KV cache 256.0 KiB")
}

func TestInspectMMProj(t *testing.T) {
	dir := testdata.Dir(t, "golden-vl")
	out, stderr, code := runInspectCLI(t, filepath.Join(dir, "models", "V1-mmproj-f32.gguf"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	inspectWantLines(t, out, "architecture:   clip\n", "projector:      qwen3vl_merger\n", "vision blocks:  3\n",
		"deepstack:      vision blocks [0]\n", "tensor types:   F32 52\n")
}

func TestInspectErrors(t *testing.T) {
	dir := t.TempDir()
	if _, _, code := runInspectCLI(t); code != 2 {
		t.Errorf("no argument: exit %d, want 2", code)
	}
	_, stderr, code := runInspectCLI(t, filepath.Join(dir, "missing.gguf"))
	if code != 1 || !strings.Contains(stderr, "missing.gguf") {
		t.Errorf("missing file: exit %d, stderr %q", code, stderr)
	}
	bad := filepath.Join(dir, "bad.gguf")
	inspectWriteFile(t, bad, []byte("GGUF\x01\x00\x00\x00................"))
	_, stderr, code = runInspectCLI(t, bad)
	if code != 1 || !strings.Contains(stderr, "version 1 is not supported") {
		t.Errorf("GGUF v1: exit %d, stderr %q", code, stderr)
	}
	_, stderr, code = runInspectCLI(t, dir)
	if code != 1 || !strings.Contains(stderr, "config.json") {
		t.Errorf("folder without config.json: exit %d, stderr %q", code, stderr)
	}
	inspectWriteFile(t, filepath.Join(dir, "config.json"), []byte(`{"model_type": "gpt2"}`))
	_, stderr, code = runInspectCLI(t, dir)
	if code != 1 || !strings.Contains(stderr, "gpt2") {
		t.Errorf("folder of an unsupported model: exit %d, stderr %q", code, stderr)
	}
}

func inspectWriteFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestInspectFolder builds a tiny Hugging Face folder (config.json, model.safetensors, tokenizer files).
func TestInspectFolder(t *testing.T) {
	dir := t.TempDir()
	inspectWriteFile(t, filepath.Join(dir, "config.json"), []byte(`{
		"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "torch_dtype": "bfloat16",
		"vocab_size": 16, "hidden_size": 8, "intermediate_size": 24, "num_hidden_layers": 3,
		"num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 4, "max_position_embeddings": 40960,
		"rms_norm_eps": 1e-6, "rope_theta": 1000000, "tie_word_embeddings": true}`))
	inspectWriteFile(t, filepath.Join(dir, "tokenizer.json"), []byte(`{"model": {"type": "BPE", "vocab": {}, "merges": []}}`))
	inspectWriteFile(t, filepath.Join(dir, "tokenizer_config.json"), []byte(`{"chat_template": "{{ messages }}"}`))
	tensors := []safetensors.Tensor{
		{Name: "model.embed_tokens.weight", DType: safetensors.BF16, Shape: []int64{16, 8}, Data: make([]byte, 16*8*2)},
		{Name: "model.norm.weight", DType: safetensors.F32, Shape: []int64{8}, Data: make([]byte, 8*4)},
	}
	if err := safetensors.WriteFile(filepath.Join(dir, "model.safetensors"), tensors, nil); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runInspectCLI(t, dir, "--ctx", "100")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	inspectWantLines(t, out,
		"architecture:   qwen3\n",
		"parameters:     136 (136)\n",
		"layers:         3\n",
		"kv heads:       2\n",
		"head dim:       4\n",
		"context:        40960\n",
		"tensor types:   BF16 1, F32 1\n",
		"tokenizer:      tokenizer.json (BPE), vocab 16\n",
		"chat template:  present (14 bytes)\n",
		// 2 × 3 layers × 100 positions × 2 kv heads × 4 × 2 bytes = 9600 bytes.
		"KV cache 9.4 KiB",
	)
}
