package qwen3

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/qwenstudio/qwenstudio/llm/gguf"
	"github.com/qwenstudio/qwenstudio/llm/tinymodel"
)

// evalLogits loads path and returns the logits of every position of ids.
func evalLogits(t *testing.T, path string, opts Options, ids []int32) ([]float32, *Model) {
	t.Helper()
	ctx := context.Background()
	m, err := Load(ctx, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	c, err := m.NewContext(len(ids))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	out, err := c.Eval(ctx, ids, true)
	if err != nil {
		t.Fatal(err)
	}
	return append([]float32(nil), out...), m
}

func maxDiff(a, b []float32) float64 {
	var mx float64
	for i := range a {
		mx = math.Max(mx, math.Abs(float64(a[i])-float64(b[i])))
	}
	return mx
}

// TestGGUFAndHFFolderAgree: the same random weights written as GGUF and as a Hugging Face folder give the same
// logits; bit for bit where both files hold the same values (F32, and HF F32 quantized to Q8_0 at load against
// a Q8_0 GGUF, since both use gguf-py's rounding), within BF16 rounding where the HF folder stores its norms as
// BF16 and the GGUF as F32.
func TestGGUFAndHFFolderAgree(t *testing.T) {
	ctx := context.Background()
	ids := []int32{1, 5, 9, 2, 7, 3, 3, 8, 0, 4, 6, 11}
	cases := []struct {
		name     string
		arch     string
		ggufType gguf.Type
		hfType   gguf.Type
		q8       bool
		untied   bool
		tol      float64
	}{
		{"dense-f32", tinymodel.ArchQwen3, gguf.TypeF32, gguf.TypeF32, false, false, 0},
		{"dense-f32-untied", tinymodel.ArchQwen3, gguf.TypeF32, gguf.TypeF32, false, true, 0},
		{"moe-f32", tinymodel.ArchQwen3MoE, gguf.TypeF32, gguf.TypeF32, false, false, 0},
		{"dense-q8_0", tinymodel.ArchQwen3, gguf.TypeQ8_0, gguf.TypeF32, true, false, 0},
		{"moe-q8_0", tinymodel.ArchQwen3MoE, gguf.TypeQ8_0, gguf.TypeF32, true, true, 0},
		{"dense-bf16", tinymodel.ArchQwen3, gguf.TypeBF16, gguf.TypeBF16, false, false, 5e-3},
		{"moe-bf16", tinymodel.ArchQwen3MoE, gguf.TypeBF16, gguf.TypeBF16, false, false, 5e-3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			o := tinymodel.Golden(tc.arch)
			o.Untied = tc.untied
			o.Type = tc.ggufType
			ggufPath := filepath.Join(dir, "m.gguf")
			if err := tinymodel.WriteGGUF(ctx, ggufPath, o); err != nil {
				t.Fatal(err)
			}
			o.Type = tc.hfType
			hfDir := filepath.Join(dir, "hf")
			if err := tinymodel.WriteHF(ctx, hfDir, o); err != nil {
				t.Fatal(err)
			}
			want, mg := evalLogits(t, ggufPath, Options{KVF32: true}, ids)
			got, mh := evalLogits(t, hfDir, Options{KVF32: true, QuantizeQ8: tc.q8}, ids)
			// GGUF stores epsilon as float32; the forward pass uses float32 either way.
			cg, ch := mg.Config(), mh.Config()
			cg.RMSNormEps, ch.RMSNormEps = float64(float32(cg.RMSNormEps)), float64(float32(ch.RMSNormEps))
			if cg != ch {
				t.Fatalf("configs differ:\nGGUF %+v\nHF   %+v", cg, ch)
			}
			if tc.q8 && mh.w.layers[0].attnQ.Type() != gguf.TypeQ8_0 {
				t.Fatalf("QuantizeQ8: attn_q is %v", mh.w.layers[0].attnQ.Type())
			}
			if d := maxDiff(got, want); d > tc.tol {
				t.Fatalf("max |logit diff| GGUF vs HF folder = %g, want <= %g", d, tc.tol)
			}
		})
	}
}
