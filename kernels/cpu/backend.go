package cpu

import (
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"github.com/qwenstudio/qwenstudio/kernels/quant"
	"github.com/qwenstudio/qwenstudio/kernels/tensor"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// Config tunes the CPU backend.
type Config struct {
	Threads int            // worker goroutines; 0: one per CPU the process may use
	F32     bool           // matmuls on float32 activations (weights decoded row by row), no activation rounding
	Probes  []tensor.Probe // what the caller probed before choosing this backend (reported by Info)
}

// Backend is the CPU implementation of kernels.Backend. Buffers live in Go memory (weights stay in the
// caller's, typically memory-mapped, bytes). Ops run on a persistent worker pool; scratch buffers grow to
// the largest op seen and are then reused, so a steady decode loop allocates nothing.
type Backend struct {
	cfg     Config
	threads int

	mu     sync.Mutex // one op at a time: the pool, the tasks and the scratch below are shared
	pool   *pool
	closed bool

	act     []uint64    // encoded activations of the current MatMul (uint64 for alignment)
	packed  []uint64    // the same rows packed for the tile kernels
	scratch [][]float32 // per worker: a decoded weight row (F32 mode) or attention scores
	outs    []kernelOut // per worker: results of the tile and four-row kernels
	pos     []int32     // MatMulID: insertion positions of the counting sort

	// Preallocated tasks, one per op kind (dispatching a pointer to them allocates nothing).
	tEncode encodeTask
	tMatMul matmulTask
	tMMID   matmulIDTask
	tRows   rowsTask
	tAttn   attentionTask
}

// New starts a CPU backend with cfg.Threads workers.
func New(cfg Config) *Backend {
	n := cfg.Threads
	if n <= 0 {
		n = min(runtime.NumCPU(), runtime.GOMAXPROCS(0))
	}
	b := &Backend{cfg: cfg, threads: n, pool: newPool(n)}
	b.scratch = make([][]float32, n)
	b.outs = make([]kernelOut, n)
	return b
}

// Info reports the backend's settings.
func (b *Backend) Info() tensor.Info {
	mode := "activations rounded like llama.cpp"
	if b.cfg.F32 {
		mode = "float32 activations"
	}
	return tensor.Info{
		Name:    "cpu",
		Device:  fmt.Sprintf("%s/%s, %s, %d threads, %s", runtime.GOOS, runtime.GOARCH, simdName(), b.threads, mode),
		Threads: b.threads,
		F32:     b.cfg.F32,
		Probes:  append([]tensor.Probe(nil), b.cfg.Probes...),
	}
}

// Close stops the workers. Buffers are ordinary Go memory and go with their last reference.
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		b.pool.close()
	}
	return nil
}

// buffer is the CPU storage behind a tensor: raw bytes in the element type's layout, plus typed views.
type buffer struct {
	name string
	typ  gguf.Type
	raw  []byte
	f32  []float32 // F32
	u16  []uint16  // F16, BF16
	i32  []int32   // I32
}

func (*buffer) Backend() string { return "cpu" }

func littleEndian() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}

func aligned(b []byte, n uintptr) bool {
	return len(b) == 0 || uintptr(unsafe.Pointer(&b[0]))%n == 0
}

// Weight wraps data (the tensor's bytes in file layout) without copying it, unless it is misaligned for
// its element type.
func (b *Backend) Weight(name string, typ gguf.Type, rows, cols int, data []byte) (tensor.Tensor, error) {
	if !littleEndian() {
		return tensor.Tensor{}, fmt.Errorf("cpu: weight %q: big-endian hosts are not supported", name)
	}
	if traitsOf(typ) == nil {
		return tensor.Tensor{}, fmt.Errorf("cpu: weight %q: type %v is not supported", name, typ)
	}
	rb, err := quant.RowBytes(typ, cols)
	if err != nil || rows < 0 {
		return tensor.Tensor{}, fmt.Errorf("cpu: weight %q: [%d][%d] of %v: %v", name, rows, cols, typ, err)
	}
	if len(data) != rows*rb {
		return tensor.Tensor{}, fmt.Errorf("cpu: weight %q: [%d][%d] of %v needs %d bytes, got %d", name, rows, cols, typ, rows*rb, len(data))
	}
	buf := &buffer{name: name, typ: typ, raw: data}
	switch typ {
	case gguf.TypeF32:
		if !aligned(data, 4) {
			buf.raw = append(make([]byte, 0, len(data)+4), data...) // Go allocations of this size are aligned
		}
		buf.f32 = asF32(buf.raw)
	case gguf.TypeF16, gguf.TypeBF16:
		if !aligned(data, 2) {
			buf.raw = append([]byte(nil), data...)
		}
		buf.u16 = asU16(buf.raw)
	}
	return tensor.New(buf, typ, rows, cols, 0), nil
}

