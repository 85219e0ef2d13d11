package cpu

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/qwenstudio/qwenstudio/kernels/quant"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// The SIMD kernels are checked three ways on random and extreme blocks:
//   - bit for bit against a "lane model": scalar Go that performs ggml's x86 algorithm (8 float lanes, each the
//     FMA-accumulated integer sum of its 4 adjacent byte products times the block scale, then hsum_float_8), so
//     every integer block sum and every float rounding of the SIMD kernel is pinned down;
//   - against the pure-Go reference kernel (which sums the blocks in another order), within float rounding;
//   - the tile kernel against vecDot on each of its rows, bit for bit (prefill equals token-by-token decoding).

// fma32 is a float32 fused multiply-add, a·b+c rounded once (float64 arithmetic could round twice).
func fma32(a, b, c float32) float32 {
	if math.IsInf(float64(a), 0) || math.IsInf(float64(b), 0) || math.IsInf(float64(c), 0) || a != a || b != b || c != c {
		return float32(float64(a)*float64(b) + float64(c)) // Inf/NaN: no rounding question
	}
	var p, s big.Float
	p.SetPrec(600).SetFloat64(float64(a))
	p.Mul(&p, new(big.Float).SetFloat64(float64(b)))
	s.SetPrec(600).Add(&p, new(big.Float).SetFloat64(float64(c)))
	f, _ := s.Float32()
	return f
}

// hsum8 is ggml's hsum_float_8: (lo + hi) halves, then (0+2, 1+3), then 0+1.
func hsum8(a [8]float32) float32 {
	r0, r1, r2, r3 := a[4]+a[0], a[5]+a[1], a[6]+a[2], a[7]+a[3]
	return (r0 + r2) + (r1 + r3)
}

func laneQ8_0(w, x []byte) float32 {
	var acc [8]float32
	for len(w) >= quant.Q8_0B {
		d := f16(w) * f16(x)
		for l := range 8 {
			var s int32
			for j := 4 * l; j < 4*l+4; j++ {
				s += int32(int8(w[2+j])) * int32(int8(x[2+j]))
			}
			acc[l] = fma32(d, float32(s), acc[l])
		}
		w, x = w[quant.Q8_0B:], x[quant.Q8_0B:]
	}
	return hsum8(acc)
}

func laneQ4_0(w, x []byte) float32 {
	var acc [8]float32
	for len(w) >= quant.Q4_0B {
		d := f16(w) * f16(x)
		for l := range 8 {
			var s int32
			for j := 4 * l; j < 4*l+4; j++ {
				q := int32(w[2+j%16])
				if j < 16 {
					q &= 0xf
				} else {
					q >>= 4
				}
				s += (q - 8) * int32(int8(x[2+j]))
			}
			acc[l] = fma32(d, float32(s), acc[l])
		}
		w, x = w[quant.Q4_0B:], x[quant.Q8_0B:]
	}
	return hsum8(acc)
}

func magQ4_0(w, x []byte) float64 {
	var m float64
	for ; len(w) >= quant.Q4_0B; w, x = w[quant.Q4_0B:], x[quant.Q8_0B:] {
		var s float64
		for j := 0; j < 16; j++ {
			s += math.Abs(float64(int(w[2+j]&0xf)-8) * float64(int8(x[2+j])))
			s += math.Abs(float64(int(w[2+j]>>4)-8) * float64(int8(x[18+j])))
		}
		m += s * math.Abs(float64(f16(w))*float64(f16(x)))
	}
	return m
}

func randQ4_0(r *rand.Rand, nb, extreme int) []byte {
	b := make([]byte, nb*quant.Q4_0B)
	for i := 0; i < nb; i++ {
		blk := b[i*quant.Q4_0B : (i+1)*quant.Q4_0B]
		binary.LittleEndian.PutUint16(blk, randF16Scale(r))
		e := extreme
		if e == 0 && r.IntN(4) == 0 {
			e = 1 + r.IntN(3)
		}
		for j := 2; j < quant.Q4_0B; j++ {
			switch e {
			case 1:
				blk[j] = 0 // -8 everywhere
			case 2:
				blk[j] = 0xff // +7
			case 3:
				blk[j] = 0x0f
			default:
				blk[j] = byte(r.IntN(256))
			}
		}
	}
	return b
}

func magQ8_0(w, x []byte) float64 {
	var m float64
	for ; len(w) >= quant.Q8_0B; w, x = w[quant.Q8_0B:], x[quant.Q8_0B:] {
		var s float64
		for j := 2; j < 34; j++ {
			s += math.Abs(float64(int8(w[j])) * float64(int8(x[j])))
		}
		m += s * math.Abs(float64(f16(w))*float64(f16(x)))
	}
	return m
}

