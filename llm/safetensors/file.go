package safetensors

import (
	"fmt"
	"os"
	"sort"
)

// Tensor is one tensor of a safetensors file.
type Tensor struct {
	Name  string
	DType DType
	Shape []int64 // as in the file: row-major, outermost dimension first (PyTorch order, [out, in] for Linear)
	Data  []byte  // zero-copy view into the file; valid until the File (or Checkpoint) is closed

	begin int64 // offset of Data within the data section
}

// NumElements returns the product of the dimensions (1 for a scalar).
func (t *Tensor) NumElements() int64 {
	n := int64(1)
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// File is one opened .safetensors file.
type File struct {
	Path       string            // "" for Parse
	Metadata   map[string]string // the header's __metadata__ (empty when absent)
	HeaderSize int64             // bytes of JSON header after the 8-byte length

	tensors []Tensor // sorted by data offset, then name
	byName  map[string]int
	release func() error
}

// Open maps path into memory and validates its header. Close releases the mapping.
func Open(path string) (*File, error) {
	buf, release, err := mapFile(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	f, err := newFile(buf)
	if err != nil {
		_ = release()
		return nil, fmt.Errorf("safetensors: %s: %w", path, err)
	}
	f.Path = path
	f.release = release
	return f, nil
}

// Parse validates a complete file held in memory. The tensors' Data alias buf.
func Parse(buf []byte) (*File, error) {
	f, err := newFile(buf)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	return f, nil
}

func newFile(buf []byte) (*File, error) {
	h, err := parseHeader(buf)
	if err != nil {
		return nil, err
	}
	ts := h.tensors
	sort.SliceStable(ts, func(i, j int) bool {
		if ts[i].begin != ts[j].begin {
			return ts[i].begin < ts[j].begin
		}
		return ts[i].Name < ts[j].Name
	})
	f := &File{Metadata: h.metadata, HeaderSize: h.size, tensors: ts, byName: make(map[string]int, len(ts))}
	for i := range ts {
		f.byName[ts[i].Name] = i
	}
	return f, nil
}

// Tensor returns the named tensor.
func (f *File) Tensor(name string) (*Tensor, bool) {
	i, ok := f.byName[name]
	if !ok {
		return nil, false
	}
	return &f.tensors[i], true
}

// Tensors returns every tensor in file (data offset) order.
func (f *File) Tensors() []*Tensor {
	out := make([]*Tensor, len(f.tensors))
	for i := range f.tensors {
		out[i] = &f.tensors[i]
	}
	return out
}

// Close releases the file mapping; the tensors' Data must not be used afterwards. Closing twice is harmless.
func (f *File) Close() error {
	if f.release == nil {
		return nil
	}
	err := f.release()
	f.release = nil
	if err != nil {
		return fmt.Errorf("safetensors: %s: close: %w", f.Path, err)
	}
	return nil
}

// readWhole reads a file into memory: the fallback where mapping is unavailable or fails.
func readWhole(path string) ([]byte, func() error, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return b, func() error { return nil }, nil
}
