package qwen3

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/qwenstudio/qwenstudio/kernels"
	"github.com/qwenstudio/qwenstudio/kernels/quant"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
	"github.com/qwenstudio/qwenstudio/llm/safetensors"
)

// hfLayerNames maps the GGUF name of a layer tensor (after "blk.N.") to the Hugging Face module path (after
// "layers.N."), spec §7.2. The expert stacks are assembled from per-expert tensors (expertNames).
var hfLayerNames = map[string]string{
	"attn_norm.weight":    "input_layernorm.weight",
	"attn_q.weight":       "self_attn.q_proj.weight",
	"attn_k.weight":       "self_attn.k_proj.weight",
	"attn_v.weight":       "self_attn.v_proj.weight",
	"attn_output.weight":  "self_attn.o_proj.weight",
	"attn_q_norm.weight":  "self_attn.q_norm.weight",
	"attn_k_norm.weight":  "self_attn.k_norm.weight",
	"ffn_norm.weight":     "post_attention_layernorm.weight",
	"ffn_gate.weight":     "mlp.gate_proj.weight",
	"ffn_up.weight":       "mlp.up_proj.weight",
	"ffn_down.weight":     "mlp.down_proj.weight",
	"ffn_gate_inp.weight": "mlp.gate.weight",
}

// expertNames maps a GGUF expert stack to the per-expert HF tensor ("mlp.experts.{e}.<name>").
var expertNames = map[string]string{
	"ffn_gate_exps.weight": "gate_proj.weight",
	"ffn_up_exps.weight":   "up_proj.weight",
	"ffn_down_exps.weight": "down_proj.weight",
}

// hfSource serves a Hugging Face folder under GGUF names: shapes reversed to GGML order, dtypes F32/F16/BF16
// as they are (or matrices encoded as Q8_0 with QuantizeQ8), experts stacked, the router as F32 (as
// llama.cpp's converter stores it).
type hfSource struct {
	ck       *safetensors.Checkpoint
	cfg      Config
	prefix   string // "model." or "model.language_model."
	tied     bool
	q8       bool
	experts  int
	prepared map[string]rawTensor
}

func openHF(dir string, quantizeQ8 bool) (*hfSource, error) {
	sc, err := safetensors.LoadConfig(dir)
	if err != nil {
		return nil, fmt.Errorf("qwen3: %w", err)
	}
	cfg, err := configFromHF(sc)
	if err != nil {
		return nil, fmt.Errorf("qwen3: %s: %w", dir, err)
	}
	ck, err := safetensors.OpenDir(dir)
	if err != nil {
		return nil, fmt.Errorf("qwen3: %w", err)
	}
	s := &hfSource{ck: ck, cfg: cfg, tied: sc.TieWordEmbeddings, q8: quantizeQ8, experts: cfg.Experts,
		prepared: map[string]rawTensor{}}
	for _, p := range []string{"model.", "model.language_model."} {
		if _, ok := ck.Tensor(p + "embed_tokens.weight"); ok {
			s.prefix = p
			break
		}
	}
	if s.prefix == "" {
		ck.Close()
		return nil, fmt.Errorf("qwen3: %s: no model.embed_tokens.weight (or model.language_model.embed_tokens.weight)", dir)
	}
	return s, nil
}

func (s *hfSource) close() error { return s.ck.Close() }

