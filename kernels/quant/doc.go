// Package quant holds the reference (pure Go, scalar) encodings of the GGML tensor element types that Qwen3
// GGUF files use: F32, F16, BF16, the 32-wide block formats Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1 and the
// 256-wide K-quants Q4_K, Q5_K, Q6_K and Q8_K.
//
// # Dequantize and Quantize
//
// Dequantize decodes any supported type to float32, bit for bit as ggml's dequantize_row_* does. Quantize
// encodes float32 as F32, F16, BF16, Q8_0 (with gguf-py's rounding, so that a Q8_0 GGUF written by our tools is
// byte-identical to one written by llama.cpp's convert script), Q4_0/Q4_1/Q5_0/Q5_1 (ggml's reference
// quantizers) and Q8_K.
//
// # Activation formats
//
// Matmuls against quantized weights first quantize the activations to a "vec-dot" partner type, as llama.cpp
// does: Q8_0 for Q8_0/Q4_0/Q5_0 weights (QuantizeRowQ8_0Act), Q8_1 for Q4_1/Q5_1 (QuantizeRowQ8_1Act) and Q8_K
// for the K-quants (QuantizeRowQ8K). These row functions write into caller-owned buffers and never allocate,
// so kernels can call them on every token.
//
// Block layouts are documented next to the byte-size constants (Q4_0B, Q4_KB, ...) and in
// ../../shared/docs/qwen3-spec.md §7.5.
package quant
