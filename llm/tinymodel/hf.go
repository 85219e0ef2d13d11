package tinymodel

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/qwenstudio/qwenstudio/assets/templates"
	"github.com/qwenstudio/qwenstudio/kernels/quant"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
	"github.com/qwenstudio/qwenstudio/llm/safetensors"
)

// hfDType maps the weight type to the safetensors dtype and config.json's torch_dtype.
func hfDType(t gguf.Type) (safetensors.DType, string, error) {
	switch t {
	case gguf.TypeF32:
		return safetensors.F32, "float32", nil
	case gguf.TypeF16:
		return safetensors.F16, "float16", nil
	case gguf.TypeBF16:
		return safetensors.BF16, "bfloat16", nil
	}
	return "", "", fmt.Errorf("tinymodel: Hugging Face folders hold F32, F16 or BF16 weights, not %s", t)
}

// WriteHF generates the model described by o and writes it as a Hugging Face model folder in dir (created if
// needed): config.json, generation_config.json, model.safetensors, tokenizer.json, tokenizer_config.json.
// Every tensor, norms included, is stored in the weight type, as in Qwen's own BF16 checkpoints.
func WriteHF(ctx context.Context, dir string, o Options) error {
	o, v, err := prepare(ctx, o)
	if err != nil {
		return err
	}
	dt, torchDType, err := hfDType(o.Type)
	if err != nil {
		return err
	}
	var tensors []safetensors.Tensor
	err = generate(ctx, o, v, func(t tensorSpec, vals []float32) error {
		for _, p := range t.hf {
			n := int64(1)
			for _, d := range p.shape {
				n *= d
			}
			data, err := quant.Quantize(o.Type, vals[p.offset:p.offset+n])
			if err != nil {
				return fmt.Errorf("tinymodel: %s: %w", p.name, err)
			}
			tensors = append(tensors, safetensors.Tensor{Name: p.name, DType: dt, Shape: p.shape, Data: data})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("tinymodel: %w", err)
	}
	files := []struct {
		name  string
		value any
	}{
		{"config.json", hfConfig(o, v, torchDType)},
		{"generation_config.json", object{
			{"bos_token_id", v.BOS()}, {"do_sample", true}, {"eos_token_id", []int{v.EOS(), v.BOS()}},
			{"pad_token_id", v.BOS()}, {"temperature", 0.6}, {"top_k", 20}, {"top_p", 0.95},
			{"transformers_version", "4.51.0"},
		}},
		{"tokenizer.json", tokenizerJSON(v)},
		{"tokenizer_config.json", tokenizerConfig(v)},
	}
	for _, f := range files {
		if err := writeJSON(filepath.Join(dir, f.name), f.value); err != nil {
			return fmt.Errorf("tinymodel: %s: %w", f.name, err)
		}
	}
	return safetensors.WriteFile(filepath.Join(dir, safetensors.SingleFile), tensors, map[string]string{"format": "pt"})
}

// hfConfig is config.json as transformers writes it for Qwen3 / Qwen3-MoE (keys sorted).
func hfConfig(o Options, v *Vocab, torchDType string) object {
	arch, modelType := "Qwen3ForCausalLM", "qwen3"
	if o.Arch == ArchQwen3MoE {
		arch, modelType = "Qwen3MoeForCausalLM", "qwen3_moe"
	}
	c := object{
		{"architectures", []string{arch}},
		{"attention_bias", false},
		{"attention_dropout", 0.0},
		{"bos_token_id", v.BOS()},
	}
	if o.Arch == ArchQwen3MoE {
		c = append(c, field{"decoder_sparse_step", 1})
	}
	c = append(c,
		field{"eos_token_id", v.EOS()},
		field{"head_dim", o.HeadDim},
		field{"hidden_act", "silu"},
		field{"hidden_size", o.Embd},
		field{"initializer_range", 0.02},
		field{"intermediate_size", o.FFN},
		field{"max_position_embeddings", o.Context},
		field{"max_window_layers", o.Layers},
	)
	if o.Arch == ArchQwen3MoE {
		c = append(c, field{"mlp_only_layers", []int{}})
	}
	c = append(c, field{"model_type", modelType})
	if o.Arch == ArchQwen3MoE {
		c = append(c, field{"moe_intermediate_size", o.ExpertFFN}, field{"norm_topk_prob", true})
	}
	c = append(c, field{"num_attention_heads", o.Heads})
	if o.Arch == ArchQwen3MoE {
		c = append(c, field{"num_experts", o.Experts}, field{"num_experts_per_tok", o.ExpertsUsed})
	}
	c = append(c,
		field{"num_hidden_layers", o.Layers},
		field{"num_key_value_heads", o.KVHeads},
	)
	if o.Arch == ArchQwen3MoE {
		c = append(c, field{"output_router_logits", false})
	}
	c = append(c,
		field{"rms_norm_eps", o.RMSEps},
		field{"rope_scaling", nil},
		field{"rope_theta", o.RopeFreqBase},
	)
	if o.Arch == ArchQwen3MoE {
		c = append(c, field{"router_aux_loss_coef", 0.001})
	}
	return append(c,
		field{"sliding_window", nil},
		field{"tie_word_embeddings", !o.Untied},
		field{"torch_dtype", torchDType},
		field{"transformers_version", "4.51.0"},
		field{"use_cache", true},
		field{"use_sliding_window", false},
		field{"vocab_size", v.Rows},
	)
}

// byteLevelComponent is the ByteLevel step used by Qwen's pre-tokenizer, post-processor and decoder.
var byteLevelComponent = object{{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}}

// qwen2Split is the pre-tokenizer regex of Qwen2/Qwen3 tokenizers (spec §4.2).
const qwen2Split = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`

// tokenizerJSON is a tokenizer.json with the structure of Qwen3's (NFC, Qwen2 split + ByteLevel, BPE).
func tokenizerJSON(v *Vocab) object {
	added := make([]object, len(v.Added))
	for i, a := range v.Added {
		added[i] = object{{"id", len(v.BPE) + i}, {"content", a.Content}, {"single_word", false}, {"lstrip", false},
			{"rstrip", false}, {"normalized", false}, {"special", a.Special}}
	}
	vocab := make(object, len(v.BPE))
	for id, s := range v.BPE {
		vocab[id] = field{s, id}
	}
	merges := make([][2]string, len(v.Merges))
	copy(merges, v.Merges)
	return object{
		{"version", "1.0"},
		{"truncation", nil},
		{"padding", nil},
		{"added_tokens", added},
		{"normalizer", object{{"type", "NFC"}}},
		{"pre_tokenizer", object{{"type", "Sequence"}, {"pretokenizers", []object{
			{{"type", "Split"}, {"pattern", object{{"Regex", qwen2Split}}}, {"behavior", "Isolated"}, {"invert", false}},
			byteLevelComponent,
		}}}},
		{"post_processor", byteLevelComponent},
		{"decoder", byteLevelComponent},
		{"model", object{
			{"type", "BPE"}, {"dropout", nil}, {"unk_token", nil}, {"continuing_subword_prefix", ""},
			{"end_of_word_suffix", ""}, {"fuse_unk", false}, {"byte_fallback", false}, {"ignore_merges", false},
			{"vocab", vocab}, {"merges", merges},
		}},
	}
}

// tokenizerConfig is tokenizer_config.json as Qwen3 publishes it, with this vocabulary's ids and the real
// chat template.
func tokenizerConfig(v *Vocab) object {
	decoder := make(object, len(v.Added))
	var extra []string
	for i, a := range v.Added {
		decoder[i] = field{strconv.Itoa(len(v.BPE) + i), object{{"content", a.Content}, {"lstrip", false},
			{"normalized", false}, {"rstrip", false}, {"single_word", false}, {"special", a.Special}}}
		if a.Special && a.Content != "<|endoftext|>" {
			extra = append(extra, a.Content)
		}
	}
	return object{
		{"add_bos_token", false},
		{"add_prefix_space", false},
		{"added_tokens_decoder", decoder},
		{"additional_special_tokens", extra},
		{"bos_token", nil},
		{"chat_template", templates.Qwen3},
		{"clean_up_tokenization_spaces", false},
		{"eos_token", "<|im_end|>"},
		{"errors", "replace"},
		{"model_max_length", 131072},
		{"pad_token", "<|endoftext|>"},
		{"split_special_tokens", false},
		{"tokenizer_class", "Qwen2Tokenizer"},
		{"unk_token", nil},
	}
}
