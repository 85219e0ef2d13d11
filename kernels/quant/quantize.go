package quant

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// Quantize encodes src as type t. Supported: F32, F16, BF16 (round to nearest even), Q8_0 (gguf-py's rule:
// scale amax/127 stored as F16, round half away from zero), Q4_0, Q4_1, Q5_0, Q5_1 (ggml's reference
// quantizers) and Q8_K (ggml's activation format). len(src) must be a multiple of the block size.
func Quantize(t gguf.Type, src []float32) ([]byte, error) {
	n, err := RowBytes(t, len(src))
	if err != nil {
		return nil, err
	}
	dst := make([]byte, n)
	if err := QuantizeInto(t, src, dst); err != nil {
		return nil, err
	}
	return dst, nil
}

// QuantizeInto is Quantize writing into dst, which must be exactly RowBytes(t, len(src)) long.
func QuantizeInto(t gguf.Type, src []float32, dst []byte) error {
	n, err := RowBytes(t, len(src))
	if err != nil {
		return err
	}
	if len(dst) != n {
		return fmt.Errorf("quant: %v: %d elements need %d bytes, destination has %d", t, len(src), n, len(dst))
	}
	switch t {
	case gguf.TypeF32:
		for i, v := range src {
			binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(v))
		}
	case gguf.TypeF16:
		for i, v := range src {
			binary.LittleEndian.PutUint16(dst[2*i:], F32ToF16(v))
		}
	case gguf.TypeBF16:
		for i, v := range src {
			binary.LittleEndian.PutUint16(dst[2*i:], F32ToBF16(v))
		}
	case gguf.TypeQ8_0:
		QuantizeRowQ8_0(src, dst)
	case gguf.TypeQ4_0:
		forBlocks(src, dst, QK, Q4_0B, quantQ4_0)
	case gguf.TypeQ4_1:
		forBlocks(src, dst, QK, Q4_1B, quantQ4_1)
	case gguf.TypeQ5_0:
		forBlocks(src, dst, QK, Q5_0B, quantQ5_0)
	case gguf.TypeQ5_1:
		forBlocks(src, dst, QK, Q5_1B, quantQ5_1)
	case gguf.TypeQ8_K:
		QuantizeRowQ8K(src, dst)
	default:
		return fmt.Errorf("quant: quantizing to %v is not supported", t)
	}
	return nil
}

func forBlocks(src []float32, dst []byte, be, bb int, f func(x []float32, y []byte)) {
	for b := 0; b*be < len(src); b++ {
		f(src[b*be:(b+1)*be], dst[b*bb:(b+1)*bb])
	}
}

// roundHalfAway rounds to the nearest integer, halves away from zero (C roundf, gguf-py np_roundf).
func roundHalfAway(x float32) float32 { return float32(math.Round(float64(x))) }

func putF16(b []byte, v float32) { binary.LittleEndian.PutUint16(b, F32ToF16(v)) }

func absMax(x []float32) float32 {
	var amax float32
	for _, v := range x {
		amax = max(amax, float32(math.Abs(float64(v))))
	}
	return amax
}

// signedAbsMax returns the element of largest magnitude (the first one on ties), as ggml's reference
// quantizers pick it.
func signedAbsMax(x []float32) float32 {
	var amax, mx float32
	for _, v := range x {
		if a := float32(math.Abs(float64(v))); a > amax {
			amax, mx = a, v
		}
	}
	return mx
}

// QuantizeRowQ8_0 encodes len(x) (a multiple of 32) values as Q8_0 blocks into y the way gguf-py does for
// weights: d = amax/127, q = round_half_away(x·(1/d)), d stored as F16.
func QuantizeRowQ8_0(x []float32, y []byte) {
	for b := 0; b*QK < len(x); b++ {
		xb := x[b*QK : (b+1)*QK]
		yb := y[b*Q8_0B : (b+1)*Q8_0B]
		d := absMax(xb) / 127
		var id float32
		if d != 0 {
			id = 1 / d
		}
		putF16(yb, d)
		for j, v := range xb {
			yb[2+j] = byte(int8(roundHalfAway(v * id)))
		}
	}
}

// QuantizeRowQ8_0Act encodes activations as Q8_0 the way llama.cpp's x86 CPU backend does before a Q8_0 /
// Q4_0 / Q5_0 dot product: d = amax/127 stored as F16, q = round_to_nearest_even(x·(127/amax)).
// (The scale factor and rounding differ slightly from the weight rule in QuantizeRowQ8_0.)
func QuantizeRowQ8_0Act(x []float32, y []byte) {
	for b := 0; b*QK < len(x); b++ {
		xb := x[b*QK : (b+1)*QK]
		yb := y[b*Q8_0B : (b+1)*Q8_0B]
		amax := absMax(xb)
		putF16(yb, amax/127)
		var id float32
		if amax != 0 {
			id = 127 / amax
		}
		for j, v := range xb {
			yb[2+j] = byte(int8(math.RoundToEven(float64(v * id))))
		}
	}
}

