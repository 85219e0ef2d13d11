package safetensors

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The config.json of Qwen3-0.6B as published (transformers 4.51 spelling).
const qwen3Config = `{
  "architectures": ["Qwen3ForCausalLM"],
  "attention_bias": false,
  "attention_dropout": 0.0,
  "bos_token_id": 151643,
  "eos_token_id": 151645,
  "head_dim": 128,
  "hidden_act": "silu",
  "hidden_size": 1024,
  "initializer_range": 0.02,
  "intermediate_size": 3072,
  "max_position_embeddings": 40960,
  "max_window_layers": 28,
  "model_type": "qwen3",
  "num_attention_heads": 16,
  "num_hidden_layers": 28,
  "num_key_value_heads": 8,
  "rms_norm_eps": 1e-06,
  "rope_scaling": null,
  "rope_theta": 1000000,
  "sliding_window": null,
  "tie_word_embeddings": true,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.51.0",
  "use_cache": true,
  "use_sliding_window": false,
  "vocab_size": 151936
}`

const qwen3MoEConfig = `{
  "architectures": ["Qwen3MoeForCausalLM"],
  "attention_bias": false,
  "bos_token_id": 151643,
  "decoder_sparse_step": 1,
  "eos_token_id": 151645,
  "head_dim": 128,
  "hidden_act": "silu",
  "hidden_size": 2048,
  "intermediate_size": 6144,
  "max_position_embeddings": 40960,
  "mlp_only_layers": [],
  "model_type": "qwen3_moe",
  "moe_intermediate_size": 768,
  "norm_topk_prob": true,
  "num_attention_heads": 32,
  "num_experts": 128,
  "num_experts_per_tok": 8,
  "num_hidden_layers": 48,
  "num_key_value_heads": 4,
  "rms_norm_eps": 1e-06,
  "rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768},
  "rope_theta": 1000000.0,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "vocab_size": 151936
}`

const qwen3VLConfig = `{
  "architectures": ["Qwen3VLForConditionalGeneration"],
  "image_token_id": 151655,
  "model_type": "qwen3_vl",
  "text_config": {
    "attention_bias": false,
    "bos_token_id": 151643,
    "dtype": "bfloat16",
    "eos_token_id": 151645,
    "head_dim": 128,
    "hidden_act": "silu",
    "hidden_size": 2048,
    "intermediate_size": 6144,
    "max_position_embeddings": 262144,
    "model_type": "qwen3_vl_text",
    "num_attention_heads": 16,
    "num_hidden_layers": 28,
    "num_key_value_heads": 8,
    "rms_norm_eps": 1e-06,
    "rope_scaling": {"mrope_interleaved": true, "mrope_section": [24, 20, 20], "rope_type": "default"},
    "rope_theta": 5000000,
    "tie_word_embeddings": true,
    "vocab_size": 151936
  },
  "tie_word_embeddings": true,
  "video_token_id": 151656,
  "vision_config": {
    "deepstack_visual_indexes": [5, 11, 17],
    "depth": 24,
    "hidden_act": "gelu_pytorch_tanh",
    "hidden_size": 1024,
    "in_channels": 3,
    "intermediate_size": 4096,
    "model_type": "qwen3_vl",
    "num_heads": 16,
    "num_position_embeddings": 2304,
    "out_hidden_size": 2048,
    "patch_size": 16,
    "spatial_merge_size": 2,
    "temporal_patch_size": 2
  },
  "vision_end_token_id": 151653,
  "vision_start_token_id": 151652
}`

