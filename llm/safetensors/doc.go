// Package safetensors reads and writes Hugging Face safetensors checkpoints and parses the JSON files that sit
// beside them in a model folder (config.json, generation_config.json).
//
// # Files
//
// A .safetensors file is an 8-byte little-endian header length N, N bytes of UTF-8 JSON describing every tensor
// ({"name": {"dtype", "shape", "data_offsets": [begin, end]}} plus an optional "__metadata__" string map), then
// the raw little-endian tensor data; offsets are relative to the first byte after the header. Open maps a file
// into memory (falling back to reading it where mmap is unavailable) and validates the whole header before
// returning: header length bounds, JSON syntax, duplicate names, known dtypes, shapes whose byte size (computed
// without overflow) equals the offset range, ranges inside the data section and not overlapping each other.
// Tensor.Data is a zero-copy view into the mapping and stays valid until Close; Tensor.Float32s decodes F32,
// F16 and BF16 tensors. Every dtype of the format is accepted and reported by name (DType), including the
// packed sub-byte F4 / F6 types, whose element counts must fill whole bytes.
//
// # Checkpoints
//
// OpenDir opens a model folder: a single model.safetensors, or the shards named by model.safetensors.index.json
// (its weight_map must only reference shard files that exist, and every mapped tensor must be in its shard);
// a tensor name present in two shards is an error.
//
// # Configs
//
// LoadConfig turns config.json into a typed Config for Qwen3, Qwen3-MoE, Qwen3-VL and Qwen3-VL-MoE, accepting
// both the transformers 4.x (rope_theta + rope_scaling) and 5.x (rope_parameters) spellings and the nested
// text_config / vision_config of the VL models. LoadGenerationConfig reads generation_config.json.
//
// # Writing
//
// WriteFile writes a file the way the reference implementation does: tensors ordered by descending element size
// then name (so every tensor stays aligned to its element size), header padded with spaces to a multiple of 8.
package safetensors
