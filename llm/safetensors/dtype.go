package safetensors

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
)

// dtypeSizes gives the size in bytes of one element of each known type.
var dtypeSizes = map[DType]int{
	F64: 8, F32: 4, F16: 2, BF16: 2,
	I64: 8, I32: 4, I16: 2, I8: 1,
	U64: 8, U32: 4, U16: 2, U8: 1,
	Bool: 1, F8E4M3: 1, F8E5M2: 1, F8E8M0: 1,
}

// Size returns the size in bytes of one element, or 0 for a type this package does not know.
func (d DType) Size() int { return dtypeSizes[d] }

// Known reports whether d is one of the types defined by the format.
func (d DType) Known() bool { return d.Size() > 0 }

func (d DType) String() string { return string(d) }
