package safetensors

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrUnsupportedModel is returned by LoadConfig for a model_type outside the Qwen3 family.
var ErrUnsupportedModel = errors.New("unsupported model type")

// Model types of config.json (top level) that LoadConfig understands.
const (
	ModelQwen3      = "qwen3"
	ModelQwen3MoE   = "qwen3_moe"
	ModelQwen3VL    = "qwen3_vl"
	ModelQwen3VLMoE = "qwen3_vl_moe"
)

// Config is a parsed config.json of a Qwen3, Qwen3-MoE, Qwen3-VL or Qwen3-VL-MoE model.
type Config struct {
	ModelType         string   // top-level model_type (one of the Model* constants)
	Architectures     []string // e.g. ["Qwen3ForCausalLM"]
	DType             string   // torch_dtype (transformers 4.x) or dtype (5.x): "bfloat16", ...
	TieWordEmbeddings bool     // true: no lm_head.weight, the output projection reuses embed_tokens

	Text   TextConfig    // the language model (the whole model for text-only types)
	Vision *VisionConfig // nil for text-only models

	// Qwen3-VL token ids (-1 when absent).
	ImageTokenID, VideoTokenID, VisionStartTokenID, VisionEndTokenID int64
}

// TextConfig holds the language-model hyper-parameters (spec §1).
type TextConfig struct {
	ModelType             string // qwen3, qwen3_moe, qwen3_vl_text, qwen3_vl_moe_text
	VocabSize             int
	HiddenSize            int // D
	IntermediateSize      int // F of dense MLP layers (0 when absent in an all-MoE model)
	NumHiddenLayers       int // L
	NumAttentionHeads     int // H
	NumKeyValueHeads      int // Hkv (defaults to H)
	HeadDim               int // d: read from the config, never derived when present
	HeadDimDefaulted      bool
	MaxPositionEmbeddings int
	RMSNormEps            float64
	HiddenAct             string
	AttentionBias         bool
	Rope                  Rope
	BOSTokenID            int64   // -1 when absent
	EOSTokenIDs           []int64 // eos_token_id as a list (it may be an int or a list in the file)

	// Mixture of experts (zero for dense models).
	NumExperts          int
	NumExpertsPerTok    int
	MoEIntermediateSize int
	DecoderSparseStep   int
	NormTopKProb        bool // renormalise the top-k router weights (always true for Qwen3-VL-MoE)
	MLPOnlyLayers       []int
}

// Rope holds the rotary-embedding parameters from either rope_theta + rope_scaling (transformers 4.x) or
// rope_parameters (5.x).
type Rope struct {
	Theta                         float64
	Type                          string  // "default", "yarn", "linear", "dynamic", ...
	Factor                        float64 // 0 when absent
	OriginalMaxPositionEmbeddings int     // 0 when absent
	AttentionFactor               float64 // yarn; 0 when absent
	BetaFast, BetaSlow            float64 // yarn; 0 when absent
	MRoPESection                  []int   // Qwen3-VL: rotary pairs per axis (T, H, W), e.g. [24, 20, 20]
	MRoPEInterleaved              bool
}

// VisionConfig holds the Qwen3-VL vision tower hyper-parameters (spec §1.4).
type VisionConfig struct {
	ModelType              string
	Depth                  int
	HiddenSize             int // Dv
	IntermediateSize       int // Fv
	NumHeads               int
	InChannels             int
	PatchSize              int
	TemporalPatchSize      int
	SpatialMergeSize       int
	OutHiddenSize          int // D of the language model
	NumPositionEmbeddings  int
	HiddenAct              string
	DeepstackVisualIndexes []int
}

// IsMoE reports whether the language model has experts.
func (c *Config) IsMoE() bool { return c.Text.NumExperts > 0 }

// IsVL reports whether the model has a vision tower.
func (c *Config) IsVL() bool { return c.Vision != nil }

