package qwen3

import (
	"context"
	"errors"
	"fmt"

	"github.com/qwenstudio/qwenstudio/kernels"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// ErrContextFull is returned by Eval when the tokens do not fit in the context's remaining positions.
var ErrContextFull = errors.New("qwen3: context is full")

// Batch is the most tokens one forward pass processes; longer inputs are evaluated in batches of this size
// through the KV cache (llama.cpp's n_ubatch).
const Batch = 512

// lmChunk is how many rows of logits are computed per output-head pass when every position is requested.
const lmChunk = 32

// Context is one sequence being evaluated: its KV cache and the activation buffers of a batch, all allocated
// once by NewContext. A Context is not safe for concurrent use; several Contexts may share a Model.
type Context struct {
	m      *Model
	nCtx   int
	n      int // positions filled
	batch  int
	kc, vc []kernels.Tensor // per layer: [nCtx][Hkv·d], keys after q/k-norm and RoPE

	x, xn     kernels.Tensor // [B][D] residual stream and its normalised copy
	q, att    kernels.Tensor // [B][H·d]
	k, v      kernels.Tensor // [B][Hkv·d]
	out       kernels.Tensor // [B][D] attention / FFN output
	gate, up  kernels.Tensor // dense: [B][F]; MoE: [B·k][Fe]
	router    kernels.Tensor // MoE: [B][E] router logits
	expIDs    kernels.Tensor // MoE: I32 [B][k]
	expW      kernels.Tensor // MoE: [B][k]
	expOut    kernels.Tensor // MoE: [B·k][D]
	rope      kernels.Tensor // [B][d] cos/sin table of the batch's positions
	hn, lg    kernels.Tensor // output head: [lmChunk][D], [lmChunk][V]
	pos       []int32
	last      []float32 // logits of the last position, returned by Eval(all=false)
	allocated []kernels.Tensor
}

// NewContext allocates a KV cache of nCtx positions (0: the model's trained context length) and the buffers
// of a batch.
func (m *Model) NewContext(nCtx int) (*Context, error) {
	cfg := &m.cfg
	if nCtx <= 0 {
		nCtx = cfg.ContextLength
	}
	if nCtx <= 0 {
		return nil, fmt.Errorf("qwen3: context size %d", nCtx)
	}
	c := &Context{m: m, nCtx: nCtx, batch: min(Batch, nCtx)}
	B, D, V := c.batch, cfg.HiddenSize, cfg.VocabSize
	qd, kvd := cfg.Heads*cfg.HeadDim, cfg.KVHeads*cfg.HeadDim
	var err error
	alloc := func(typ gguf.Type, rows, cols int) kernels.Tensor {
		if err != nil {
			return kernels.Tensor{}
		}
		var t kernels.Tensor
		t, err = m.be.Alloc(typ, rows, cols)
		if err == nil {
			c.allocated = append(c.allocated, t)
		}
		return t
	}
	f32 := gguf.TypeF32
	for range cfg.Layers {
		c.kc = append(c.kc, alloc(m.kvType, nCtx, kvd))
		c.vc = append(c.vc, alloc(m.kvType, nCtx, kvd))
	}
	c.x, c.xn, c.out = alloc(f32, B, D), alloc(f32, B, D), alloc(f32, B, D)
	c.q, c.att = alloc(f32, B, qd), alloc(f32, B, qd)
	c.k, c.v = alloc(f32, B, kvd), alloc(f32, B, kvd)
	if cfg.MoE() {
		k := cfg.ExpertsUsed
		c.gate, c.up = alloc(f32, B*k, cfg.ExpertFFNSize), alloc(f32, B*k, cfg.ExpertFFNSize)
		c.router = alloc(f32, B, cfg.Experts)
		c.expIDs, c.expW = alloc(gguf.TypeI32, B, k), alloc(f32, B, k)
		c.expOut = alloc(f32, B*k, D)
	} else {
		c.gate, c.up = alloc(f32, B, cfg.FFNSize), alloc(f32, B, cfg.FFNSize)
	}
	c.rope = alloc(f32, B, cfg.Rope.Dim)
	c.hn, c.lg = alloc(f32, lmChunk, D), alloc(f32, lmChunk, V)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("qwen3: new context of %d positions: %w", nCtx, err)
	}
	c.pos = make([]int32, B)
	c.last = make([]float32, V)
	return c, nil
}

// Len returns the number of positions filled.
func (c *Context) Len() int { return c.n }

// Cap returns the number of positions the context holds.
func (c *Context) Cap() int { return c.nCtx }

// Truncate keeps the first n positions (so a new prompt that shares a prefix reuses its cache).
func (c *Context) Truncate(n int) error {
	if n < 0 || n > c.n {
		return fmt.Errorf("qwen3: truncate to %d positions: context holds %d", n, c.n)
	}
	c.n = n
	return nil
}

// Eval appends tokens at positions Len().. and returns the logits of the last one ([n_vocab]), or of every one
// ([len(tokens)·n_vocab], row-major) when all is set. The last-position slice belongs to the Context and is
// overwritten by the next Eval; the all-positions slice is the caller's. On any error (ErrContextFull, an
// invalid token id, ctx cancelled: checked between layers) the context keeps its previous length.
func (c *Context) Eval(ctx context.Context, tokens []int32, all bool) ([]float32, error) {
	if len(tokens) == 0 {
		return nil, errors.New("qwen3: Eval with no tokens")
	}
	V := c.m.cfg.VocabSize
	for i, id := range tokens {
		if id < 0 || int(id) >= V {
			return nil, fmt.Errorf("qwen3: token %d (index %d) is outside the vocabulary [0,%d)", id, i, V)
		}
	}
	if c.n+len(tokens) > c.nCtx {
		return nil, fmt.Errorf("%w: %d positions filled + %d new tokens > %d", ErrContextFull, c.n, len(tokens), c.nCtx)
	}
	var res []float32
	if all {
		res = make([]float32, len(tokens)*V)
	}
	start := c.n
	for off := 0; off < len(tokens); off += c.batch {
		ids := tokens[off:min(off+c.batch, len(tokens))]
		if err := c.forward(ctx, ids, c.n); err != nil {
			c.n = start
			return nil, err
		}
		c.n += len(ids)
		T := len(ids)
		switch {
		case all:
			for r := 0; r < T; r += lmChunk {
				n := min(lmChunk, T-r)
				c.logits(c.x.Slice(r, n), res[(off+r)*V:])
			}
		case off+T == len(tokens):
			c.logits(c.x.Slice(T-1, 1), c.last)
		}
	}
	if all {
		return res, nil
	}
	return c.last, nil
}

// Close frees the KV cache and buffers.
func (c *Context) Close() error {
	for _, t := range c.allocated {
		c.m.be.Free(t)
	}
	c.allocated = nil
	return nil
}
