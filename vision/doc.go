// Package vision is the Qwen3-VL vision side: image preprocessing and the vision encoder (ViT, main merger
// and DeepStack mergers) of an mmproj GGUF file, checked for parity against llama.cpp's libmtmd
// (shared testdata golden-vl).
//
//	f, _ := gguf.Open("mmproj.gguf")
//	clip, _ := f.CLIP()
//	enc, _ := vision.Load(f, vision.Options{})
//	px, _ := vision.Preprocess(img, vision.DefaultPreprocessOptions(clip))
//	emb, _ := enc.Encode(ctx, px) // emb.Rows() image tokens of [main | ds_0 | …]
//
// Preprocess follows llama.cpp (not Hugging Face) so that a model file gives the same visual tokens as in
// llama.cpp; the differences are listed on Preprocess and TargetSize.
//
// The encoder runs on the host in plain float32 Go, written in the order of the math (qwen3-spec.md §6.4–6.5)
// so it serves as the reference implementation; it does not use the kernels backend yet (no SIMD, no
// quantized matmuls: weights of any type are converted to float32 at Load, dot products accumulate in
// float64), only splitting rows over Options.Threads goroutines. That is fine for small towers and tests
// but slow for the real 0.4–0.6 B-parameter ones (BenchmarkEncode: ≈0.6 s for 1116 patches of the tiny
// 64-wide V1 tower, mostly attention). Options.Numerics chooses exact arithmetic (NumericsReference) or a copy of llama.cpp's F16 steps
// (NumericsLlamaCPP) for tight parity tests.
package vision
