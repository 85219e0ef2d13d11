package qwen3

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/qwenstudio/qwenstudio/kernels"
	"github.com/qwenstudio/qwenstudio/kernels/quant"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
	"github.com/qwenstudio/qwenstudio/llm/tokenizer"
)

// Options configure Load.
type Options struct {
	Backend    kernels.Backend // nil: kernels.OpenConfig("auto", Threads, F32), owned and closed by the Model
	Threads    int             // CPU threads when Load opens the backend (0: one per CPU)
	KVF32      bool            // F32 KV cache (default F16)
	F32        bool            // compute in float32 throughout: no activation rounding, F32 KV cache
	QuantizeQ8 bool            // Hugging Face folders: store BF16/F16 matrices as Q8_0 (at load)
}

// Model is a loaded Qwen3 / Qwen3-MoE text model: weights on the backend, the tokenizer, the config.
type Model struct {
	cfg     Config
	tok     *tokenizer.Tokenizer
	be      kernels.Backend
	ownsBE  bool
	w       weights
	bound   []kernels.Tensor // every tensor handed to the backend (freed on Close)
	closers []func() error   // the mapped files the CPU backend's weights point into
	kvType  gguf.Type
}

// Load opens a GGUF file or a Hugging Face folder (config.json, *.safetensors, tokenizer.json).
func Load(ctx context.Context, path string, opts Options) (*Model, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("qwen3: %w", err)
	}
	var (
		src     source
		cfg     Config
		tok     *tokenizer.Tokenizer
		closers []func() error
	)
	closeAll := func() {
		for _, c := range closers {
			c()
		}
	}
	if st.IsDir() {
		hf, err := openHF(path, opts.QuantizeQ8)
		if err != nil {
			return nil, err
		}
		closers = append(closers, hf.close)
		src, cfg = hf, hf.cfg
		if tok, err = tokenizer.FromFiles(path); err != nil {
			closeAll()
			return nil, fmt.Errorf("qwen3: %s: %w", path, err)
		}
	} else {
		f, err := gguf.Open(path)
		if err != nil {
			return nil, fmt.Errorf("qwen3: %w", err)
		}
		closers = append(closers, f.Close)
		if cfg, src, tok, err = fromGGUF(f); err != nil {
			closeAll()
			return nil, fmt.Errorf("qwen3: %s: %w", path, err)
		}
	}
	m, err := newModel(ctx, cfg, src, tok, opts)
	if err != nil {
		closeAll()
		return nil, fmt.Errorf("qwen3: %s: %w", path, err)
	}
	m.closers = closers
	return m, nil
}

// fromGGUF reads the config and tokenizer of an opened GGUF file.
func fromGGUF(f *gguf.File) (Config, source, *tokenizer.Tokenizer, error) {
	cfg, err := configFromGGUF(f)
	if err != nil {
		return Config{}, nil, nil, err
	}
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		return Config{}, nil, nil, err
	}
	return cfg, ggufSource{f}, tok, nil
}

