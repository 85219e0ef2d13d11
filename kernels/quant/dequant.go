package quant

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// Block geometry of the supported types (elements per block, bytes per block), as in ggml-common.h.
const (
	QK     = 32  // elements per block of the 32-wide formats (Q4_0 … Q8_1)
	QKK    = 256 // elements per super-block of the K-quants
	Q4_0B  = 18  // bytes: d f16 | qs[16]
	Q4_1B  = 20  // d f16 | m f16 | qs[16]
	Q5_0B  = 22  // d f16 | qh u32 | qs[16]
	Q5_1B  = 24  // d f16 | m f16 | qh u32 | qs[16]
	Q8_0B  = 34  // d f16 | qs int8[32]
	Q8_1B  = 36  // d f16 | s f16 | qs int8[32]   (s = d·Σqs)
	Q4_KB  = 144 // d f16 | dmin f16 | scales[12] | qs[128]
	Q5_KB  = 176 // d f16 | dmin f16 | scales[12] | qh[32] | qs[128]
	Q6_KB  = 210 // ql[128] | qh[64] | scales int8[16] | d f16
	Q8_KB  = 292 // d f32 | qs int8[256] | bsums int16[16]
	kScale = 12  // bytes of packed 6-bit scales/mins in Q4_K and Q5_K
)

// Layout returns the block geometry of t: elements per block and bytes per block. ok is false for types this
// package cannot decode.
func Layout(t gguf.Type) (blockElems, blockBytes int, ok bool) {
	// The geometry is the GGUF type table's; this package only says which of those types it decodes.
	switch t {
	case gguf.TypeF32, gguf.TypeF16, gguf.TypeBF16, gguf.TypeQ4_0, gguf.TypeQ4_1, gguf.TypeQ5_0, gguf.TypeQ5_1,
		gguf.TypeQ8_0, gguf.TypeQ8_1, gguf.TypeQ4_K, gguf.TypeQ5_K, gguf.TypeQ6_K, gguf.TypeQ8_K:
		return t.BlockSize(), t.BlockBytes(), true
	}
	return 0, 0, false
}

// RowBytes returns the bytes n elements of type t occupy, or an error when t is unsupported here or n is not a
// whole number of blocks.
func RowBytes(t gguf.Type, n int) (int, error) {
	be, bb, ok := Layout(t)
	if !ok {
		return 0, fmt.Errorf("quant: type %v not supported", t)
	}
	if n < 0 || n%be != 0 {
		return 0, fmt.Errorf("quant: %v: %d elements is not a multiple of the block size %d", t, n, be)
	}
	return n / be * bb, nil
}

// Dequantize decodes len(dst) elements of type t from src (which must hold at least that many) into dst.
func Dequantize(t gguf.Type, src []byte, dst []float32) error {
	need, err := RowBytes(t, len(dst))
	if err != nil {
		return err
	}
	if len(src) < need {
		return fmt.Errorf("quant: %v: %d elements need %d bytes, have %d", t, len(dst), need, len(src))
	}
	src = src[:need]
	switch t {
	case gguf.TypeF32:
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
		}
	case gguf.TypeF16:
		for i := range dst {
			dst[i] = F16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
		}
	case gguf.TypeBF16:
		for i := range dst {
			dst[i] = BF16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
		}
	default:
		be, bb, _ := Layout(t)
		for b := 0; b*bb < need; b++ {
			blk := src[b*bb : (b+1)*bb]
			out := dst[b*be : (b+1)*be]
			switch t {
			case gguf.TypeQ4_0:
				dequantQ4_0(blk, out)
			case gguf.TypeQ4_1:
				dequantQ4_1(blk, out)
			case gguf.TypeQ5_0:
				dequantQ5_0(blk, out)
			case gguf.TypeQ5_1:
				dequantQ5_1(blk, out)
			case gguf.TypeQ8_0:
				dequantQ8_0(blk, out)
			case gguf.TypeQ8_1:
				dequantQ8_1(blk, out)
			case gguf.TypeQ4_K:
				dequantQ4_K(blk, out)
			case gguf.TypeQ5_K:
				dequantQ5_K(blk, out)
			case gguf.TypeQ6_K:
				dequantQ6_K(blk, out)
			case gguf.TypeQ8_K:
				dequantQ8_K(blk, out)
			}
		}
	}
	return nil
}

func f16At(b []byte, off int) float32 { return F16ToF32(binary.LittleEndian.Uint16(b[off:])) }

func dequantQ4_0(b []byte, y []float32) {
	d := f16At(b, 0)
	qs := b[2:18]
	for j := 0; j < 16; j++ {
		y[j] = float32(int(qs[j]&0xf)-8) * d
		y[j+16] = float32(int(qs[j]>>4)-8) * d
	}
}

func dequantQ4_1(b []byte, y []float32) {
	d, m := f16At(b, 0), f16At(b, 2)
	qs := b[4:20]
	for j := 0; j < 16; j++ {
		y[j] = float32(qs[j]&0xf)*d + m
		y[j+16] = float32(qs[j]>>4)*d + m
	}
}