func TestParseConfigQwen3(t *testing.T) {
	c, err := ParseConfig([]byte(qwen3Config))
	if err != nil {
		t.Fatal(err)
	}
	tc := c.Text
	got := fmt.Sprintln(tc.VocabSize, tc.HiddenSize, tc.NumHiddenLayers, tc.NumAttentionHeads, tc.NumKeyValueHeads,
		tc.HeadDim, tc.IntermediateSize, tc.MaxPositionEmbeddings, tc.RMSNormEps, tc.Rope.Theta, tc.Rope.Type)
	if want := "151936 1024 28 16 8 128 3072 40960 1e-06 1e+06 default\n"; got != want {
		t.Errorf("dims = %s, want %s", got, want)
	}
	if !c.TieWordEmbeddings || c.IsMoE() || c.IsVL() || c.DType != "bfloat16" || tc.HeadDimDefaulted {
		t.Errorf("flags: tie=%v moe=%v vl=%v dtype=%q", c.TieWordEmbeddings, c.IsMoE(), c.IsVL(), c.DType)
	}
	if tc.BOSTokenID != 151643 || fmt.Sprint(tc.EOSTokenIDs) != "[151645]" {
		t.Errorf("bos %d eos %v", tc.BOSTokenID, tc.EOSTokenIDs)
	}
	if tc.IsMoELayer(0) {
		t.Error("dense layer reported as MoE")
	}
}

func TestParseConfigQwen3MoE(t *testing.T) {
	c, err := ParseConfig([]byte(qwen3MoEConfig))
	if err != nil {
		t.Fatal(err)
	}
	tc := c.Text
	if !c.IsMoE() || tc.NumExperts != 128 || tc.NumExpertsPerTok != 8 || tc.MoEIntermediateSize != 768 || !tc.NormTopKProb || c.TieWordEmbeddings {
		t.Errorf("moe fields: %+v", tc)
	}
	for l := 0; l < tc.NumHiddenLayers; l++ {
		if !tc.IsMoELayer(l) {
			t.Errorf("layer %d not MoE", l)
		}
	}
	r := tc.Rope
	if r.Type != "yarn" || r.Factor != 4 || r.OriginalMaxPositionEmbeddings != 32768 || r.Theta != 1e6 {
		t.Errorf("rope %+v", r)
	}
}

func TestParseConfigQwen3VL(t *testing.T) {
	c, err := ParseConfig([]byte(qwen3VLConfig))
	if err != nil {
		t.Fatal(err)
	}
	if !c.IsVL() || c.IsMoE() || c.Text.ModelType != "qwen3_vl_text" || c.Text.HiddenSize != 2048 || c.DType != "bfloat16" {
		t.Fatalf("text %+v", c.Text)
	}
	r := c.Text.Rope
	if r.Theta != 5e6 || !r.MRoPEInterleaved || fmt.Sprint(r.MRoPESection) != "[24 20 20]" {
		t.Errorf("rope %+v", r)
	}
	v := c.Vision
	if v.Depth != 24 || v.HiddenSize != 1024 || v.IntermediateSize != 4096 || v.NumHeads != 16 || v.OutHiddenSize != 2048 ||
		fmt.Sprint(v.DeepstackVisualIndexes) != "[5 11 17]" || v.PatchSize != 16 || v.TemporalPatchSize != 2 || v.SpatialMergeSize != 2 {
		t.Errorf("vision %+v", v)
	}
	if c.ImageTokenID != 151655 || c.VideoTokenID != 151656 || c.VisionStartTokenID != 151652 || c.VisionEndTokenID != 151653 {
		t.Errorf("vl ids %d %d %d %d", c.ImageTokenID, c.VideoTokenID, c.VisionStartTokenID, c.VisionEndTokenID)
	}
	if !c.TieWordEmbeddings {
		t.Error("tie_word_embeddings lost")
	}
}

