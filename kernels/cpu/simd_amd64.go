//go:build !purego

package cpu

import (
	"encoding/binary"
	"math"

	"golang.org/x/sys/cpu"

	"github.com/qwenstudio/qwenstudio/kernels/quant"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// CPU feature levels, detected once at start-up (constants for the life of the process).
var (
	// hasAVX2: AVX2 with FMA and F16C (every x86 CPU since Haswell / Zen 1 has all three).
	hasAVX2 = cpu.X86.HasAVX && cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasF16C && cpu.X86.HasOSXSAVE
	// hasVNNI: AVX-512 VNNI on 256-bit registers (VPDPBUSD ymm needs AVX512VL).
	hasVNNI = hasAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VNNI
)

// simdName describes the kernels in use, for Info.
func simdName() string {
	switch {
	case hasVNNI:
		return "AVX2+FMA+F16C and AVX-512 VNNI kernels"
	case hasAVX2:
		return "AVX2+FMA+F16C kernels"
	}
	return "pure Go kernels (no AVX2 on this CPU)"
}

// simdKernels lists the SIMD implementations of t's dot products this CPU can run, best first. Each
// replaces the pure-Go vecDot of the traits table and may add a tile kernel for prefill.
func simdKernels(t gguf.Type) []kernel {
	var ks []kernel
	add := func(ok bool, k kernel) {
		if ok {
			ks = append(ks, k)
		}
	}
	switch t {
	case gguf.TypeF32:
		add(hasAVX2, kernel{name: "avx2", vecDot: func(w, x []byte) float32 { return dotF32SIMD(asF32(w), asF32(x)) }})
	case gguf.TypeF16:
		add(hasAVX2, kernel{name: "avx2", vecDot: vecDotF16AVX2})
	case gguf.TypeBF16:
		add(hasAVX2, kernel{name: "avx2", vecDot: vecDotBF16AVX2})
	case gguf.TypeQ8_0:
		add(hasVNNI, kernel{name: "avx512vnni", vecDot: q80Dot(dotQ8_0VNNI), tile: x4Tile(dotQ8_0x4VNNI, quant.Q8_0B), tileN: 4,
			pack: packQ8_0Biased, packLen: packLenQ8_0, rows4: r4(dotQ8_0r4VNNI, quant.Q8_0B, quant.Q8_0B)})
		add(hasAVX2, kernel{name: "avx2", vecDot: q80Dot(dotQ8_0AVX2), tile: x4Tile(dotQ8_0x4AVX2, quant.Q8_0B), tileN: 4,
			pack: packQ8_0, packLen: packLenQ8_0, rows4: r4(dotQ8_0r4AVX2, quant.Q8_0B, quant.Q8_0B)})
	case gguf.TypeQ4_0:
		add(hasVNNI, kernel{name: "avx512vnni", vecDot: q40Dot(dotQ4_0VNNI), tile: x4Tile(dotQ4_0x4VNNI, quant.Q4_0B), tileN: 4,
			pack: packQ8_0Biased, packLen: packLenQ8_0, rows4: r4(dotQ4_0r4VNNI, quant.Q4_0B, quant.Q8_0B)})
		add(hasAVX2, kernel{name: "avx2", vecDot: q40Dot(dotQ4_0AVX2), tile: x4Tile(dotQ4_0x4AVX2, quant.Q4_0B), tileN: 4,
			pack: packQ8_0, packLen: packLenQ8_0, rows4: r4(dotQ4_0r4AVX2, quant.Q4_0B, quant.Q8_0B)})
	case gguf.TypeQ4_K:
		add(hasVNNI, kernel{name: "avx512vnni", vecDot: kDot(dotQ4_KVNNI, quant.Q4_KB), tile: kTile(dotQ4_Kx4VNNI, quant.Q4_KB), tileN: 4})
		add(hasAVX2, kernel{name: "avx2", vecDot: kDot(dotQ4_KAVX2, quant.Q4_KB), tile: kTile(dotQ4_Kx4AVX2, quant.Q4_KB), tileN: 4})
	case gguf.TypeQ5_K:
		add(hasAVX2, kernel{name: "avx2", vecDot: kDot(dotQ5_KAVX2, quant.Q5_KB), tile: kTile(dotQ5_Kx4AVX2, quant.Q5_KB), tileN: 4})
	case gguf.TypeQ6_K:
		add(hasVNNI, kernel{name: "avx512vnni", vecDot: kDot(dotQ6_KAVX2, quant.Q6_KB), tile: kTile(dotQ6_Kx4VNNI, quant.Q6_KB), tileN: 4})
		add(hasAVX2, kernel{name: "avx2", vecDot: kDot(dotQ6_KAVX2, quant.Q6_KB), tile: kTile(dotQ6_Kx4AVX2, quant.Q6_KB), tileN: 4})
	}
	return ks
}

//go:noescape
func dotQ8_0AVX2(w, x *byte, nb int) float32

//go:noescape
func dotQ8_0VNNI(w, x *byte, nb int) float32

//go:noescape
func dotQ4_0AVX2(w, x *byte, nb int) float32

//go:noescape
func dotQ4_0VNNI(w, x *byte, nb int) float32

//go:noescape
func dotQ4_0x4AVX2(w, p *byte, prb, nb int, out *[4]float32)

//go:noescape
func dotQ4_0x4VNNI(w, p *byte, prb, nb int, out *[4]float32)

func q40Dot(f func(w, x *byte, nb int) float32) func(w, x []byte) float32 {
	return func(w, x []byte) float32 {
		nb := len(w) / quant.Q4_0B
		if nb == 0 {
			return 0
		}
		_ = x[nb*quant.Q8_0B-1]
		return f(&w[0], &x[0], nb)
	}
}

//go:noescape
func dotQ4_KAVX2(w, x *byte, nb int) float32

//go:noescape
func dotQ5_KAVX2(w, x *byte, nb int) float32

//go:noescape
func dotQ4_KVNNI(w, x *byte, nb int) float32

//go:noescape
func dotQ4_Kx4VNNI(w, x *byte, xrb, nb int, out *[4]float32)

//go:noescape
func dotQ6_Kx4VNNI(w, x *byte, xrb, nb int, out *[4]float32)

//go:noescape
func dotQ6_KAVX2(w, x *byte, nb int) float32

//go:noescape
func dotQ4_Kx4AVX2(w, x *byte, xrb, nb int, out *[4]float32)

//go:noescape
func dotQ5_Kx4AVX2(w, x *byte, xrb, nb int, out *[4]float32)

//go:noescape
func dotQ6_Kx4AVX2(w, x *byte, xrb, nb int, out *[4]float32)

// kTile wraps a four-row K-quant kernel; it reads the Q8_K rows as encoded (no packing).
func kTile(f func(w, x *byte, xrb, nb int, out *[4]float32), wb int) tileFunc {
	return func(w, x []byte, xrb int, out []float32) {
		nb := len(w) / wb
		o := (*[4]float32)(out)
		if nb == 0 {
			*o = [4]float32{}
			return
		}
		_ = x[3*xrb+nb*quant.Q8_KB-1]
		f(&w[0], &x[0], xrb, nb, o)
	}
}

// kDot wraps a K-quant · Q8_K row kernel (wb: bytes per weight block).
func kDot(f func(w, x *byte, nb int) float32, wb int) func(w, x []byte) float32 {
	return func(w, x []byte) float32 {
		nb := len(w) / wb
		if nb == 0 {
			return 0
		}
		_ = x[nb*quant.Q8_KB-1]
		return f(&w[0], &x[0], nb)
	}
}

//go:noescape
func dotQ8_0x4AVX2(w, p *byte, prb, nb int, out *[4]float32)

//go:noescape
func dotQ8_0x4VNNI(w, p *byte, prb, nb int, out *[4]float32)

// q80Dot wraps a Q8_0·Q8_0 row kernel; the slice checks make an out-of-range call panic in Go, not read
// past the buffers.
func q80Dot(f func(w, x *byte, nb int) float32) func(w, x []byte) float32 {
	return func(w, x []byte) float32 {
		nb := len(w) / quant.Q8_0B
		if nb == 0 {
			return 0
		}
		_ = x[nb*quant.Q8_0B-1]
		return f(&w[0], &x[0], nb)
	}
}

//go:noescape
func dotQ8_0r4VNNI(w *byte, wrb int, x *byte, nb int, out *[4]float32)

//go:noescape
func dotQ8_0r4AVX2(w *byte, wrb int, x *byte, nb int, out *[4]float32)

//go:noescape
func dotQ4_0r4VNNI(w *byte, wrb int, x *byte, nb int, out *[4]float32)

//go:noescape
func dotQ4_0r4AVX2(w *byte, wrb int, x *byte, nb int, out *[4]float32)

// r4 wraps a four-weight-row kernel (wb, xb: bytes per weight and activation block).
func r4(f func(w *byte, wrb int, x *byte, nb int, out *[4]float32), wb, xb int) rowsFunc {
	return func(w []byte, wrb int, x []byte, out *[4]float32) {
		nb := wrb / wb
		if nb == 0 {
			*out = [4]float32{}
			return
		}
		_ = w[3*wrb+nb*wb-1]
		_ = x[nb*xb-1]
		f(&w[0], wrb, &x[0], nb, out)
	}
}

// x4Tile wraps a four-row kernel over packed Q8_0 activation rows (wb: bytes per weight block).
func x4Tile(f func(w, p *byte, prb, nb int, out *[4]float32), wb int) tileFunc {
	return func(w, p []byte, prb int, out []float32) {
		nb := len(w) / wb
		o := (*[4]float32)(out)
		if nb == 0 {
			*o = [4]float32{}
			return
		}
		_ = p[3*prb+nb*36-1]
		f(&w[0], &p[0], prb, nb, o)
	}
}

// Packed Q8_0 activation rows for the x4 kernels: the nb block scales as float32 (converted once here, not
// for every weight row), then the nb·32 quants without the scales between them.
func packLenQ8_0(xrb int) int { return xrb / quant.Q8_0B * 36 }

func packQ8_0(x, p []byte) {
	nb := len(x) / quant.Q8_0B
	d, q := asF32(p[:4*nb]), p[4*nb:]
	for i := range d {
		blk := x[i*quant.Q8_0B : (i+1)*quant.Q8_0B]
		d[i] = f16(blk)
		copy(q[32*i:32*i+32], blk[2:])
	}
}

// packQ8_0Biased stores the quants as x+128 (unsigned), the operand order VPDPBUSD needs.
func packQ8_0Biased(x, p []byte) {
	nb := len(x) / quant.Q8_0B
	d, q := asF32(p[:4*nb]), p[4*nb:]
	for i := range d {
		blk := x[i*quant.Q8_0B : (i+1)*quant.Q8_0B]
		d[i] = f16(blk)
		qb := q[32*i : 32*i+32]
		for j := 0; j < 32; j += 8 {
			binary.LittleEndian.PutUint64(qb[j:], binary.LittleEndian.Uint64(blk[2+j:])^0x8080808080808080)
		}
	}
}

// Float kernels. The assembly handles multiples of 8 elements; the wrappers add the tail in Go.

//go:noescape
func dotF32AVX2(a, b *float32, n int) float32

//go:noescape
func dotF32F16AVX2(a *float32, b *uint16, n int) float32

//go:noescape
func dotF16AVX2(a, b *uint16, n int) float32

//go:noescape
func dotBF16AVX2(a, b *uint16, n int) float32

//go:noescape
func axpyF32AVX2(a float32, x, y *float32, n int)

//go:noescape
func axpyF16AVX2(a float32, x *uint16, y *float32, n int)

//go:noescape
func f32ToF16AVX2(src *float32, dst *uint16, n int)

//go:noescape
func f16ToF32AVX2(src *uint16, dst *float32, n int)

// dotF32 returns Σ a[i]·b[i] (len(b) >= len(a)).
func dotF32(a, b []float32) float32 {
	if !hasAVX2 {
		return dotF32Go(a, b)
	}
	return dotF32SIMD(a, b)
}

func dotF32SIMD(a, b []float32) float32 {
	b = b[:len(a)]
	n := len(a) &^ 7
	var s float32
	if n > 0 {
		s = dotF32AVX2(&a[0], &b[0], n)
	}
	for i := n; i < len(a); i++ {
		s += a[i] * b[i]
	}
	return s
}

// dotF32F16 returns Σ a[i]·h[i] with h in binary16 (len(h) >= len(a)).
func dotF32F16(a []float32, h []uint16) float32 {
	if !hasAVX2 {
		return dotF32F16Go(a, h)
	}
	h = h[:len(a)]
	n := len(a) &^ 7
	var s float32
	if n > 0 {
		s = dotF32F16AVX2(&a[0], &h[0], n)
	}
	for i := n; i < len(a); i++ {
		s += a[i] * quant.F16ToF32(h[i])
	}
	return s
}

func vecDotF16AVX2(w, x []byte) float32 {
	a, b := asU16(w), asU16(x)
	b = b[:len(a)]
	n := len(a) &^ 7
	var s float32
	if n > 0 {
		s = dotF16AVX2(&a[0], &b[0], n)
	}
	for i := n; i < len(a); i++ {
		s += quant.F16ToF32(a[i]) * quant.F16ToF32(b[i])
	}
	return s
}

func vecDotBF16AVX2(w, x []byte) float32 {
	a, b := asU16(w), asU16(x)
	b = b[:len(a)]
	n := len(a) &^ 7
	var s float32
	if n > 0 {
		s = dotBF16AVX2(&a[0], &b[0], n)
	}
	for i := n; i < len(a); i++ {
		s += quant.BF16ToF32(a[i]) * quant.BF16ToF32(b[i])
	}
	return s
}

// axpyF32: y += a·x (len(x) >= len(y)).
func axpyF32(a float32, x, y []float32) {
	if !hasAVX2 {
		axpyF32Go(a, x, y)
		return
	}
	x = x[:len(y)]
	n := len(y) &^ 7
	if n > 0 {
		axpyF32AVX2(a, &x[0], &y[0], n)
	}
	for i := n; i < len(y); i++ {
		y[i] += a * x[i]
	}
}

// axpyF16: y += a·h with h in binary16 (len(h) >= len(y)).
func axpyF16(a float32, h []uint16, y []float32) {
	if !hasAVX2 {
		axpyF16Go(a, h, y)
		return
	}
	h = h[:len(y)]
	n := len(y) &^ 7
	if n > 0 {
		axpyF16AVX2(a, &h[0], &y[0], n)
	}
	for i := n; i < len(y); i++ {
		y[i] += a * quant.F16ToF32(h[i])
	}
}

// f32ToF16Row: dst[i] = F32ToF16(src[i]), bit for bit (F16C rounds to nearest even as F32ToF16 does).
func f32ToF16Row(dst []uint16, src []float32) {
	if !hasAVX2 {
		f32ToF16RowGo(dst, src)
		return
	}
	dst = dst[:len(src)]
	n := len(src) &^ 7
	if n > 0 {
		f32ToF16AVX2(&src[0], &dst[0], n)
	}
	for i := n; i < len(src); i++ {
		dst[i] = quant.F32ToF16(src[i])
	}
}

// f16ToF32Row: dst[i] = F16ToF32(src[i]) (signalling NaNs come out quiet; every other value is exact).
func f16ToF32Row(dst []float32, src []uint16) {
	if !hasAVX2 {
		f16ToF32RowGo(dst, src)
		return
	}
	dst = dst[:len(src)]
	n := len(src) &^ 7
	if n > 0 {
		f16ToF32AVX2(&src[0], &dst[0], n)
	}
	for i := n; i < len(src); i++ {
		dst[i] = quant.F16ToF32(src[i])
	}
}

//go:noescape
func quantQ8_0ActAVX2(x *float32, y *byte, nb int)

// encodeQ8_0Act is quant.QuantizeRowQ8_0Act in AVX2, bit for bit (TestActEncoders), except in blocks whose
// amax is below 127/MaxFloat32 (127/amax overflows): their d is 0 either way, and the quants, which then
// multiply by zero, are -128 here as in llama.cpp.
func encodeQ8_0Act(x []float32, y []byte) {
	nb := len(x) / quant.QK
	if nb == 0 {
		return
	}
	_ = y[nb*quant.Q8_0B-1]
	quantQ8_0ActAVX2(&x[0], &y[0], nb)
}

//go:noescape
func quantQ8_KAVX2(x *float32, y *byte) bool

// encodeQ8_K is quant.QuantizeRowQ8K with AVX2, bit for bit on every input (TestActEncoders): the assembly
// declines the rare blocks (zeros, NaN, infinities, magnitudes below 127/MaxFloat32) and the reference
// encodes those.
func encodeQ8_K(x []float32, y []byte) {
	for b := 0; (b+1)*quant.QKK <= len(x); b++ {
		xb := x[b*quant.QKK : (b+1)*quant.QKK]
		yb := y[b*quant.Q8_KB : (b+1)*quant.Q8_KB]
		if !quantQ8_KAVX2(&xb[0], &yb[0]) {
			quant.QuantizeRowQ8K(xb, yb)
		}
	}
}

// actEncoder returns the fastest encoder of activations into t (Q8_0 and Q8_K), or ref.
func actEncoder(t gguf.Type, ref func(x []float32, y []byte)) func(x []float32, y []byte) {
	switch {
	case t == gguf.TypeQ8_0 && hasAVX2:
		return encodeQ8_0Act
	case t == gguf.TypeQ8_K && hasAVX2:
		return encodeQ8_K
	}
	return ref
}

//go:noescape
func scoresF16AVX2(q *float32, k *uint16, ks, nk, d int, out *float32)

//go:noescape
func scoresF32AVX2(q *float32, k *float32, ks, nk, d int, out *float32)

//go:noescape
func pvF16AVX2(p *float32, v *uint16, vs, nk, d int, out *float32)

//go:noescape
func pvF32AVX2(p *float32, v *float32, vs, nk, d int, out *float32)

// Attention kernels; each reports false when it does not apply (no AVX2, or a head size it does not handle),
// and the caller then runs the Go loops.

// scoresF16 sets out[u] = q · k[u·ks : u·ks+len(q)] for every u < len(out).
func scoresF16(q []float32, k []uint16, ks int, out []float32) bool {
	d, nk := len(q), len(out)
	if !hasAVX2 || d == 0 || d%8 != 0 || nk == 0 {
		return false
	}
	_ = k[(nk-1)*ks+d-1]
	scoresF16AVX2(&q[0], &k[0], 2*ks, nk, d, &out[0])
	return true
}

// scoresF32 is scoresF16 over a float32 cache.
func scoresF32(q, k []float32, ks int, out []float32) bool {
	d, nk := len(q), len(out)
	if !hasAVX2 || d == 0 || d%8 != 0 || nk == 0 {
		return false
	}
	_ = k[(nk-1)*ks+d-1]
	scoresF32AVX2(&q[0], &k[0], 4*ks, nk, d, &out[0])
	return true
}

// pvF16 sets out[i] = Σ_u p[u]·v[u·vs+i] (u in order, FMA) for i < len(out).
func pvF16(p []float32, v []uint16, vs int, out []float32) bool {
	d, nk := len(out), len(p)
	if !hasAVX2 || d == 0 || d%64 != 0 || nk == 0 {
		return false
	}
	_ = v[(nk-1)*vs+d-1]
	pvF16AVX2(&p[0], &v[0], 2*vs, nk, d, &out[0])
	return true
}

// pvF32 is pvF16 over a float32 cache.
func pvF32(p, v []float32, vs int, out []float32) bool {
	d, nk := len(out), len(p)
	if !hasAVX2 || d == 0 || d%64 != 0 || nk == 0 {
		return false
	}
	_ = v[(nk-1)*vs+d-1]
	pvF32AVX2(&p[0], &v[0], 4*vs, nk, d, &out[0])
	return true
}

//go:noescape
func swigluAVX2(gate, up, y *float32, n int)

//go:noescape
func softmaxExpAVX2(x *float32, mx float32, y *float32, nchunk int) float64

// swigluRow: d = silu(g)·u. With AVX2, ggml's vectorised SiLU (ggml_v_silu over ggml_v_expf) on every full
// 16 elements, as llama.cpp's AVX-512 build runs it, and the scalar formula on the rest, as it does too.
func swigluRow(d, g, u []float32) {
	g, u = g[:len(d)], u[:len(d)]
	i := 0
	if hasAVX2 {
		i = len(d) &^ 15
		if i > 0 {
			swigluAVX2(&g[0], &u[0], &d[0], i)
		}
	}
	for ; i < len(d); i++ {
		d[i] = silu(g[i]) * u[i]
	}
}

// softmaxExp sets s[i] = exp(s[i] - mx) and returns Σ s[i] in float64, as ggml_vec_soft_max_f32 forms them on
// AVX-512 for a row of vl or more elements whose elements from len(s) on are masked (-Inf): ggml_v_expf over
// chunks of 16 up to vl &^ 15, whose sums (in _mm512_reduce_add_ps order) are added as float64, and the
// scalar exp on the rest. (In attention, llama.cpp's rows run over the whole KV length, masked beyond the
// query's position.)
func softmaxExp(s []float32, mx float32, vl int) float64 {
	if !hasAVX2 {
		return softmaxExpGo(s, mx)
	}
	v := min(vl&^15, (len(s)+15)&^15) // elements in vector chunks, the last possibly padded
	full := min(v, len(s)) &^ 15
	var sum float64
	if full > 0 {
		sum = softmaxExpAVX2(&s[0], mx, &s[0], full/16)
	}
	i := full
	if v > full && len(s) > full { // a chunk that the row ends in: masked lanes give 0
		var buf [16]float32
		k := copy(buf[:], s[full:])
		for j := k; j < 16; j++ {
			buf[j] = float32(math.Inf(-1))
		}
		sum += softmaxExpAVX2(&buf[0], mx, &buf[0], 1)
		copy(s[full:], buf[:k])
		i = len(s)
	}
	for ; i < len(s); i++ {
		s[i] = expf(s[i] - mx)
		sum += float64(s[i])
	}
	return sum
}

// hasSIMDExp reports whether softmaxExp and swigluRow use the vectorised exp (tests).
func hasSIMDExp() bool { return hasAVX2 }