// configFromHF maps config.json (spec §1.5) onto Config.
func configFromHF(sc *safetensors.Config) (Config, error) {
	t := &sc.Text
	arch := map[string]string{
		safetensors.ModelQwen3: "qwen3", safetensors.ModelQwen3MoE: "qwen3moe",
		safetensors.ModelQwen3VL: "qwen3vl", safetensors.ModelQwen3VLMoE: "qwen3vlmoe",
	}[sc.ModelType]
	if arch == "" {
		return Config{}, fmt.Errorf("%w: model_type %q", ErrUnsupportedArch, sc.ModelType)
	}
	if t.HiddenAct != "" && t.HiddenAct != "silu" {
		return Config{}, fmt.Errorf("hidden_act %q is not supported (silu)", t.HiddenAct)
	}
	if t.AttentionBias {
		return Config{}, errors.New("attention_bias=true is not a Qwen3 model")
	}
	c := Config{
		Arch:          arch,
		HiddenSize:    t.HiddenSize,
		Layers:        t.NumHiddenLayers,
		Heads:         t.NumAttentionHeads,
		KVHeads:       t.NumKeyValueHeads,
		HeadDim:       t.HeadDim,
		FFNSize:       t.IntermediateSize,
		NormTopKProb:  t.NormTopKProb,
		RMSNormEps:    t.RMSNormEps,
		ContextLength: t.MaxPositionEmbeddings,
		Rope: kernels.Rope{
			Dim:      t.HeadDim,
			Base:     t.Rope.Theta,
			Factor:   1,
			OrigCtx:  t.Rope.OriginalMaxPositionEmbeddings,
			BetaFast: t.Rope.BetaFast,
			BetaSlow: t.Rope.BetaSlow,
			MScale:   t.Rope.AttentionFactor,
		},
	}
	switch t.Rope.Type {
	case "", "default", "mrope":
	case "yarn", "linear":
		c.Rope.Scaling, c.Rope.Factor = t.Rope.Type, t.Rope.Factor
	default:
		return Config{}, fmt.Errorf("rope type %q is not supported", t.Rope.Type)
	}
	if t.NumExperts > 0 {
		for l := 0; l < t.NumHiddenLayers; l++ {
			if !t.IsMoELayer(l) {
				return Config{}, fmt.Errorf("layer %d is dense in a MoE model (mlp_only_layers / decoder_sparse_step): not supported", l)
			}
		}
		c.Experts, c.ExpertsUsed, c.ExpertFFNSize = t.NumExperts, t.NumExpertsPerTok, t.MoEIntermediateSize
	}
	if c.RMSNormEps == 0 {
		c.RMSNormEps = 1e-6
	}
	return c, nil
}

// hfName returns the HF name of a non-expert tensor, or "" when the GGUF name has no counterpart.
func (s *hfSource) hfName(name string) string {
	switch name {
	case "token_embd.weight":
		return s.prefix + "embed_tokens.weight"
	case "output_norm.weight":
		return s.prefix + "norm.weight"
	case "output.weight":
		if s.tied {
			return "" // tied: the output projection is the embedding (a stored lm_head is a copy of it)
		}
		return "lm_head.weight"
	}
	rest, ok := strings.CutPrefix(name, "blk.")
	if !ok {
		return ""
	}
	idx, tail, ok := strings.Cut(rest, ".")
	if _, err := strconv.Atoi(idx); !ok || err != nil {
		return ""
	}
	if hf, ok := hfLayerNames[tail]; ok {
		return s.prefix + "layers." + idx + "." + hf
	}
	return ""
}

func (s *hfSource) tensor(name string) (rawTensor, bool, error) {
	if t, ok := s.prepared[name]; ok {
		return t, true, nil
	}
	var (
		t   rawTensor
		ok  bool
		err error
	)
	if rest, isBlk := strings.CutPrefix(name, "blk."); isBlk {
		idx, tail, _ := strings.Cut(rest, ".")
		if part, isExp := expertNames[tail]; isExp {
			t, ok, err = s.stackExperts(name, s.prefix+"layers."+idx+".mlp.experts.", part)
			if err == nil && ok {
				s.prepared[name] = t
			}
			return t, ok, err
		}
	}
	hf := s.hfName(name)
	if hf == "" {
		return rawTensor{}, false, nil
	}
	st, found := s.ck.Tensor(hf)
	if !found {
		return rawTensor{}, false, nil
	}
	t, err = s.convert(name, st)
	if err != nil {
		return rawTensor{}, false, err
	}
	s.prepared[name] = t
	return t, true, nil
}

func ggufType(d safetensors.DType) (gguf.Type, bool) {
	switch d {
	case safetensors.F32:
		return gguf.TypeF32, true
	case safetensors.F16:
		return gguf.TypeF16, true
	case safetensors.BF16:
		return gguf.TypeBF16, true
	}
	return 0, false
}

