// Package vision is the Qwen3-VL vision side: image preprocessing and the vision encoder (ViT, main merger
// and DeepStack mergers) of an mmproj GGUF file, checked for parity against llama.cpp's libmtmd.
//
//	f, _ := gguf.Open("mmproj.gguf")
//	clip, _ := f.CLIP()
//	px, _ := vision.Preprocess(img, vision.DefaultPreprocessOptions(clip))
//
// Preprocess follows llama.cpp (not Hugging Face) so that the same model file gives the same visual tokens
// as llama.cpp; the differences are listed on Preprocess and TargetSize.
package vision
