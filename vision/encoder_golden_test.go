package vision

import (
	"context"
	"math"
	"path/filepath"
	"testing"
)

// TestEncodeGolden runs the encoder on llama.cpp's own pixel input and compares the output rows
// ([main | ds_0]) with libmtmd's, by max and rms absolute difference (outputs are ≈0.25 at most).
//
//   - NumericsLlamaCPP copies llama.cpp's F16 steps, so what remains is summation order (≈1e-7 relative)
//     plus the few GELU inputs that fall on the other side of an F16 rounding boundary, each moving one
//     activation by an F16 step (2⁻¹¹ relative). Measured: rms ≤ 1.1e-6 (≈4e-6 relative), max ≤ 2.6e-5
//     (the golden README's float64 emulation reaches 2.9e-5 for the same reason). Bounds 5e-5 max, 3e-6
//     rms; the rms bound fails for NumericsReference (≈2.4e-5), so it really checks the F16 emulation.
//   - NumericsReference (exact GELU, erf in the mergers, F32 patch embedding) differs from llama.cpp by
//     ≈1e-4 by construction: the README's suggested 5e-4 max, and 1e-4 rms (measured ≈2.5e-5).
func TestEncodeGolden(t *testing.T) {
	dir := goldenDir(t)
	f := openMmproj(t, dir)
	for _, tc := range []struct {
		name string
		num  Numerics
		tol  float64
		rms  float64
	}{
		{"llamacpp", NumericsLlamaCPP, 5e-5, 3e-6},
		{"reference", NumericsReference, 5e-4, 1e-4},
	} {
		enc, err := Load(f, Options{Numerics: tc.num})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range goldenImages {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				run := readRun(t, dir, name)
				data := readF32(t, filepath.Join(dir, "pixels", name+".f32"))
				px := &Pixels{W: run.PreprocessedWH[0], H: run.PreprocessedWH[1], Data: data}
				got, err := enc.Encode(context.Background(), px)
				if err != nil {
					t.Fatal(err)
				}
				if got.GridW != run.MergedGridWH[0] || got.GridH != run.MergedGridWH[1] || got.Width != run.NEmbdInp {
					t.Fatalf("grid %d×%d width %d, llama.cpp %v width %d", got.GridW, got.GridH, got.Width, run.MergedGridWH, run.NEmbdInp)
				}
				want := readF32(t, filepath.Join(dir, "V1", name+".embd.f32"))
				if len(want) != len(got.Data) {
					t.Fatalf("%d values, llama.cpp %d", len(got.Data), len(want))
				}
				var maxDiff, maxRef, sq float64
				at := 0
				for i := range want {
					d := math.Abs(float64(got.Data[i] - want[i]))
					sq += d * d
					if d > maxDiff || math.IsNaN(d) {
						maxDiff, at = d, i
					}
					maxRef = max(maxRef, math.Abs(float64(want[i])))
				}
				rms := math.Sqrt(sq / float64(len(want)))
				t.Logf("max |diff| %.3g at row %d col %d, rms %.3g (max |embd| %.3g)", maxDiff, at/got.Width, at%got.Width, rms, maxRef)
				if !(rms <= tc.rms) {
					t.Errorf("rms diff %.3g > %.3g", rms, tc.rms)
				}
				if !(maxDiff <= tc.tol) {
					t.Errorf("max |diff| %.3g > %.3g at row %d col %d: got %v, llama.cpp %v",
						maxDiff, tc.tol, at/got.Width, at%got.Width, got.Data[at], want[at])
				}
			})
		}
	}
}
