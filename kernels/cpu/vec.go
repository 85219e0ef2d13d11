package cpu

import (
	"math"
	"unsafe"

	"github.com/qwenstudio/qwenstudio/kernels/quant"
)

// Views of byte slices as typed slices (little-endian hosts only; New refuses others). Buffers are allocated
// or checked to be aligned for their element type.

func asF32(b []byte) []float32 {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4)
}

func asU16(b []byte) []uint16 {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*uint16)(unsafe.Pointer(&b[0])), len(b)/2)
}

func f32Bytes(f []float32) []byte {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*len(f))
}

func u16Bytes(h []uint16) []byte {
	if len(h) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&h[0])), 2*len(h))
}

func i32Bytes(v []int32) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v))
}

// The pure-Go float kernels below are the references of the SIMD ones (simd_*.go), which dotF32, dotF32F16,
// axpyF32, axpyF16, f32ToF16Row and f16ToF32Row dispatch to.

// dotF32Go returns Σ a[i]·b[i] with four float32 accumulators (len(b) >= len(a)).
func dotF32Go(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// dotF32F16Go returns Σ a[i]·h[i] with h in binary16 (attention over an F16 cache).
func dotF32F16Go(a []float32, h []uint16) float32 {
	h = h[:len(a)]
	var s0, s1 float32
	i := 0
	for ; i+2 <= len(a); i += 2 {
		s0 += a[i] * quant.F16ToF32(h[i])
		s1 += a[i+1] * quant.F16ToF32(h[i+1])
	}
	for ; i < len(a); i++ {
		s0 += a[i] * quant.F16ToF32(h[i])
	}
	return s0 + s1
}

// axpyF32Go: y += a·x.
func axpyF32Go(a float32, x, y []float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += a * x[i]
	}
}

// axpyF16Go: y += a·h with h in binary16.
func axpyF16Go(a float32, h []uint16, y []float32) {
	h = h[:len(y)]
	for i := range y {
		y[i] += a * quant.F16ToF32(h[i])
	}
}

// f32ToF16RowGo: dst[i] = F32ToF16(src[i]) (round to nearest even).
func f32ToF16RowGo(dst []uint16, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = quant.F32ToF16(v)
	}
}

// f16ToF32RowGo: dst[i] = F16ToF32(src[i]).
func f16ToF32RowGo(dst []float32, src []uint16) {
	dst = dst[:len(src)]
	for i, h := range src {
		dst[i] = quant.F16ToF32(h)
	}
}

// silu(x) = x / (1 + e^-x) in float32, as ggml_silu_f32.
func silu(x float32) float32 {
	return x / (1 + float32(math.Exp(float64(-x))))
}

func expf(x float32) float32 { return float32(math.Exp(float64(x))) }