// Q8_K activations: float32 d, 256 quants in ±127 and their 16 sums.
func randQ8_K(r *rand.Rand, nb int, extreme int) []byte {
	b := make([]byte, nb*quant.Q8_KB)
	for i := 0; i < nb; i++ {
		blk := b[i*quant.Q8_KB : (i+1)*quant.Q8_KB]
		d := float32(r.NormFloat64() * 0.01)
		if r.IntN(10) == 0 {
			d = 0
		}
		binary.LittleEndian.PutUint32(blk, math.Float32bits(d))
		e := extreme
		if e == 0 && r.IntN(4) == 0 {
			e = 1 + r.IntN(3)
		}
		q8Bytes(r, blk[4:260], -127, 127, e)
		for j := 0; j < 16; j++ {
			var sum int
			for _, q := range blk[4+16*j : 4+16*j+16] {
				sum += int(int8(q))
			}
			binary.LittleEndian.PutUint16(blk[260+2*j:], uint16(int16(sum)))
		}
	}
	return b
}

// randK returns K-quant weight blocks: random bytes (every pattern is a valid block) with F16 scales at
// the given offsets; extreme blocks are all 0xff or all 0x00 apart from the scales.
func randK(r *rand.Rand, nb, bb int, scaleOffs []int, extreme int) []byte {
	b := make([]byte, nb*bb)
	for i := 0; i < nb; i++ {
		blk := b[i*bb : (i+1)*bb]
		e := extreme
		if e == 0 && r.IntN(4) == 0 {
			e = 1 + r.IntN(3)
		}
		for j := range blk {
			switch e {
			case 1:
				blk[j] = 0xff
			case 2:
				blk[j] = 0
			default:
				blk[j] = byte(r.IntN(256))
			}
		}
		for _, o := range scaleOffs {
			binary.LittleEndian.PutUint16(blk[o:], randF16Scale(r))
		}
	}
	return b
}

// kScales unpacks the 6-bit scales and mins of a Q4_K / Q5_K block.
func kScales(blk []byte) (sc, m [8]int32) {
	for j := range 8 {
		a, b := quant.ScaleMinK4(j, blk[4:16])
		sc[j], m[j] = int32(a), int32(b)
	}
	return sc, m
}

func q8kBsum(x []byte, i int) int32 { return int32(int16(binary.LittleEndian.Uint16(x[260+2*i:]))) }

// laneQ45K models ggml's AVX2 Q4_K / Q5_K kernels: lane l of sumi holds Σ_j sc·(bytes 4l..4l+3 of each
// 32-quant sub-block); the mins go through madd(mins, hadd(bsums)) into 4 lanes (Q4_K, FMA per block) or
// one scalar (Q5_K).
func laneQ45K(five bool) func(w, x []byte) float32 {
	bb := quant.Q4_KB
	if five {
		bb = quant.Q5_KB
	}
	return func(w, x []byte) float32 {
		var acc [8]float32
		var accm [4]float32
		var summs float32
		for ; len(w) >= bb; w, x = w[bb:], x[quant.Q8_KB:] {
			dy := q8kScale(x)
			d := dy * f16(w)
			dmin := -(dy * f16(w[2:]))
			sc, m := kScales(w)
			var prod [4]int32
			for i := range 4 {
				s0 := q8kBsum(x, 4*i) + q8kBsum(x, 4*i+1)
				s1 := q8kBsum(x, 4*i+2) + q8kBsum(x, 4*i+3)
				prod[i] = m[2*i]*s0 + m[2*i+1]*s1
			}
			if five {
				summs = fma32(dmin, float32((prod[0]+prod[1])+(prod[2]+prod[3])), summs) // gcc contracts summs += dmin·i
			} else {
				for i := range 4 {
					accm[i] = fma32(dmin, float32(prod[i]), accm[i])
				}
			}
			qs := w[16:]
			if five {
				qs = w[48:]
			}
			var sumi [8]int32
			for j := range 4 {
				for l := range 8 {
					for b := 4 * l; b < 4*l+4; b++ {
						lo, hi := int32(qs[32*j+b]&0xf), int32(qs[32*j+b]>>4)
						if five {
							lo += int32(w[16+b]>>(2*j)&1) << 4
							hi += int32(w[16+b]>>(2*j+1)&1) << 4
						}
						sumi[l] += sc[2*j]*lo*int32(int8(x[4+64*j+b])) + sc[2*j+1]*hi*int32(int8(x[4+64*j+32+b]))
					}
				}
			}
			for l := range 8 {
				acc[l] = fma32(d, float32(sumi[l]), acc[l])
			}
		}
		if five {
			return hsum8(acc) + summs
		}
		return hsum8(acc) + ((accm[0] + accm[2]) + (accm[1] + accm[3]))
	}
}

// laneQ6K models ggml's AVX2 Q6_K kernel: sumi lane l = Σ sc·q over bytes 4l..4l+3 of each 32-quant chunk,
// minus 32·(sc[2l]·bsum[2l] + sc[2l+1]·bsum[2l+1]).
func laneQ6K(w, x []byte) float32 {
	var acc [8]float32
	for ; len(w) >= quant.Q6_KB; w, x = w[quant.Q6_KB:], x[quant.Q8_KB:] {
		d := q8kScale(x) * f16(w[208:])
		sc := func(i int) int32 { return int32(int8(w[192+i])) }
		var sumi [8]int32
		for j := range 2 {
			for k := range 4 { // chunk k of half j: quants 128j+32k ..
				for l := range 8 {
					for b := 4 * l; b < 4*l+4; b++ {
						ql := w[64*j+32*(k%2)+b]
						if k >= 2 {
							ql >>= 4
						}
						h := w[128+32*j+b] >> (2 * k) & 3
						q := int32(ql&0xf) | int32(h)<<4
						s := sc(8*j + 2*k)
						if b >= 16 {
							s = sc(8*j + 2*k + 1)
						}
						sumi[l] += s * q * int32(int8(x[4+128*j+32*k+b]))
					}
				}
			}
		}
		for l := range 8 {
			sumi[l] -= 32 * (sc(2*l)*q8kBsum(x, 2*l) + sc(2*l+1)*q8kBsum(x, 2*l+1))
			acc[l] = fma32(d, float32(sumi[l]), acc[l])
		}
	}
	return hsum8(acc)
}

