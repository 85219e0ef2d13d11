package quant

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

func TestF16RoundTripAllValues(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := F16ToF32(uint16(h))
		if f != f { // NaN: must stay NaN with the sign kept
			back := F32ToF16(f)
			if back&0x7c00 != 0x7c00 || back&0x3ff == 0 || back&0x8000 != uint16(h)&0x8000 {
				t.Fatalf("NaN %#04x -> %#04x is not a NaN of the same sign", h, back)
			}
			continue
		}
		if got := F32ToF16(f); got != uint16(h) {
			t.Fatalf("F32ToF16(F16ToF32(%#04x)=%g) = %#04x", h, f, got)
		}
	}
}

func TestF16KnownValues(t *testing.T) {
	cases := []struct {
		f float32
		h uint16
	}{
		{1, 0x3c00}, {-2, 0xc000}, {0.5, 0x3800}, {65504, 0x7bff}, {65519, 0x7bff}, {65520, 0x7c00},
		{float32(math.Inf(-1)), 0xfc00}, {float32(math.Ldexp(1, -24)), 0x0001}, {float32(math.Ldexp(1, -14)), 0x0400},
		{float32(math.Ldexp(1, -25)), 0x0000},     // half the smallest subnormal: tie to even (0)
		{float32(math.Ldexp(3, -25)), 0x0002},     // 1.5 subnormal steps: tie to even (2)
		{float32(math.Ldexp(1.5, -25)), 0x0001},   // above the tie
		{1 + float32(math.Ldexp(1, -11)), 0x3c00}, // tie between 1 and 1+2^-10 goes to even (1)
		{1 + float32(math.Ldexp(3, -11)), 0x3c02}, // tie between 1+2^-10 and 1+2^-9 goes to even
		{float32(math.Ldexp(1, -30)), 0},
		{-float32(math.Ldexp(1, -30)), 0x8000},
	}
	for _, c := range cases {
		if got := F32ToF16(c.f); got != c.h {
			t.Errorf("F32ToF16(%g) = %#04x, want %#04x", c.f, got, c.h)
		}
	}
	if v := F16ToF32(0x0001); v != float32(math.Ldexp(1, -24)) {
		t.Errorf("F16ToF32(0x0001) = %g", v)
	}
	if v := F16ToF32(0x7e00); v == v {
		t.Errorf("F16ToF32(0x7e00) = %g, want NaN", v)
	}
}

// TestF16NearestEven checks random float32 values against the definition: the result is the nearest binary16
// value, ties to the even encoding.
func TestF16NearestEven(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		f := float32(math.Ldexp(r.Float64()*2-1, r.IntN(44)-28))
		h := F32ToF16(f)
		got := float64(F16ToF32(h))
		err := math.Abs(got - float64(f))
		for _, nb := range []uint16{h - 1, h + 1} {
			if nb&0x7fff > 0x7c00 || (h&0x7fff == 0 && nb&0x7fff == 0x7fff) {
				continue
			}
			alt := float64(F16ToF32(nb))
			if math.Signbit(alt) != math.Signbit(got) && alt != 0 && got != 0 {
				continue
			}
			e2 := math.Abs(alt - float64(f))
			if e2 < err || (e2 == err && h&1 == 1) {
				t.Fatalf("F32ToF16(%g) = %#04x (%g), but %#04x (%g) is nearer or an even tie", f, h, got, nb, alt)
			}
		}
	}
}

func TestBF16(t *testing.T) {
	cases := []struct {
		bits uint32
		want uint16
	}{
		{0x3f800000, 0x3f80}, // 1
		{0x3f808000, 0x3f80}, // tie, keep even
		{0x3f818000, 0x3f82}, // tie, round up to even
		{0x3f808001, 0x3f81}, // above the tie
		{0x7f7fffff, 0x7f80}, // max float rounds to Inf
		{0xff800000, 0xff80}, // -Inf
		{0x7f800001, 0x7fc0}, // signalling NaN becomes quiet
	}
	for _, c := range cases {
		if got := F32ToBF16(math.Float32frombits(c.bits)); got != c.want {
			t.Errorf("F32ToBF16(%#08x) = %#04x, want %#04x", c.bits, got, c.want)
		}
	}
	if BF16ToF32(0xc040) != -3 {
		t.Errorf("BF16ToF32(0xc040) = %g, want -3", BF16ToF32(0xc040))
	}
}

func le16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }

func dequant(t *testing.T, typ gguf.Type, blk []byte, n int) []float32 {
	t.Helper()
	out := make([]float32, n)
	if err := Dequantize(typ, blk, out); err != nil {
		t.Fatal(err)
	}
	return out
}

func expectEqual(t *testing.T, name string, got, want []float32) {
	t.Helper()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s: element %d = %g, want %g", name, i, got[i], want[i])
		}
	}
}

