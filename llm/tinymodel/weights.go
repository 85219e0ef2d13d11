package tinymodel

import (
	"context"
	"fmt"
	"math/rand/v2"
)

// tensorKind decides how a tensor is initialised and stored.
type tensorKind int

const (
	kindMatrix tensorKind = iota // N(0, 0.02); stored in the model's weight type
	kindNorm                     // 1 + N(0, 0.05); always F32 in GGUF
	kindRouter                   // MoE router, N(0, 0.02); always F32 in GGUF, as llama.cpp's converter keeps it
)

// hfPart maps a contiguous element range of a GGUF tensor to one Hugging Face tensor (several parts for the
// stacked expert tensors, one per expert).
type hfPart struct {
	name   string
	shape  []int64 // PyTorch order (outermost first)
	offset int64   // first element
}

// tensorSpec is one tensor of the model, named and shaped as in GGUF (spec §7.2), with its HF equivalent.
type tensorSpec struct {
	name string
	ne   []int64 // GGUF order: ne[0] is the row length
	kind tensorKind
	hf   []hfPart
}

func (t tensorSpec) numElements() int64 {
	n := int64(1)
	for _, d := range t.ne {
		n *= d
	}
	return n
}

// reversed turns GGUF ne into a PyTorch shape.
func reversed(ne []int64) []int64 {
	s := make([]int64, len(ne))
	for i, d := range ne {
		s[len(ne)-1-i] = d
	}
	return s
}

func spec(name, hfName string, kind tensorKind, ne ...int64) tensorSpec {
	return tensorSpec{name: name, ne: ne, kind: kind, hf: []hfPart{{name: hfName, shape: reversed(ne)}}}
}

// specs lists the model's tensors in the order they are written and drawn.
func specs(o Options, rows int) []tensorSpec {
	D, V := int64(o.Embd), int64(rows)
	q, kv := int64(o.Heads*o.HeadDim), int64(o.KVHeads*o.HeadDim)
	hd := int64(o.HeadDim)
	ts := []tensorSpec{
		spec("token_embd.weight", "model.embed_tokens.weight", kindMatrix, D, V),
		spec("output_norm.weight", "model.norm.weight", kindNorm, D),
	}
	if o.Untied {
		ts = append(ts, spec("output.weight", "lm_head.weight", kindMatrix, D, V))
	}
	for l := 0; l < o.Layers; l++ {
		blk := fmt.Sprintf("blk.%d.", l)
		hf := fmt.Sprintf("model.layers.%d.", l)
		ts = append(ts,
			spec(blk+"attn_norm.weight", hf+"input_layernorm.weight", kindNorm, D),
			spec(blk+"attn_q.weight", hf+"self_attn.q_proj.weight", kindMatrix, D, q),
			spec(blk+"attn_k.weight", hf+"self_attn.k_proj.weight", kindMatrix, D, kv),
			spec(blk+"attn_v.weight", hf+"self_attn.v_proj.weight", kindMatrix, D, kv),
			spec(blk+"attn_output.weight", hf+"self_attn.o_proj.weight", kindMatrix, q, D),
			spec(blk+"attn_q_norm.weight", hf+"self_attn.q_norm.weight", kindNorm, hd),
			spec(blk+"attn_k_norm.weight", hf+"self_attn.k_norm.weight", kindNorm, hd),
			spec(blk+"ffn_norm.weight", hf+"post_attention_layernorm.weight", kindNorm, D),
		)
		if o.Arch == ArchQwen3MoE {
			E, Fe := int64(o.Experts), int64(o.ExpertFFN)
			experts := func(name, proj string, ne0, ne1 int64) tensorSpec {
				t := tensorSpec{name: blk + name, ne: []int64{ne0, ne1, E}, kind: kindMatrix}
				for e := int64(0); e < E; e++ {
					t.hf = append(t.hf, hfPart{name: fmt.Sprintf("%smlp.experts.%d.%s.weight", hf, e, proj),
						shape: []int64{ne1, ne0}, offset: e * ne0 * ne1})
				}
				return t
			}
			ts = append(ts,
				spec(blk+"ffn_gate_inp.weight", hf+"mlp.gate.weight", kindRouter, D, E),
				experts("ffn_gate_exps.weight", "gate_proj", D, Fe),
				experts("ffn_down_exps.weight", "down_proj", Fe, D),
				experts("ffn_up_exps.weight", "up_proj", D, Fe),
			)
		} else {
			F := int64(o.FFN)
			ts = append(ts,
				spec(blk+"ffn_gate.weight", hf+"mlp.gate_proj.weight", kindMatrix, D, F),
				spec(blk+"ffn_down.weight", hf+"mlp.down_proj.weight", kindMatrix, F, D),
				spec(blk+"ffn_up.weight", hf+"mlp.up_proj.weight", kindMatrix, D, F),
			)
		}
	}
	return ts
}

// generate draws every tensor's values from one PCG stream seeded by o.Seed, in spec order, and hands each to
// fn (the slice is not reused). Matrices are N(0, 0.02), norm weights 1 + N(0, 0.05). For a vocabulary cut
// from a larger one, the whole source embedding is drawn and only the kept rows are used, so every tensor
// equals the one of the full-vocabulary model with the same seed.
func generate(ctx context.Context, o Options, v *Vocab, fn func(t tensorSpec, vals []float32) error) error {
	rng := rand.New(rand.NewPCG(o.Seed, 0x51_7e_3c_0d_e1_5a_9b_27))
	for _, t := range specs(o, v.Rows) {
		if err := ctx.Err(); err != nil {
			return err
		}
		vals := make([]float32, t.numElements())
		isEmbedding := t.name == "token_embd.weight" || t.name == "output.weight"
		switch {
		case isEmbedding && v.SourceIDs != nil:
			drawRows(rng, vals, int(t.ne[0]), v.SourceRows, v.SourceIDs)
		case t.kind == kindNorm:
			for i := range vals {
				vals[i] = float32(1 + 0.05*rng.NormFloat64())
			}
		default:
			for i := range vals {
				vals[i] = float32(0.02 * rng.NormFloat64())
			}
		}
		if err := fn(t, vals); err != nil {
			return err
		}
	}
	return nil
}

// drawRows draws srcRows rows of width n and stores source row ids[i] as row i of dst.
func drawRows(rng *rand.Rand, dst []float32, n, srcRows int, ids []int) {
	dest := make(map[int][]int, len(ids))
	for i, s := range ids {
		dest[s] = append(dest[s], i)
	}
	row := make([]float32, n)
	for r := 0; r < srcRows; r++ {
		for k := range row {
			row[k] = float32(0.02 * rng.NormFloat64())
		}
		for _, i := range dest[r] {
			copy(dst[i*n:(i+1)*n], row)
		}
	}
}