// magK is Σ over blocks of |d_x|·(|d|·Σ|sc·q·x| + |dmin|·Σ|m·x|): what the kernels round.
func magK(t gguf.Type) func(w, x []byte) float64 {
	return func(w, x []byte) float64 {
		be, bb, _ := quant.Layout(t)
		wf := decodeAll(t, w)
		var m float64
		for i := 0; i < len(w)/bb; i++ {
			xb := x[i*quant.Q8_KB:]
			dx := math.Abs(float64(q8kScale(xb)))
			for j := 0; j < be; j++ {
				m += dx * math.Abs(float64(wf[i*be+j])*float64(int8(xb[4+j])))
			}
			if t != gguf.TypeQ6_K {
				_, mins := kScales(w[i*bb:])
				for j := 0; j < 8; j++ {
					var sx float64
					for b := 0; b < 32; b++ {
						sx += math.Abs(float64(int8(xb[4+32*j+b])))
					}
					m += dx * math.Abs(float64(f16(w[i*bb+2:]))) * float64(mins[j]) * sx
				}
			}
		}
		return m
	}
}

// simdCase describes how to make random weight and activation rows of a type and its lane model.
type simdCase struct {
	typ    gguf.Type
	lane   func(w, x []byte) float32
	ref    func(w, x []byte) float32
	mag    func(w, x []byte) float64 // Σ|terms| the kernels round: the scale for the tolerance against ref
	weight func(r *rand.Rand, nb int, extreme int) []byte
	act    func(r *rand.Rand, nb int, extreme int) []byte
	per    int // elements per unit of nb in weight / act (about: K-quant rows round up to 256)
}

// randF16Scale returns an F16 scale: mostly ordinary magnitudes, sometimes zero, subnormal or large.
func randF16Scale(r *rand.Rand) uint16 {
	switch r.IntN(10) {
	case 0:
		return 0
	case 1:
		return uint16(1 + r.IntN(0x3ff)) // subnormal
	case 2:
		return quant.F32ToF16(float32(r.Float64() * 100))
	}
	return quant.F32ToF16(float32((r.Float64() - 0.5) * 0.02))
}

// q8Bytes fills n int8 quants: random in [lo, hi], or extreme patterns (all lo, all hi, alternating).
func q8Bytes(r *rand.Rand, q []byte, lo, hi int, extreme int) {
	for j := range q {
		v := lo + r.IntN(hi-lo+1)
		switch extreme {
		case 1:
			v = lo
		case 2:
			v = hi
		case 3:
			if j%2 == 0 {
				v = lo
			} else {
				v = hi
			}
		}
		q[j] = byte(int8(v))
	}
}

func randQ8_0(r *rand.Rand, nb int, extreme int, lo int) []byte {
	b := make([]byte, nb*quant.Q8_0B)
	for i := 0; i < nb; i++ {
		blk := b[i*quant.Q8_0B:]
		binary.LittleEndian.PutUint16(blk, randF16Scale(r))
		e := extreme
		if e == 0 && r.IntN(4) == 0 {
			e = 1 + r.IntN(3) // some extreme blocks in otherwise random rows
		}
		q8Bytes(r, blk[2:34], lo, 127, e)
	}
	return b
}

// laneFloat models the float dot kernels: four 8-lane FMA accumulators over 32-element steps, the rest in
// 8-element steps into the first, (acc0+acc1)+(acc2+acc3), hsum_float_8, then the tail in order.
func laneFloat(a, b []float32) float32 {
	var acc [4][8]float32
	n := len(a) &^ 7
	i := 0
	for ; i+32 <= n; i += 32 {
		for j := range 4 {
			for l := range 8 {
				acc[j][l] = fma32(a[i+8*j+l], b[i+8*j+l], acc[j][l])
			}
		}
	}
	for ; i < n; i += 8 {
		for l := range 8 {
			acc[0][l] = fma32(a[i+l], b[i+l], acc[0][l])
		}
	}
	var r [8]float32
	for l := range 8 {
		r[l] = (acc[0][l] + acc[1][l]) + (acc[2][l] + acc[3][l])
	}
	s := hsum8(r)
	for ; i < len(a); i++ {
		s += a[i] * b[i]
	}
	return s
}

func decodeAll(t gguf.Type, b []byte) []float32 {
	be, bb, _ := quant.Layout(t)
	out := make([]float32, len(b)/bb*be)
	if err := quant.Dequantize(t, b, out); err != nil {
		panic(err)
	}
	return out
}

