// Package qwen3 runs Qwen3 and Qwen3-MoE text models (and the text tower of Qwen3-VL on text) on a
// kernels.Backend: it reads the config, binds the weights by name, and evaluates token sequences through a
// KV cache. Spec: ../../shared/docs/qwen3-spec.md §2, §3, §7, §8.
//
// # Use
//
//	m, err := qwen3.Load(ctx, "Qwen3-0.6B-Q8_0.gguf", qwen3.Options{}) // or a Hugging Face folder
//	defer m.Close()
//	c, err := m.NewContext(4096)
//	defer c.Close()
//	logits, err := c.Eval(ctx, ids, false) // [n_vocab] for the last token
//	logits, err = c.Eval(ctx, []int32{next}, false)
//
// # Files
//
// GGUF files are memory-mapped and their weights used in place, whatever their type (F32, F16, BF16, Q8_0,
// Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K). Hugging Face folders (config.json, *.safetensors, tokenizer.json)
// load their F32/F16/BF16 weights as they are, or as Q8_0 with Options.QuantizeQ8; names are mapped to the GGUF
// ones (names.go) so that one binder serves both. Every missing or misshapen tensor is reported by Load.
//
// # Evaluation
//
// A Context owns a KV cache (F16 by default, F32 with Options.KVF32 or Options.F32) and the activation
// buffers of one batch of up to Batch tokens, allocated once. Eval appends tokens, processing long inputs in
// batches, and returns the logits of the last position or of every position. Truncate rewinds the cache for
// prefix reuse. Cancellation is checked between layers; a failed Eval leaves the context as it was.
package qwen3
