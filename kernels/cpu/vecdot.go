package cpu

import (
	"encoding/binary"
	"math"

	"github.com/qwenstudio/qwenstudio/kernels/quant"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// traits binds a weight type to its kernels, like ggml's type_traits_cpu: the activation type its dot
// product pairs with, the activation encoder, the dot product of one weight row with one encoded activation
// row, and a row decoder for the F32 reference path. SIMD versions (simdKernels, chosen once at start-up)
// replace vecDot and add a tile kernel; the functions here are the scalar references they are tested against.
type traits struct {
	act     gguf.Type                     // activation type (vec_dot_type)
	fromF32 func(x []float32, y []byte)   // encode one activation row as act (nil when act is F32)
	vecDot  func(w, x []byte) float32     // one weight row · one activation row, both in their byte layouts
	toF32   func(w []byte, out []float32) // decode one weight row
	kernel                                // SIMD kernel in use (zero: none; then vecDot is the pure-Go one)
}

// tileFunc computes out[i] = vecDot(w, x_i) for i < len(out) (the kernel's tile height), bit for bit, loading
// each weight block once for all the rows. The rows x_i are p[i·prb:], either encoded rows as they are or,
// when the kernel has a packFunc, packed by it.
type tileFunc func(w, p []byte, prb int, out []float32)

// rowsFunc computes out[i] = vecDot(w[i·wrb:(i+1)·wrb], x) for i < 4, bit for bit: four weight rows against
// one activation row (decode), whose independent sums hide each other's latency.
type rowsFunc func(w []byte, wrb int, x []byte, out *[4]float32)

// packFunc rearranges one encoded activation row x for a tile kernel (e.g. float32 block scales ahead of the
// quants), once per MatMul rather than once per weight row.
type packFunc func(x, p []byte)

// kernel is one SIMD implementation of a weight type's dot products.
type kernel struct {
	name    string
	vecDot  func(w, x []byte) float32
	tile    tileFunc          // nil, or one weight row against tileN activation rows (prefill)
	tileN   int               // at most 8
	pack    packFunc          // nil, or how tile wants the encoded activation rows laid out
	packLen func(xrb int) int // bytes of one packed row, for encoded rows of xrb bytes
	rows4   rowsFunc          // nil, or four weight rows against one activation row
}

// withSIMD returns tr with the best SIMD kernel this CPU has for t, if any.
func withSIMD(t gguf.Type, tr traits) traits {
	if ks := simdKernels(t); len(ks) > 0 {
		tr.kernel = ks[0]
		tr.vecDot = ks[0].vecDot
	}
	if tr.fromF32 != nil {
		tr.fromF32 = actEncoder(tr.act, tr.fromF32)
	}
	return tr
}

func traitsOf(t gguf.Type) *traits {
	switch t {
	case gguf.TypeF32:
		return &traitsF32
	case gguf.TypeF16:
		return &traitsF16
	case gguf.TypeBF16:
		return &traitsBF16
	case gguf.TypeQ8_0:
		return &traitsQ8_0
	case gguf.TypeQ4_0:
		return &traitsQ4_0
	case gguf.TypeQ4_1:
		return &traitsQ4_1
	case gguf.TypeQ5_0:
		return &traitsQ5_0
	case gguf.TypeQ5_1:
		return &traitsQ5_1
	case gguf.TypeQ4_K:
		return &traitsQ4_K
	case gguf.TypeQ5_K:
		return &traitsQ5_K
	case gguf.TypeQ6_K:
		return &traitsQ6_K
	}
	return nil
}

// Constant tables (never modified after start-up, where withSIMD picks the CPU's kernels).
var (
	traitsF32  = withSIMD(gguf.TypeF32, traits{act: gguf.TypeF32, vecDot: vecDotF32, toF32: decodeF32})
	traitsF16  = withSIMD(gguf.TypeF16, traits{act: gguf.TypeF16, fromF32: encodeF16, vecDot: vecDotF16, toF32: decoder(gguf.TypeF16)})
	traitsBF16 = withSIMD(gguf.TypeBF16, traits{act: gguf.TypeBF16, fromF32: encodeBF16, vecDot: vecDotBF16, toF32: decoder(gguf.TypeBF16)})
	traitsQ8_0 = withSIMD(gguf.TypeQ8_0, traits{act: gguf.TypeQ8_0, fromF32: quant.QuantizeRowQ8_0Act, vecDot: vecDotQ8_0, toF32: decoder(gguf.TypeQ8_0)})
	traitsQ4_0 = withSIMD(gguf.TypeQ4_0, traits{act: gguf.TypeQ8_0, fromF32: quant.QuantizeRowQ8_0Act, vecDot: vecDotQ4_0, toF32: decoder(gguf.TypeQ4_0)})
	traitsQ4_1 = withSIMD(gguf.TypeQ4_1, traits{act: gguf.TypeQ8_1, fromF32: quant.QuantizeRowQ8_1Act, vecDot: vecDotQ4_1, toF32: decoder(gguf.TypeQ4_1)})
	traitsQ5_0 = withSIMD(gguf.TypeQ5_0, traits{act: gguf.TypeQ8_0, fromF32: quant.QuantizeRowQ8_0Act, vecDot: vecDotQ5_0, toF32: decoder(gguf.TypeQ5_0)})
	traitsQ5_1 = withSIMD(gguf.TypeQ5_1, traits{act: gguf.TypeQ8_1, fromF32: quant.QuantizeRowQ8_1Act, vecDot: vecDotQ5_1, toF32: decoder(gguf.TypeQ5_1)})
	traitsQ4_K = withSIMD(gguf.TypeQ4_K, traits{act: gguf.TypeQ8_K, fromF32: quant.QuantizeRowQ8K, vecDot: vecDotQ4_K, toF32: decoder(gguf.TypeQ4_K)})
	traitsQ5_K = withSIMD(gguf.TypeQ5_K, traits{act: gguf.TypeQ8_K, fromF32: quant.QuantizeRowQ8K, vecDot: vecDotQ5_K, toF32: decoder(gguf.TypeQ5_K)})
	traitsQ6_K = withSIMD(gguf.TypeQ6_K, traits{act: gguf.TypeQ8_K, fromF32: quant.QuantizeRowQ8K, vecDot: vecDotQ6_K, toF32: decoder(gguf.TypeQ6_K)})
)

// decoder returns a row decoder for t. Dequantize only fails on length mismatches, which the callers rule out.
func decoder(t gguf.Type) func(w []byte, out []float32) {
	return func(w []byte, out []float32) {
		if err := quant.Dequantize(t, w, out); err != nil {
			panic(err)
		}
	}
}

func decodeF32(w []byte, out []float32) { copy(out, asF32(w)) }

func encodeF16(x []float32, y []byte) { f32ToF16Row(asU16(y), x) }

func encodeBF16(x []float32, y []byte) {
	h := asU16(y)
	for i, v := range x {
		h[i] = quant.F32ToBF16(v)
	}
}

func vecDotF32(w, x []byte) float32 { return dotF32Go(asF32(w), asF32(x)) }

func vecDotF16(w, x []byte) float32 {
	a, b := asU16(w), asU16(x)
	b = b[:len(a)]
	var s0, s1 float32
	i := 0
	for ; i+2 <= len(a); i += 2 {
		s0 += quant.F16ToF32(a[i]) * quant.F16ToF32(b[i])
		s1 += quant.F16ToF32(a[i+1]) * quant.F16ToF32(b[i+1])
	}
	for ; i < len(a); i++ {
		s0 += quant.F16ToF32(a[i]) * quant.F16ToF32(b[i])
	}
	return s0 + s1
}

func vecDotBF16(w, x []byte) float32 {
	a, b := asU16(w), asU16(x)
	b = b[:len(a)]
	var s0, s1 float32
	i := 0
	for ; i+2 <= len(a); i += 2 {
		s0 += quant.BF16ToF32(a[i]) * quant.BF16ToF32(b[i])
		s1 += quant.BF16ToF32(a[i+1]) * quant.BF16ToF32(b[i+1])
	}
	for ; i < len(a); i++ {
		s0 += quant.BF16ToF32(a[i]) * quant.BF16ToF32(b[i])
	}
	return s0 + s1
}

func f16(b []byte) float32 { return quant.F16ToF32(binary.LittleEndian.Uint16(b)) }

// The 32-wide formats: each block's integer dot product is exact; blocks are scaled and summed in float32
// (ggml's *_generic kernels).

func vecDotQ8_0(w, x []byte) float32 {
	var sum float32
	for len(w) >= quant.Q8_0B {
		wq, xq := w[2:34], x[2:34]
		var isum int32
		for j := range 32 {
			isum += int32(int8(wq[j])) * int32(int8(xq[j]))
		}
		sum += float32(isum) * (f16(w) * f16(x))
		w, x = w[quant.Q8_0B:], x[quant.Q8_0B:]
	}
	return sum
}

func vecDotQ4_0(w, x []byte) float32 {
	var sum float32
	for len(w) >= quant.Q4_0B {
		qs, xq := w[2:18], x[2:34]
		var isum int32
		for j := range 16 {
			isum += (int32(qs[j]&0xf) - 8) * int32(int8(xq[j]))
			isum += (int32(qs[j]>>4) - 8) * int32(int8(xq[j+16]))
		}
		sum += float32(isum) * f16(w) * f16(x)
		w, x = w[quant.Q4_0B:], x[quant.Q8_0B:]
	}
	return sum
}

func vecDotQ5_0(w, x []byte) float32 {
	var sum float32
	for len(w) >= quant.Q5_0B {
		qh := binary.LittleEndian.Uint32(w[2:])
		qs, xq := w[6:22], x[2:34]
		var isum int32
		for j := range 16 {
			h0 := int32(qh>>j&1) << 4
			h1 := int32(qh>>(j+16)&1) << 4
			isum += ((int32(qs[j]&0xf) | h0) - 16) * int32(int8(xq[j]))
			isum += ((int32(qs[j]>>4) | h1) - 16) * int32(int8(xq[j+16]))
		}
		sum += float32(isum) * f16(w) * f16(x)
		w, x = w[quant.Q5_0B:], x[quant.Q8_0B:]
	}
	return sum
}

// Q4_1 / Q5_1 weights pair with Q8_1 activations, whose s = d·Σq carries the offset term: Σ (d·q + m)·x =
// d·dx·Σ q·qx + m·s.
func vecDotQ4_1(w, x []byte) float32 {
	var sum float32
	for len(w) >= quant.Q4_1B {
		qs, xq := w[4:20], x[4:36]
		var isum int32
		for j := range 16 {
			isum += int32(qs[j]&0xf) * int32(int8(xq[j]))
			isum += int32(qs[j]>>4) * int32(int8(xq[j+16]))
		}
		sum += (f16(w)*f16(x))*float32(isum) + f16(w[2:])*f16(x[2:])
		w, x = w[quant.Q4_1B:], x[quant.Q8_1B:]
	}
	return sum
}

func vecDotQ5_1(w, x []byte) float32 {
	var sum float32
	for len(w) >= quant.Q5_1B {
		qh := binary.LittleEndian.Uint32(w[4:])
		qs, xq := w[8:24], x[4:36]
		var isum int32
		for j := range 16 {
			h0 := int32(qh>>j&1) << 4
			h1 := int32(qh>>(j+16)&1) << 4
			isum += (int32(qs[j]&0xf) | h0) * int32(int8(xq[j]))
			isum += (int32(qs[j]>>4) | h1) * int32(int8(xq[j+16]))
		}
		sum += (f16(w)*f16(x))*float32(isum) + f16(w[2:])*f16(x[2:])
		w, x = w[quant.Q5_1B:], x[quant.Q8_1B:]
	}
	return sum
}

// The K-quants pair with Q8_K activations (float32 scale dx, bsums = sums of 16 quants). For Q4_K / Q5_K:
// Σ x·(d·sc·q − dmin·m) = d·dx·Σ_sub sc·Σ q·qx − dmin·dx·Σ_sub m·Σ qx, where Σ qx over a 32-wide sub-block is
// the sum of two bsums.

func q8kScale(x []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(x)) }

