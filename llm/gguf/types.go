package gguf

import "fmt"

// Type is a ggml tensor element type, numbered as in ggml.h (the numbers are stored in GGUF files).
type Type uint32

// Tensor types. Gaps in the numbering are types that ggml removed; files using them are rejected.
const (
	TypeF32     Type = 0
	TypeF16     Type = 1
	TypeQ4_0    Type = 2
	TypeQ4_1    Type = 3
	TypeQ5_0    Type = 6
	TypeQ5_1    Type = 7
	TypeQ8_0    Type = 8
	TypeQ8_1    Type = 9
	TypeQ2_K    Type = 10
	TypeQ3_K    Type = 11
	TypeQ4_K    Type = 12
	TypeQ5_K    Type = 13
	TypeQ6_K    Type = 14
	TypeQ8_K    Type = 15
	TypeIQ2_XXS Type = 16
	TypeIQ2_XS  Type = 17
	TypeIQ3_XXS Type = 18
	TypeIQ1_S   Type = 19
	TypeIQ4_NL  Type = 20
	TypeIQ3_S   Type = 21
	TypeIQ2_S   Type = 22
	TypeIQ4_XS  Type = 23
	TypeI8      Type = 24
	TypeI16     Type = 25
	TypeI32     Type = 26
	TypeI64     Type = 27
	TypeF64     Type = 28
	TypeIQ1_M   Type = 29
	TypeBF16    Type = 30
	TypeTQ1_0   Type = 34
	TypeTQ2_0   Type = 35
	TypeMXFP4   Type = 39
)

type typeInfo struct {
	name       string
	blockSize  int // elements per block
	blockBytes int // bytes per block
}

// typeTable holds the block geometry of every type ggml can still load (ggml.c type_traits).
var typeTable = map[Type]typeInfo{
	TypeF32:     {"F32", 1, 4},
	TypeF16:     {"F16", 1, 2},
	TypeQ4_0:    {"Q4_0", 32, 18},
	TypeQ4_1:    {"Q4_1", 32, 20},
	TypeQ5_0:    {"Q5_0", 32, 22},
	TypeQ5_1:    {"Q5_1", 32, 24},
	TypeQ8_0:    {"Q8_0", 32, 34},
	TypeQ8_1:    {"Q8_1", 32, 36},
	TypeQ2_K:    {"Q2_K", 256, 84},
	TypeQ3_K:    {"Q3_K", 256, 110},
	TypeQ4_K:    {"Q4_K", 256, 144},
	TypeQ5_K:    {"Q5_K", 256, 176},
	TypeQ6_K:    {"Q6_K", 256, 210},
	TypeQ8_K:    {"Q8_K", 256, 292},
	TypeIQ2_XXS: {"IQ2_XXS", 256, 66},
	TypeIQ2_XS:  {"IQ2_XS", 256, 74},
	TypeIQ3_XXS: {"IQ3_XXS", 256, 98},
	TypeIQ1_S:   {"IQ1_S", 256, 50},
	TypeIQ4_NL:  {"IQ4_NL", 32, 18},
	TypeIQ3_S:   {"IQ3_S", 256, 110},
	TypeIQ2_S:   {"IQ2_S", 256, 82},
	TypeIQ4_XS:  {"IQ4_XS", 256, 136},
	TypeI8:      {"I8", 1, 1},
	TypeI16:     {"I16", 1, 2},
	TypeI32:     {"I32", 1, 4},
	TypeI64:     {"I64", 1, 8},
	TypeF64:     {"F64", 1, 8},
	TypeIQ1_M:   {"IQ1_M", 256, 56},
	TypeBF16:    {"BF16", 1, 2},
	TypeTQ1_0:   {"TQ1_0", 256, 54},
	TypeTQ2_0:   {"TQ2_0", 256, 66},
	TypeMXFP4:   {"MXFP4", 32, 17},
}

// String returns the ggml name of the type ("F32", "Q4_K"), or "type(N)" for an unknown number.
func (t Type) String() string {
	if ti, ok := typeTable[t]; ok {
		return ti.name
	}
	return fmt.Sprintf("type(%d)", uint32(t))
}

// Known reports whether the type's block layout is known.
func (t Type) Known() bool {
	_, ok := typeTable[t]
	return ok
}

// BlockSize returns the number of elements in one block (1 for plain types, 0 for an unknown type).
func (t Type) BlockSize() int { return typeTable[t].blockSize }

// BlockBytes returns the number of bytes in one block (0 for an unknown type).
func (t Type) BlockBytes() int { return typeTable[t].blockBytes }

// RowBytes returns the number of bytes of a row of n elements.
func (t Type) RowBytes(n int64) (int64, error) {
	b, err := t.rowBytes(n)
	if err != nil {
		return 0, fmt.Errorf("gguf: %w", err)
	}
	return b, nil
}

func (t Type) rowBytes(n int64) (int64, error) {
	ti, ok := typeTable[t]
	if !ok {
		return 0, fmt.Errorf("unknown tensor type %d", uint32(t))
	}
	if n < 0 {
		return 0, fmt.Errorf("negative row length %d", n)
	}
	bs := int64(ti.blockSize)
	if n%bs != 0 {
		return 0, fmt.Errorf("row of %d elements is not a multiple of the %s block size %d", n, ti.name, bs)
	}
	blocks := n / bs
	if blocks > maxInt64/int64(ti.blockBytes) {
		return 0, fmt.Errorf("row of %d %s elements overflows int64 bytes", n, ti.name)
	}
	return blocks * int64(ti.blockBytes), nil
}