func magFloat(t gguf.Type) func(w, x []byte) float64 {
	return func(w, x []byte) float64 {
		a, b := decodeAll(t, w), decodeAll(t, x)
		var m float64
		for i := range a {
			m += math.Abs(float64(a[i]) * float64(b[i]))
		}
		return m
	}
}

// randFloats returns n values of type t (encoded): normal values of varied magnitudes, with zeros and sign
// changes; extreme rows are all-equal large values (to catch a lost lane) or alternate ± (cancellation).
func randFloats(t gguf.Type, r *rand.Rand, n, extreme int) []byte {
	v := make([]float32, n)
	scale := math.Pow(10, float64(r.IntN(7)-3))
	for i := range v {
		switch extreme {
		case 1:
			v[i] = 1000
		case 2:
			v[i] = float32(1 - 2*(i%2))
		default:
			if r.IntN(8) > 0 {
				v[i] = float32(r.NormFloat64() * scale)
			}
		}
	}
	b, err := quant.Quantize(t, v)
	if err != nil {
		panic(err)
	}
	return b
}

func floatCase(t gguf.Type, ref func(w, x []byte) float32) simdCase {
	// nb counts elements for the float types; odd counts exercise the Go tails.
	gen := func(r *rand.Rand, nb, e int) []byte { return randFloats(t, r, nb*7, e%3) }
	return simdCase{
		typ: t, ref: ref, mag: magFloat(t), weight: gen, act: gen, per: 7,
		lane: func(w, x []byte) float32 { return laneFloat(decodeAll(t, w), decodeAll(t, x)) },
	}
}

func kCase(t gguf.Type, lane, ref func(w, x []byte) float32, bb int, scaleOffs ...int) simdCase {
	return simdCase{
		typ: t, lane: lane, ref: ref, mag: magK(t), per: 32,
		weight: func(r *rand.Rand, nb, e int) []byte { return randK(r, (nb+7)/8, bb, scaleOffs, e) },
		act:    func(r *rand.Rand, nb, e int) []byte { return randQ8_K(r, (nb+7)/8, e) },
	}
}

var simdCases = []simdCase{
	kCase(gguf.TypeQ4_K, laneQ45K(false), vecDotQ4_K, quant.Q4_KB, 0, 2),
	kCase(gguf.TypeQ5_K, laneQ45K(true), vecDotQ5_K, quant.Q5_KB, 0, 2),
	kCase(gguf.TypeQ6_K, laneQ6K, vecDotQ6_K, quant.Q6_KB, 208),
	floatCase(gguf.TypeF32, vecDotF32),
	floatCase(gguf.TypeF16, vecDotF16),
	floatCase(gguf.TypeBF16, vecDotBF16),
	{
		typ: gguf.TypeQ4_0, lane: laneQ4_0, ref: vecDotQ4_0, mag: magQ4_0, per: 32,
		weight: randQ4_0,
		act:    func(r *rand.Rand, nb, e int) []byte { return randQ8_0(r, nb, e, -127) },
	},
	{
		typ: gguf.TypeQ8_0, lane: laneQ8_0, ref: vecDotQ8_0, mag: magQ8_0, per: 32,
		// Weights may hold any int8 (-128 too); activations come from the encoder, within ±127.
		weight: func(r *rand.Rand, nb, e int) []byte { return randQ8_0(r, nb, e, -128) },
		act:    func(r *rand.Rand, nb, e int) []byte { return randQ8_0(r, nb, e, -127) },
	},
}

// packRows lays out encoded activation rows as k's tile kernel reads them (as Backend.encode does).
func packRows(k kernel, xs [][]byte) ([]byte, int) {
	var p []byte
	if k.pack == nil {
		for _, x := range xs {
			p = append(p, x...)
		}
		return p, len(xs[0])
	}
	prb := k.packLen(len(xs[0]))
	p = make([]byte, len(xs)*prb)
	for i, x := range xs {
		k.pack(x, p[i*prb:(i+1)*prb])
	}
	return p, prb
}

