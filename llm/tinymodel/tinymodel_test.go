package tinymodel

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qwenstudio/qwenstudio/kernels/quant"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

func encodeBytes(t *testing.T, o Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := EncodeGGUF(context.Background(), &buf, o); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Same seed and options give identical bytes; another seed gives other weights of the same layout.
func TestDeterministic(t *testing.T) {
	for _, typ := range []gguf.Type{gguf.TypeF32, gguf.TypeQ8_0} {
		o := Golden(ArchQwen3MoE)
		o.Type = typ
		a, b := encodeBytes(t, o), encodeBytes(t, o)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two runs with the same seed differ", typ)
		}
		o.Seed++
		c := encodeBytes(t, o)
		if len(c) != len(a) || bytes.Equal(c, a) {
			t.Errorf("%s: seed change: %d vs %d bytes, equal=%v", typ, len(c), len(a), bytes.Equal(c, a))
		}
	}
	// The HF folder too.
	o := Golden(ArchQwen3)
	o.Type = gguf.TypeBF16
	d1, d2 := t.TempDir(), t.TempDir()
	for _, d := range []string{d1, d2} {
		if err := WriteHF(context.Background(), d, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors"} {
		x, err1 := os.ReadFile(filepath.Join(d1, name))
		y, err2 := os.ReadFile(filepath.Join(d2, name))
		if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs (%v %v)", name, err1, err2)
		}
	}
}

// The values follow the documented distributions: matrices N(0, 0.02), norm weights 1 + N(0, 0.05).
func TestWeightStatistics(t *testing.T) {
	o := Demo()
	o.Layers = 1
	f, err := gguf.Parse(encodeBytes(t, o))
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, mean, std float64) {
		tn, ok := f.Tensor(name)
		if !ok {
			t.Fatalf("no %s", name)
		}
		vals := make([]float32, tn.NumElements())
		if err := quant.Dequantize(tn.Type, tn.Data, vals); err != nil {
			t.Fatal(err)
		}
		var s, s2 float64
		for _, v := range vals {
			s += float64(v)
			s2 += float64(v) * float64(v)
		}
		n := float64(len(vals))
		m := s / n
		sd := sqrt(s2/n - m*m)
		if abs(m-mean) > 4*std/sqrt(n)+1e-9 || abs(sd-std)/std > 0.1 {
			t.Errorf("%s: mean %.4f sd %.4f, want %.2f and %.2f", name, m, sd, mean, std)
		}
	}
	check("blk.0.ffn_up.weight", 0, 0.02)
	check("token_embd.weight", 0, 0.02)
	check("blk.0.attn_norm.weight", 1, 0.05)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func sqrt(x float64) float64 {
	z := x
	for range 60 {
		if z == 0 {
			return 0
		}
		z -= (z*z - x) / (2 * z)
	}
	return z
}

// A model on a vocabulary cut from the full one has the full model's weights: identical layers, and each
// embedding row equal to the full model's row for the same token (the property the golden a1/a2 pair has).
func TestReducedVocabKeepsFullModelRows(t *testing.T) {
	full, reduced := Golden(ArchQwen3), Golden(ArchQwen3)
	full.Vocab, reduced.Vocab = realVocab(t, 0), realVocab(t, 4096)
	ff, err := gguf.Parse(encodeBytes(t, full))
	if err != nil {
		t.Fatal(err)
	}
	rf, err := gguf.Parse(encodeBytes(t, reduced))
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range rf.Tensors {
		ft, _ := ff.Tensor(rt.Name)
		if rt.Name == "token_embd.weight" {
			if rt.Shape[1] != 4224 || ft.Shape[1] != 151936 {
				t.Fatalf("embedding rows %d / %d", rt.Shape[1], ft.Shape[1])
			}
			row := int(rt.Shape[0]) * 4
			for i, src := range reduced.Vocab.SourceIDs {
				if !bytes.Equal(rt.Data[i*row:(i+1)*row], ft.Data[src*row:(src+1)*row]) {
					t.Fatalf("row %d differs from full row %d", i, src)
				}
			}
			continue
		}
		if !bytes.Equal(rt.Data, ft.Data) {
			t.Errorf("%s differs between the full and the reduced model", rt.Name)
		}
	}
	// Row 4096 is <|endoftext|>, the full vocabulary's 151643; the first padding row is 151669.
	ids := reduced.Vocab.SourceIDs
	if ids[0] != 0 || ids[4095] != 4095 || ids[4096] != 151643 || ids[4121] != 151668 || ids[4122] != 151669 {
		t.Errorf("source ids %v %v %v %v %v", ids[0], ids[4095], ids[4096], ids[4121], ids[4122])
	}
}

