package tinymodel

import (
	"context"
	"fmt"
	"io"

	"github.com/qwenstudio/qwenstudio/assets/templates"
	"github.com/qwenstudio/qwenstudio/kernels/quant"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// prepare fills the defaults and resolves the vocabulary.
func prepare(ctx context.Context, o Options) (Options, *Vocab, error) {
	o, err := o.withDefaults()
	if err != nil {
		return o, nil, err
	}
	v := o.Vocab
	if v == nil {
		if v, err = BuiltinVocab(ctx); err != nil {
			return o, nil, err
		}
	}
	if err := v.check(); err != nil {
		return o, nil, fmt.Errorf("tinymodel: %w", err)
	}
	if o.VocabRows > 0 && o.VocabRows != v.Rows {
		if v, err = v.WithRows(o.VocabRows); err != nil {
			return o, nil, err
		}
	}
	return o, v, nil
}

// ggufType is the stored type of a tensor: norms and the router stay F32; Q8_0 matrices whose rows are not a
// whole number of 32-element blocks fall back to F16, as llama.cpp's converter does.
func ggufType(t tensorSpec, want gguf.Type) gguf.Type {
	if t.kind != kindMatrix {
		return gguf.TypeF32
	}
	if want == gguf.TypeQ8_0 && t.ne[0]%32 != 0 {
		return gguf.TypeF16
	}
	return want
}

// BuildGGUF generates the model and returns a GGUF writer holding it (its metadata in the order llama.cpp's
// converter writes it, as in the golden models).
func BuildGGUF(ctx context.Context, o Options) (*gguf.Writer, error) {
	o, v, err := prepare(ctx, o)
	if err != nil {
		return nil, err
	}
	a := o.Arch
	w := gguf.NewWriter()
	w.SetKV("general.architecture", a)
	w.SetKV("general.type", "model")
	w.SetKV("general.name", o.Name)
	w.SetKV(a+".context_length", uint32(o.Context))
	w.SetKV(a+".embedding_length", uint32(o.Embd))
	w.SetKV(a+".block_count", uint32(o.Layers))
	w.SetKV(a+".feed_forward_length", uint32(o.FFN))
	w.SetKV(a+".attention.head_count", uint32(o.Heads))
	w.SetKV(a+".attention.head_count_kv", uint32(o.KVHeads))
	w.SetKV(a+".rope.freq_base", float32(o.RopeFreqBase))
	w.SetKV(a+".attention.layer_norm_rms_epsilon", float32(o.RMSEps))
	if a == ArchQwen3MoE {
		w.SetKV(a+".expert_count", uint32(o.Experts))
		w.SetKV(a+".expert_used_count", uint32(o.ExpertsUsed))
		w.SetKV(a+".expert_feed_forward_length", uint32(o.ExpertFFN))
	}
	w.SetKV(a+".attention.key_length", uint32(o.HeadDim))
	w.SetKV(a+".attention.value_length", uint32(o.HeadDim))
	w.SetKV("general.file_type", fileType(o.Type))
	w.SetKV("general.quantization_version", uint32(2))

	tokens := make([]string, v.Rows)
	types := make([]int32, v.Rows)
	for i := range tokens {
		tokens[i], types[i] = v.Token(i), v.TokenType(i)
	}
	merges := make([]string, len(v.Merges))
	for i, m := range v.Merges {
		merges[i] = m[0] + " " + m[1]
	}
	w.SetKV("tokenizer.ggml.model", "gpt2")
	w.SetKV("tokenizer.ggml.pre", "qwen2")
	w.SetKV("tokenizer.ggml.tokens", tokens)
	w.SetKV("tokenizer.ggml.token_type", types)
	w.SetKV("tokenizer.ggml.merges", merges)
	w.SetKV("tokenizer.ggml.eos_token_id", uint32(v.EOS()))
	w.SetKV("tokenizer.ggml.padding_token_id", uint32(v.BOS()))
	w.SetKV("tokenizer.ggml.bos_token_id", uint32(v.BOS()))
	w.SetKV("tokenizer.ggml.add_bos_token", false)
	w.SetKV("tokenizer.chat_template", templates.Qwen3)

	err = generate(ctx, o, v, func(t tensorSpec, vals []float32) error {
		typ := ggufType(t, o.Type)
		data, err := quant.Quantize(typ, vals)
		if err != nil {
			return fmt.Errorf("tinymodel: %s: %w", t.name, err)
		}
		return w.AddTensor(t.name, typ, t.ne, data)
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// WriteGGUF generates the model described by o and writes it as a GGUF file at path.
func WriteGGUF(ctx context.Context, path string, o Options) error {
	w, err := BuildGGUF(ctx, o)
	if err != nil {
		return err
	}
	return w.WriteFile(path)
}

// EncodeGGUF generates the model and writes the GGUF bytes to out.
func EncodeGGUF(ctx context.Context, out io.Writer, o Options) error {
	w, err := BuildGGUF(ctx, o)
	if err != nil {
		return err
	}
	_, err = w.WriteTo(out)
	return err
}