func TestSIMDKernels(t *testing.T) {
	for _, c := range simdCases {
		ks := simdKernels(c.typ)
		if len(ks) == 0 {
			t.Logf("%v: no SIMD kernel on this CPU / build", c.typ)
			continue
		}
		for _, k := range ks {
			t.Run(fmt.Sprintf("%v/%s", c.typ, k.name), func(t *testing.T) {
				r := rand.New(rand.NewPCG(11, uint64(c.typ)))
				for trial := 0; trial < 300; trial++ {
					nb := 1 + r.IntN(40)
					extreme := 0
					if trial < 16 {
						extreme = trial % 4
					}
					w := c.weight(r, nb, extreme)
					xs := make([][]byte, 4)
					var x4 []byte
					for i := range xs {
						xs[i] = c.act(r, nb, (extreme+i)%4)
						x4 = append(x4, xs[i]...)
					}
					want := c.lane(w, xs[0])
					got := k.vecDot(w, xs[0])
					if math.Float32bits(got) != math.Float32bits(want) {
						t.Fatalf("trial %d (%d blocks, extreme %d): %s = %g, lane model %g", trial, nb, extreme, k.name, got, want)
					}
					// Against the reference's order: equal up to float32 rounding of the partial sums.
					ref := c.ref(w, xs[0])
					mag := c.mag(w, xs[0])
					if d := math.Abs(float64(got) - float64(ref)); d > 1e-5*mag {
						t.Fatalf("trial %d: %s = %g, pure Go %g (Σ|block| %g)", trial, k.name, got, ref, mag)
					}
					if k.rows4 != nil {
						ws := append([]byte(nil), w...)
						for range 3 {
							ws = append(ws, c.weight(r, nb, r.IntN(4))...)
						}
						var o [4]float32
						k.rows4(ws, len(w), xs[0], &o)
						for i := range o {
							if want := k.vecDot(ws[i*len(w):(i+1)*len(w)], xs[0]); math.Float32bits(o[i]) != math.Float32bits(want) {
								t.Fatalf("trial %d: rows4 row %d = %g, vecDot %g", trial, i, o[i], want)
							}
						}
					}
					if k.tile == nil {
						continue
					}
					for len(xs) < k.tileN {
						xs = append(xs, c.act(r, nb, r.IntN(4)))
					}
					p, prb := packRows(k, xs)
					out := make([]float32, k.tileN)
					k.tile(w, p, prb, out)
					for i := range out {
						if want := k.vecDot(w, xs[i]); math.Float32bits(out[i]) != math.Float32bits(want) {
							t.Fatalf("trial %d: tile row %d = %g, vecDot %g", trial, i, out[i], want)
						}
					}
				}
			})
		}
	}
}

// TestMatMulBatchEqualsRows: a prefill-sized MatMul (four-token tiles plus a remainder, several threads)
// gives bit for bit what MatMul gives token by token, so a prompt evaluated at once and the same tokens
// evaluated one by one agree.
func TestMatMulBatchEqualsRows(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 12))
	const n, k, nt = 19, 512, 23
	for _, typ := range weightTypes {
		b := newBackend(t, 3, false)
		w, err := b.Weight("w", typ, n, k, randWeight(t, r, typ, n, k))
		if err != nil {
			t.Fatal(err)
		}
		xv := randF32(r, nt*k, 1)
		x := upload(t, b, nt, k, xv)
		dst := alloc(t, b, gguf.TypeF32, nt, n)
		b.MatMul(dst, w, x)
		got := read(b, dst)
		one := alloc(t, b, gguf.TypeF32, 1, n)
		for tk := 0; tk < nt; tk++ {
			b.MatMul(one, w, x.Slice(tk, 1))
			for o, want := range read(b, one) {
				if math.Float32bits(got[tk*n+o]) != math.Float32bits(want) {
					t.Fatalf("%v: token %d row %d: batched %g, alone %g", typ, tk, o, got[tk*n+o], want)
				}
			}
		}
	}
}

// BenchmarkKernels times each SIMD kernel (and the pure-Go one) on one cache-resident row of 4096 columns:
// the compute ceiling, without memory traffic or threading. MB/s counts weight bytes per output.
func BenchmarkKernels(b *testing.B) {
	const k = 4096
	for _, c := range simdCases {
		r := rand.New(rand.NewPCG(13, 13))
		nb := k / c.per
		w := c.weight(r, nb, 0)
		xs := make([][]byte, 4)
		for i := range xs {
			xs[i] = c.act(r, nb, 0)
		}
		b.Run(fmt.Sprintf("%v/purego", c.typ), func(b *testing.B) {
			b.SetBytes(int64(len(w)))
			for b.Loop() {
				c.ref(w, xs[0])
			}
		})
		for _, kr := range simdKernels(c.typ) {
			b.Run(fmt.Sprintf("%v/%s", c.typ, kr.name), func(b *testing.B) {
				b.SetBytes(int64(len(w)))
				for b.Loop() {
					kr.vecDot(w, xs[0])
				}
			})
			if kr.rows4 != nil {
				b.Run(fmt.Sprintf("%v/%s/rows4", c.typ, kr.name), func(b *testing.B) {
					ws := bytes.Repeat(w, 4)
					b.SetBytes(int64(len(ws)))
					var o [4]float32
					for b.Loop() {
						kr.rows4(ws, len(w), xs[0], &o)
					}
				})
			}
			if kr.tile != nil {
				b.Run(fmt.Sprintf("%v/%s/x%d", c.typ, kr.name, kr.tileN), func(b *testing.B) {
					b.SetBytes(int64(kr.tileN) * int64(len(w)))
					xs := xs
					for len(xs) < kr.tileN {
						xs = append(xs, xs[0])
					}
					p, prb := packRows(kr, xs)
					out := make([]float32, kr.tileN)
					for b.Loop() {
						kr.tile(w, p, prb, out)
					}
				})
			}
		}
	}
}

