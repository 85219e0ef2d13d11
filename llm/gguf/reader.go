package gguf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
)

// Magic is the first four bytes of every GGUF file ("GGUF" read as a little-endian uint32).
const Magic = 0x46554747

// DefaultAlignment is the data alignment used when a file has no general.alignment key.
const DefaultAlignment = 32

// maxArrayDepth bounds nested arrays so that a crafted file cannot exhaust the stack; real files nest at most 2.
const maxArrayDepth = 8

// FormatError reports a malformed GGUF file: which file, roughly where, and what is wrong.
type FormatError struct {
	Path   string // file path, or "<buffer>" for Parse
	Offset int64  // byte offset where the problem was detected
	Msg    string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("gguf: %s: %s (at byte %d)", e.Path, e.Msg, e.Offset)
}

// ErrFormat is matched by errors.Is for every *FormatError, so callers can tell a bad file from an I/O failure.
var ErrFormat = errors.New("gguf: invalid file")

// Is makes errors.Is(err, ErrFormat) true for format errors.
func (e *FormatError) Is(target error) bool { return target == ErrFormat }

// File is a parsed GGUF file. Tensor data are views into the mapped file and stay valid until Close.
type File struct {
	Version    uint32
	Alignment  int64
	DataOffset int64
	KVs        []KV     // file order
	Tensors    []Tensor // file order

	path    string
	mapping []byte // non-nil when the data came from mmap and must be unmapped
	kvIndex map[string]int
	tIndex  map[string]int
}

// Open maps the file at path into memory and parses and validates it. Where mmap is unavailable the file is
// read into memory instead.
func Open(path string) (*File, error) {
	return openWith(path, mmapFile)
}

// openWith is Open with the mapping function as a parameter, so tests can exercise the read fallback.
func openWith(path string, mmap func(fd, size int) ([]byte, error)) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	size := st.Size()
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("gguf: %s: not a regular file", path)
	}
	if size < 24 {
		return nil, &FormatError{Path: path, Offset: 0, Msg: fmt.Sprintf("truncated file: %d bytes, a GGUF header needs 24", size)}
	}
	if size > int64(math.MaxInt) {
		return nil, fmt.Errorf("gguf: %s: file of %d bytes is too large to map", path, size)
	}
	var data, mapping []byte
	if m, err := mmap(int(fh.Fd()), int(size)); err == nil {
		data, mapping = m, m
	} else {
		// Some file systems (FUSE, network mounts) refuse mmap; reading costs memory but works everywhere.
		data = make([]byte, size)
		if _, err := fh.ReadAt(data, 0); err != nil {
			return nil, fmt.Errorf("gguf: %s: read: %w", path, err)
		}
	}
	f, err := parse(path, data)
	if err != nil {
		if mapping != nil {
			_ = munmap(mapping)
		}
		return nil, err
	}
	f.mapping = mapping
	return f, nil
}

// Parse parses and validates a GGUF file held in memory. Tensor data alias data.
func Parse(data []byte) (*File, error) {
	return parse("<buffer>", data)
}

// Close releases the file mapping. Tensor data must not be used afterwards.
func (f *File) Close() error {
	if f.mapping == nil {
		return nil
	}
	m := f.mapping
	f.mapping = nil
	for i := range f.Tensors {
		f.Tensors[i].Data = nil
	}
	if err := munmap(m); err != nil {
		return fmt.Errorf("gguf: %s: munmap: %w", f.path, err)
	}
	return nil
}

// Path returns the path the file was opened from ("<buffer>" for Parse).
func (f *File) Path() string { return f.path }

// Get returns the value of a metadata key.
func (f *File) Get(key string) (any, bool) {
	i, ok := f.kvIndex[key]
	if !ok {
		return nil, false
	}
	return f.KVs[i].Value, true
}

// Tensor returns the tensor with the given name.
func (f *File) Tensor(name string) (*Tensor, bool) {
	i, ok := f.tIndex[name]
	if !ok {
		return nil, false
	}
	return &f.Tensors[i], true
}

// cursor reads little-endian values from the file, reporting truncation instead of panicking.
type cursor struct {
	path string
	buf  []byte
	pos  int64
}

func (c *cursor) errAt(off int64, format string, a ...any) error {
	return &FormatError{Path: c.path, Offset: off, Msg: fmt.Sprintf(format, a...)}
}

func (c *cursor) left() int64 { return int64(len(c.buf)) - c.pos }

func (c *cursor) take(n int64, what string) ([]byte, error) {
	if n < 0 || n > c.left() {
		return nil, c.errAt(c.pos, "truncated file: %s needs %d bytes, only %d left", what, n, c.left())
	}
	b := c.buf[c.pos : c.pos+n : c.pos+n]
	c.pos += n
	return b, nil
}

