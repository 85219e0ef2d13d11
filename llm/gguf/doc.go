// Package gguf reads and writes GGUF files, the llama.cpp model format: metadata key/values, tensor
// descriptions and tensor data.
//
// Open maps a file into memory, validates every count, offset and size against the file (a corrupt or
// truncated file gives a *FormatError naming the file and the problem, never a panic) and exposes tensors as
// zero-copy views, valid until Close:
//
//	f, err := gguf.Open(path)
//	if err != nil { ... }
//	defer f.Close()
//	p, err := f.LLM()                    // qwen3.* hyperparameters
//	t, ok := f.Tensor("token_embd.weight") // t.Type, t.Shape (GGML order, Shape[0] = row length), t.Data
//
// GGUF versions 2 and 3 are read (version 1, with 32-bit counts, is refused). A File is read-only once opened
// and safe for concurrent use; errors.Is(err, ErrFormat) tells a malformed file from an I/O failure.
//
// Writer produces GGUF v3 files (generators and tests):
//
//	w := gguf.NewWriter()
//	w.SetKV("general.architecture", "qwen3")
//	err = w.AddTensor("output_norm.weight", gguf.TypeF32, []int64{1024}, data)
//	err = w.WriteFile("model.gguf")
package gguf
