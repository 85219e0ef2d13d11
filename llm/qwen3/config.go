package qwen3

import (
	"errors"
	"fmt"

	"github.com/qwenstudio/qwenstudio/kernels"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// ErrUnsupportedArch reports a model file of an architecture this package does not run.
var ErrUnsupportedArch = errors.New("qwen3: unsupported architecture")

// Config is the validated shape of a Qwen3 text model (spec §1), read once from GGUF metadata or config.json.
type Config struct {
	Arch          string // "qwen3", "qwen3moe" (GGUF names; qwen3vl / qwen3vlmoe text towers run as text-only)
	VocabSize     int    // V: rows of the embedding (151936 for the released models, padding included)
	HiddenSize    int    // D
	Layers        int    // L
	Heads         int    // H
	KVHeads       int    // Hkv
	HeadDim       int    // d (read, never D/H: spec P6)
	FFNSize       int    // F, dense MLP width
	Experts       int    // E (0: dense)
	ExpertsUsed   int    // k
	ExpertFFNSize int    // Fe
	NormTopKProb  bool   // renormalise the k routing weights (spec §3)
	RMSNormEps    float64
	ContextLength int // trained context (metadata), the default for NewContext
	Rope          kernels.Rope
	TiedEmbedding bool // the output projection reuses the token embedding
}

// MoE reports whether the FFN of every layer is a mixture of experts (spec §1.5: all released Qwen3-MoE
// configs make every layer sparse).
func (c Config) MoE() bool { return c.Experts > 0 }

func (c Config) validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if c.HiddenSize <= 0 || c.Layers <= 0 || c.Heads <= 0 || c.KVHeads <= 0 || c.HeadDim <= 0 {
		bad("hidden size %d, layers %d, heads %d/%d, head dim %d must be positive", c.HiddenSize, c.Layers, c.Heads, c.KVHeads, c.HeadDim)
	} else if c.Heads%c.KVHeads != 0 {
		bad("%d query heads are not a multiple of %d KV heads", c.Heads, c.KVHeads)
	}
	if c.HeadDim%2 != 0 {
		bad("head dim %d is odd (RoPE pairs halves)", c.HeadDim)
	}
	if c.MoE() {
		if c.ExpertsUsed <= 0 || c.ExpertsUsed > c.Experts || c.ExpertFFNSize <= 0 {
			bad("MoE with %d experts, %d used, expert FFN %d", c.Experts, c.ExpertsUsed, c.ExpertFFNSize)
		}
	} else if c.FFNSize <= 0 {
		bad("FFN size %d must be positive", c.FFNSize)
	}
	if c.RMSNormEps <= 0 {
		bad("RMSNorm epsilon %g must be positive", c.RMSNormEps)
	}
	if c.Rope.Base <= 1 {
		bad("RoPE base %g must exceed 1", c.Rope.Base)
	}
	switch c.Rope.Scaling {
	case "", "none":
	case "linear":
		if c.Rope.Factor <= 0 {
			bad("linear RoPE scaling factor %g", c.Rope.Factor)
		}
	case "yarn":
		if c.Rope.Factor < 1 || c.Rope.OrigCtx <= 0 {
			bad("YaRN factor %g / original context %d", c.Rope.Factor, c.Rope.OrigCtx)
		}
	default:
		bad("RoPE scaling %q is not supported (none, linear, yarn)", c.Rope.Scaling)
	}
	return errors.Join(errs...)
}

// configFromGGUF reads the "<arch>.*" keys (spec §7.4). The vocabulary size comes from token_embd.
func configFromGGUF(f *gguf.File) (Config, error) {
	p, err := f.LLM()
	if err != nil {
		return Config{}, err
	}
	switch p.Arch {
	case "qwen3", "qwen3moe", "qwen3vl", "qwen3vlmoe":
	default:
		return Config{}, fmt.Errorf("%w: %q (want qwen3, qwen3moe, qwen3vl or qwen3vlmoe)", ErrUnsupportedArch, p.Arch)
	}
	if p.ValueLength != p.KeyLength {
		return Config{}, fmt.Errorf("qwen3: key length %d differs from value length %d", p.KeyLength, p.ValueLength)
	}
	c := Config{
		Arch:          p.Arch,
		HiddenSize:    p.EmbeddingLength,
		Layers:        p.BlockCount,
		Heads:         p.HeadCount,
		KVHeads:       p.HeadCountKV,
		HeadDim:       p.KeyLength,
		FFNSize:       p.FeedForwardLength,
		Experts:       p.ExpertCount,
		ExpertsUsed:   p.ExpertUsedCount,
		ExpertFFNSize: p.ExpertFeedForwardLength,
		// llama.cpp hard-wires the renormalisation for qwen3moe (spec §1.5); Qwen3-VL-MoE always does it.
		NormTopKProb:  p.ExpertCount > 0,
		RMSNormEps:    p.RMSNormEps,
		ContextLength: p.ContextLength,
		Rope: kernels.Rope{
			Dim:     p.KeyLength,
			Base:    p.RopeFreqBase,
			Scaling: p.RopeScalingType,
			Factor:  p.RopeScaleFactor,
			OrigCtx: p.RopeOrigContext,
		},
	}
	if c.RMSNormEps == 0 {
		c.RMSNormEps = 1e-6
	}
	if c.Rope.Factor == 0 {
		c.Rope.Factor = 1
	}
	if c.MoE() && c.ExpertFFNSize == 0 {
		c.ExpertFFNSize = c.FFNSize
	}
	return c, nil
}
