// Package tinymodel generates random-weight Qwen3 and Qwen3-MoE models with the real tensor names, shapes and
// metadata, so that every layer of Qwen Studio (loader, engine, tokenizer, chat, app) can be tested end to end
// without downloading anything.
//
// # Models
//
// Options give the architecture (qwen3 or qwen3moe), the dimensions, the context length, tied or untied output,
// the weight type and a seed. Weights come from one math/rand/v2 PCG stream seeded by Options.Seed, drawn in the
// order the tensors are written: matrices N(0, 0.02), norm weights 1 + N(0, 0.05). The same seed and options
// always give identical bytes. The same weights can be written two ways:
//
//   - GGUF (WriteGGUF): F32, F16, BF16 or Q8_0 matrices (norms and the MoE router stay F32; Q8_0 matrices whose
//     rows are not a multiple of 32 fall back to F16), metadata keys and order as llama.cpp's converter writes
//     them — the same layout as the golden models in shared/testdata/golden.
//   - A Hugging Face folder (WriteHF): config.json, generation_config.json, model.safetensors (F32, F16 or BF16,
//     per-expert tensors for MoE), tokenizer.json and tokenizer_config.json with Qwen3's chat template.
//
// Presets: Demo (small and fast, built-in vocabulary), Qwen3_0_6BShape (Qwen3-0.6B's exact architecture, for
// benchmarks) and Golden (the a2/a3 golden shapes).
//
// # Vocabulary
//
// A model needs a tokenizer, and the generator must work without any downloaded file. BuiltinVocab trains a
// byte-level BPE (the 256 byte tokens in GPT-2 order, then merges learned with the Qwen2 pre-tokenizer) over a
// small corpus embedded in this package, and appends Qwen3's 26 added tokens with their real strings and order.
// VocabFromTokenizerJSON takes the vocabulary of a real tokenizer.json instead, optionally reduced to its first N
// BPE tokens exactly as the golden "rv" models are (when reduced, the embedding rows are those of the
// full-vocabulary model with the same seed).
//
// Usage:
//
//	o := tinymodel.Demo()
//	o.Seed = 7
//	err := tinymodel.WriteGGUF(ctx, "demo.gguf", o)
//	err = tinymodel.WriteHF(ctx, "demo-hf", o) // o.Type must be F32, F16 or BF16
package tinymodel