// QuantizeRowQ8_1Act encodes activations as Q8_1 (the partner of Q4_1 / Q5_1 weights) like llama.cpp's x86
// CPU backend: as QuantizeRowQ8_0Act plus s = d·Σq stored as F16.
func QuantizeRowQ8_1Act(x []float32, y []byte) {
	for b := 0; b*QK < len(x); b++ {
		xb := x[b*QK : (b+1)*QK]
		yb := y[b*Q8_1B : (b+1)*Q8_1B]
		amax := absMax(xb)
		d := amax / 127
		putF16(yb, d)
		var id float32
		if amax != 0 {
			id = 127 / amax
		}
		sum := 0
		for j, v := range xb {
			q := int8(math.RoundToEven(float64(v * id)))
			yb[4+j] = byte(q)
			sum += int(q)
		}
		putF16(yb[2:], d*float32(sum))
	}
}

// QuantizeRowQ8K encodes len(x) (a multiple of 256) values as Q8_K blocks (ggml's quantize_row_q8_K_ref, the
// activation format of K-quant dot products): iscale = -127/max where max is the signed value of largest
// magnitude, q = min(127, round_to_nearest_even(iscale·x)), d = 1/iscale as float32, plus the sums of each
// 16 quants (bsums).
func QuantizeRowQ8K(x []float32, y []byte) {
	for b := 0; b*QKK < len(x); b++ {
		xb := x[b*QKK : (b+1)*QKK]
		yb := y[b*Q8_KB : (b+1)*Q8_KB]
		mx := signedAbsMax(xb)
		if mx == 0 {
			clear(yb)
			continue
		}
		iscale := -127 / mx
		qs := yb[4 : 4+QKK]
		for j, v := range xb {
			qs[j] = byte(int8(min(127, math.RoundToEven(float64(iscale*v)))))
		}
		for j := 0; j < QKK/16; j++ {
			sum := 0
			for _, q := range qs[16*j : 16*j+16] {
				sum += int(int8(q))
			}
			binary.LittleEndian.PutUint16(yb[4+QKK+2*j:], uint16(int16(sum)))
		}
		binary.LittleEndian.PutUint32(yb, math.Float32bits(1/iscale))
	}
}

// truncToInt8 mimics C's (int8_t) cast of a float that is known to lie in [0, 128).
func truncToInt(v float32) int { return int(v) }

func quantQ4_0(x []float32, y []byte) {
	mx := signedAbsMax(x)
	d := mx / -8
	var id float32
	if d != 0 {
		id = 1 / d
	}
	putF16(y, d)
	for j := 0; j < 16; j++ {
		q0 := min(15, truncToInt(x[j]*id+8.5))
		q1 := min(15, truncToInt(x[j+16]*id+8.5))
		y[2+j] = byte(q0) | byte(q1)<<4
	}
}

func minMax(x []float32) (lo, hi float32) {
	lo, hi = float32(math.MaxFloat32), -float32(math.MaxFloat32)
	for _, v := range x {
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi
}

func quantQ4_1(x []float32, y []byte) {
	lo, hi := minMax(x)
	d := (hi - lo) / 15
	var id float32
	if d != 0 {
		id = 1 / d
	}
	putF16(y, d)
	putF16(y[2:], lo)
	for j := 0; j < 16; j++ {
		q0 := min(15, truncToInt((x[j]-lo)*id+0.5))
		q1 := min(15, truncToInt((x[j+16]-lo)*id+0.5))
		y[4+j] = byte(q0) | byte(q1)<<4
	}
}

func quantQ5_0(x []float32, y []byte) {
	mx := signedAbsMax(x)
	d := mx / -16
	var id float32
	if d != 0 {
		id = 1 / d
	}
	putF16(y, d)
	var qh uint32
	for j := 0; j < 16; j++ {
		q0 := min(31, truncToInt(x[j]*id+16.5))
		q1 := min(31, truncToInt(x[j+16]*id+16.5))
		y[6+j] = byte(q0&0xf) | byte(q1&0xf)<<4
		qh |= uint32(q0>>4&1) << j
		qh |= uint32(q1>>4&1) << (j + 16)
	}
	binary.LittleEndian.PutUint32(y[2:], qh)
}

func quantQ5_1(x []float32, y []byte) {
	lo, hi := minMax(x)
	d := (hi - lo) / 31
	var id float32
	if d != 0 {
		id = 1 / d
	}
	putF16(y, d)
	putF16(y[2:], lo)
	var qh uint32
	for j := 0; j < 16; j++ {
		q0 := min(31, truncToInt((x[j]-lo)*id+0.5))
		q1 := min(31, truncToInt((x[j+16]-lo)*id+0.5))
		y[8+j] = byte(q0&0xf) | byte(q1&0xf)<<4
		qh |= uint32(q0>>4&1) << j
		qh |= uint32(q1>>4&1) << (j + 16)
	}
	binary.LittleEndian.PutUint32(y[4:], qh)
}
