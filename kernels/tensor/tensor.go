// Package tensor defines the types shared by the kernels interface and its backends: Tensor (a view of rows
// of backend-owned memory), Rope (rotary-embedding parameters) and Info (what a backend reports about itself). It is a leaf package so that backends
// (kernels/cpu, later cuda and metal) and the kernels package that chooses between them can both use it;
// model code sees these types through their kernels.* aliases.
package tensor

import (
	"fmt"

	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// Buffer is backend-owned storage. Its methods exist only for identification; a backend type-asserts a
// Buffer to its own implementation, so a tensor of one backend passed to another is a programmer error.
type Buffer interface {
	// Backend names the backend that owns the buffer ("cpu", ...).
	Backend() string
}

// Tensor is a 2-D view [Rows][Cols] (row-major, Cols contiguous) of elements of one type inside a Buffer.
// It is a small value: slicing and reshaping make new views without allocating, so model code can address
// the first n rows of a batch buffer on every step. Quantized types hold whole blocks per row (Cols is a
// multiple of the block size).
type Tensor struct {
	buf        Buffer
	typ        gguf.Type
	rows, cols int
	off        int // element offset of the view's first element within buf
}

// New makes a tensor handle; for backends.
func New(buf Buffer, typ gguf.Type, rows, cols, off int) Tensor {
	return Tensor{buf: buf, typ: typ, rows: rows, cols: cols, off: off}
}

func (t Tensor) Buffer() Buffer  { return t.buf }
func (t Tensor) Type() gguf.Type { return t.typ }
func (t Tensor) Rows() int       { return t.rows }
func (t Tensor) Cols() int       { return t.cols }
func (t Tensor) Offset() int     { return t.off } // in elements
func (t Tensor) Len() int        { return t.rows * t.cols }
func (t Tensor) IsZero() bool    { return t.buf == nil }

func (t Tensor) String() string {
	return fmt.Sprintf("%v[%d][%d]@%d", t.typ, t.rows, t.cols, t.off)
}

// Slice returns rows [r0, r0+n) of t. Out-of-range views are programmer errors and panic.
func (t Tensor) Slice(r0, n int) Tensor {
	if r0 < 0 || n < 0 || r0+n > t.rows {
		panic(fmt.Sprintf("tensor: Slice(%d, %d) of %v", r0, n, t))
	}
	t.off += r0 * t.cols
	t.rows = n
	return t
}

// Reshape views the same elements as [rows][cols] (e.g. q [T][H·d] as [T·H][d] for a per-head norm).
func (t Tensor) Reshape(rows, cols int) Tensor {
	if rows*cols != t.rows*t.cols || rows < 0 || cols <= 0 {
		panic(fmt.Sprintf("tensor: Reshape(%d, %d) of %v", rows, cols, t))
	}
	t.rows, t.cols = rows, cols
	return t
}

// Rope holds the rotary position embedding parameters of a model (NeoX pairing: element i rotates with
// element i + Dim/2).
type Rope struct {
	Dim  int     // rotated dimensions per head (head_dim for Qwen3)
	Base float64 // rope_theta, e.g. 1e6

	// Scaling: "" or "none", "linear" (positions divided by Factor) or "yarn" (static YaRN, spec §2.8).
	Scaling  string
	Factor   float64 // s; 1 when there is no scaling
	OrigCtx  int     // original_max_position_embeddings (YaRN)
	BetaFast float64 // YaRN β_fast (32 when zero)
	BetaSlow float64 // YaRN β_slow (1 when zero)
	MScale   float64 // YaRN attention factor multiplying cos/sin (0: 0.1·ln(Factor) + 1)
}

// Info describes an opened backend.
type Info struct {
	Name    string  // "cpu", "cuda", "metal"
	Device  string  // human-readable device description
	Threads int     // worker threads (CPU)
	F32     bool    // activations are never rounded before matmuls
	Probes  []Probe // what Open tried, in order, and why it chose as it did
}

// Probe records one backend Open considered.
type Probe struct {
	Backend string
	Chosen  bool
	Reason  string // why it was chosen or skipped
}
