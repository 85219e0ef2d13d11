package gguf

import (
	"fmt"
	"math"
)

// LLMParams are the text-model hyperparameters stored under "<arch>.*". Optional values are zero when absent.
type LLMParams struct {
	Arch                          string
	ContextLength                 int
	EmbeddingLength               int
	BlockCount                    int
	FeedForwardLength             int
	HeadCount                     int
	HeadCountKV                   int // defaults to HeadCount
	KeyLength                     int // defaults to EmbeddingLength / HeadCount
	ValueLength                   int // defaults to EmbeddingLength / HeadCount
	ExpertCount                   int
	ExpertUsedCount               int
	ExpertFeedForwardLength       int
	ExpertSharedFeedForwardLength int
	DeepstackLayers               int // qwen3vl: number of DeepStack visual feature slices added to the first layers
	RopeOrigContext               int // rope.scaling.original_context_length (YaRN)
	RopeFreqBase                  float64
	RMSNormEps                    float64
	RopeScaleFactor               float64
	RopeScalingType               string
	RopeDimSections               []int // qwen3vl: MRoPE sections (t, h, w, unused) in rotary pairs
	ExpertWeightsNorm             bool
}

// HeadDim returns the attention head dimension (KeyLength).
func (p LLMParams) HeadDim() int { return p.KeyLength }

// Architectures the typed reader knows; qwen2 and llama share the key layout and are read the same way.
var llmArchs = map[string]bool{"qwen3": true, "qwen3moe": true, "qwen3vl": true, "qwen3vlmoe": true, "qwen2": true, "qwen2moe": true, "llama": true}

// optional helpers: absent keys leave the destination unchanged, present keys of the wrong type are errors.

func (f *File) optInt(key string, dst *int) error {
	if _, ok := f.Get(key); !ok {
		return nil
	}
	u, err := f.Uint(key)
	if err != nil {
		return err
	}
	if u > math.MaxInt32 {
		return f.keyErr(key, "value %d is implausibly large", u)
	}
	*dst = int(u)
	return nil
}

