package quant

import (
	"bytes"
	"math"
	"path/filepath"
	"testing"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

func openGolden(t *testing.T, name string) *gguf.File {
	t.Helper()
	dir := testdata.Dir(t, "golden")
	f, err := gguf.Open(filepath.Join(dir, "models", name+".gguf"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func tensorF32(t *testing.T, f *gguf.File, name string) []float32 {
	t.Helper()
	tt, ok := f.Tensor(name)
	if !ok {
		t.Fatalf("tensor %s missing", name)
	}
	out := make([]float32, tt.NumElements())
	if err := Dequantize(tt.Type, tt.Data, out); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out
}

// TestGoldenQ8_0AndBF16Bytes: the golden Q8_0 and BF16 files were written by gguf-py from the F32 file, so
// quantizing the F32 weights with our encoder must give the same bytes.
func TestGoldenQ8_0AndBF16Bytes(t *testing.T) {
	src := openGolden(t, "a2-qwen3-e32-rv-f32")
	for _, name := range []string{"a2-qwen3-e32-rv-q8_0", "a2-qwen3-e32-rv-bf16"} {
		q := openGolden(t, name)
		n := 0
		for _, tt := range q.Tensors {
			if tt.Type != gguf.TypeQ8_0 && tt.Type != gguf.TypeBF16 {
				continue
			}
			x := tensorF32(t, src, tt.Name)
			got, err := Quantize(tt.Type, x)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.Data) {
				t.Errorf("%s %s: our %v encoding differs from gguf-py's", name, tt.Name, tt.Type)
			}
			n++
		}
		if n == 0 {
			t.Fatalf("%s: no quantized tensors", name)
		}
	}
}

// TestGoldenKQuants dequantizes the tensors llama-quantize wrote (Q4_K, Q5_K, Q6_K, Q4_0) and compares them with
// the F16 weights they were made from. A correct decoder reproduces the weights up to the format's quantization
// error; a layout mistake (swapped nibbles, scales, mins or signs) gives errors of the order of the weights.
func TestGoldenKQuants(t *testing.T) {
	src := openGolden(t, "a4-qwen3-e256-rv-f16")
	// Largest relative RMS error accepted per type: about 1.4x what the correct decoder gives (0.071, 0.036, 0.018, 0.086).
	limit := map[gguf.Type]float64{gguf.TypeQ4_K: 0.10, gguf.TypeQ5_K: 0.05, gguf.TypeQ6_K: 0.025, gguf.TypeQ4_0: 0.12}
	seen := map[gguf.Type]bool{}
	for _, name := range []string{"a4-qwen3-e256-rv-q4_k_m", "a4-qwen3-e256-rv-q5_k_m", "a4-qwen3-e256-rv-q6_k", "a4-qwen3-e256-rv-q4_0"} {
		q := openGolden(t, name)
		for _, tt := range q.Tensors {
			lim, ok := limit[tt.Type]
			if !ok {
				continue
			}
			seen[tt.Type] = true
			ref := tensorF32(t, src, tt.Name)
			got := tensorF32(t, q, tt.Name)
			var se, ss float64
			for i := range ref {
				e := float64(got[i] - ref[i])
				se += e * e
				ss += float64(ref[i]) * float64(ref[i])
			}
			rel := math.Sqrt(se / ss)
			if rel > lim {
				t.Errorf("%s %s (%v): relative RMS error %.4f > %.3f", name, tt.Name, tt.Type, rel, lim)
			}
			if testing.Verbose() && tt.Name == "blk.0.ffn_gate.weight" {
				t.Logf("%s %s (%v): relative RMS error %.4f", name, tt.Name, tt.Type, rel)
			}
		}
	}
	for typ := range limit {
		if !seen[typ] {
			t.Errorf("no %v tensor found in the golden files", typ)
		}
	}
}
