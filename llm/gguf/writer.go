package gguf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// Writer builds a GGUF v3 file: metadata in the order set, tensors in the order added, each tensor's data
// aligned to the file alignment (as llama.cpp requires). Errors from SetKV/SetAlignment are reported by WriteTo.
type Writer struct {
	kvs     []KV
	kvIndex map[string]int
	tensors []Tensor
	tIndex  map[string]bool
	align   int64
	err     error
}

// NewWriter returns an empty writer with the default alignment of 32.
func NewWriter() *Writer {
	return &Writer{kvIndex: map[string]int{}, tIndex: map[string]bool{}, align: DefaultAlignment}
}

// SetKV sets a metadata value. Setting an existing key replaces its value in place, keeping its position.
// value is one of the KV value types, an Array, or a slice of a scalar value type (stored as an array); plain
// int is refused because llama.cpp reads each key as one exact width.
func (w *Writer) SetKV(key string, value any) {
	v, err := normalizeValue(value, 0)
	if err != nil {
		w.setErr(fmt.Errorf("gguf: writer: key %q: %w", key, err))
		return
	}
	if key == "general.alignment" {
		a, ok := asInt64(v)
		if !ok || a <= 0 || a&(a-1) != 0 || a > 1<<30 {
			w.setErr(fmt.Errorf("gguf: writer: general.alignment %v is not a positive power of two", value))
			return
		}
		w.align = a
		v = uint32(a) // llama.cpp reads this key as uint32 only
	}
	if i, ok := w.kvIndex[key]; ok {
		w.kvs[i].Value = v
		return
	}
	w.kvIndex[key] = len(w.kvs)
	w.kvs = append(w.kvs, KV{Key: key, Value: v})
}

// SetAlignment sets the data alignment (a power of two) and records it as general.alignment (uint32).
func (w *Writer) SetAlignment(n int) {
	if n <= 0 || n&(n-1) != 0 || n > 1<<30 {
		w.setErr(fmt.Errorf("gguf: writer: alignment %d is not a positive power of two", n))
		return
	}
	w.SetKV("general.alignment", uint32(n))
}

func (w *Writer) setErr(err error) {
	if w.err == nil {
		w.err = err
	}
}

// AddTensor appends a tensor. data must hold exactly the tensor's bytes; it is not copied, so it must stay
// unchanged until the file is written.
func (w *Writer) AddTensor(name string, typ Type, shape []int64, data []byte) error {
	if name == "" {
		return errors.New("gguf: writer: empty tensor name")
	}
	if len(name) >= maxNameLen {
		return fmt.Errorf("gguf: writer: tensor name %q is %d bytes, llama.cpp allows at most %d", name, len(name), maxNameLen-1)
	}
	if w.tIndex[name] {
		return fmt.Errorf("gguf: writer: duplicate tensor name %q", name)
	}
	size, err := tensorBytes(typ, shape)
	if err != nil {
		return fmt.Errorf("gguf: writer: tensor %q: %w", name, err)
	}
	if int64(len(data)) != size {
		return fmt.Errorf("gguf: writer: tensor %q: %d bytes of data, %s %v needs %d", name, len(data), typ, shape, size)
	}
	w.tIndex[name] = true
	w.tensors = append(w.tensors, Tensor{Name: name, Type: typ, Shape: append([]int64(nil), shape...), Data: data})
	return nil
}

// maxNameLen is ggml's GGML_MAX_NAME: tensor names must be shorter (the C side keeps a NUL-terminated copy).
const maxNameLen = 64

// countingWriter tracks bytes written and the first error, so encoding code can stay linear.
type countingWriter struct {
	w   io.Writer
	n   int64
	err error
	buf [8]byte
}

func (c *countingWriter) write(b []byte) {
	if c.err != nil {
		return
	}
	n, err := c.w.Write(b)
	c.n += int64(n)
	c.err = err
}

func (c *countingWriter) u32(v uint32) {
	binary.LittleEndian.PutUint32(c.buf[:4], v)
	c.write(c.buf[:4])
}

func (c *countingWriter) u64(v uint64) {
	binary.LittleEndian.PutUint64(c.buf[:8], v)
	c.write(c.buf[:8])
}

func (c *countingWriter) str(s string) {
	c.u64(uint64(len(s)))
	c.write([]byte(s))
}

func (c *countingWriter) pad(align int64) {
	if r := c.n % align; r != 0 {
		c.write(make([]byte, align-r))
	}
}

// WriteTo writes the file and returns the number of bytes written.
func (w *Writer) WriteTo(out io.Writer) (int64, error) {
	if w.err != nil {
		return 0, w.err
	}
	c := &countingWriter{w: out}
	c.u32(Magic)
	c.u32(3)
	c.u64(uint64(len(w.tensors)))
	c.u64(uint64(len(w.kvs)))
	for _, kv := range w.kvs {
		c.str(kv.Key)
		c.u32(uint32(valueTypeOf(kv.Value)))
		writeValue(c, kv.Value)
	}
	offsets := make([]int64, len(w.tensors))
	var off int64
	for i, t := range w.tensors {
		offsets[i] = off
		off += int64(len(t.Data))
		off = (off + w.align - 1) / w.align * w.align
	}
	for i, t := range w.tensors {
		c.str(t.Name)
		c.u32(uint32(len(t.Shape)))
		for _, d := range t.Shape {
			c.u64(uint64(d))
		}
		c.u32(uint32(t.Type))
		c.u64(uint64(offsets[i]))
	}
	c.pad(w.align)
	for _, t := range w.tensors {
		c.write(t.Data)
		c.pad(w.align)
	}
	if c.err != nil {
		return c.n, fmt.Errorf("gguf: writer: %w", c.err)
	}
	return c.n, nil
}