// Alloc makes a zeroed F32, F16, BF16 or I32 tensor.
func (b *Backend) Alloc(typ gguf.Type, rows, cols int) (tensor.Tensor, error) {
	if rows < 0 || cols <= 0 {
		return tensor.Tensor{}, fmt.Errorf("cpu: alloc [%d][%d]: bad shape", rows, cols)
	}
	n := rows * cols
	buf := &buffer{typ: typ}
	switch typ {
	case gguf.TypeF32:
		buf.f32 = make([]float32, n)
		buf.raw = f32Bytes(buf.f32)
	case gguf.TypeF16, gguf.TypeBF16:
		buf.u16 = make([]uint16, n)
		buf.raw = u16Bytes(buf.u16)
	case gguf.TypeI32:
		buf.i32 = make([]int32, n)
		buf.raw = i32Bytes(buf.i32)
	default:
		return tensor.Tensor{}, fmt.Errorf("cpu: alloc: type %v is not supported for device tensors", typ)
	}
	return tensor.New(buf, typ, rows, cols, 0), nil
}

// Free drops the backend's references to t's buffer (Go's collector reclaims it).
func (b *Backend) Free(t tensor.Tensor) {
	if t.IsZero() {
		return
	}
	buf := bufOf(t)
	*buf = buffer{name: buf.name, typ: buf.typ}
}

func bufOf(t tensor.Tensor) *buffer {
	buf, ok := t.Buffer().(*buffer)
	if !ok {
		panic(fmt.Sprintf("cpu: tensor %v does not belong to the CPU backend", t))
	}
	return buf
}

// Typed views of a tensor's elements; a wrong type is a programmer error.

func f32s(t tensor.Tensor) []float32 {
	buf := bufOf(t)
	if buf.typ != gguf.TypeF32 {
		panic(fmt.Sprintf("cpu: %v: want F32", t))
	}
	return buf.f32[t.Offset() : t.Offset()+t.Len()]
}

func u16s(t tensor.Tensor) []uint16 {
	buf := bufOf(t)
	if buf.typ != gguf.TypeF16 && buf.typ != gguf.TypeBF16 {
		panic(fmt.Sprintf("cpu: %v: want F16 or BF16", t))
	}
	return buf.u16[t.Offset() : t.Offset()+t.Len()]
}

func i32s(t tensor.Tensor) []int32 {
	buf := bufOf(t)
	if buf.typ != gguf.TypeI32 {
		panic(fmt.Sprintf("cpu: %v: want I32", t))
	}
	return buf.i32[t.Offset() : t.Offset()+t.Len()]
}

// rowBytes returns the bytes of one row of t and the bytes of all rows of the view.
func rowBytes(t tensor.Tensor) (int, []byte) {
	buf := bufOf(t)
	be, bb, ok := quant.Layout(buf.typ)
	if !ok {
		panic(fmt.Sprintf("cpu: %v: unsupported type", t))
	}
	rb := t.Cols() / be * bb
	off := t.Offset() / be * bb
	return rb, buf.raw[off : off+t.Rows()*rb]
}

// Write copies host values into dst, converting to its type.
func (b *Backend) Write(dst tensor.Tensor, src []float32) {
	if len(src) != dst.Len() {
		panic(fmt.Sprintf("cpu: Write of %d values into %v", len(src), dst))
	}
	switch dst.Type() {
	case gguf.TypeF32:
		copy(f32s(dst), src)
	case gguf.TypeF16:
		f32ToF16Row(u16s(dst), src)
	case gguf.TypeBF16:
		h := u16s(dst)
		for i, v := range src {
			h[i] = quant.F32ToBF16(v)
		}
	case gguf.TypeI32:
		d := i32s(dst)
		for i, v := range src {
			d[i] = int32(v)
		}
	default:
		panic(fmt.Sprintf("cpu: Write into %v", dst))
	}
}

// Read copies src to the host as float32.
func (b *Backend) Read(src tensor.Tensor, dst []float32) {
	if len(dst) != src.Len() {
		panic(fmt.Sprintf("cpu: Read of %v into %d values", src, len(dst)))
	}
	switch src.Type() {
	case gguf.TypeF32:
		copy(dst, f32s(src))
	case gguf.TypeF16:
		f16ToF32Row(dst, u16s(src))
	case gguf.TypeBF16:
		for i, h := range u16s(src) {
			dst[i] = quant.BF16ToF32(h)
		}
	case gguf.TypeI32:
		for i, v := range i32s(src) {
			dst[i] = float32(v)
		}
	default:
		panic(fmt.Sprintf("cpu: Read from %v", src))
	}
}

// worker scratch of at least n floats.
func (b *Backend) growScratch(n int) {
	for i := range b.scratch {
		if len(b.scratch[i]) < n {
			b.scratch[i] = make([]float32, n)
		}
	}
}

// actBytes returns the activation scratch with at least n bytes.
func (b *Backend) actBytes(n int) []byte {
	if len(b.act)*8 < n {
		b.act = make([]uint64, (n+7)/8)
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&b.act[0])), n)
}

// packBytes returns the packed-activation scratch with at least n bytes.
func (b *Backend) packBytes(n int) []byte {
	if len(b.packed)*8 < n {
		b.packed = make([]uint64, (n+7)/8)
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&b.packed[0])), n)
}

func (b *Backend) lock() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		panic("cpu: backend used after Close")
	}
}