// TestFloatRowKernels checks the attention and conversion kernels against their pure-Go references: the
// dot products and axpys within float32 rounding (their sums are ordered differently), the F16 conversions
// bit for bit on every binary16 value and on float32 values at and around every rounding boundary.
func TestFloatRowKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 14))
	for trial := 0; trial < 200; trial++ {
		n := r.IntN(300)
		a := randF32(r, n, 1)
		b := randF32(r, n, 1)
		h := make([]uint16, n)
		f32ToF16RowGo(h, b)
		hb := make([]float32, n)
		f16ToF32RowGo(hb, h)
		var mag, magH float64
		for i := range a {
			mag += math.Abs(float64(a[i]) * float64(b[i]))
			magH += math.Abs(float64(a[i]) * float64(hb[i]))
		}
		if got, want := dotF32(a, b), dotF32Go(a, b); math.Abs(float64(got-want)) > 1e-6*mag {
			t.Fatalf("n=%d: dotF32 %g, pure Go %g", n, got, want)
		}
		if got, want := dotF32F16(a, h), dotF32F16Go(a, h); math.Abs(float64(got-want)) > 1e-6*magH {
			t.Fatalf("n=%d: dotF32F16 %g, pure Go %g", n, got, want)
		}
		alpha := float32(r.NormFloat64())
		y0 := randF32(r, n, 1)
		y1, y2 := append([]float32(nil), y0...), append([]float32(nil), y0...)
		axpyF32(alpha, a, y1)
		axpyF32Go(alpha, a, y2)
		for i := range y1 {
			if d := math.Abs(float64(y1[i] - y2[i])); d > 1e-6*(math.Abs(float64(alpha*a[i]))+math.Abs(float64(y0[i]))) {
				t.Fatalf("n=%d: axpyF32[%d] = %g, pure Go %g", n, i, y1[i], y2[i])
			}
		}
		copy(y1, y0)
		copy(y2, y0)
		axpyF16(alpha, h, y1)
		axpyF16Go(alpha, h, y2)
		for i := range y1 {
			if d := math.Abs(float64(y1[i] - y2[i])); d > 1e-6*(math.Abs(float64(alpha*hb[i]))+math.Abs(float64(y0[i]))) {
				t.Fatalf("n=%d: axpyF16[%d] = %g, pure Go %g", n, i, y1[i], y2[i])
			}
		}
	}

	// F16 → F32 on all 65536 values (NaNs compare as NaNs: hardware quiets signalling ones).
	all := make([]uint16, 1<<16)
	for i := range all {
		all[i] = uint16(i)
	}
	got, want := make([]float32, len(all)), make([]float32, len(all))
	f16ToF32Row(got, all)
	f16ToF32RowGo(want, all)
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
			t.Fatalf("f16ToF32Row(%#04x) = %#08x, pure Go %#08x", i, math.Float32bits(got[i]), math.Float32bits(want[i]))
		}
	}
	// F32 → F16 at every binary16 value, the halfway points between neighbours and one ulp around them,
	// plus values beyond the binary16 range.
	var src []float32
	for _, w := range want {
		u := math.Float32bits(w)
		for _, d := range []int64{-0x1001, -0x1000, -0xfff, -1, 0, 1, 0xfff, 0x1000, 0x1001} {
			src = append(src, math.Float32frombits(uint32(int64(u)+d)))
		}
	}
	src = append(src, 1e30, -1e30, float32(math.Inf(1)), 65519.99, 65520, 1e-9, -1e-9, 3e-8)
	h1, h2 := make([]uint16, len(src)), make([]uint16, len(src))
	f32ToF16Row(h1, src)
	f32ToF16RowGo(h2, src)
	for i := range h1 {
		if h1[i] != h2[i] {
			t.Fatalf("f32ToF16Row(%g = %#08x) = %#04x, pure Go %#04x", src[i], math.Float32bits(src[i]), h1[i], h2[i])
		}
	}
}

