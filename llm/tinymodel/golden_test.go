package tinymodel

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// realVocab loads the real Qwen3 tokenizer from the shared test data, reduced to keep BPE tokens (0: all).
func realVocab(t testing.TB, keep int) *Vocab {
	t.Helper()
	dir := testdata.Dir(t, "qwen3-tokenizer")
	v, err := VocabFromTokenizerJSON(filepath.Join(dir, "tokenizer.json"), keep)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func openGolden(t *testing.T, name string) *gguf.File {
	t.Helper()
	dir := testdata.Dir(t, "golden")
	f, err := gguf.Open(filepath.Join(dir, "models", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func generated(t *testing.T, o Options) *gguf.File {
	t.Helper()
	var buf bytes.Buffer
	if err := EncodeGGUF(context.Background(), &buf, o); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// kvShape describes a KV by key and value type (and element type for arrays).
func kvShape(kv gguf.KV) string {
	if a, ok := kv.Value.(gguf.Array); ok {
		return fmt.Sprintf("%s: array of %s", kv.Key, a.Elem)
	}
	return fmt.Sprintf("%s: %T", kv.Key, kv.Value)
}

// The generated a2/a3-shaped models must look exactly like the golden ones to a loader: same metadata keys in
// the same order with the same value types, same tensors with the same types and shapes, and the same
// tokenizer metadata (the reduced vocabulary is built by the same rule).
func TestMatchesGoldenLayout(t *testing.T) {
	v := realVocab(t, 4096)
	cases := []struct {
		golden string
		arch   string
		typ    gguf.Type
	}{
		{"a2-qwen3-e32-rv-f32.gguf", ArchQwen3, gguf.TypeF32},
		{"a2-qwen3-e32-rv-bf16.gguf", ArchQwen3, gguf.TypeBF16},
		{"a2-qwen3-e32-rv-q8_0.gguf", ArchQwen3, gguf.TypeQ8_0},
		{"a3-qwen3moe-e32-rv-f32.gguf", ArchQwen3MoE, gguf.TypeF32},
		{"a3-qwen3moe-e32-rv-q8_0.gguf", ArchQwen3MoE, gguf.TypeQ8_0},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			want := openGolden(t, c.golden)
			o := Golden(c.arch)
			o.Type, o.Vocab = c.typ, v
			got := generated(t, o)

			if len(got.KVs) != len(want.KVs) {
				t.Errorf("%d KVs, golden has %d", len(got.KVs), len(want.KVs))
			}
			for i := range min(len(got.KVs), len(want.KVs)) {
				if g, w := kvShape(got.KVs[i]), kvShape(want.KVs[i]); g != w {
					t.Errorf("KV %d: %s, golden %s", i, g, w)
				}
			}
			for _, key := range []string{"tokenizer.ggml.tokens", "tokenizer.ggml.token_type", "tokenizer.ggml.merges",
				"tokenizer.ggml.eos_token_id", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.padding_token_id",
				"tokenizer.chat_template", "general.file_type", c.arch + ".embedding_length", c.arch + ".feed_forward_length",
				c.arch + ".rope.freq_base", c.arch + ".attention.layer_norm_rms_epsilon", c.arch + ".context_length"} {
				gv, _ := got.Get(key)
				wv, _ := want.Get(key)
				if !reflect.DeepEqual(gv, wv) {
					t.Errorf("%s differs from the golden value", key)
				}
			}
			gp, err := got.LLM()
			if err != nil {
				t.Fatal(err)
			}
			wp, _ := want.LLM()
			if !reflect.DeepEqual(gp, wp) {
				t.Errorf("LLM params %+v, golden %+v", gp, wp)
			}

			if len(got.Tensors) != len(want.Tensors) {
				t.Fatalf("%d tensors, golden has %d", len(got.Tensors), len(want.Tensors))
			}
			for i := range got.Tensors {
				g, w := &got.Tensors[i], &want.Tensors[i]
				if g.Name != w.Name || g.Type != w.Type || !reflect.DeepEqual(g.Shape, w.Shape) || len(g.Data) != len(w.Data) {
					t.Errorf("tensor %d: %s %s %v (%d B), golden %s %s %v (%d B)", i, g.Name, g.Type, g.Shape, len(g.Data),
						w.Name, w.Type, w.Shape, len(w.Data))
				}
			}
		})
	}
}