func bsum(x []byte, i int) int32 { return int32(int16(binary.LittleEndian.Uint16(x[4+256+2*i:]))) }

func vecDotQ4_K(w, x []byte) float32 {
	var sum float32
	for len(w) >= quant.Q4_KB {
		scales := w[4:16]
		qs := w[16:144]
		xq := x[4 : 4+256]
		var isum, msum int32
		for c := range 4 {
			sc1, m1 := quant.ScaleMinK4(2*c, scales)
			sc2, m2 := quant.ScaleMinK4(2*c+1, scales)
			q := qs[32*c : 32*c+32]
			a := xq[64*c : 64*c+32]
			b := xq[64*c+32 : 64*c+64]
			var s1, s2 int32
			for l := range 32 {
				s1 += int32(q[l]&0xf) * int32(int8(a[l]))
				s2 += int32(q[l]>>4) * int32(int8(b[l]))
			}
			isum += int32(sc1)*s1 + int32(sc2)*s2
			msum += int32(m1)*(bsum(x, 4*c)+bsum(x, 4*c+1)) + int32(m2)*(bsum(x, 4*c+2)+bsum(x, 4*c+3))
		}
		dx := q8kScale(x)
		sum += f16(w)*dx*float32(isum) - f16(w[2:])*dx*float32(msum)
		w, x = w[quant.Q4_KB:], x[quant.Q8_KB:]
	}
	return sum
}

