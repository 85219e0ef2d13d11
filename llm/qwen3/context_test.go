package qwen3

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
	"github.com/qwenstudio/qwenstudio/llm/tinymodel"
)

// tinyModel writes and loads a small generated model (n_embd 32, built-in vocabulary).
func tinyModel(t *testing.T, arch string, typ gguf.Type) *Model {
	t.Helper()
	ctx := context.Background()
	o := tinymodel.Golden(arch)
	o.Type = typ
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := tinymodel.WriteGGUF(ctx, path, o); err != nil {
		t.Fatal(err)
	}
	m, err := Load(ctx, path, Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func randTokens(r *rand.Rand, n, vocab int) []int32 {
	ids := make([]int32, n)
	for i := range ids {
		ids[i] = int32(r.IntN(vocab))
	}
	return ids
}

func newCtx(t *testing.T, m *Model, n int) *Context {
	t.Helper()
	c, err := m.NewContext(n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestIncrementalEqualsBatch: decoding one token at a time through the cache, evaluating in one call longer than
// a batch, and evaluating in uneven pieces all give the same logits (bit for bit: every row is computed the
// same way whatever batch it is in).
func TestIncrementalEqualsBatch(t *testing.T) {
	ctx := context.Background()
	for _, arch := range []string{tinymodel.ArchQwen3, tinymodel.ArchQwen3MoE} {
		m := tinyModel(t, arch, gguf.TypeQ8_0)
		V := m.Config().VocabSize
		ids := randTokens(rand.New(rand.NewPCG(1, 2)), Batch+90, V)

		whole, err := newCtx(t, m, len(ids)).Eval(ctx, ids, true)
		if err != nil {
			t.Fatal(err)
		}
		whole = slices.Clone(whole)

		c := newCtx(t, m, len(ids))
		for off, n := 0, 0; off < len(ids); off += n {
			n = min(1+off%97, len(ids)-off) // pieces of varying length
			part, err := c.Eval(ctx, ids[off:off+n], true)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(part, whole[off*V:(off+n)*V]) {
				t.Fatalf("%s: positions %d..%d differ between piecewise and whole evaluation", arch, off, off+n-1)
			}
		}

		c = newCtx(t, m, 40)
		for i, id := range ids[:40] {
			last, err := c.Eval(ctx, []int32{id}, false)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(last, whole[i*V:(i+1)*V]) {
				t.Fatalf("%s: token-by-token decode differs at position %d", arch, i)
			}
		}
	}
}

func TestContextFullTruncateCancel(t *testing.T) {
	ctx := context.Background()
	m := tinyModel(t, tinymodel.ArchQwen3, gguf.TypeF32)
	V := m.Config().VocabSize
	r := rand.New(rand.NewPCG(3, 4))
	a, b, c2 := randTokens(r, 6, V), randTokens(r, 3, V), randTokens(r, 4, V)

	c := newCtx(t, m, 10)
	if _, err := c.Eval(ctx, append(slices.Clone(a), b...), false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Eval(ctx, c2, false); !errors.Is(err, ErrContextFull) {
		t.Fatalf("9 + 4 tokens in a context of 10: err = %v, want ErrContextFull", err)
	}
	if c.Len() != 9 {
		t.Fatalf("Len after a refused Eval = %d, want 9", c.Len())
	}

	// Prefix reuse: keep a, append c2; the result equals a fresh evaluation of a+c2.
	if err := c.Truncate(len(a)); err != nil {
		t.Fatal(err)
	}
	got, err := c.Eval(ctx, c2, false)
	if err != nil {
		t.Fatal(err)
	}
	want, err := newCtx(t, m, 10).Eval(ctx, append(slices.Clone(a), c2...), false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatal("Truncate + Eval differs from a fresh evaluation of the same sequence")
	}
	if err := c.Truncate(11); err == nil {
		t.Fatal("Truncate beyond Len accepted")
	}

	// A cancelled context stops the evaluation and leaves the cache as it was.
	if err := c.Truncate(len(a)); err != nil {
		t.Fatal(err)
	}
	cc, cancel := context.WithCancel(ctx)
	cancel()
	n := c.Len()
	if _, err := c.Eval(cc, []int32{1}, false); !errors.Is(err, context.Canceled) {
		t.Fatalf("Eval with a cancelled context: %v", err)
	}
	if c.Len() != n {
		t.Fatalf("Len changed from %d to %d by a cancelled Eval", n, c.Len())
	}

	if _, err := c.Eval(ctx, []int32{int32(V)}, false); err == nil || !strings.Contains(err.Error(), "outside the vocabulary") {
		t.Fatalf("out-of-range token: %v", err)
	}
	if _, err := c.Eval(ctx, nil, false); err == nil {
		t.Fatal("Eval of no tokens accepted")
	}
}

// TestDecodeAllocatesNothing: a decode step (one token, last logits) allocates nothing once the context exists.
func TestDecodeAllocatesNothing(t *testing.T) {
	ctx := context.Background()
	for _, arch := range []string{tinymodel.ArchQwen3, tinymodel.ArchQwen3MoE} {
		m := tinyModel(t, arch, gguf.TypeQ8_0)
		c := newCtx(t, m, 64)
		tok := []int32{7}
		step := func() {
			if c.Len() == c.Cap() {
				c.Truncate(0)
			}
			if _, err := c.Eval(ctx, tok, false); err != nil {
				t.Fatal(err)
			}
		}
		step()
		if n := testing.AllocsPerRun(30, step); n != 0 {
			t.Errorf("%s: a decode step allocates %v times", arch, n)
		}
	}
}

// TestLoadReportsEveryBadTensor rewrites a golden model without two tensors and with a misshapen one; Load
// must name all three.
func TestLoadReportsEveryBadTensor(t *testing.T) {
	src, err := gguf.Open(filepath.Join(testdata.Dir(t, "golden"), "models", "a2-qwen3-e32-rv-f32.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	w := gguf.NewWriter()
	for _, kv := range src.KVs {
		w.SetKV(kv.Key, kv.Value)
	}
	for _, tt := range src.Tensors {
		switch tt.Name {
		case "blk.0.attn_q.weight", "blk.1.ffn_up.weight":
			continue
		case "blk.1.attn_k.weight": // [32, 32] written as [16, 64]
			if err := w.AddTensor(tt.Name, tt.Type, []int64{16, 64}, tt.Data); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := w.AddTensor(tt.Name, tt.Type, tt.Shape, tt.Data); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "broken.gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	_, err = Load(context.Background(), path, Options{})
	if err == nil {
		t.Fatal("Load accepted a model with missing tensors")
	}
	for _, want := range []string{`"blk.0.attn_q.weight": missing`, `"blk.1.ffn_up.weight": missing`, `"blk.1.attn_k.weight": shape [16, 64]`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestLoadRejectsOtherArchitectures(t *testing.T) {
	w := gguf.NewWriter()
	w.SetKV("general.architecture", "llama")
	w.SetKV("llama.embedding_length", uint32(32))
	w.SetKV("llama.block_count", uint32(1))
	w.SetKV("llama.attention.head_count", uint32(4))
	path := filepath.Join(t.TempDir(), "llama.gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(context.Background(), path, Options{}); !errors.Is(err, ErrUnsupportedArch) {
		t.Fatalf("Load of a llama GGUF: %v, want ErrUnsupportedArch", err)
	}
}
