//go:build !amd64 || purego

package cpu

import "github.com/qwenstudio/qwenstudio/llm/gguf"

// Without SIMD kernels for this architecture (or with the purego build tag) the pure-Go table is used as it is.

func simdName() string { return "pure Go kernels" }

func simdKernels(gguf.Type) []kernel { return nil }

func dotF32(a, b []float32) float32              { return dotF32Go(a, b) }
func dotF32F16(a []float32, h []uint16) float32  { return dotF32F16Go(a, h) }
func axpyF32(a float32, x, y []float32)          { axpyF32Go(a, x, y) }
func axpyF16(a float32, h []uint16, y []float32) { axpyF16Go(a, h, y) }
func f32ToF16Row(dst []uint16, src []float32)    { f32ToF16RowGo(dst, src) }
func f16ToF32Row(dst []float32, src []uint16)    { f16ToF32RowGo(dst, src) }

func actEncoder(_ gguf.Type, ref func(x []float32, y []byte)) func(x []float32, y []byte) { return ref }

func scoresF16([]float32, []uint16, int, []float32) bool  { return false }
func scoresF32([]float32, []float32, int, []float32) bool { return false }
func pvF16([]float32, []uint16, int, []float32) bool      { return false }
func pvF32([]float32, []float32, int, []float32) bool     { return false }

func swigluRow(d, g, u []float32) {
	g, u = g[:len(d)], u[:len(d)]
	for i := range d {
		d[i] = silu(g[i]) * u[i]
	}
}

func softmaxExp(s []float32, mx float32, _ int) float64 { return softmaxExpGo(s, mx) }

func hasSIMDExp() bool { return false }