func (c *cursor) u32(what string) (uint32, error) {
	b, err := c.take(4, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

func (c *cursor) u64(what string) (uint64, error) {
	b, err := c.take(8, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// count reads a u64 element count and checks that count elements of at least minSize bytes each fit in what is
// left of the file, so that no allocation is ever sized by an unchecked number.
func (c *cursor) count(what string, minSize int64) (int64, error) {
	at := c.pos
	n, err := c.u64(what)
	if err != nil {
		return 0, err
	}
	if n > uint64(c.left())/uint64(minSize) {
		return 0, c.errAt(at, "%s %d is impossible: the %d bytes left in the file hold at most %d", what, n, c.left(), uint64(c.left())/uint64(minSize))
	}
	return int64(n), nil
}

func (c *cursor) str(what string) (string, error) {
	at := c.pos
	n, err := c.u64(what + " length")
	if err != nil {
		return "", err
	}
	if n > uint64(c.left()) {
		return "", c.errAt(at, "%s length %d exceeds the %d bytes left in the file", what, n, c.left())
	}
	b, _ := c.take(int64(n), what)
	return string(b), nil
}

func parse(path string, data []byte) (*File, error) {
	c := &cursor{path: path, buf: data}
	magic, err := c.u32("magic")
	if err != nil {
		return nil, err
	}
	if magic != Magic {
		return nil, c.errAt(0, "bad magic %q, not a GGUF file", data[:4])
	}
	version, err := c.u32("version")
	if err != nil {
		return nil, err
	}
	switch {
	case version == 2 || version == 3:
	case version == 1:
		return nil, c.errAt(4, "GGUF version 1 is not supported (only versions 2 and 3); re-convert the model with a current llama.cpp")
	case version&0xffff == 0 && (version>>24 == 2 || version>>24 == 3):
		return nil, c.errAt(4, "big-endian GGUF files are not supported")
	default:
		return nil, c.errAt(4, "unsupported GGUF version %d (only versions 2 and 3)", version)
	}
	// A tensor info takes at least 8 (name length) + 4 (n_dims) + 4 (type) + 8 (offset) bytes, a KV pair at
	// least 8 (key length) + 4 (type) + 1 (value).
	nTensors, err := c.count("tensor count", 24)
	if err != nil {
		return nil, err
	}
	nKV, err := c.count("metadata key count", 13)
	if err != nil {
		return nil, err
	}
	f := &File{
		Version:   version,
		Alignment: DefaultAlignment,
		path:      path,
		KVs:       make([]KV, 0, nKV),
		kvIndex:   make(map[string]int, nKV),
	}
	for i := int64(0); i < nKV; i++ {
		at := c.pos
		key, err := c.str(fmt.Sprintf("metadata key #%d", i))
		if err != nil {
			return nil, err
		}
		if _, dup := f.kvIndex[key]; dup {
			return nil, c.errAt(at, "duplicate metadata key %q", key)
		}
		vt, err := c.u32(fmt.Sprintf("type of key %q", key))
		if err != nil {
			return nil, err
		}
		v, err := c.value(ValueType(vt), 0)
		if err != nil {
			var fe *FormatError
			if errors.As(err, &fe) {
				fe.Msg = fmt.Sprintf("key %q: %s", key, fe.Msg)
			}
			return nil, err
		}
		f.kvIndex[key] = len(f.KVs)
		f.KVs = append(f.KVs, KV{Key: key, Value: v})
	}
	if v, ok := f.Get("general.alignment"); ok {
		a, ok := asInt64(v)
		if !ok || a <= 0 || a&(a-1) != 0 || a > 1<<30 {
			return nil, c.errAt(0, "general.alignment %v (%T) is not a positive power of two", v, v)
		}
		f.Alignment = a
	}

	// The tensor count was bounded by the bytes left after the header; bound it again now, as KVs used some.
	if nTensors > c.left()/24 {
		return nil, c.errAt(c.pos, "tensor count %d is impossible: the %d bytes left in the file hold at most %d tensor infos", nTensors, c.left(), c.left()/24)
	}
	f.Tensors = make([]Tensor, 0, nTensors)
	f.tIndex = make(map[string]int, nTensors)
	sizes := make([]int64, 0, nTensors)
	for i := int64(0); i < nTensors; i++ {
		at := c.pos
		name, err := c.str(fmt.Sprintf("tensor #%d name", i))
		if err != nil {
			return nil, err
		}
		if _, dup := f.tIndex[name]; dup {
			return nil, c.errAt(at, "duplicate tensor name %q", name)
		}
		what := fmt.Sprintf("tensor %q", name)
		nd, err := c.u32(what + " dimension count")
		if err != nil {
			return nil, err
		}
		if nd > MaxDims {
			return nil, c.errAt(c.pos-4, "%s has %d dimensions, at most %d allowed", what, nd, MaxDims)
		}
		shape := make([]int64, nd)
		for d := range shape {
			v, err := c.u64(what + " shape")
			if err != nil {
				return nil, err
			}
			if v == 0 || v > uint64(maxInt64) {
				return nil, c.errAt(c.pos-8, "%s: dimension %d is %d, must be between 1 and 2^63-1", what, d, v)
			}
			shape[d] = int64(v)
		}
		typ, err := c.u32(what + " type")
		if err != nil {
			return nil, err
		}
		if !Type(typ).Known() {
			return nil, c.errAt(c.pos-4, "%s has unknown tensor type %d", what, typ)
		}
		off, err := c.u64(what + " offset")
		if err != nil {
			return nil, err
		}
		size, err := tensorBytes(Type(typ), shape)
		if err != nil {
			return nil, c.errAt(at, "%s: %v", what, err)
		}
		if off > uint64(maxInt64) || int64(off)%f.Alignment != 0 {
			return nil, c.errAt(c.pos-8, "%s: data offset %d is not a multiple of the alignment %d", what, off, f.Alignment)
		}
		f.tIndex[name] = len(f.Tensors)
		f.Tensors = append(f.Tensors, Tensor{Name: name, Type: Type(typ), Shape: shape, Offset: int64(off)})
		sizes = append(sizes, size)
	}

	// The data section starts at the next multiple of the alignment after the tensor infos.
	f.DataOffset = (c.pos + f.Alignment - 1) / f.Alignment * f.Alignment
	fileSize := int64(len(data))
	if len(f.Tensors) > 0 && f.DataOffset > fileSize {
		return nil, c.errAt(c.pos, "truncated file: data section would start at byte %d, file has %d bytes", f.DataOffset, fileSize)
	}
	dataLen := fileSize - f.DataOffset
	order := make([]int, len(f.Tensors))
	for i := range f.Tensors {
		t := &f.Tensors[i]
		if t.Offset > dataLen || sizes[i] > dataLen-t.Offset {
			return nil, c.errAt(f.DataOffset+min(t.Offset, dataLen), "tensor %q: data [%d, %d) of the data section runs past the end of the file (data section is %d bytes; truncated file?)",
				t.Name, t.Offset, satAdd(t.Offset, sizes[i]), dataLen)
		}
		start := f.DataOffset + t.Offset
		t.Data = data[start : start+sizes[i] : start+sizes[i]]
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return f.Tensors[order[a]].Offset < f.Tensors[order[b]].Offset })
	for k := 1; k < len(order); k++ {
		p, q := order[k-1], order[k]
		if f.Tensors[p].Offset+sizes[p] > f.Tensors[q].Offset {
			return nil, c.errAt(f.DataOffset+f.Tensors[q].Offset, "tensors %q [%d, %d) and %q [%d, %d) overlap",
				f.Tensors[p].Name, f.Tensors[p].Offset, f.Tensors[p].Offset+sizes[p],
				f.Tensors[q].Name, f.Tensors[q].Offset, f.Tensors[q].Offset+sizes[q])
		}
	}
	return f, nil
}

func satAdd(a, b int64) int64 {
	if a > maxInt64-b {
		return maxInt64
	}
	return a + b
}

// value reads one metadata value of type vt.
func (c *cursor) value(vt ValueType, depth int) (any, error) {
	switch vt {
	case ValueUint8, ValueInt8, ValueBool:
		b, err := c.take(1, vt.String()+" value")
		if err != nil {
			return nil, err
		}
		switch vt {
		case ValueUint8:
			return b[0], nil
		case ValueInt8:
			return int8(b[0]), nil
		}
		return b[0] != 0, nil
	case ValueUint16, ValueInt16:
		b, err := c.take(2, vt.String()+" value")
		if err != nil {
			return nil, err
		}
		u := binary.LittleEndian.Uint16(b)
		if vt == ValueInt16 {
			return int16(u), nil
		}
		return u, nil
	case ValueUint32, ValueInt32, ValueFloat32:
		u, err := c.u32(vt.String() + " value")
		if err != nil {
			return nil, err
		}
		switch vt {
		case ValueInt32:
			return int32(u), nil
		case ValueFloat32:
			return math.Float32frombits(u), nil
		}
		return u, nil
	case ValueUint64, ValueInt64, ValueFloat64:
		u, err := c.u64(vt.String() + " value")
		if err != nil {
			return nil, err
		}
		switch vt {
		case ValueInt64:
			return int64(u), nil
		case ValueFloat64:
			return math.Float64frombits(u), nil
		}
		return u, nil
	case ValueString:
		return c.str("string value")
	case ValueArray:
		return c.array(depth)
	}
	return nil, c.errAt(c.pos-4, "unknown metadata value type %d", uint32(vt))
}

func (c *cursor) array(depth int) (Array, error) {
	if depth >= maxArrayDepth {
		return Array{}, c.errAt(c.pos, "arrays nested deeper than %d levels", maxArrayDepth)
	}
	et, err := c.u32("array element type")
	if err != nil {
		return Array{}, err
	}
	elem := ValueType(et)
	size := elem.minEncodedSize()
	if size == 0 {
		return Array{}, c.errAt(c.pos-4, "unknown array element type %d", et)
	}
	n, err := c.count("array length", size)
	if err != nil {
		return Array{}, err
	}
	a := Array{Elem: elem}
	if elem != ValueString && elem != ValueArray {
		raw, _ := c.take(n*size, "array data") // bounded by count
		a.Values = decodeFixed(elem, raw, int(n))
		return a, nil
	}
	if elem == ValueString {
		vs, err := c.strArray(n)
		if err != nil {
			return Array{}, err
		}
		a.Values = vs
		return a, nil
	}
	vs := make([]Array, n)
	for i := range vs {
		if vs[i], err = c.array(depth + 1); err != nil {
			return Array{}, err
		}
	}
	a.Values = vs
	return a, nil
}

// strArray reads n strings into one shared backing string: a 150K-token vocabulary then costs two
// allocations instead of one per token.
func (c *cursor) strArray(n int64) ([]string, error) {
	start := c.pos
	var total int64
	for i := int64(0); i < n; i++ {
		at := c.pos
		l, err := c.u64("array string length")
		if err != nil {
			return nil, err
		}
		if l > uint64(c.left()) {
			return nil, c.errAt(at, "array string %d length %d exceeds the %d bytes left in the file", i, l, c.left())
		}
		c.pos += int64(l)
		total += int64(l)
	}
	var sb strings.Builder
	sb.Grow(int(total))
	ends := make([]int, n)
	for p, i := start, 0; i < len(ends); i++ {
		l := int64(binary.LittleEndian.Uint64(c.buf[p:]))
		sb.Write(c.buf[p+8 : p+8+l])
		ends[i] = sb.Len()
		p += 8 + l
	}
	all := sb.String()
	vs := make([]string, n)
	prev := 0
	for i, e := range ends {
		vs[i] = all[prev:e]
		prev = e
	}
	return vs, nil
}

// decodeFixed converts n fixed-size little-endian values into the matching Go slice.
func decodeFixed(elem ValueType, raw []byte, n int) any {
	le := binary.LittleEndian
	switch elem {
	case ValueUint8:
		return append([]uint8(nil), raw...)
	case ValueInt8:
		v := make([]int8, n)
		for i := range v {
			v[i] = int8(raw[i])
		}
		return v
	case ValueBool:
		v := make([]bool, n)
		for i := range v {
			v[i] = raw[i] != 0
		}
		return v
	case ValueUint16:
		v := make([]uint16, n)
		for i := range v {
			v[i] = le.Uint16(raw[2*i:])
		}
		return v
	case ValueInt16:
		v := make([]int16, n)
		for i := range v {
			v[i] = int16(le.Uint16(raw[2*i:]))
		}
		return v
	case ValueUint32:
		v := make([]uint32, n)
		for i := range v {
			v[i] = le.Uint32(raw[4*i:])
		}
		return v
	case ValueInt32:
		v := make([]int32, n)
		for i := range v {
			v[i] = int32(le.Uint32(raw[4*i:]))
		}
		return v
	case ValueFloat32:
		v := make([]float32, n)
		for i := range v {
			v[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		}
		return v
	case ValueUint64:
		v := make([]uint64, n)
		for i := range v {
			v[i] = le.Uint64(raw[8*i:])
		}
		return v
	case ValueInt64:
		v := make([]int64, n)
		for i := range v {
			v[i] = int64(le.Uint64(raw[8*i:]))
		}
		return v
	case ValueFloat64:
		v := make([]float64, n)
		for i := range v {
			v[i] = math.Float64frombits(le.Uint64(raw[8*i:]))
		}
		return v
	}
	return nil
}