func TestQ8_0FallsBackToF16ForOddRows(t *testing.T) {
	o := Options{Embd: 48, Layers: 1, Heads: 2, KVHeads: 1, HeadDim: 32, FFN: 64, Type: gguf.TypeQ8_0}
	f, err := gguf.Parse(encodeBytes(t, o))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]gguf.Type{
		"token_embd.weight":        gguf.TypeF16,  // rows of 48
		"blk.0.attn_q.weight":      gguf.TypeF16,  // rows of 48
		"blk.0.attn_output.weight": gguf.TypeQ8_0, // rows of 64
		"blk.0.ffn_down.weight":    gguf.TypeQ8_0,
		"blk.0.attn_norm.weight":   gguf.TypeF32,
	}
	for name, typ := range want {
		tn, _ := f.Tensor(name)
		if tn == nil || tn.Type != typ {
			t.Errorf("%s: %v, want %s", name, tn, typ)
		}
	}
	if ft, _ := f.Uint("general.file_type"); ft != 7 {
		t.Errorf("file_type %d, want 7 (MOSTLY_Q8_0)", ft)
	}
}

func TestUntiedHasOutput(t *testing.T) {
	o := Golden(ArchQwen3)
	o.Untied = true
	f, err := gguf.Parse(encodeBytes(t, o))
	if err != nil {
		t.Fatal(err)
	}
	out, ok := f.Tensor("output.weight")
	emb, _ := f.Tensor("token_embd.weight")
	if !ok || out.Shape[0] != 32 || out.Shape[1] != emb.Shape[1] || bytes.Equal(out.Data, emb.Data) {
		t.Error("untied model lacks a separate output.weight of the embedding's shape")
	}
}

func TestPresets(t *testing.T) {
	o, err := Qwen3_0_6BShape().withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	var params int64
	shapes := map[string][]int64{}
	for _, s := range specs(o, o.VocabRows) {
		params += s.numElements()
		shapes[s.name] = s.ne
	}
	// Qwen3-0.6B: 0.44B non-embedding + 0.16B embedding parameters (tied).
	if params < 590e6 || params > 600e6 {
		t.Errorf("%d parameters", params)
	}
	for name, ne := range map[string][]int64{
		"token_embd.weight": {1024, 151936}, "blk.27.attn_q.weight": {1024, 2048}, "blk.27.attn_k.weight": {1024, 1024},
		"blk.0.attn_output.weight": {2048, 1024}, "blk.0.ffn_down.weight": {3072, 1024}, "blk.0.attn_q_norm.weight": {128},
	} {
		if got := shapes[name]; len(got) != len(ne) || got[0] != ne[0] || got[len(got)-1] != ne[len(ne)-1] {
			t.Errorf("%s: %v, want %v", name, got, ne)
		}
	}
	if _, ok := shapes["output.weight"]; ok {
		t.Error("Qwen3-0.6B is tied")
	}
	// The built-in vocabulary padded to Qwen3's row count.
	v, err := BuiltinVocab(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p, err := v.WithRows(o.VocabRows)
	if err != nil || p.Rows != 151936 || p.Token(151935) != "[PAD151935]" || p.TokenType(151935) != TokenUnused {
		t.Errorf("padded vocabulary: %v", err)
	}

	d, err := Demo().withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if d.Embd != 256 || d.Layers != 4 {
		t.Errorf("demo %+v", d)
	}
}

func TestOptionErrors(t *testing.T) {
	base := Golden(ArchQwen3)
	cases := map[string]func(o *Options){
		"arch":         func(o *Options) { o.Arch = "llama" },
		"zero embd":    func(o *Options) { o.Embd = 0 },
		"gqa":          func(o *Options) { o.KVHeads = 3 },
		"odd head":     func(o *Options) { o.HeadDim = 15 },
		"type":         func(o *Options) { o.Type = gguf.TypeQ4_K },
		"moe no exp":   func(o *Options) { o.Arch = ArchQwen3MoE },
		"dense expert": func(o *Options) { o.Experts = 4 },
		"used > exp":   func(o *Options) { *o = Golden(ArchQwen3MoE); o.ExpertsUsed = 9 },
		"rows":         func(o *Options) { o.VocabRows = 100 },
	}
	for name, mod := range cases {
		o := base
		mod(&o)
		if err := EncodeGGUF(context.Background(), &bytes.Buffer{}, o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	o := base
	o.Vocab = &Vocab{BPE: make([]string, 256), Added: qwen3AddedTokens, Rows: 384}
	if err := EncodeGGUF(ctx, &bytes.Buffer{}, o); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := VocabFromTokenizerJSON(filepath.Join(t.TempDir(), "none.json"), 0); err == nil {
		t.Error("missing tokenizer.json accepted")
	}
	bad := filepath.Join(t.TempDir(), "tokenizer.json")
	os.WriteFile(bad, []byte(`{"model":{"type":"Unigram","vocab":{}}}`), 0o644)
	if _, err := VocabFromTokenizerJSON(bad, 0); err == nil || !strings.Contains(err.Error(), "want BPE") {
		t.Errorf("unigram tokenizer: %v", err)
	}
}

func BenchmarkBuiltinVocab(b *testing.B) {
	for b.Loop() {
		if _, err := BuiltinVocab(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDemoGGUF(b *testing.B) {
	o := Demo()
	v, err := BuiltinVocab(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	o.Vocab = v
	for b.Loop() {
		var buf bytes.Buffer
		if err := EncodeGGUF(context.Background(), &buf, o); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(buf.Len()))
	}
}