// TypeByName returns the type with the given ggml name (case-sensitive, "Q4_K"), for command-line options.
func TypeByName(name string) (Type, bool) {
	for t, ti := range typeTable {
		if ti.name == name {
			return t, true
		}
	}
	return 0, false
}

const maxInt64 = int64(^uint64(0) >> 1)

// ValueType is the type tag of a metadata value in a GGUF file.
type ValueType uint32

// Metadata value types, numbered as in the GGUF specification.
const (
	ValueUint8   ValueType = 0
	ValueInt8    ValueType = 1
	ValueUint16  ValueType = 2
	ValueInt16   ValueType = 3
	ValueUint32  ValueType = 4
	ValueInt32   ValueType = 5
	ValueFloat32 ValueType = 6
	ValueBool    ValueType = 7
	ValueString  ValueType = 8
	ValueArray   ValueType = 9
	ValueUint64  ValueType = 10
	ValueInt64   ValueType = 11
	ValueFloat64 ValueType = 12
)

var valueTypeNames = [...]string{"uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "bool",
	"string", "array", "uint64", "int64", "float64"}

func (v ValueType) String() string {
	if int(v) < len(valueTypeNames) {
		return valueTypeNames[v]
	}
	return fmt.Sprintf("valuetype(%d)", uint32(v))
}

// minEncodedSize is the fewest bytes one value of the type occupies in a file; used to bound counts read from
// the file before anything is allocated for them (0 for an unknown type).
func (v ValueType) minEncodedSize() int64 {
	switch v {
	case ValueUint8, ValueInt8, ValueBool:
		return 1
	case ValueUint16, ValueInt16:
		return 2
	case ValueUint32, ValueInt32, ValueFloat32:
		return 4
	case ValueUint64, ValueInt64, ValueFloat64, ValueString:
		return 8
	case ValueArray:
		return 12 // u32 element type + u64 count
	}
	return 0
}

// Array is an array metadata value. Values holds a slice of the Go type matching Elem: []uint8, []int8,
// []uint16, []int16, []uint32, []int32, []float32, []bool, []string, []uint64, []int64, []float64, or []Array
// for nested arrays.
type Array struct {
	Elem   ValueType
	Values any
}

// Len returns the number of elements of the array (0 when Values is not one of the documented slice types).
func (a Array) Len() int {
	switch v := a.Values.(type) {
	case []uint8:
		return len(v)
	case []int8:
		return len(v)
	case []uint16:
		return len(v)
	case []int16:
		return len(v)
	case []uint32:
		return len(v)
	case []int32:
		return len(v)
	case []float32:
		return len(v)
	case []bool:
		return len(v)
	case []string:
		return len(v)
	case []uint64:
		return len(v)
	case []int64:
		return len(v)
	case []float64:
		return len(v)
	case []Array:
		return len(v)
	}
	return 0
}

// KV is one metadata key/value pair. Value is uint8, int8, uint16, int16, uint32, int32, float32, bool, string,
// uint64, int64, float64 or Array.
type KV struct {
	Key   string
	Value any
}

// Tensor describes one tensor of a file.
type Tensor struct {
	Name  string
	Type  Type
	Shape []int64 // GGML order: Shape[0] is the innermost (contiguous) dimension, i.e. the row length
	// Offset is relative to the start of the data section.
	Offset int64
	// Data is a zero-copy view into the mapped file: read-only, and valid only until File.Close.
	Data []byte
}

// NumElements returns the product of the dimensions (1 for a scalar).
func (t *Tensor) NumElements() int64 {
	n := int64(1)
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// NumBytes returns the size of the tensor's data in bytes, or an error if the shape does not fit the type.
func (t *Tensor) NumBytes() (int64, error) {
	return tensorBytes(t.Type, t.Shape)
}

// tensorBytes computes the data size of a tensor, rejecting shapes whose element count overflows int64 or is not
// made of whole blocks.
func tensorBytes(typ Type, shape []int64) (int64, error) {
	if !typ.Known() {
		return 0, fmt.Errorf("unknown tensor type %d", uint32(typ))
	}
	if len(shape) > MaxDims {
		return 0, fmt.Errorf("%d dimensions, at most %d allowed", len(shape), MaxDims)
	}
	n := int64(1)
	for i, d := range shape {
		if d <= 0 {
			return 0, fmt.Errorf("dimension %d is %d, must be positive", i, d)
		}
		if n > maxInt64/d {
			return 0, fmt.Errorf("shape %v: element count overflows int64", shape)
		}
		n *= d
	}
	row := int64(1)
	if len(shape) > 0 {
		row = shape[0]
	}
	rb, err := typ.rowBytes(row)
	if err != nil {
		return 0, fmt.Errorf("shape %v: %w", shape, err)
	}
	rows := n / row
	if rb != 0 && rows > maxInt64/rb {
		return 0, fmt.Errorf("shape %v: byte size overflows int64", shape)
	}
	return rb * rows, nil
}

// MaxDims is the largest number of dimensions a ggml tensor may have.
const MaxDims = 4