// WriteFile writes the file to path.tmp and renames it to path, so a crash never leaves a half-written model.
func (w *Writer) WriteFile(path string) (err error) {
	tmp := path + ".tmp"
	fh, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("gguf: writer: %w", err)
	}
	defer func() {
		if err != nil {
			fh.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(fh, 1<<20)
	if _, err = w.WriteTo(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("gguf: writer: %s: %w", tmp, err)
	}
	if err = fh.Sync(); err != nil {
		return fmt.Errorf("gguf: writer: %s: %w", tmp, err)
	}
	if err = fh.Close(); err != nil {
		return fmt.Errorf("gguf: writer: %s: %w", tmp, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("gguf: writer: %w", err)
	}
	return nil
}

// normalizeValue checks a value and turns plain slices into Arrays.
func normalizeValue(v any, depth int) (any, error) {
	if depth > maxArrayDepth {
		return nil, fmt.Errorf("arrays nested deeper than %d levels", maxArrayDepth)
	}
	switch x := v.(type) {
	case uint8, int8, uint16, int16, uint32, int32, float32, bool, string, uint64, int64, float64:
		return v, nil
	case Array:
		want, ok := sliceElem(x.Values)
		if !ok {
			return nil, fmt.Errorf("array values of type %T are not supported", x.Values)
		}
		if want != x.Elem {
			return nil, fmt.Errorf("array Elem is %s but Values is %T", x.Elem, x.Values)
		}
		if nested, ok := x.Values.([]Array); ok {
			for _, a := range nested {
				if _, err := normalizeValue(a, depth+1); err != nil {
					return nil, err
				}
			}
		}
		return x, nil
	}
	if elem, ok := sliceElem(v); ok {
		return normalizeValue(Array{Elem: elem, Values: v}, depth)
	}
	return nil, fmt.Errorf("unsupported value type %T (use a sized integer, float32/64, bool, string, a slice of those, or Array)", v)
}

func sliceElem(v any) (ValueType, bool) {
	switch v.(type) {
	case []uint8:
		return ValueUint8, true
	case []int8:
		return ValueInt8, true
	case []uint16:
		return ValueUint16, true
	case []int16:
		return ValueInt16, true
	case []uint32:
		return ValueUint32, true
	case []int32:
		return ValueInt32, true
	case []float32:
		return ValueFloat32, true
	case []bool:
		return ValueBool, true
	case []string:
		return ValueString, true
	case []uint64:
		return ValueUint64, true
	case []int64:
		return ValueInt64, true
	case []float64:
		return ValueFloat64, true
	case []Array:
		return ValueArray, true
	}
	return 0, false
}

func valueTypeOf(v any) ValueType {
	switch v.(type) {
	case uint8:
		return ValueUint8
	case int8:
		return ValueInt8
	case uint16:
		return ValueUint16
	case int16:
		return ValueInt16
	case uint32:
		return ValueUint32
	case int32:
		return ValueInt32
	case float32:
		return ValueFloat32
	case bool:
		return ValueBool
	case string:
		return ValueString
	case uint64:
		return ValueUint64
	case int64:
		return ValueInt64
	case float64:
		return ValueFloat64
	}
	return ValueArray
}

// writeValue encodes a normalized value (without its type tag).
func writeValue(c *countingWriter, v any) {
	switch x := v.(type) {
	case uint8:
		c.write([]byte{x})
	case int8:
		c.write([]byte{byte(x)})
	case bool:
		b := byte(0)
		if x {
			b = 1
		}
		c.write([]byte{b})
	case uint16:
		c.write(binary.LittleEndian.AppendUint16(nil, x))
	case int16:
		c.write(binary.LittleEndian.AppendUint16(nil, uint16(x)))
	case uint32:
		c.u32(x)
	case int32:
		c.u32(uint32(x))
	case float32:
		c.u32(math.Float32bits(x))
	case uint64:
		c.u64(x)
	case int64:
		c.u64(uint64(x))
	case float64:
		c.u64(math.Float64bits(x))
	case string:
		c.str(x)
	case Array:
		c.u32(uint32(x.Elem))
		c.u64(uint64(x.Len()))
		switch vs := x.Values.(type) {
		case []string:
			for _, s := range vs {
				c.str(s)
			}
		case []Array:
			for _, a := range vs {
				writeValue(c, a)
			}
		default:
			c.write(encodeFixed(x))
		}
	}
}

// encodeFixed packs an array of fixed-size elements into little-endian bytes.
func encodeFixed(a Array) []byte {
	le := binary.LittleEndian
	var b []byte
	switch vs := a.Values.(type) {
	case []uint8:
		return vs
	case []int8:
		for _, v := range vs {
			b = append(b, byte(v))
		}
	case []bool:
		for _, v := range vs {
			if v {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		}
	case []uint16:
		for _, v := range vs {
			b = le.AppendUint16(b, v)
		}
	case []int16:
		for _, v := range vs {
			b = le.AppendUint16(b, uint16(v))
		}
	case []uint32:
		for _, v := range vs {
			b = le.AppendUint32(b, v)
		}
	case []int32:
		for _, v := range vs {
			b = le.AppendUint32(b, uint32(v))
		}
	case []float32:
		for _, v := range vs {
			b = le.AppendUint32(b, math.Float32bits(v))
		}
	case []uint64:
		for _, v := range vs {
			b = le.AppendUint64(b, v)
		}
	case []int64:
		for _, v := range vs {
			b = le.AppendUint64(b, uint64(v))
		}
	case []float64:
		for _, v := range vs {
			b = le.AppendUint64(b, math.Float64bits(v))
		}
	}
	return b
}
