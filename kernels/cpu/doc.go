// Package cpu is the CPU implementation of kernels.Backend: Go, with AVX2 / AVX-512 VNNI assembly for the
// hot loops on amd64 and the pure-Go kernels everywhere else.
//
// # Layout
//
//   - backend.go: buffers (weights wrap the caller's file bytes, never expanded), Read/Write, scratch.
//   - pool.go: a persistent worker pool (one goroutine per CPU by default); an op is a preallocated task that
//     every worker runs, claiming work items from an atomic counter; the pool's wait is the barrier between ops.
//     Idle workers poll for the next op for 200 µs before parking (a parked goroutine's wake-up costs more
//     than the gaps between decode ops).
//   - matmul.go: MatMul and MatMulID: activations are encoded once per op into the weight type's partner format
//     (and packed for the tile kernels), then tiles of (weight rows × tokens) are spread over the workers.
//     Within a tile, groups of four tokens go through a tile kernel (each weight block loaded once per group);
//     single tokens through a four-weight-row kernel where there is one, else the row kernel.
//   - vecdot.go: the per-type traits table (partner type, encoder, dot product, row decoder), as ggml's
//     type_traits_cpu. These scalar kernels are the references that the SIMD versions are tested against.
//   - simd_amd64.go / simd_amd64.s: the SIMD kernels, chosen at start-up from what golang.org/x/sys/cpu
//     reports (AVX2+FMA+F16C; AVX-512 VNNI on 256-bit registers): Q8_0, Q4_0, Q4_K, Q5_K, Q6_K, F32, F16,
//     BF16 dot products, their tile and four-row forms, the Q8_0 and Q8_K activation encoders, attention's
//     score and P·V loops, F16 conversions and SwiGLU's exp. simd_other.go (other GOARCHes, or the purego
//     build tag) keeps the pure-Go paths.
//   - ops.go: the other ops (norms, RoPE, attention, SwiGLU, routing), following ggml's numerics.
//
// # Numerics
//
// MatMul rounds activations the way llama.cpp's CPU backend does before the dot product: Q8_0 for
// Q8_0/Q4_0/Q5_0 weights, Q8_1 for Q4_1/Q5_1, Q8_K for Q4_K/Q5_K/Q6_K, F16 for F16, BF16 for BF16, nothing for
// F32; sums are float32. The SIMD integer kernels reproduce ggml's x86 kernels exactly: the same int32 lanes
// per block, the same FMA accumulation in 8 float lanes and the same final reduction, so on amd64 a Q8_0 or
// K-quant dot product gives llama.cpp's float32 bit for bit (simd_test.go pins this down with scalar "lane
// models"). The tile and four-row kernels give bit for bit what the row kernel gives, so a prompt evaluated
// at once and token by token agree. The pure-Go kernels sum the blocks in another order (within float32
// rounding of the SIMD ones). With Config.F32 the activations stay float32 and each weight row is decoded to
// float32 (in a per-worker row buffer) before the dot product. RMSNorm and softmax accumulate in float64
// like ggml; attention runs in float32 over an F32 or F16 KV cache.
package cpu