func dequantQ5_0(b []byte, y []float32) {
	d := f16At(b, 0)
	qh := binary.LittleEndian.Uint32(b[2:])
	qs := b[6:22]
	for j := 0; j < 16; j++ {
		h0 := byte(qh>>j) & 1 << 4
		h1 := byte(qh>>(j+16)) & 1 << 4
		y[j] = float32(int(qs[j]&0xf|h0)-16) * d
		y[j+16] = float32(int(qs[j]>>4|h1)-16) * d
	}
}

func dequantQ5_1(b []byte, y []float32) {
	d, m := f16At(b, 0), f16At(b, 2)
	qh := binary.LittleEndian.Uint32(b[4:])
	qs := b[8:24]
	for j := 0; j < 16; j++ {
		h0 := byte(qh>>j) & 1 << 4
		h1 := byte(qh>>(j+16)) & 1 << 4
		y[j] = float32(qs[j]&0xf|h0)*d + m
		y[j+16] = float32(qs[j]>>4|h1)*d + m
	}
}

func dequantQ8_0(b []byte, y []float32) {
	d := f16At(b, 0)
	for j := 0; j < 32; j++ {
		y[j] = float32(int8(b[2+j])) * d
	}
}

func dequantQ8_1(b []byte, y []float32) {
	d := f16At(b, 0)
	for j := 0; j < 32; j++ {
		y[j] = float32(int8(b[4+j])) * d
	}
}

// ScaleMinK4 unpacks the 6-bit scale and min of sub-block j (0..7) from the 12 packed bytes of a Q4_K/Q5_K
// block (ggml's get_scale_min_k4).
func ScaleMinK4(j int, s []byte) (sc, m uint8) {
	if j < 4 {
		return s[j] & 63, s[j+4] & 63
	}
	return s[j+4]&0x0f | (s[j-4]>>6)<<4, s[j+4]>>4 | (s[j]>>6)<<4
}

func dequantQ4_K(b []byte, y []float32) {
	d, dmin := f16At(b, 0), f16At(b, 2)
	scales := b[4:16]
	qs := b[16:144]
	for c := 0; c < 4; c++ {
		sc1, m1 := ScaleMinK4(2*c, scales)
		sc2, m2 := ScaleMinK4(2*c+1, scales)
		d1, mn1 := d*float32(sc1), dmin*float32(m1)
		d2, mn2 := d*float32(sc2), dmin*float32(m2)
		q := qs[32*c : 32*c+32]
		out := y[64*c : 64*c+64]
		for l := 0; l < 32; l++ {
			out[l] = d1*float32(q[l]&0xf) - mn1
			out[32+l] = d2*float32(q[l]>>4) - mn2
		}
	}
}

func dequantQ5_K(b []byte, y []float32) {
	d, dmin := f16At(b, 0), f16At(b, 2)
	scales := b[4:16]
	qh := b[16:48]
	qs := b[48:176]
	for c := 0; c < 4; c++ {
		sc1, m1 := ScaleMinK4(2*c, scales)
		sc2, m2 := ScaleMinK4(2*c+1, scales)
		d1, mn1 := d*float32(sc1), dmin*float32(m1)
		d2, mn2 := d*float32(sc2), dmin*float32(m2)
		q := qs[32*c : 32*c+32]
		out := y[64*c : 64*c+64]
		for l := 0; l < 32; l++ {
			h1 := (qh[l] >> (2 * c) & 1) << 4
			h2 := (qh[l] >> (2*c + 1) & 1) << 4
			out[l] = d1*float32(q[l]&0xf|h1) - mn1
			out[32+l] = d2*float32(q[l]>>4|h2) - mn2
		}
	}
}

func dequantQ6_K(b []byte, y []float32) {
	ql := b[0:128]
	qh := b[128:192]
	sc := b[192:208]
	d := f16At(b, 208)
	for n := 0; n < 2; n++ {
		L := ql[64*n : 64*n+64]
		H := qh[32*n : 32*n+32]
		S := sc[8*n : 8*n+8]
		out := y[128*n : 128*n+128]
		for l := 0; l < 32; l++ {
			s := l / 16
			q1 := int(L[l]&0xf|(H[l]>>0&3)<<4) - 32
			q2 := int(L[l+32]&0xf|(H[l]>>2&3)<<4) - 32
			q3 := int(L[l]>>4|(H[l]>>4&3)<<4) - 32
			q4 := int(L[l+32]>>4|(H[l]>>6&3)<<4) - 32
			out[l] = d * float32(int8(S[s+0])) * float32(q1)
			out[l+32] = d * float32(int8(S[s+2])) * float32(q2)
			out[l+64] = d * float32(int8(S[s+4])) * float32(q3)
			out[l+96] = d * float32(int8(S[s+6])) * float32(q4)
		}
	}
}

func dequantQ8_K(b []byte, y []float32) {
	d := math.Float32frombits(binary.LittleEndian.Uint32(b))
	for j := 0; j < QKK; j++ {
		y[j] = d * float32(int8(b[4+j]))
	}
}