// transformers 5.x writes rope_parameters instead of rope_theta/rope_scaling, and dtype instead of torch_dtype.
func TestParseConfigRopeParameters(t *testing.T) {
	js := strings.NewReplacer(
		`"rope_scaling": {"mrope_interleaved": true, "mrope_section": [24, 20, 20], "rope_type": "default"},`,
		`"rope_parameters": {"mrope_interleaved": true, "mrope_section": [24, 20, 20], "rope_type": "default", "rope_theta": 5000000.0},`,
		`"rope_theta": 5000000,`, ``,
		`"model_type": "qwen3_vl",
  "text_config"`, `"model_type": "qwen3_vl_moe",
  "text_config"`,
		`"intermediate_size": 6144,`, `"num_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 64, "decoder_sparse_step": 2, "mlp_only_layers": [3], "intermediate_size": 6144,`,
	).Replace(qwen3VLConfig)
	c, err := ParseConfig([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Text.Rope
	if r.Theta != 5e6 || !r.MRoPEInterleaved || fmt.Sprint(r.MRoPESection) != "[24 20 20]" || r.Type != "default" {
		t.Errorf("rope %+v", r)
	}
	if !c.IsMoE() || !c.Text.NormTopKProb {
		t.Error("Qwen3-VL-MoE must renormalise top-k weights")
	}
	var moe []int
	for l := 0; l < c.Text.NumHiddenLayers; l++ {
		if c.Text.IsMoELayer(l) {
			moe = append(moe, l)
		}
	}
	// (l+1) % 2 == 0 and l != 3.
	if got := fmt.Sprint(moe[:4]); got != "[1 5 7 9]" {
		t.Errorf("MoE layers start %s", got)
	}

	// The per-layer-type form of rope_parameters.
	js2 := strings.Replace(qwen3Config, `"rope_scaling": null,`, `"rope_parameters": {"full_attention": {"rope_type": "default", "rope_theta": 250000}},`, 1)
	js2 = strings.Replace(js2, `"rope_theta": 1000000,`, ``, 1)
	c2, err := ParseConfig([]byte(js2))
	if err != nil {
		t.Fatal(err)
	}
	if c2.Text.Rope.Theta != 250000 {
		t.Errorf("theta %g", c2.Text.Rope.Theta)
	}
}

func TestParseConfigDefaults(t *testing.T) {
	// Without head_dim, Qwen3 uses the class default 128 and Qwen3-MoE hidden_size / num_attention_heads;
	// without num_key_value_heads, the head count.
	dense := `{"model_type":"qwen3","vocab_size":100,"hidden_size":64,"intermediate_size":96,"num_hidden_layers":2,"num_attention_heads":4,"rope_theta":1e6}`
	c, err := ParseConfig([]byte(dense))
	if err != nil {
		t.Fatal(err)
	}
	if c.Text.HeadDim != 128 || !c.Text.HeadDimDefaulted || c.Text.NumKeyValueHeads != 4 || c.TieWordEmbeddings || c.Text.RMSNormEps != 1e-6 {
		t.Errorf("dense defaults %+v", c.Text)
	}
	moe := `{"model_type":"qwen3_moe","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"num_experts":4,"num_experts_per_tok":2,"moe_intermediate_size":16,"eos_token_id":[1,2]}`
	c, err = ParseConfig([]byte(moe))
	if err != nil {
		t.Fatal(err)
	}
	if c.Text.HeadDim != 16 || c.Text.NormTopKProb || c.Text.Rope.Theta != 10000 || fmt.Sprint(c.Text.EOSTokenIDs) != "[1 2]" {
		t.Errorf("moe defaults %+v", c.Text)
	}
}

func TestParseConfigErrors(t *testing.T) {
	cases := []struct{ name, js, want string }{
		{"not json", `{"model_type":`, "config"},
		{"no type", `{"hidden_size":1}`, "model_type missing"},
		{"llama", `{"model_type":"llama"}`, `model_type "llama"`},
		{"string dim", strings.Replace(qwen3Config, `"hidden_size": 1024`, `"hidden_size": "1024"`, 1), "hidden_size: want an integer"},
		{"fraction", strings.Replace(qwen3Config, `"hidden_size": 1024`, `"hidden_size": 10.5`, 1), "hidden_size: want an integer"},
		{"zero heads", strings.Replace(qwen3Config, `"num_attention_heads": 16`, `"num_attention_heads": 0`, 1), "num_attention_heads = 0"},
		{"gqa", strings.Replace(qwen3Config, `"num_key_value_heads": 8`, `"num_key_value_heads": 5`, 1), "not a multiple of num_key_value_heads"},
		{"huge", strings.Replace(qwen3Config, `"vocab_size": 151936`, `"vocab_size": 1e15`, 1), "vocab_size = "},
		{"topk", strings.Replace(qwen3MoEConfig, `"num_experts_per_tok": 8`, `"num_experts_per_tok": 200`, 1), "num_experts_per_tok = 200"},
		{"no moe ffn", strings.Replace(qwen3MoEConfig, `"moe_intermediate_size": 768,`, ``, 1), "moe_intermediate_size = 0"},
		{"eps", strings.Replace(qwen3Config, `"rms_norm_eps": 1e-06`, `"rms_norm_eps": 0`, 1), "rms_norm_eps"},
		{"tie type", strings.Replace(qwen3Config, `"tie_word_embeddings": true`, `"tie_word_embeddings": "yes"`, 1), "tie_word_embeddings: want true or false"},
		{"no vision", strings.Replace(qwen3VLConfig, `"vision_config"`, `"vision_configx"`, 1), "needs text_config and vision_config"},
		{"deepstack", strings.Replace(qwen3VLConfig, `[5, 11, 17]`, `[5, 11, 24]`, 1), "deepstack_visual_indexes"},
		{"mrope", strings.Replace(qwen3VLConfig, `[24, 20, 20]`, `[24, 20, 40]`, 1), "mrope_section"},
		{"nested type", strings.Replace(qwen3VLConfig, `"num_hidden_layers": 28`, `"num_hidden_layers": true`, 1), "text_config.num_hidden_layers"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(c.js))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error mentioning %q", err, c.want)
			}
		})
	}
	if _, err := ParseConfig([]byte(`{"model_type":"gemma"}`)); !errors.Is(err, ErrUnsupportedModel) {
		t.Errorf("unsupported type: %v", err)
	}
}

