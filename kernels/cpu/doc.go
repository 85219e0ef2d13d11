// Package cpu is the CPU implementation of kernels.Backend, in pure Go.
//
// # Layout
//
//   - backend.go: buffers (weights wrap the caller's file bytes, never expanded), Read/Write, scratch.
//   - pool.go: a persistent worker pool (one goroutine per CPU by default); an op is a preallocated task that
//     every worker runs, claiming work items from an atomic counter; the pool's wait is the barrier between ops.
//   - matmul.go: MatMul and MatMulID: activations are encoded once per op into the weight type's partner format,
//     then tiles of (weight rows × tokens) are spread over the workers.
//   - vecdot.go: the per-type traits table (partner type, encoder, dot product, row decoder), as ggml's
//     type_traits_cpu. These scalar kernels are the references that SIMD versions will be tested against.
//   - ops.go: the other ops (norms, RoPE, attention, SwiGLU, routing), following ggml's numerics.
//
// # Numerics
//
// MatMul rounds activations the way llama.cpp's CPU backend does before the dot product: Q8_0 for
// Q8_0/Q4_0/Q5_0 weights, Q8_1 for Q4_1/Q5_1, Q8_K for Q4_K/Q5_K/Q6_K, F16 for F16, BF16 for BF16, nothing for
// F32; sums are float32. With Config.F32 the activations stay float32 and each weight row is decoded to
// float32 (in a per-worker row buffer) before the dot product. RMSNorm and softmax accumulate in float64
// like ggml; attention runs in float32 over an F32 or F16 KV cache.
package cpu