// The known-block tests build one block by hand and state each element's value from the layout description
// (element index → byte, bit), not from the decoder's loop structure.
func TestKnownBlocks32(t *testing.T) {
	qs := make([]byte, 16)
	for j := range qs {
		qs[j] = byte(j) | byte(15-j)<<4
	}
	lowNib := func(i int) int { // the 4-bit value of element i (0..31): low nibbles first, then high nibbles
		if i < 16 {
			return int(qs[i] & 0xf)
		}
		return int(qs[i-16] >> 4)
	}
	// Q4_0: d = 0.5
	blk := append(le16(0x3800), qs...)
	want := make([]float32, 32)
	for i := range want {
		want[i] = 0.5 * float32(lowNib(i)-8)
	}
	expectEqual(t, "Q4_0", dequant(t, gguf.TypeQ4_0, blk, 32), want)

	// Q4_1: d = 0.25, m = -1
	blk = append(append(le16(0x3400), le16(0xbc00)...), qs...)
	for i := range want {
		want[i] = 0.25*float32(lowNib(i)) - 1
	}
	expectEqual(t, "Q4_1", dequant(t, gguf.TypeQ4_1, blk, 32), want)

	// Q5_0: d = 1, qh bit i is the 5th bit of element i.
	const qh = 0xAAAA5555
	fifth := func(i int) int { return int(qh>>i) & 1 }
	blk = append(append(le16(0x3c00), binary.LittleEndian.AppendUint32(nil, qh)...), qs...)
	for i := range want {
		want[i] = float32(lowNib(i) + 16*fifth(i) - 16)
	}
	expectEqual(t, "Q5_0", dequant(t, gguf.TypeQ5_0, blk, 32), want)

	// Q5_1: d = 0.5, m = 2
	blk = append(append(append(le16(0x3800), le16(0x4000)...), binary.LittleEndian.AppendUint32(nil, qh)...), qs...)
	for i := range want {
		want[i] = 0.5*float32(lowNib(i)+16*fifth(i)) + 2
	}
	expectEqual(t, "Q5_1", dequant(t, gguf.TypeQ5_1, blk, 32), want)

	// Q8_0: d = 2^-7, q = 8i - 128
	blk = le16(0x2000)
	for i := 0; i < 32; i++ {
		blk = append(blk, byte(int8(8*i-128)))
	}
	for i := range want {
		want[i] = float32(8*i-128) / 128
	}
	expectEqual(t, "Q8_0", dequant(t, gguf.TypeQ8_0, blk, 32), want)
}

// packScalesK4 packs eight 6-bit scales and mins the way llama.cpp's Q4_K/Q5_K quantizer stores them.
func packScalesK4(sc, mn [8]uint8) []byte {
	s := make([]byte, 12)
	for j := 0; j < 8; j++ {
		if j < 4 {
			s[j] = sc[j]
			s[j+4] = mn[j]
		} else {
			s[j+4] = sc[j]&0xf | (mn[j]&0xf)<<4
			s[j-4] |= (sc[j] >> 4) << 6
			s[j] |= (mn[j] >> 4) << 6
		}
	}
	return s
}

