package safetensors

import (
	"fmt"
	"math/bits"
)

// DType is a safetensors element type, spelled as in the file header ("F32", "BF16", ...).
type DType string

// The element types defined by the safetensors format. The reader accepts all of them and reports them by name;
// which ones a model loader can compute with is its own decision.
const (
	F64    DType = "F64"
	F32    DType = "F32"
	F16    DType = "F16"
	BF16   DType = "BF16"
	I64    DType = "I64"
	I32    DType = "I32"
	I16    DType = "I16"
	I8     DType = "I8"
	U64    DType = "U64"
	U32    DType = "U32"
	U16    DType = "U16"
	U8     DType = "U8"
	Bool   DType = "BOOL"
	F8E4M3 DType = "F8_E4M3"
	F8E5M2 DType = "F8_E5M2"
	F8E8M0 DType = "F8_E8M0"
	F6E2M3 DType = "F6_E2M3" // 6-bit, packed
	F6E3M2 DType = "F6_E3M2" // 6-bit, packed
	F4     DType = "F4"      // 4-bit, packed
	C64    DType = "C64"     // complex64
)

// dtypeBits gives the size in bits of one element of each known type.
var dtypeBits = map[DType]int{
	F64: 64, F32: 32, F16: 16, BF16: 16,
	I64: 64, I32: 32, I16: 16, I8: 8,
	U64: 64, U32: 32, U16: 16, U8: 8,
	Bool: 8, F8E4M3: 8, F8E5M2: 8, F8E8M0: 8,
	F6E2M3: 6, F6E3M2: 6, F4: 4, C64: 64,
}

// Bits returns the size in bits of one element, or 0 for a type this package does not know.
func (d DType) Bits() int { return dtypeBits[d] }

// Size returns the size in bytes of one element, or 0 for an unknown or sub-byte type.
func (d DType) Size() int {
	b := dtypeBits[d]
	if b%8 != 0 {
		return 0
	}
	return b / 8
}

// Known reports whether d is one of the types defined by the format.
func (d DType) Known() bool { return d.Bits() > 0 }

func (d DType) String() string { return string(d) }

// byteSize returns the bytes of n elements of d; false when that overflows or sub-byte elements do not fill
// whole bytes (the format requires both).
func (d DType) byteSize(n uint64) (uint64, error) {
	hi, nbits := bits.Mul64(n, uint64(d.Bits()))
	if hi != 0 {
		return 0, fmt.Errorf("too large")
	}
	if nbits%8 != 0 {
		return 0, fmt.Errorf("%d elements of %s do not fill whole bytes", n, d)
	}
	return nbits / 8, nil
}