// convert turns one safetensors tensor into the GGUF layout: reversed shape, same bytes, except routers (F32)
// and, with QuantizeQ8, matrices whose rows are whole Q8_0 blocks.
func (s *hfSource) convert(name string, st *safetensors.Tensor) (rawTensor, error) {
	typ, ok := ggufType(st.DType)
	if !ok {
		return rawTensor{}, fmt.Errorf("tensor %q (%s): dtype %s is not supported (F32, F16, BF16)", name, st.Name, st.DType)
	}
	ne := make([]int64, len(st.Shape))
	for i, n := range st.Shape {
		ne[len(ne)-1-i] = n
	}
	t := rawTensor{typ: typ, ne: ne, data: st.Data}
	switch {
	case strings.HasSuffix(name, "ffn_gate_inp.weight") && typ != gguf.TypeF32:
		return recode(name, t, gguf.TypeF32)
	case s.q8 && len(ne) == 2 && ne[0]%quant.QK == 0 && typ != gguf.TypeQ8_0 && !strings.HasSuffix(name, "ffn_gate_inp.weight"):
		return recode(name, t, gguf.TypeQ8_0)
	}
	return t, nil
}

// recode decodes t and encodes it as typ, one row at a time.
func recode(name string, t rawTensor, typ gguf.Type) (rawTensor, error) {
	cols := int(t.ne[0])
	rows := 1
	for _, n := range t.ne[1:] {
		rows *= int(n)
	}
	srb, err := quant.RowBytes(t.typ, cols)
	if err != nil {
		return rawTensor{}, fmt.Errorf("tensor %q: %w", name, err)
	}
	drb, err := quant.RowBytes(typ, cols)
	if err != nil {
		return rawTensor{}, fmt.Errorf("tensor %q: %w", name, err)
	}
	if len(t.data) != rows*srb {
		return rawTensor{}, fmt.Errorf("tensor %q: %d bytes for %d×%d %v", name, len(t.data), rows, cols, t.typ)
	}
	out := make([]byte, rows*drb)
	row := make([]float32, cols)
	for r := 0; r < rows; r++ {
		if err := quant.Dequantize(t.typ, t.data[r*srb:(r+1)*srb], row); err != nil {
			return rawTensor{}, fmt.Errorf("tensor %q: %w", name, err)
		}
		if err := quant.QuantizeInto(typ, row, out[r*drb:(r+1)*drb]); err != nil {
			return rawTensor{}, fmt.Errorf("tensor %q: %w", name, err)
		}
	}
	return rawTensor{typ: typ, ne: t.ne, data: out}, nil
}

// stackExperts concatenates the E per-expert matrices [rows][cols] into one GGUF stack ne = [cols, rows, E].
func (s *hfSource) stackExperts(name, prefix, part string) (rawTensor, bool, error) {
	if s.experts == 0 {
		return rawTensor{}, false, nil
	}
	var out rawTensor
	for e := 0; e < s.experts; e++ {
		hf := prefix + strconv.Itoa(e) + "." + part
		st, ok := s.ck.Tensor(hf)
		if !ok {
			if _, fused := s.ck.Tensor(strings.TrimSuffix(prefix, ".") + ".gate_up_proj"); fused {
				return rawTensor{}, false, fmt.Errorf("tensor %q: fused Qwen3-VL-MoE expert tensors are not supported yet", name)
			}
			if e == 0 {
				return rawTensor{}, false, nil
			}
			return rawTensor{}, false, fmt.Errorf("tensor %q: %s missing", name, hf)
		}
		t, err := s.convert(name, st)
		if err != nil {
			return rawTensor{}, false, err
		}
		if len(t.ne) != 2 {
			return rawTensor{}, false, fmt.Errorf("tensor %q: %s has shape %v, want 2-D", name, hf, st.Shape)
		}
		if e == 0 {
			out = rawTensor{typ: t.typ, ne: []int64{t.ne[0], t.ne[1], int64(s.experts)}, data: make([]byte, 0, len(t.data)*s.experts)}
		} else if t.typ != out.typ || t.ne[0] != out.ne[0] || t.ne[1] != out.ne[1] {
			return rawTensor{}, false, fmt.Errorf("tensor %q: expert %d is %v %v, expert 0 %v %v", name, e, t.typ, t.ne, out.typ, out.ne[:2])
		}
		out.data = append(out.data, t.data...)
	}
	return out, true, nil
}