// IsMoELayer reports whether decoder layer l uses the sparse MoE block (spec §1.5): l is not in mlp_only_layers,
// the model has experts, and (l+1) is a multiple of decoder_sparse_step.
func (t *TextConfig) IsMoELayer(l int) bool {
	if t.NumExperts <= 0 || t.DecoderSparseStep <= 0 {
		return false
	}
	for _, m := range t.MLPOnlyLayers {
		if m == l {
			return false
		}
	}
	return (l+1)%t.DecoderSparseStep == 0
}

// LoadConfig reads dir/config.json.
func LoadConfig(dir string) (*Config, error) {
	p := filepath.Join(dir, "config.json")
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	c, err := ParseConfig(b)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %s: %w", p, err)
	}
	return c, nil
}

// ParseConfig parses the contents of a config.json.
func ParseConfig(data []byte) (*Config, error) {
	top, err := parseObject("", data)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c := &Config{
		ModelType:          top.str("model_type", ""),
		Architectures:      top.strings("architectures"),
		ImageTokenID:       top.integer("image_token_id", -1),
		VideoTokenID:       top.integer("video_token_id", -1),
		VisionStartTokenID: top.integer("vision_start_token_id", -1),
		VisionEndTokenID:   top.integer("vision_end_token_id", -1),
	}
	c.DType = top.str("torch_dtype", top.str("dtype", ""))
	if top.err != nil {
		return nil, fmt.Errorf("config: %w", top.err)
	}

	text := top
	switch c.ModelType {
	case ModelQwen3, ModelQwen3MoE:
	case ModelQwen3VL, ModelQwen3VLMoE:
		text = top.sub("text_config")
		vis := top.sub("vision_config")
		if top.err != nil {
			return nil, fmt.Errorf("config: %w", top.err)
		}
		if text == nil || vis == nil {
			return nil, fmt.Errorf("config: %s needs text_config and vision_config", c.ModelType)
		}
		if c.Vision, err = parseVision(vis); err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if c.DType == "" {
			c.DType = text.str("torch_dtype", text.str("dtype", ""))
		}
	case "":
		return nil, fmt.Errorf("config: model_type missing: %w", ErrUnsupportedModel)
	default:
		return nil, fmt.Errorf("config: model_type %q: %w", c.ModelType, ErrUnsupportedModel)
	}
	if c.Text, err = parseText(text, c.ModelType); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	// The top level governs tying for VL models (the text_config copy may be stale); text-only configs have
	// only the one flag. transformers' default is false for every Qwen3 class.
	c.TieWordEmbeddings = text.boolean("tie_word_embeddings", false)
	if text != top {
		c.TieWordEmbeddings = top.boolean("tie_word_embeddings", c.TieWordEmbeddings)
	}
	if err := errors.Join(top.err, text.err); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if c.IsVL() && c.Vision.OutHiddenSize != 0 && c.Vision.OutHiddenSize != c.Text.HiddenSize {
		return nil, fmt.Errorf("config: vision_config.out_hidden_size %d != text hidden_size %d",
			c.Vision.OutHiddenSize, c.Text.HiddenSize)
	}
	return c, nil
}

// maxDim bounds every size so that products of a few of them cannot overflow an int64.
const maxDim = 1 << 24