func TestKnownBlocksK(t *testing.T) {
	sc := [8]uint8{1, 2, 3, 4, 33, 40, 50, 63}
	mn := [8]uint8{5, 6, 7, 8, 60, 44, 32, 17}
	for j := 0; j < 8; j++ {
		gs, gm := ScaleMinK4(j, packScalesK4(sc, mn))
		if gs != sc[j] || gm != mn[j] {
			t.Fatalf("ScaleMinK4(%d) = %d,%d want %d,%d", j, gs, gm, sc[j], mn[j])
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	qs := make([]byte, 128)
	for i := range qs {
		qs[i] = byte(r.IntN(256))
	}
	qh := make([]byte, 32)
	for i := range qh {
		qh[i] = byte(r.IntN(256))
	}
	// Element i of a Q4_K/Q5_K super-block: 64-element chunk c = i/64 uses bytes qs[32c:32c+32], low nibbles for
	// its first 32 elements and high nibbles for the next 32; sub-block i/32 selects scale and min; the 5th bit
	// of Q5_K is bit i/32 of qh[i%32].
	nib := func(i int) int {
		c, l := i/64, i%64
		if l < 32 {
			return int(qs[32*c+l] & 0xf)
		}
		return int(qs[32*c+l-32] >> 4)
	}
	const d, dmin = 0.5, 0.25 // F16 0x3800, 0x3400
	want := make([]float32, 256)
	for i := range want {
		s := i / 32
		want[i] = d*float32(sc[s])*float32(nib(i)) - dmin*float32(mn[s])
	}
	blk := append(append(append(le16(0x3800), le16(0x3400)...), packScalesK4(sc, mn)...), qs...)
	expectEqual(t, "Q4_K", dequant(t, gguf.TypeQ4_K, blk, 256), want)

	for i := range want {
		s := i / 32
		q := nib(i) + 16*int(qh[i%32]>>s&1)
		want[i] = d*float32(sc[s])*float32(q) - dmin*float32(mn[s])
	}
	blk = append(append(append(append(le16(0x3800), le16(0x3400)...), packScalesK4(sc, mn)...), qh...), qs...)
	expectEqual(t, "Q5_K", dequant(t, gguf.TypeQ5_K, blk, 256), want)

	// Q6_K: element i: half n = i/128, r = i%128, quarter k = r/32, l = r%32. Low 4 bits: ql[64n + l + 32(k&1)],
	// low nibble for k < 2, high nibble for k >= 2. High 2 bits: bits 2k..2k+1 of qh[32n+l]. Scale: int8
	// scales[8n + l/16 + 2k].
	ql := make([]byte, 128)
	for i := range ql {
		ql[i] = byte(r.IntN(256))
	}
	qh6 := make([]byte, 64)
	for i := range qh6 {
		qh6[i] = byte(r.IntN(256))
	}
	scales := make([]byte, 16)
	for i := range scales {
		scales[i] = byte(int8(r.IntN(256) - 128))
	}
	for i := range want {
		n, rr := i/128, i%128
		k, l := rr/32, rr%32
		lo := ql[64*n+l+32*(k&1)]
		if k >= 2 {
			lo >>= 4
		}
		q := int(lo&0xf) | int(qh6[32*n+l]>>(2*k)&3)<<4
		want[i] = 0.5 * float32(int8(scales[8*n+l/16+2*k])) * float32(q-32)
	}
	blk = append(append(append(append([]byte{}, ql...), qh6...), scales...), le16(0x3800)...)
	expectEqual(t, "Q6_K", dequant(t, gguf.TypeQ6_K, blk, 256), want)
}

func randVec(r *rand.Rand, n int, scale float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * scale)
	}
	return x
}

// TestQuantizeErrorBounds quantizes random data and checks every element's reconstruction error against the
// bound each format guarantees (half a step, a full step where the reference quantizer clamps, plus the F16
// rounding of the block scale and offset).
func TestQuantizeErrorBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const n = 4096
	for _, scale := range []float64{1e-3, 0.02, 1, 300} {
		x := randVec(r, n, scale)
		x[7] = 0 // zero element and an all-zero block below
		for i := 64; i < 96; i++ {
			x[i] = 0
		}
		for _, typ := range []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ4_0, gguf.TypeQ4_1, gguf.TypeQ5_0, gguf.TypeQ5_1, gguf.TypeQ8_K, gguf.TypeF16, gguf.TypeBF16, gguf.TypeF32} {
			q, err := Quantize(typ, x)
			if err != nil {
				t.Fatal(err)
			}
			y := make([]float32, n)
			if err := Dequantize(typ, q, y); err != nil {
				t.Fatal(err)
			}
			be, _, _ := Layout(typ)
			for b := 0; b < n/be; b++ {
				xb, yb := x[b*be:(b+1)*be], y[b*be:(b+1)*be]
				amax := float64(absMax(xb))
				lo, hi := minMax(xb)
				var bound float64
				switch typ {
				case gguf.TypeQ8_0:
					bound = amax/127*(0.5+127.0/2048) + 1e-30
				case gguf.TypeQ8_K:
					bound = amax / 127 * 0.5001
				case gguf.TypeQ4_0:
					bound = amax / 8 * (1 + 8.0/1024)
				case gguf.TypeQ5_0:
					bound = amax / 16 * (1 + 16.0/1024)
				case gguf.TypeQ4_1:
					bound = float64(hi-lo)/15*(0.5+15.0/2048) + math.Abs(float64(lo))/2048
				case gguf.TypeQ5_1:
					bound = float64(hi-lo)/31*(0.5+31.0/2048) + math.Abs(float64(lo))/2048
				case gguf.TypeF16:
					bound = amax / 2048
				case gguf.TypeBF16:
					bound = amax / 256
				}
				// F16 block scales lose relative precision when they are subnormal (below 2^-14): allow
				// half a subnormal step per quant level (and for the offset of Q4_1/Q5_1).
				const sub = 1.0 / (1 << 25)
				switch typ {
				case gguf.TypeQ8_0:
					bound += 127 * sub
				case gguf.TypeQ4_0, gguf.TypeQ5_0:
					bound += 16 * sub
				case gguf.TypeQ4_1, gguf.TypeQ5_1:
					bound += 32 * sub
				case gguf.TypeF16:
					bound = max(bound, sub)
				}
				bound *= 1 + 1e-5
				for i := range xb {
					if e := math.Abs(float64(xb[i] - yb[i])); e > bound {
						t.Fatalf("%v scale %g block %d elem %d: %g -> %g, error %g > bound %g", typ, scale, b, i, xb[i], yb[i], e, bound)
					}
				}
			}
		}
	}
}