func vecDotQ5_K(w, x []byte) float32 {
	var sum float32
	for len(w) >= quant.Q5_KB {
		scales := w[4:16]
		qh := w[16:48]
		qs := w[48:176]
		xq := x[4 : 4+256]
		var isum, msum int32
		for c := range 4 {
			sc1, m1 := quant.ScaleMinK4(2*c, scales)
			sc2, m2 := quant.ScaleMinK4(2*c+1, scales)
			q := qs[32*c : 32*c+32]
			a := xq[64*c : 64*c+32]
			b := xq[64*c+32 : 64*c+64]
			var s1, s2 int32
			for l := range 32 {
				h1 := int32(qh[l]>>(2*c)&1) << 4
				h2 := int32(qh[l]>>(2*c+1)&1) << 4
				s1 += (int32(q[l]&0xf) | h1) * int32(int8(a[l]))
				s2 += (int32(q[l]>>4) | h2) * int32(int8(b[l]))
			}
			isum += int32(sc1)*s1 + int32(sc2)*s2
			msum += int32(m1)*(bsum(x, 4*c)+bsum(x, 4*c+1)) + int32(m2)*(bsum(x, 4*c+2)+bsum(x, 4*c+3))
		}
		dx := q8kScale(x)
		sum += f16(w)*dx*float32(isum) - f16(w[2:])*dx*float32(msum)
		w, x = w[quant.Q5_KB:], x[quant.Q8_KB:]
	}
	return sum
}

