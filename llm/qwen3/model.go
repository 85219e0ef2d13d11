package qwen3

import (
	"context"
	"math"

	"github.com/qwenstudio/qwenstudio/kernels"
)

// weights are the model's tensors on the backend, bound by GGUF name (spec §7.2). Shapes are [rows][cols],
// cols being the contiguous dimension (GGUF ne[0]); matrices keep their file type (F32, F16, BF16, Q8_0,
// Q4_K, ...), norms are F32.
type weights struct {
	tokenEmbd  kernels.Tensor // token_embd.weight  [V][D]
	outputNorm kernels.Tensor // output_norm.weight [1][D]
	output     kernels.Tensor // output.weight      [V][D]; token_embd when tied
	layers     []layer
}

type layer struct {
	attnNorm  kernels.Tensor // blk.N.attn_norm.weight   [1][D]
	attnQ     kernels.Tensor // blk.N.attn_q.weight      [H·d][D]
	attnK     kernels.Tensor // blk.N.attn_k.weight      [Hkv·d][D]
	attnV     kernels.Tensor // blk.N.attn_v.weight      [Hkv·d][D]
	attnQNorm kernels.Tensor // blk.N.attn_q_norm.weight [1][d]
	attnKNorm kernels.Tensor // blk.N.attn_k_norm.weight [1][d]
	attnOut   kernels.Tensor // blk.N.attn_output.weight [D][H·d]
	ffnNorm   kernels.Tensor // blk.N.ffn_norm.weight    [1][D]

	// Dense FFN (spec §2.5).
	ffnGate kernels.Tensor // blk.N.ffn_gate.weight [F][D]
	ffnUp   kernels.Tensor // blk.N.ffn_up.weight   [F][D]
	ffnDown kernels.Tensor // blk.N.ffn_down.weight [D][F]

	// MoE FFN (spec §3): E experts stacked along the rows.
	ffnGateInp  kernels.Tensor // blk.N.ffn_gate_inp.weight  [E][D] (router)
	ffnGateExps kernels.Tensor // blk.N.ffn_gate_exps.weight [E·Fe][D]
	ffnUpExps   kernels.Tensor // blk.N.ffn_up_exps.weight   [E·Fe][D]
	ffnDownExps kernels.Tensor // blk.N.ffn_down_exps.weight [E·D][Fe]
}

// forward runs the decoder over one batch of T tokens at positions pos0..pos0+T-1, writing their keys and
// values into the cache and leaving the final hidden states (before the output norm) in c.x[:T]. It checks
// ctx between layers. Spec §2.1, one comment per step.
func (c *Context) forward(ctx context.Context, ids []int32, pos0 int) error {
	m, be, cfg := c.m, c.m.be, &c.m.cfg
	T := len(ids)
	eps := float32(cfg.RMSNormEps)
	H, Hkv, d := cfg.Heads, cfg.KVHeads, cfg.HeadDim
	x, xn := c.x.Slice(0, T), c.xn.Slice(0, T)
	q, k, v := c.q.Slice(0, T), c.k.Slice(0, T), c.v.Slice(0, T)
	att, out := c.att.Slice(0, T), c.out.Slice(0, T)
	rope := c.rope.Slice(0, T)

	// h0 = Embed[token_ids]
	be.GetRows(x, m.w.tokenEmbd, ids)
	// Rotation angles of this batch's positions, shared by every layer (spec §2.4 step 4).
	for i := range ids {
		c.pos[i] = int32(pos0 + i)
	}
	be.RopeTable(rope, c.pos[:T], cfg.Rope)

	for l := range m.w.layers {
		if err := ctx.Err(); err != nil {
			return err
		}
		ly := &m.w.layers[l]
		// a = RMSNorm(h, attn_norm)
		be.RMSNorm(xn, x, ly.attnNorm, eps)
		// q, k, v projections (no biases, spec §2.2)
		be.MatMul(q, ly.attnQ, xn)
		be.MatMul(k, ly.attnK, xn)
		be.MatMul(v, ly.attnV, xn)
		// QK-norm per head, before RoPE (spec §2.4 step 3, pitfall P4)
		qh, kh := q.Reshape(T*H, d), k.Reshape(T*Hkv, d)
		be.RMSNorm(qh, qh, ly.attnQNorm, eps)
		be.RMSNorm(kh, kh, ly.attnKNorm, eps)
		// NeoX RoPE on q and k
		be.Rope(q, rope, d)
		be.Rope(k, rope, d)
		// keys and values go straight into their cache rows
		be.Copy(c.kc[l].Slice(pos0, T), k)
		be.Copy(c.vc[l].Slice(pos0, T), v)
		// causal GQA attention over positions 0..pos0+t, scale 1/sqrt(d)
		be.Attention(att, q, c.kc[l], c.vc[l], pos0, H, Hkv, float32(1/math.Sqrt(float64(d))))
		// h = h + Wo·o
		be.MatMul(out, ly.attnOut, att)
		be.Add(x, x, out)

		// m = RMSNorm(h, ffn_norm); h = h + MLP(m) or MoE(m)
		be.RMSNorm(xn, x, ly.ffnNorm, eps)
		if cfg.MoE() {
			c.moe(ly, xn, out)
		} else {
			c.mlp(ly, xn, out)
		}
		be.Add(x, x, out)
	}
	return nil
}

// mlp: out = Wdown · (silu(Wgate·m) ⊙ Wup·m) (spec §2.5).
func (c *Context) mlp(ly *layer, m, out kernels.Tensor) {
	be, T := c.m.be, m.Rows()
	gate, up := c.gate.Slice(0, T), c.up.Slice(0, T)
	be.MatMul(gate, ly.ffnGate, m)
	be.MatMul(up, ly.ffnUp, m)
	be.SwiGLU(gate, gate, up)
	be.MatMul(out, ly.ffnDown, gate)
}

// moe: router softmax → top-k → (renormalised) weights → Σ_e w_e · Expert_e(m) (spec §3).
func (c *Context) moe(ly *layer, m, out kernels.Tensor) {
	be, cfg, T := c.m.be, &c.m.cfg, m.Rows()
	k := cfg.ExpertsUsed
	router := c.router.Slice(0, T)
	ids, wts := c.expIDs.Slice(0, T), c.expW.Slice(0, T)
	gate, up, down := c.gate.Slice(0, T*k), c.up.Slice(0, T*k), c.expOut.Slice(0, T*k)
	be.MatMul(router, ly.ffnGateInp, m)
	be.TopK(ids, wts, router, cfg.NormTopKProb)
	be.MatMulID(gate, ly.ffnGateExps, m, ids)
	be.MatMulID(up, ly.ffnUpExps, m, ids)
	be.SwiGLU(gate, gate, up)
	be.MatMulID(down, ly.ffnDownExps, gate, ids)
	be.WeightedSum(out, down, wts)
}

// logits computes the output head for rows of the final hidden states: RMSNorm(h, output_norm), then
// · output (spec §2.6), reading the result into dst (rows × V).
func (c *Context) logits(h kernels.Tensor, dst []float32) {
	be, V := c.m.be, c.m.cfg.VocabSize
	n := h.Rows()
	hn := c.hn.Slice(0, n)
	lg := c.lg.Slice(0, n)
	be.RMSNorm(hn, h, c.m.w.outputNorm, float32(c.m.cfg.RMSNormEps))
	be.MatMul(lg, c.m.w.output, hn)
	be.Read(lg, dst[:n*V])
}