func TestQuantizeQ8_0GGUFPyRounding(t *testing.T) {
	// amax 127 gives d = 1 exactly; 2.5 must round away from zero to 3 (gguf-py np_roundf), -2.5 to -3.
	x := make([]float32, 32)
	x[0], x[1], x[2], x[3] = 127, 2.5, -2.5, 0.5
	q, err := Quantize(gguf.TypeQ8_0, x)
	if err != nil {
		t.Fatal(err)
	}
	if binary.LittleEndian.Uint16(q) != 0x3c00 || int8(q[3]) != 3 || int8(q[4]) != -3 || int8(q[5]) != 1 {
		t.Fatalf("Q8_0 block = % x", q[:6])
	}
	// The activation rule rounds ties to even instead.
	act := make([]byte, Q8_0B)
	QuantizeRowQ8_0Act(x, act)
	if int8(act[3]) != 2 || int8(act[4]) != -2 || int8(act[5]) != 0 {
		t.Fatalf("Q8_0 activation block = % x", act[:6])
	}
}

func TestQuantizeRowQ8_1Act(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	x := randVec(r, 64, 1)
	y := make([]byte, 2*Q8_1B)
	QuantizeRowQ8_1Act(x, y)
	for b := 0; b < 2; b++ {
		blk := y[b*Q8_1B:]
		d := f16At(blk, 0)
		sum := 0
		for j := 0; j < 32; j++ {
			q := int(int8(blk[4+j]))
			sum += q
			if e := math.Abs(float64(x[32*b+j] - d*float32(q))); e > float64(d)*0.6 {
				t.Fatalf("block %d elem %d: error %g for d %g", b, j, e, d)
			}
		}
		// s holds d·Σq rounded to F16 (the unrounded d is used, so compare loosely).
		if s := f16At(blk, 2); math.Abs(float64(s)-float64(d)*float64(sum)) > math.Abs(float64(s))*2e-3+1e-6 {
			t.Fatalf("block %d: s = %g, d·Σq = %g", b, s, float64(d)*float64(sum))
		}
	}
}

func TestQ8KBlock(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	x := randVec(r, 256, 0.1)
	x[17] = -1 // the signed maximum: iscale = -127/max = 127, so d = 1/127 and q[17] = -127
	y := make([]byte, Q8_KB)
	QuantizeRowQ8K(x, y)
	d := math.Float32frombits(binary.LittleEndian.Uint32(y))
	if math.Abs(float64(d)-1.0/127) > 1e-9 || int8(y[4+17]) != -127 {
		t.Fatalf("d = %g, q[17] = %d; want 1/127 and -127", d, int8(y[4+17]))
	}
	for j := 0; j < 16; j++ {
		sum := 0
		for i := 0; i < 16; i++ {
			sum += int(int8(y[4+16*j+i]))
		}
		if got := int16(binary.LittleEndian.Uint16(y[4+256+2*j:])); int(got) != sum {
			t.Fatalf("bsums[%d] = %d, want %d", j, got, sum)
		}
	}
}

func TestDequantizeErrors(t *testing.T) {
	out := make([]float32, 32)
	if err := Dequantize(gguf.TypeQ8_0, make([]byte, 33), out); err == nil {
		t.Error("short source accepted")
	}
	if err := Dequantize(gguf.TypeQ8_0, make([]byte, 100), out[:31]); err == nil {
		t.Error("partial block accepted")
	}
	if err := Dequantize(gguf.TypeIQ2_XXS, make([]byte, 100), out); err == nil {
		t.Error("unsupported type accepted")
	}
	if _, err := Quantize(gguf.TypeQ4_K, make([]float32, 256)); err == nil {
		t.Error("Quantize(Q4_K) should report that it is not supported")
	}
}

func FuzzDequantize(f *testing.F) {
	f.Add(uint8(gguf.TypeQ4_K), make([]byte, 144))
	f.Add(uint8(gguf.TypeQ6_K), make([]byte, 420))
	f.Add(uint8(gguf.TypeF16), []byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, typ uint8, src []byte) {
		tp := gguf.Type(typ)
		be, bb, ok := Layout(tp)
		n := 64
		if ok {
			n = len(src) / bb * be
		}
		out := make([]float32, n)
		err := Dequantize(tp, src, out)
		if ok && err != nil {
			t.Fatalf("whole blocks rejected: %v", err)
		}
	})
}