func newModel(ctx context.Context, cfg Config, src source, tok *tokenizer.Tokenizer, opts Options) (*Model, error) {
	m := &Model{cfg: cfg, tok: tok, be: opts.Backend, kvType: gguf.TypeF16}
	if opts.KVF32 || opts.F32 {
		m.kvType = gguf.TypeF32
	}
	if m.be == nil {
		be, err := kernels.OpenConfig(ctx, kernels.Config{Name: "auto", Threads: opts.Threads, F32: opts.F32})
		if err != nil {
			return nil, err
		}
		m.be, m.ownsBE = be, true
	} else if opts.F32 && !m.be.Info().F32 {
		return nil, errors.New("Options.F32 asks for float32 activations but the given backend was not opened with F32")
	}
	if err := m.cfg.validate(); err != nil {
		m.Close()
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := m.bind(ctx, src); err != nil {
		m.Close()
		return nil, err
	}
	if n := tok.VocabSize(); n > m.cfg.VocabSize {
		m.Close()
		return nil, fmt.Errorf("tokenizer has %d tokens but the embedding only %d rows", n, m.cfg.VocabSize)
	}
	return m, nil
}

// Config returns the model's shape.
func (m *Model) Config() Config { return m.cfg }

// Tokenizer returns the model's own tokenizer.
func (m *Model) Tokenizer() *tokenizer.Tokenizer { return m.tok }

// ChatTemplate returns the model's chat template, "" if its files carry none.
func (m *Model) ChatTemplate() string { return m.tok.ChatTemplate() }

// Backend returns the backend the model runs on.
func (m *Model) Backend() kernels.Backend { return m.be }

// Close frees the weights, closes the backend if Load opened it, and unmaps the files.
func (m *Model) Close() error {
	for _, t := range m.bound {
		m.be.Free(t)
	}
	m.bound = nil
	var errs []error
	if m.ownsBE && m.be != nil {
		errs = append(errs, m.be.Close())
		m.be = nil
	}
	for _, c := range m.closers {
		errs = append(errs, c())
	}
	m.closers = nil
	return errors.Join(errs...)
}

// rawTensor is a tensor as a model file holds it: type, GGML shape (ne[0] contiguous) and bytes.
type rawTensor struct {
	typ  gguf.Type
	ne   []int64
	data []byte
}

// source finds tensors by GGUF name (spec §7.2), whatever the file format.
type source interface {
	tensor(name string) (rawTensor, bool, error)
}

type ggufSource struct{ f *gguf.File }

func (s ggufSource) tensor(name string) (rawTensor, bool, error) {
	t, ok := s.f.Tensor(name)
	if !ok {
		return rawTensor{}, false, nil
	}
	return rawTensor{typ: t.Type, ne: t.Shape, data: t.Data}, true, nil
}

// binder hands tensors to the backend, checking shapes, and collects every problem so that Load reports
// all missing or malformed tensors at once.
type binder struct {
	m    *Model
	src  source
	errs []error
}

func (b *binder) fail(name string, format string, a ...any) {
	b.errs = append(b.errs, fmt.Errorf("tensor %q: %s", name, fmt.Sprintf(format, a...)))
}

func shapeString(ne []int64) string {
	s := make([]string, len(ne))
	for i, n := range ne {
		s[i] = fmt.Sprint(n)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// matrix binds a weight matrix [rows][cols] (GGML ne = [cols, rows] or [cols, a, b] with a·b = rows).
func (b *binder) matrix(name string, rows, cols int) kernels.Tensor {
	t, ok, err := b.src.tensor(name)
	switch {
	case err != nil:
		b.errs = append(b.errs, err)
		return kernels.Tensor{}
	case !ok:
		b.fail(name, "missing")
		return kernels.Tensor{}
	}
	r := int64(1)
	for _, n := range t.ne[1:] {
		r *= n
	}
	if len(t.ne) < 2 || t.ne[0] != int64(cols) || r != int64(rows) {
		b.fail(name, "shape %s, want %d columns × %d rows", shapeString(t.ne), cols, rows)
		return kernels.Tensor{}
	}
	w, err := b.m.be.Weight(name, t.typ, rows, cols, t.data)
	if err != nil {
		b.errs = append(b.errs, err)
		return kernels.Tensor{}
	}
	b.m.bound = append(b.m.bound, w)
	return w
}

// vector binds a 1-D norm weight as F32 [1][n] (converting F16/BF16 files, which keep norms in those types).
func (b *binder) vector(name string, n int) kernels.Tensor {
	t, ok, err := b.src.tensor(name)
	switch {
	case err != nil:
		b.errs = append(b.errs, err)
		return kernels.Tensor{}
	case !ok:
		b.fail(name, "missing")
		return kernels.Tensor{}
	}
	if len(t.ne) != 1 || t.ne[0] != int64(n) {
		b.fail(name, "shape %s, want [%d]", shapeString(t.ne), n)
		return kernels.Tensor{}
	}
	data := t.data
	if t.typ != gguf.TypeF32 {
		f := make([]float32, n)
		if err := quant.Dequantize(t.typ, t.data, f); err != nil {
			b.fail(name, "%v", err)
			return kernels.Tensor{}
		}
		data, _ = quant.Quantize(gguf.TypeF32, f)
	}
	w, err := b.m.be.Weight(name, gguf.TypeF32, 1, n, data)
	if err != nil {
		b.errs = append(b.errs, err)
		return kernels.Tensor{}
	}
	b.m.bound = append(b.m.bound, w)
	return w
}

func (b *binder) has(name string) bool {
	_, ok, _ := b.src.tensor(name)
	return ok
}

// bind binds every weight by its GGUF name (spec §7.2) with the shapes the config implies.
func (m *Model) bind(ctx context.Context, src source) error {
	c := &m.cfg
	b := &binder{m: m, src: src}
	emb, ok, err := src.tensor("token_embd.weight")
	if err != nil {
		return err
	}
	if !ok || len(emb.ne) != 2 {
		return errors.New(`tensor "token_embd.weight": missing or not 2-D`)
	}
	c.VocabSize = int(emb.ne[1])
	D, V := c.HiddenSize, c.VocabSize
	m.w.tokenEmbd = b.matrix("token_embd.weight", V, D)
	m.w.outputNorm = b.vector("output_norm.weight", D)
	if b.has("output.weight") {
		m.w.output = b.matrix("output.weight", V, D)
	} else {
		m.w.output, c.TiedEmbedding = m.w.tokenEmbd, true
	}
	hd, qd, kvd := c.HeadDim, c.Heads*c.HeadDim, c.KVHeads*c.HeadDim
	m.w.layers = make([]layer, c.Layers)
	for i := range m.w.layers {
		if err := ctx.Err(); err != nil {
			return err
		}
		l := &m.w.layers[i]
		p := fmt.Sprintf("blk.%d.", i)
		l.attnNorm = b.vector(p+"attn_norm.weight", D)
		l.attnQ = b.matrix(p+"attn_q.weight", qd, D)
		l.attnK = b.matrix(p+"attn_k.weight", kvd, D)
		l.attnV = b.matrix(p+"attn_v.weight", kvd, D)
		l.attnQNorm = b.vector(p+"attn_q_norm.weight", hd)
		l.attnKNorm = b.vector(p+"attn_k_norm.weight", hd)
		l.attnOut = b.matrix(p+"attn_output.weight", D, qd)
		l.ffnNorm = b.vector(p+"ffn_norm.weight", D)
		if c.MoE() {
			E, Fe := c.Experts, c.ExpertFFNSize
			l.ffnGateInp = b.matrix(p+"ffn_gate_inp.weight", E, D)
			l.ffnGateExps = b.matrix(p+"ffn_gate_exps.weight", E*Fe, D)
			l.ffnUpExps = b.matrix(p+"ffn_up_exps.weight", E*Fe, D)
			l.ffnDownExps = b.matrix(p+"ffn_down_exps.weight", E*D, Fe)
		} else {
			l.ffnGate = b.matrix(p+"ffn_gate.weight", c.FFNSize, D)
			l.ffnUp = b.matrix(p+"ffn_up.weight", c.FFNSize, D)
			l.ffnDown = b.matrix(p+"ffn_down.weight", D, c.FFNSize)
		}
	}
	return errors.Join(b.errs...)
}