func parseText(o *object, topType string) (TextConfig, error) {
	t := TextConfig{
		ModelType:             o.str("model_type", topType),
		VocabSize:             int(o.integer("vocab_size", 0)),
		HiddenSize:            int(o.integer("hidden_size", 0)),
		IntermediateSize:      int(o.integer("intermediate_size", 0)),
		NumHiddenLayers:       int(o.integer("num_hidden_layers", 0)),
		NumAttentionHeads:     int(o.integer("num_attention_heads", 0)),
		MaxPositionEmbeddings: int(o.integer("max_position_embeddings", 32768)),
		RMSNormEps:            o.float("rms_norm_eps", 1e-6),
		HiddenAct:             o.str("hidden_act", "silu"),
		AttentionBias:         o.boolean("attention_bias", false),
		BOSTokenID:            o.integer("bos_token_id", -1),
		EOSTokenIDs:           o.integers("eos_token_id", true),
		NumExperts:            int(o.integer("num_experts", 0)),
		NumExpertsPerTok:      int(o.integer("num_experts_per_tok", 0)),
		MoEIntermediateSize:   int(o.integer("moe_intermediate_size", 0)),
		DecoderSparseStep:     int(o.integer("decoder_sparse_step", 1)),
		NormTopKProb:          o.boolean("norm_topk_prob", false),
		MLPOnlyLayers:         toInts(o.integers("mlp_only_layers", false)),
	}
	t.NumKeyValueHeads = int(o.integer("num_key_value_heads", int64(t.NumAttentionHeads)))
	if o.has("head_dim") {
		t.HeadDim = int(o.integer("head_dim", 0))
	} else {
		// transformers' class defaults: Qwen3Config and the Qwen3-VL text configs declare head_dim=128;
		// Qwen3MoeConfig has no such field and its model falls back to hidden_size / num_attention_heads.
		t.HeadDimDefaulted = true
		t.HeadDim = 128
		if topType == ModelQwen3MoE && t.NumAttentionHeads > 0 {
			t.HeadDim = t.HiddenSize / t.NumAttentionHeads
		}
	}
	if topType == ModelQwen3VLMoE {
		t.NormTopKProb = true // Qwen3-VL-MoE always renormalises (spec §1.5)
	}
	t.Rope = parseRope(o)
	if o.err != nil {
		return t, o.err
	}
	p := o.path
	pos := func(name string, v int) error {
		if v <= 0 || v > maxDim {
			return fmt.Errorf("%s%s = %d: must be in 1..%d", p, name, v, maxDim)
		}
		return nil
	}
	for _, chk := range []struct {
		name string
		v    int
	}{
		{"vocab_size", t.VocabSize}, {"hidden_size", t.HiddenSize}, {"num_hidden_layers", t.NumHiddenLayers},
		{"num_attention_heads", t.NumAttentionHeads}, {"num_key_value_heads", t.NumKeyValueHeads},
		{"head_dim", t.HeadDim}, {"max_position_embeddings", t.MaxPositionEmbeddings},
	} {
		if err := pos(chk.name, chk.v); err != nil {
			return t, err
		}
	}
	if t.NumAttentionHeads%t.NumKeyValueHeads != 0 {
		return t, fmt.Errorf("%snum_attention_heads %d is not a multiple of num_key_value_heads %d",
			p, t.NumAttentionHeads, t.NumKeyValueHeads)
	}
	if !(t.RMSNormEps > 0 && t.RMSNormEps < 1) {
		return t, fmt.Errorf("%srms_norm_eps = %g: must be in (0, 1)", p, t.RMSNormEps)
	}
	if !(t.Rope.Theta > 0) {
		return t, fmt.Errorf("%srope_theta = %g: must be positive", p, t.Rope.Theta)
	}
	if t.NumExperts < 0 {
		return t, fmt.Errorf("%snum_experts = %d: must not be negative", p, t.NumExperts)
	}
	anyDense := false
	for l := 0; l < t.NumHiddenLayers; l++ {
		if !t.IsMoELayer(l) {
			anyDense = true
			break
		}
	}
	if t.NumExperts > 0 {
		if err := pos("num_experts", t.NumExperts); err != nil {
			return t, err
		}
		if err := pos("moe_intermediate_size", t.MoEIntermediateSize); err != nil {
			return t, err
		}
		if t.NumExpertsPerTok <= 0 || t.NumExpertsPerTok > t.NumExperts {
			return t, fmt.Errorf("%snum_experts_per_tok = %d: must be in 1..num_experts (%d)", p, t.NumExpertsPerTok, t.NumExperts)
		}
		if t.DecoderSparseStep <= 0 {
			return t, fmt.Errorf("%sdecoder_sparse_step = %d: must be positive", p, t.DecoderSparseStep)
		}
	}
	if anyDense {
		if err := pos("intermediate_size", t.IntermediateSize); err != nil {
			return t, err
		}
	}
	if s := t.Rope.MRoPESection; len(s) > 0 {
		sum := 0
		for _, v := range s {
			if v < 0 {
				return t, fmt.Errorf("%smrope_section %v: negative entry", p, s)
			}
			sum += v
		}
		if sum > t.HeadDim/2 {
			return t, fmt.Errorf("%smrope_section %v covers %d rotary pairs, head_dim %d has %d", p, s, sum, t.HeadDim, t.HeadDim/2)
		}
	}
	return t, nil
}

