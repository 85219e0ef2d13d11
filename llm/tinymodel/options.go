package tinymodel

import (
	"fmt"

	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// Architectures the generator writes.
const (
	ArchQwen3    = "qwen3"
	ArchQwen3MoE = "qwen3moe"
)

// Options describe a generated model. Zero values are filled by Defaults.
type Options struct {
	Arch        string // ArchQwen3 (default) or ArchQwen3MoE
	Embd        int    // n_embd (D)
	Layers      int    // block count (L)
	Heads       int    // query heads (H)
	KVHeads     int    // key/value heads (Hkv)
	HeadDim     int    // d (key_length = value_length)
	FFN         int    // dense feed_forward_length (F); also written for MoE models, as published files do
	Experts     int    // MoE: expert count
	ExpertsUsed int    // MoE: experts per token
	ExpertFFN   int    // MoE: expert_feed_forward_length
	Context     int    // context_length
	Untied      bool   // write a separate output.weight / lm_head.weight instead of reusing the embedding
	Seed        uint64
	Type        gguf.Type // matrix type: F32, F16, BF16 or Q8_0 (HF folders: F32, F16 or BF16)

	// Vocab is the tokenizer; nil means the built-in one (BuiltinVocab).
	Vocab *Vocab
	// VocabRows, when > 0, pads the vocabulary to this many embedding rows (e.g. 151936 for Qwen3's shape).
	VocabRows int

	RopeFreqBase float64 // default 1e6
	RMSEps       float64 // default 1e-6
	Name         string  // general.name; default "tinymodel-<arch>-seed<seed>"
}

// Demo is a small, fast model on the built-in vocabulary: 4 layers of width 256, for trying the app and the CLI.
func Demo() Options {
	return Options{Arch: ArchQwen3, Embd: 256, Layers: 4, Heads: 4, KVHeads: 2, HeadDim: 64, FFN: 768,
		Context: 4096, Seed: 1, Type: gguf.TypeF32}
}

// Qwen3_0_6BShape has exactly Qwen3-0.6B's architecture (spec §1.1) with random weights, for benchmarks:
// 28 layers, n_embd 1024, 16/8 heads of 128, FFN 3072, 151936 vocabulary rows, tied embeddings.
func Qwen3_0_6BShape() Options {
	return Options{Arch: ArchQwen3, Embd: 1024, Layers: 28, Heads: 16, KVHeads: 8, HeadDim: 128, FFN: 3072,
		Context: 40960, VocabRows: qwen3VocabRows, Seed: 1, Type: gguf.TypeBF16}
}

// Golden returns the shape of the golden a2 (dense) or a3 (MoE) models: n_embd 32, 2 layers, 4/2 heads of 16,
// FFN 96 (MoE: 8 experts, 2 used, expert FFN 32), context 4096, tied.
func Golden(arch string) Options {
	o := Options{Arch: arch, Embd: 32, Layers: 2, Heads: 4, KVHeads: 2, HeadDim: 16, FFN: 96, Context: 4096,
		Seed: 1, Type: gguf.TypeF32}
	if arch == ArchQwen3MoE {
		o.Experts, o.ExpertsUsed, o.ExpertFFN, o.Seed = 8, 2, 32, 2
	}
	return o
}

// withDefaults fills unset fields and checks the result.
func (o Options) withDefaults() (Options, error) {
	if o.Arch == "" {
		o.Arch = ArchQwen3
	}
	if o.HeadDim == 0 && o.Heads > 0 {
		o.HeadDim = o.Embd / o.Heads
	}
	if o.KVHeads == 0 {
		o.KVHeads = o.Heads
	}
	if o.Context == 0 {
		o.Context = 4096
	}
	if o.RopeFreqBase == 0 {
		o.RopeFreqBase = 1e6
	}
	if o.RMSEps == 0 {
		o.RMSEps = 1e-6
	}
	if o.Name == "" {
		o.Name = fmt.Sprintf("tinymodel-%s-seed%d", o.Arch, o.Seed)
	}
	if o.Arch == ArchQwen3MoE && o.FFN == 0 {
		o.FFN = o.ExpertFFN
	}
	return o, o.validate()
}

const maxDim = 1 << 20

func (o Options) validate() error {
	switch o.Arch {
	case ArchQwen3, ArchQwen3MoE:
	default:
		return fmt.Errorf("tinymodel: unknown arch %q (want %s or %s)", o.Arch, ArchQwen3, ArchQwen3MoE)
	}
	dims := []struct {
		name string
		v    int
	}{{"embd", o.Embd}, {"layers", o.Layers}, {"heads", o.Heads}, {"kv-heads", o.KVHeads},
		{"head-dim", o.HeadDim}, {"ffn", o.FFN}, {"ctx", o.Context}}
	if o.Arch == ArchQwen3MoE {
		dims = append(dims, []struct {
			name string
			v    int
		}{{"experts", o.Experts}, {"experts-used", o.ExpertsUsed}, {"expert-ffn", o.ExpertFFN}}...)
	}
	for _, d := range dims {
		if d.v <= 0 || d.v > maxDim {
			return fmt.Errorf("tinymodel: %s = %d: must be in 1..%d", d.name, d.v, maxDim)
		}
	}
	if o.Heads%o.KVHeads != 0 {
		return fmt.Errorf("tinymodel: heads %d is not a multiple of kv-heads %d", o.Heads, o.KVHeads)
	}
	if o.HeadDim%2 != 0 {
		return fmt.Errorf("tinymodel: head-dim %d must be even (RoPE rotates pairs)", o.HeadDim)
	}
	if o.Arch == ArchQwen3MoE && o.ExpertsUsed > o.Experts {
		return fmt.Errorf("tinymodel: experts-used %d > experts %d", o.ExpertsUsed, o.Experts)
	}
	if o.Arch == ArchQwen3 && (o.Experts != 0 || o.ExpertsUsed != 0 || o.ExpertFFN != 0) {
		return fmt.Errorf("tinymodel: expert options need --arch %s", ArchQwen3MoE)
	}
	switch o.Type {
	case gguf.TypeF32, gguf.TypeF16, gguf.TypeBF16, gguf.TypeQ8_0:
	default:
		return fmt.Errorf("tinymodel: weight type %s not supported (F32, F16, BF16, Q8_0)", o.Type)
	}
	if o.VocabRows < 0 || o.VocabRows > 1<<22 {
		return fmt.Errorf("tinymodel: vocab rows %d out of range", o.VocabRows)
	}
	return nil
}

// fileType is general.file_type for a model whose matrices are t (llama_ftype).
func fileType(t gguf.Type) uint32 {
	switch t {
	case gguf.TypeF16:
		return 1
	case gguf.TypeQ8_0:
		return 7
	case gguf.TypeBF16:
		return 32
	}
	return 0
}