func (f *File) optFloat(key string, dst *float64) error {
	if _, ok := f.Get(key); !ok {
		return nil
	}
	v, err := f.Float(key)
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

func (f *File) optString(key string, dst *string) error {
	if _, ok := f.Get(key); !ok {
		return nil
	}
	v, err := f.String(key)
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

func (f *File) optBool(key string, dst *bool) error {
	if _, ok := f.Get(key); !ok {
		return nil
	}
	v, err := f.Bool(key)
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

func (f *File) reqInt(key string, dst *int) error {
	if _, ok := f.Get(key); !ok {
		return f.keyErr(key, "missing (required)")
	}
	return f.optInt(key, dst)
}

// LLM reads the text-model hyperparameters. embedding_length, block_count and attention.head_count are required.
func (f *File) LLM() (LLMParams, error) {
	var p LLMParams
	arch, err := f.String("general.architecture")
	if err != nil {
		return p, err
	}
	if !llmArchs[arch] {
		return p, fmt.Errorf("gguf: %s: architecture %q is not a supported language model (want qwen3, qwen3moe, qwen3vl or qwen3vlmoe)", f.path, arch)
	}
	p.Arch = arch
	p.RopeFreqBase = 10000 // llama.cpp's default when the key is absent
	k := func(s string) string { return arch + "." + s }
	steps := []error{
		f.reqInt(k("embedding_length"), &p.EmbeddingLength),
		f.reqInt(k("block_count"), &p.BlockCount),
		f.reqInt(k("attention.head_count"), &p.HeadCount),
		f.optInt(k("context_length"), &p.ContextLength),
		f.optInt(k("feed_forward_length"), &p.FeedForwardLength),
		f.optInt(k("attention.head_count_kv"), &p.HeadCountKV),
		f.optInt(k("attention.key_length"), &p.KeyLength),
		f.optInt(k("attention.value_length"), &p.ValueLength),
		f.optInt(k("expert_count"), &p.ExpertCount),
		f.optInt(k("expert_used_count"), &p.ExpertUsedCount),
		f.optInt(k("expert_feed_forward_length"), &p.ExpertFeedForwardLength),
		f.optInt(k("expert_shared_feed_forward_length"), &p.ExpertSharedFeedForwardLength),
		f.optInt(k("n_deepstack_layers"), &p.DeepstackLayers),
		f.optInt(k("rope.scaling.original_context_length"), &p.RopeOrigContext),
		f.optFloat(k("rope.freq_base"), &p.RopeFreqBase),
		f.optFloat(k("attention.layer_norm_rms_epsilon"), &p.RMSNormEps),
		f.optFloat(k("rope.scaling.factor"), &p.RopeScaleFactor),
		f.optString(k("rope.scaling.type"), &p.RopeScalingType),
		f.optBool(k("expert_weights_norm"), &p.ExpertWeightsNorm),
	}
	for _, err := range steps {
		if err != nil {
			return LLMParams{}, err
		}
	}
	if _, ok := f.Get(k("rope.dimension_sections")); ok {
		secs, err := f.Ints(k("rope.dimension_sections"))
		if err != nil {
			return LLMParams{}, err
		}
		p.RopeDimSections = make([]int, len(secs))
		for i, s := range secs {
			if s < 0 || s > math.MaxInt32 {
				return LLMParams{}, f.keyErr(k("rope.dimension_sections"), "section %d is %d", i, s)
			}
			p.RopeDimSections[i] = int(s)
		}
	}
	if p.EmbeddingLength == 0 || p.BlockCount == 0 || p.HeadCount == 0 {
		return LLMParams{}, fmt.Errorf("gguf: %s: %s: embedding_length, block_count and head_count must be positive (got %d, %d, %d)",
			f.path, arch, p.EmbeddingLength, p.BlockCount, p.HeadCount)
	}
	if p.HeadCountKV == 0 {
		p.HeadCountKV = p.HeadCount
	}
	if p.HeadCount%p.HeadCountKV != 0 {
		return LLMParams{}, fmt.Errorf("gguf: %s: head_count %d is not a multiple of head_count_kv %d", f.path, p.HeadCount, p.HeadCountKV)
	}
	if p.KeyLength == 0 {
		p.KeyLength = p.EmbeddingLength / p.HeadCount
	}
	if p.ValueLength == 0 {
		p.ValueLength = p.EmbeddingLength / p.HeadCount
	}
	return p, nil
}

// TokenizerParams is the tokenizer stored in a GGUF file (tokenizer.ggml.* and tokenizer.chat_template).
type TokenizerParams struct {
	Model, Pre    string // "gpt2" / "qwen2" for Qwen3
	Tokens        []string
	Merges        []string
	TokenTypes    []int32 // 1 normal, 3 control, 4 user-defined; nil when absent
	BOS, EOS, PAD int64   // -1 when absent
	AddBOS        bool
	ChatTemplate  string
}

// TokenizerParams reads the embedded tokenizer. tokenizer.ggml.model and tokenizer.ggml.tokens are required.
func (f *File) TokenizerParams() (TokenizerParams, error) {
	p := TokenizerParams{BOS: -1, EOS: -1, PAD: -1}
	var err error
	if p.Model, err = f.String("tokenizer.ggml.model"); err != nil {
		return TokenizerParams{}, fmt.Errorf("%w (the file has no embedded tokenizer)", err)
	}
	if p.Tokens, err = f.Strings("tokenizer.ggml.tokens"); err != nil {
		return TokenizerParams{}, err
	}
	if err := f.optString("tokenizer.ggml.pre", &p.Pre); err != nil {
		return TokenizerParams{}, err
	}
	if _, ok := f.Get("tokenizer.ggml.merges"); ok {
		if p.Merges, err = f.Strings("tokenizer.ggml.merges"); err != nil {
			return TokenizerParams{}, err
		}
	}
	if _, ok := f.Get("tokenizer.ggml.token_type"); ok {
		tt, err := f.Ints("tokenizer.ggml.token_type")
		if err != nil {
			return TokenizerParams{}, err
		}
		if len(tt) != len(p.Tokens) {
			return TokenizerParams{}, f.keyErr("tokenizer.ggml.token_type", "has %d entries for %d tokens", len(tt), len(p.Tokens))
		}
		p.TokenTypes = make([]int32, len(tt))
		for i, v := range tt {
			p.TokenTypes[i] = int32(v)
		}
	}
	for _, id := range []struct {
		key string
		dst *int64
	}{{"tokenizer.ggml.bos_token_id", &p.BOS}, {"tokenizer.ggml.eos_token_id", &p.EOS}, {"tokenizer.ggml.padding_token_id", &p.PAD}} {
		if _, ok := f.Get(id.key); !ok {
			continue
		}
		u, err := f.Uint(id.key)
		if err != nil {
			return TokenizerParams{}, err
		}
		if u >= uint64(len(p.Tokens)) {
			return TokenizerParams{}, f.keyErr(id.key, "token id %d is outside the vocabulary of %d tokens", u, len(p.Tokens))
		}
		*id.dst = int64(u)
	}
	if err := f.optBool("tokenizer.ggml.add_bos_token", &p.AddBOS); err != nil {
		return TokenizerParams{}, err
	}
	if err := f.optString("tokenizer.chat_template", &p.ChatTemplate); err != nil {
		return TokenizerParams{}, err
	}
	return p, nil
}

// CLIPParams are the vision-encoder hyperparameters of an mmproj file (general.architecture = "clip").
type CLIPParams struct {
	ProjectorType     string // "qwen3vl_merger" for Qwen3-VL
	HasVisionEncoder  bool
	UseGELU, UseSILU  bool
	ImageSize         int // clip.vision.image_size
	PatchSize         int
	EmbeddingLength   int // vision width Dv
	FeedForwardLength int
	ProjectionDim     int // text-model width D the merger projects to
	BlockCount        int
	HeadCount         int
	SpatialMergeSize  int
	LayerNormEps      float64
	ImageMean         []float32
	ImageStd          []float32
	DeepstackLayers   []bool // clip.vision.is_deepstack_layers: true at vision blocks whose output feeds DeepStack
}

// DeepstackIndexes returns the vision block indexes flagged in DeepstackLayers, in order.
func (p CLIPParams) DeepstackIndexes() []int {
	var idx []int
	for i, b := range p.DeepstackLayers {
		if b {
			idx = append(idx, i)
		}
	}
	return idx
}

// CLIP reads the clip.* keys of an mmproj file.
func (f *File) CLIP() (CLIPParams, error) {
	var p CLIPParams
	if arch := f.Architecture(); arch != "clip" {
		return p, fmt.Errorf("gguf: %s: general.architecture is %q, want \"clip\" (not an mmproj file)", f.path, arch)
	}
	const v = "clip.vision."
	steps := []error{
		f.optString("clip.projector_type", &p.ProjectorType),
		f.optBool("clip.has_vision_encoder", &p.HasVisionEncoder),
		f.optBool("clip.use_gelu", &p.UseGELU),
		f.optBool("clip.use_silu", &p.UseSILU),
		f.reqInt(v+"image_size", &p.ImageSize),
		f.reqInt(v+"patch_size", &p.PatchSize),
		f.reqInt(v+"embedding_length", &p.EmbeddingLength),
		f.reqInt(v+"feed_forward_length", &p.FeedForwardLength),
		f.reqInt(v+"block_count", &p.BlockCount),
		f.reqInt(v+"attention.head_count", &p.HeadCount),
		f.optInt(v+"projection_dim", &p.ProjectionDim),
		f.optInt(v+"spatial_merge_size", &p.SpatialMergeSize),
		f.optFloat(v+"attention.layer_norm_epsilon", &p.LayerNormEps),
	}
	for _, err := range steps {
		if err != nil {
			return CLIPParams{}, err
		}
	}
	var err error
	if _, ok := f.Get(v + "image_mean"); ok {
		if p.ImageMean, err = f.Floats(v + "image_mean"); err != nil {
			return CLIPParams{}, err
		}
	}
	if _, ok := f.Get(v + "image_std"); ok {
		if p.ImageStd, err = f.Floats(v + "image_std"); err != nil {
			return CLIPParams{}, err
		}
	}
	if _, ok := f.Get(v + "is_deepstack_layers"); ok {
		if p.DeepstackLayers, err = f.Bools(v + "is_deepstack_layers"); err != nil {
			return CLIPParams{}, err
		}
		if len(p.DeepstackLayers) != p.BlockCount {
			return CLIPParams{}, f.keyErr(v+"is_deepstack_layers", "has %d entries for %d vision blocks", len(p.DeepstackLayers), p.BlockCount)
		}
	}
	if p.PatchSize == 0 || p.HeadCount == 0 || p.EmbeddingLength%p.HeadCount != 0 {
		return CLIPParams{}, fmt.Errorf("gguf: %s: clip: invalid vision geometry (patch_size %d, embedding_length %d, head_count %d)",
			f.path, p.PatchSize, p.EmbeddingLength, p.HeadCount)
	}
	return p, nil
}