// TestActEncoders: the SIMD activation encoders write what the reference quantizers write, byte for byte,
// on rows with ordinary, tiny, huge, zero and tied values (and, for Q8_K, which must match on every input,
// opposite values of equal magnitude, NaN, infinities and subnormals).
func TestActEncoders(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 15))
	for _, tc := range []struct {
		typ    gguf.Type
		ref    func(x []float32, y []byte)
		bs, bb int  // values and bytes per block
		exact  bool // bit for bit on every input, not only where 127/amax is finite
	}{
		{gguf.TypeQ8_0, quant.QuantizeRowQ8_0Act, quant.QK, quant.Q8_0B, false},
		{gguf.TypeQ8_K, quant.QuantizeRowQ8K, quant.QKK, quant.Q8_KB, true},
	} {
		enc := actEncoder(tc.typ, tc.ref)
		cases := 6
		if tc.exact {
			cases = 11
		}
		for trial := 0; trial < 500; trial++ {
			nb := 1 + r.IntN(20)
			if tc.exact {
				nb = 1 + r.IntN(4)
			}
			x := randF32(r, nb*tc.bs, math.Pow(10, float64(r.IntN(12)-6)))
			for b := 0; b < nb; b++ {
				blk := x[b*tc.bs : (b+1)*tc.bs]
				switch r.IntN(cases) {
				case 0:
					clear(blk)
				case 1: // values on rounding ties of the scaled grid
					for j := range blk {
						blk[j] = float32(r.IntN(253)-126) + 0.5
					}
					blk[r.IntN(len(blk))] = 127 // amax 127: the scale is exactly 1, so x.5 stays a tie
					if tc.exact {
						blk[0] = -127 // Q8_K's scale is -127/mx: here 1 again
					}
				case 2:
					// Tiny: d underflows to F16 zero. (Below amax ≈ 3.7e-37, 127/amax overflows; the Q8_0
					// encoders then store d = 0 with quants that differ but multiply by zero.)
					for j := range blk {
						blk[j] = float32(r.NormFloat64() * 1e-35)
					}
				case 3:
					for j := range blk {
						blk[j] = float32(r.NormFloat64() * 1e30)
					}
				case 6: // largest magnitude twice with both signs: the first one sets the sign of the scale
					i, j := r.IntN(len(blk)), r.IntN(len(blk))
					v := float32(1 + r.Float64())
					blk[i], blk[j] = v, -v
				case 7:
					blk[r.IntN(len(blk))] = float32(math.NaN())
				case 8:
					blk[r.IntN(len(blk))] = float32(math.Inf(1 - 2*r.IntN(2)))
				case 9: // 127/amax overflows
					for j := range blk {
						blk[j] = float32(r.NormFloat64() * 1e-38)
					}
				case 10: // subnormal
					for j := range blk {
						blk[j] = math.Float32frombits(uint32(r.IntN(1 << 20)))
					}
				}
			}
			n, _ := quant.RowBytes(tc.typ, len(x))
			want, got := make([]byte, n), make([]byte, n)
			tc.ref(x, want)
			enc(x, got)
			for i := range want {
				if want[i] != got[i] {
					t.Fatalf("%v trial %d: byte %d (block %d) = %#02x, reference %#02x", tc.typ, trial, i, i/tc.bb, got[i], want[i])
				}
			}
		}
	}
}

// BenchmarkActEncoders: one 1024-value activation row (the 0.6B model's width) per op.
func BenchmarkActEncoders(b *testing.B) {
	x := randF32(rand.New(rand.NewPCG(1, 1)), 1024, 1)
	for _, typ := range []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ8_K} {
		ref := quant.QuantizeRowQ8_0Act
		if typ == gguf.TypeQ8_K {
			ref = quant.QuantizeRowQ8K
		}
		n, _ := quant.RowBytes(typ, len(x))
		y := make([]byte, n)
		for _, e := range []struct {
			name string
			f    func(x []float32, y []byte)
		}{{"ref", ref}, {"simd", actEncoder(typ, ref)}} {
			b.Run(typ.String()+"/"+e.name, func(b *testing.B) {
				b.SetBytes(int64(4 * len(x)))
				for b.Loop() {
					e.f(x, y)
				}
			})
		}
	}
}

// TestAttentionKernels: the whole-row score kernels agree with per-key dot products within float32 rounding
// (they sum each row in one 8-lane accumulator instead of four), and the P·V kernels give exactly what
// per-row axpys into a zeroed output give.
func TestAttentionKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 16))
	for trial := 0; trial < 100; trial++ {
		d := 8 * (1 + r.IntN(20))
		if trial%3 == 0 {
			d = 64 * (1 + r.IntN(3))
		}
		nk := 1 + r.IntN(40)
		ks := d + 8*r.IntN(3) // row stride of the cache (several heads per row)
		q := randF32(r, d, 1)
		kf := randF32(r, (nk-1)*ks+d, 1)
		kh := make([]uint16, len(kf))
		f32ToF16RowGo(kh, kf)
		khf := make([]float32, len(kh))
		f16ToF32RowGo(khf, kh)
		for _, f16 := range []bool{false, true} {
			s := make([]float32, nk)
			var ok bool
			if f16 {
				ok = scoresF16(q, kh, ks, s)
			} else {
				ok = scoresF32(q, kf, ks, s)
			}
			if !ok {
				t.Skip("no attention kernels on this CPU / build")
			}
			for u := range s {
				row := kf[u*ks : u*ks+d]
				if f16 {
					row = khf[u*ks : u*ks+d]
				}
				var want, mag float64
				for i := range row {
					want += float64(q[i]) * float64(row[i])
					mag += math.Abs(float64(q[i]) * float64(row[i]))
				}
				if math.Abs(float64(s[u])-want) > 1e-6*mag {
					t.Fatalf("d=%d nk=%d f16=%v: score %d = %g, want %g", d, nk, f16, u, s[u], want)
				}
			}
			if d%64 != 0 {
				continue
			}
			p := randF32(r, nk, 1)
			got, want := make([]float32, d), make([]float32, d)
			if f16 {
				pvF16(p, kh, ks, got)
				for u, pu := range p {
					axpyF16(pu, kh[u*ks:u*ks+d], want)
				}
			} else {
				pvF32(p, kf, ks, got)
				for u, pu := range p {
					axpyF32(pu, kf[u*ks:u*ks+d], want)
				}
			}
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("d=%d nk=%d f16=%v: pv[%d] = %g, axpy rows %g", d, nk, f16, i, got[i], want[i])
				}
			}
		}
	}
}

