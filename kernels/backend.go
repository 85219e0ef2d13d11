package kernels

import (
	"github.com/qwenstudio/qwenstudio/kernels/tensor"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// Tensor is a view of rows of backend-owned memory: [Rows][Cols] elements of one type. Views are values
// (Slice, Reshape) and cost no allocation.
type Tensor = tensor.Tensor

// Rope holds rotary position embedding parameters (NeoX pairing, optional linear or YaRN scaling).
type Rope = tensor.Rope

// Backend runs the operations of the models' forward passes on one device. Model code is written once
// against it. Memory is owned by the backend: weights are handed over once (Weight), activations and KV
// caches are allocated on the device (Alloc) and stay there; only what Read copies out (the logits) comes
// back to the host.
//
// Shapes are written [rows][cols], row-major. Unless an op says otherwise, activations are F32 and an op's
// dst may not overlap its inputs except where "in place" is stated. Shape or type mismatches are programmer
// errors and panic. Operations appear synchronous to the caller (a GPU backend may queue them and wait in
// Read). A Backend is safe for use by several goroutines (ops are serialised).
type Backend interface {
	// Info describes the backend: its name, the device, the thread count and what Open probed.
	Info() Info
	// Close releases the device and every buffer of the backend.
	Close() error

	// Weight makes a weight tensor [rows][cols] of type typ from data in the file layout (GGUF rows of
	// blocks). The CPU backend keeps a reference to data (typically a memory-mapped file) and never expands it;
	// GPU backends copy it to device memory. name is for error messages and diagnostics.
	Weight(name string, typ gguf.Type, rows, cols int, data []byte) (Tensor, error)
	// Alloc makes a zeroed device tensor [rows][cols]: F32 for activations, F16/F32 for KV caches, I32 for ids.
	Alloc(typ gguf.Type, rows, cols int) (Tensor, error)
	// Free releases the buffer behind t (and so every view of it).
	Free(t Tensor)
	// Write copies len(src) == dst.Len() host values into dst (converting to dst's F32/F16/BF16/I32 type).
	Write(dst Tensor, src []float32)
	// Read copies src (F32/F16/BF16) to the host as float32; len(dst) == src.Len().
	Read(src Tensor, dst []float32)

	// GetRows gathers embedding rows: dst[i] = dequantize(table[ids[i]]). dst F32 [len(ids)][D], table any
	// weight type [V][D].
	GetRows(dst, table Tensor, ids []int32)
	// Copy converts src into dst element by element (same element count; F32, F16 or BF16 each side). Used
	// to store keys and values into an F16 or F32 KV cache.
	Copy(dst, src Tensor)
	// Add: dst = a + b, elementwise (same shapes; dst may be a or b).
	Add(dst, a, b Tensor)
	// RMSNorm: dst[r] = x[r] / sqrt(mean(x[r]²) + eps) · w for every row r of x; w F32 [Cols]. Rows are
	// w's length: pass q reshaped to [T·H][d] for the per-head q/k norms. dst may be x.
	RMSNorm(dst, x, w Tensor, eps float32)
	// MatMul: dst[t][n] = Σ_k w[n][k] · x[t][k]. w [N][K] in any supported weight type, x F32 [T][K], dst F32
	// [T][N]. The activations may be rounded to the weight's dot-product partner type first (Q8_0, Q8_1, Q8_K,
	// F16, BF16), as llama.cpp does, unless the backend was opened with F32 set.
	MatMul(dst, w, x Tensor)
	// MatMulID is MatMul by a per-row choice of stacked expert matrices (MoE): w [E·N][K] holds E matrices of
	// [N][K]; ids I32 [T][k]; dst F32 [T·k][N] with dst[t·k+j] = w_{ids[t][j]} · x_r where r = t when x has T
	// rows (the same input for every slot) and r = t·k+j when x has T·k rows.
	MatMulID(dst, w, x, ids Tensor)
	// RopeTable fills dst F32 [len(pos)][p.Dim] with the rotation of each position: cos θ_i in columns
	// 0..Dim/2-1 and sin θ_i in Dim/2..Dim-1, θ_i = pos·base^(-2i/Dim) (with the scaling p asks for). Built
	// once per batch and used by Rope in every layer.
	RopeTable(dst Tensor, pos []int32, p Rope)
	// Rope rotates every head of x in place, NeoX pairing: x F32 [T][H·headDim], table from RopeTable
	// [T][Dim]; for i < Dim/2: (x[i], x[i+Dim/2]) ← (x[i]·cos − x[i+Dim/2]·sin, x[i]·sin + x[i+Dim/2]·cos).
	Rope(x, table Tensor, headDim int)
	// Attention is causal softmax attention with grouped KV heads. q F32 [T][nHead·d]; k, v F16 or F32
	// caches [nCtx][nKVHead·d] whose rows 0..pos0+T−1 are filled; dst F32 [T][nHead·d]. Query row t sits at
	// position pos0+t; head h reads KV head g = h / (nHead/nKVHead):
	//   s[u] = scale · q[t]_h · k[u]_g for u = 0..pos0+t;  dst[t]_h = Σ_u softmax(s)[u] · v[u]_g
	// (Unfused: MatMul of q by k, scale, causal mask, softmax, MatMul by v.)
	Attention(dst, q, k, v Tensor, pos0, nHead, nKVHead int, scale float32)
	// SwiGLU: dst = silu(gate) · up elementwise, silu(x) = x / (1 + e^−x).
	SwiGLU(dst, gate, up Tensor)
	// TopK routes MoE tokens: for each row of logits F32 [T][E], p = softmax(row); ids I32 [T][k] get the k
	// experts of largest p (descending, lower id first on ties) and weights F32 [T][k] their p, divided by
	// the sum of the k when norm is set.
	TopK(ids, weights, logits Tensor, norm bool)
	// WeightedSum: dst[t] = Σ_j weights[t][j] · src[t·k+j], dst F32 [T][N], src F32 [T·k][N], weights F32
	// [T][k] (j in order).
	WeightedSum(dst, src, weights Tensor)
}

// Info describes an opened backend: its name, device, thread count and what Open probed.
type Info = tensor.Info

// Probe records one backend Open considered and why it was chosen or skipped.
type Probe = tensor.Probe