func TestLoadConfigAndGenerationConfig(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadConfig(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing config: %v", err)
	}
	if _, err := LoadGenerationConfig(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing generation config: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(qwen3Config), 0o644); err != nil {
		t.Fatal(err)
	}
	gen := `{"bos_token_id": 151643, "do_sample": true, "eos_token_id": [151645, 151643], "pad_token_id": 151643,
	  "temperature": 0.6, "top_k": 20, "top_p": 0.95, "transformers_version": "4.51.0"}`
	if err := os.WriteFile(filepath.Join(dir, "generation_config.json"), []byte(gen), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(dir)
	if err != nil || c.Text.HiddenSize != 1024 {
		t.Fatalf("LoadConfig: %v", err)
	}
	g, err := LoadGenerationConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(g.EOSTokenIDs) != "[151645 151643]" || g.BOSTokenID != 151643 || g.PadTokenID != 151643 ||
		*g.Temperature != 0.6 || *g.TopK != 20 || *g.TopP != 0.95 || !*g.DoSample || g.MinP != nil || g.RepetitionPenalty != nil {
		t.Errorf("generation config %+v", g)
	}
	g, err = ParseGenerationConfig([]byte(`{"eos_token_id": 151643}`))
	if err != nil || fmt.Sprint(g.EOSTokenIDs) != "[151643]" || g.Temperature != nil || g.BOSTokenID != -1 {
		t.Errorf("single eos: %+v %v", g, err)
	}
	if _, err := ParseGenerationConfig([]byte(`{"top_k": "many"}`)); err == nil || !strings.Contains(err.Error(), "top_k") {
		t.Errorf("bad top_k: %v", err)
	}
	if _, err := ParseGenerationConfig([]byte(`{"eos_token_id": [1, "x"]}`)); err == nil {
		t.Error("bad eos list accepted")
	}
}