// parseRope accepts rope_parameters (transformers 5.x, possibly keyed by layer type) or rope_theta +
// rope_scaling (4.x; "type" is the older spelling of "rope_type").
func parseRope(o *object) Rope {
	r := Rope{Type: "default"}
	params := o.sub("rope_parameters")
	if params != nil {
		if full := params.sub("full_attention"); full != nil {
			params = full
		}
		if params.err != nil {
			o.err = errors.Join(o.err, params.err)
		}
	}
	theta := o.float("rope_theta", 10000) // transformers' default when the key is missing
	scaling := params
	if scaling == nil {
		scaling = o.sub("rope_scaling")
	} else {
		theta = params.float("rope_theta", theta)
	}
	r.Theta = theta
	if scaling != nil {
		r.Type = scaling.str("rope_type", scaling.str("type", "default"))
		r.Factor = scaling.float("factor", 0)
		r.OriginalMaxPositionEmbeddings = int(scaling.integer("original_max_position_embeddings", 0))
		r.AttentionFactor = scaling.float("attention_factor", 0)
		r.BetaFast = scaling.float("beta_fast", 0)
		r.BetaSlow = scaling.float("beta_slow", 0)
		r.MRoPESection = toInts(scaling.integers("mrope_section", false))
		r.MRoPEInterleaved = scaling.boolean("mrope_interleaved", false)
		if scaling.err != nil && o.err == nil {
			o.err = scaling.err
		}
	}
	return r
}

func parseVision(o *object) (*VisionConfig, error) {
	v := &VisionConfig{
		ModelType:              o.str("model_type", ""),
		Depth:                  int(o.integer("depth", 0)),
		HiddenSize:             int(o.integer("hidden_size", 0)),
		IntermediateSize:       int(o.integer("intermediate_size", 0)),
		NumHeads:               int(o.integer("num_heads", 0)),
		InChannels:             int(o.integer("in_channels", 3)),
		PatchSize:              int(o.integer("patch_size", 16)),
		TemporalPatchSize:      int(o.integer("temporal_patch_size", 2)),
		SpatialMergeSize:       int(o.integer("spatial_merge_size", 2)),
		OutHiddenSize:          int(o.integer("out_hidden_size", 0)),
		NumPositionEmbeddings:  int(o.integer("num_position_embeddings", 2304)),
		HiddenAct:              o.str("hidden_act", "gelu_pytorch_tanh"),
		DeepstackVisualIndexes: toInts(o.integers("deepstack_visual_indexes", false)),
	}
	if o.err != nil {
		return nil, o.err
	}
	for _, chk := range []struct {
		name string
		v    int
	}{
		{"depth", v.Depth}, {"hidden_size", v.HiddenSize}, {"intermediate_size", v.IntermediateSize},
		{"num_heads", v.NumHeads}, {"in_channels", v.InChannels}, {"patch_size", v.PatchSize},
		{"temporal_patch_size", v.TemporalPatchSize}, {"spatial_merge_size", v.SpatialMergeSize},
		{"num_position_embeddings", v.NumPositionEmbeddings},
	} {
		if chk.v <= 0 || chk.v > maxDim {
			return nil, fmt.Errorf("%s%s = %d: must be in 1..%d", o.path, chk.name, chk.v, maxDim)
		}
	}
	if v.HiddenSize%v.NumHeads != 0 {
		return nil, fmt.Errorf("%shidden_size %d is not a multiple of num_heads %d", o.path, v.HiddenSize, v.NumHeads)
	}
	for _, d := range v.DeepstackVisualIndexes {
		if d < 0 || d >= v.Depth {
			return nil, fmt.Errorf("%sdeepstack_visual_indexes %v: index %d outside 0..%d", o.path, v.DeepstackVisualIndexes, d, v.Depth-1)
		}
	}
	return v, nil
}