// ggmlExpf is ggml_v_expf (AVX-512 version) for one lane, written out in scalar Go: the specification the
// SIMD exp is checked against bit for bit.
func ggmlExpf(x float32) float32 {
	h := func(s string) float32 {
		v, err := strconv.ParseFloat(s, 32)
		if err != nil {
			panic(err)
		}
		return float32(v)
	}
	r := h("0x1.8p23")
	z := fma32(x, h("0x1.715476p+0"), r)
	n := z - r
	b := fma32(-n, h("0x1.62e4p-1"), x)
	b = fma32(-n, h("0x1.7f7d1cp-20"), b)
	u := b * b
	j := fma32(fma32(fma32(h("0x1.0e4020p-7"), b, h("0x1.573e2ep-5")), u, fma32(h("0x1.555e66p-3"), b, h("0x1.fffdb6p-2"))),
		u, fma32(h("0x1.ffffecp-1"), b, 1))
	if math.Abs(float64(n)) > 192 {
		if n <= 0 {
			return 0
		}
		return float32(math.Inf(1))
	}
	return float32(math.Ldexp(float64(j), int(n))) // VSCALEFPS: exact scaling, one rounding
}

// TestSoftmaxAndSiLU checks the vectorised exp against ggmlExpf on arguments across its whole range (with
// subnormal results, flushes to 0 and +Inf), and the SwiGLU and softmax rows against scalar models of
// ggml's AVX-512 loops, bit for bit.
func TestSoftmaxAndSiLU(t *testing.T) {
	if !hasSIMDExp() {
		t.Skip("no SIMD exp on this CPU / build")
	}
	r := rand.New(rand.NewPCG(17, 17))
	var xs []float32
	for i := 0; i < 3000; i++ {
		xs = append(xs, float32(r.Float64()*220-110))
	}
	for i := 0; i < 1000; i++ {
		xs = append(xs, float32(r.NormFloat64()*3))
	}
	xs = append(xs, 0, float32(math.Copysign(0, -1)), 88.3, 88.8, -87.3, -103.9, -104, -130, -140, -200, 300,
		float32(math.Inf(-1)), float32(math.Inf(1)), 1e-30, -1e-30)
	for len(xs)%16 != 0 {
		xs = append(xs, float32(r.NormFloat64()))
	}
	// exp through the softmax kernel with max 0, chunk by chunk.
	got := append([]float32(nil), xs...)
	softmaxExp(got, 0, len(got))
	for i, x := range xs {
		if want := ggmlExpf(x); math.Float32bits(got[i]) != math.Float32bits(want) {
			t.Fatalf("exp(%g) = %g (%#08x), ggml_v_expf %g (%#08x)", x, got[i], math.Float32bits(got[i]), want, math.Float32bits(want))
		}
	}
	// Softmax sums: per chunk of 16 in _mm512_reduce_add_ps order, as float64, up to the row's vector length
	// vl &^ 15 (a chunk that the row ends in padded with zeros, masked lanes); the scalar exp beyond.
	got = append(got[:0], 0)
	if softmaxExp(got, 0, 0); got[0] != 1 {
		t.Fatalf("exp(0) = %g", got[0])
	}
	for trial := 0; trial < 60; trial++ {
		n := 1 + r.IntN(80)
		x := randF32(r, n, 3)
		mx := float32(math.Inf(-1))
		for _, v := range x {
			mx = max(mx, v)
		}
		for _, vl := range []int{n, n + r.IntN(40)} {
			s := append([]float32(nil), x...)
			sum := softmaxExp(s, mx, vl)
			var want float64
			i := 0
			for ; i < n && i+16 <= vl; i += 16 {
				var e [16]float32
				for j := range e {
					if i+j < n {
						e[j] = ggmlExpf(x[i+j] - mx)
						if s[i+j] != e[j] {
							t.Fatalf("n=%d vl=%d: s[%d] = %g, want %g", n, vl, i+j, s[i+j], e[j])
						}
					}
				}
				var t3 [8]float32
				for k := range t3 {
					t3[k] = e[8+k] + e[k]
				}
				var t6 [4]float32
				for k := range t6 {
					t6[k] = t3[4+k] + t3[k]
				}
				want += float64((t6[0] + t6[2]) + (t6[1] + t6[3]))
			}
			for ; i < n; i++ {
				e := expf(x[i] - mx)
				if s[i] != e {
					t.Fatalf("n=%d vl=%d: scalar s[%d] = %g, want %g", n, vl, i, s[i], e)
				}
				want += float64(e)
			}
			if sum != want {
				t.Fatalf("n=%d vl=%d: sum %v, want %v", n, vl, sum, want)
			}
		}
	}
	// SwiGLU: full 16s vectorised (x / (1 + ggml_v_expf(-x)) · u), the rest scalar.
	for trial := 0; trial < 30; trial++ {
		n := 1 + r.IntN(70)
		g, u := randF32(r, n, 4), randF32(r, n, 1)
		d := make([]float32, n)
		swigluRow(d, g, u)
		for i := range d {
			want := silu(g[i]) * u[i]
			if i < n&^15 {
				want = g[i] / (1 + ggmlExpf(0-g[i])) * u[i]
			}
			if math.Float32bits(d[i]) != math.Float32bits(want) {
				t.Fatalf("n=%d: swiglu[%d] = %g, want %g", n, i, d[i], want)
			}
		}
	}
}