func vecDotQ6_K(w, x []byte) float32 {
	var sum float32
	for len(w) >= quant.Q6_KB {
		ql := w[0:128]
		qh := w[128:192]
		sc := w[192:208]
		xq := x[4 : 4+256]
		var isum int32
		for n := range 2 {
			L := ql[64*n : 64*n+64]
			H := qh[32*n : 32*n+32]
			S := sc[8*n : 8*n+8]
			X := xq[128*n : 128*n+128]
			for half := range 2 { // l in [0,16) then [16,32): each half has its own four scales
				var s1, s2, s3, s4 int32
				for l := 16 * half; l < 16*half+16; l++ {
					q1 := int32(L[l]&0xf|(H[l]>>0&3)<<4) - 32
					q2 := int32(L[l+32]&0xf|(H[l]>>2&3)<<4) - 32
					q3 := int32(L[l]>>4|(H[l]>>4&3)<<4) - 32
					q4 := int32(L[l+32]>>4|(H[l]>>6&3)<<4) - 32
					s1 += q1 * int32(int8(X[l]))
					s2 += q2 * int32(int8(X[l+32]))
					s3 += q3 * int32(int8(X[l+64]))
					s4 += q4 * int32(int8(X[l+96]))
				}
				isum += int32(int8(S[half+0]))*s1 + int32(int8(S[half+2]))*s2 + int32(int8(S[half+4]))*s3 + int32(int8(S[half+6]))*s4
			}
		}
		sum += f16(w[208:]) * q8kScale(x) * float32(isum)
		w, x = w[quant.Q6_KB:], x[quant.Q8_KB:]
	}
	return sum
}
