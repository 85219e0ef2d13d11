package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
	"github.com/qwenstudio/qwenstudio/llm/safetensors"
)

func runGenCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	code := runCLI(context.Background(), env, append([]string{"gen"}, args...))
	return out.String(), errb.String(), code
}

func TestGenDemoGGUF(t *testing.T) {
	dir := t.TempDir()
	p1, p2 := filepath.Join(dir, "a.gguf"), filepath.Join(dir, "b.gguf")
	for _, p := range []string{p1, p2} {
		out, stderr, code := runGenCLI(t, "-o", p, "--seed", "7")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.Contains(out, "wrote "+p) || !strings.Contains(out, "qwen3, 4 layers, n_embd 256") {
			t.Errorf("output %q", out)
		}
	}
	a, _ := os.ReadFile(p1)
	b, _ := os.ReadFile(p2)
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Error("same seed gave different files")
	}
	f, err := gguf.Open(p1)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := f.LLM()
	if err != nil {
		t.Fatal(err)
	}
	if p.Arch != "qwen3" || p.EmbeddingLength != 256 || p.BlockCount != 4 || p.KeyLength != 64 {
		t.Errorf("params %+v", p)
	}
	tp, err := f.TokenizerParams()
	if err != nil || len(tp.Tokens) != 2048 || tp.ChatTemplate == "" {
		t.Errorf("tokenizer: %d tokens, template %d bytes, %v", len(tp.Tokens), len(tp.ChatTemplate), err)
	}
}

func TestGenMoEHFWithFlags(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "moe")
	_, stderr, code := runGenCLI(t, "-o", dir, "--arch", "qwen3moe", "--type", "bf16", "--embd", "64", "--layers", "2",
		"--heads", "4", "--kv-heads", "2", "--head-dim", "16", "--ffn", "128", "--experts", "4", "--experts-used", "2",
		"--expert-ffn", "32", "--ctx", "2048", "--untied")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	c, err := safetensors.LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	tc := c.Text
	if c.ModelType != "qwen3_moe" || tc.HiddenSize != 64 || tc.NumHiddenLayers != 2 || tc.NumExperts != 4 || tc.NumExpertsPerTok != 2 ||
		tc.MoEIntermediateSize != 32 || tc.MaxPositionEmbeddings != 2048 || c.TieWordEmbeddings || c.DType != "bfloat16" {
		t.Errorf("config %+v", c)
	}
	ck, err := safetensors.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	if tn, ok := ck.Tensor("model.layers.1.mlp.experts.3.up_proj.weight"); !ok || tn.DType != safetensors.BF16 || tn.Shape[0] != 32 || tn.Shape[1] != 64 {
		t.Errorf("expert tensor %+v", tn)
	}
	if _, ok := ck.Tensor("lm_head.weight"); !ok {
		t.Error("--untied wrote no lm_head.weight")
	}
}

func TestGenReducedRealVocab(t *testing.T) {
	tokDir := testdata.Dir(t, "qwen3-tokenizer")
	p := filepath.Join(t.TempDir(), "rv.gguf")
	_, stderr, code := runGenCLI(t, "-o", p, "--tokenizer", tokDir, "--vocab", "4096", "--type", "q8_0",
		"--embd", "32", "--layers", "2", "--heads", "4", "--kv-heads", "2", "--head-dim", "16", "--ffn", "96")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, err := gguf.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	emb, _ := f.Tensor("token_embd.weight")
	if emb.Shape[1] != 4224 || emb.Type != gguf.TypeQ8_0 {
		t.Errorf("embedding %v %s", emb.Shape, emb.Type)
	}
}

func TestGenUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{},
		{"-o", filepath.Join(dir, "x.gguf"), "--arch", "llama"},
		{"-o", filepath.Join(dir, "x.gguf"), "--type", "q4_k"},
		{"-o", filepath.Join(dir, "x.gguf"), "--preset", "huge"},
		{"-o", filepath.Join(dir, "x.gguf"), "--vocab", "100"},
		{"-o", filepath.Join(dir, "x.gguf"), "--layers", "-1"},
		{"-o", filepath.Join(dir, "hf"), "--type", "q8_0"},
		{"-o", filepath.Join(dir, "x.gguf"), "extra"},
	} {
		if _, stderr, code := runGenCLI(t, args...); code != 2 {
			t.Errorf("%q: exit %d (%s), want 2", args, code, stderr)
		}
	}
	// A shape the generator rejects is a failure of the command (exit 1) with the reason.
	_, stderr, code := runGenCLI(t, "-o", filepath.Join(dir, "x.gguf"), "--heads", "4", "--kv-heads", "3")
	if code != 1 || !strings.Contains(stderr, "not a multiple of kv-heads") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.gguf")); err == nil {
		t.Error("a failed run left a file behind")
	}
}
