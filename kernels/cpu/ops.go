package cpu

import (
	"fmt"
	"math"

	"github.com/qwenstudio/qwenstudio/kernels/quant"
	"github.com/qwenstudio/qwenstudio/kernels/tensor"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// The row-parallel ops share one task: the op kind picks the per-row function, the rows are split in chunks
// among the workers.
type rowOp int

const (
	opAdd rowOp = iota
	opSwiGLU
	opRMSNorm
	opRope
	opGetRows
	opWeightedSum
	opCopy
)

type rowsTask struct {
	items
	op      rowOp
	nRows   int
	perItem int
	cols    int
	dst     []float32
	a, b, w []float32
	eps     float32
	// Rope
	table   []float32
	headDim int
	ropeDim int
	// GetRows
	ids   []int32
	src   []byte
	srcRB int
	toF32 func(w []byte, out []float32)
	// WeightedSum
	k int
	// Copy
	dstT, srcT tensor.Tensor
}

func (rt *rowsTask) run(int) {
	for {
		c, ok := rt.claim()
		if !ok {
			return
		}
		r0, r1 := c*rt.perItem, min((c+1)*rt.perItem, rt.nRows)
		for r := r0; r < r1; r++ {
			rt.row(r)
		}
	}
}

func (rt *rowsTask) row(r int) {
	n := rt.cols
	switch rt.op {
	case opAdd:
		d, a, b := rt.dst[r*n:(r+1)*n], rt.a[r*n:(r+1)*n], rt.b[r*n:(r+1)*n]
		for i := range d {
			d[i] = a[i] + b[i]
		}
	case opSwiGLU:
		swigluRow(rt.dst[r*n:(r+1)*n], rt.a[r*n:(r+1)*n], rt.b[r*n:(r+1)*n])
	case opRMSNorm:
		rmsNormRow(rt.dst[r*n:(r+1)*n], rt.a[r*n:(r+1)*n], rt.w, rt.eps)
	case opRope:
		tab := rt.table[r*rt.ropeDim : (r+1)*rt.ropeDim]
		m := rt.ropeDim / 2
		cos, sin := tab[:m], tab[m:]
		x := rt.dst[r*n : (r+1)*n]
		for h := 0; h+rt.headDim <= n; h += rt.headDim {
			v := x[h : h+rt.ropeDim]
			for i := 0; i < m; i++ {
				x0, x1 := v[i], v[i+m]
				v[i] = x0*cos[i] - x1*sin[i]
				v[i+m] = x0*sin[i] + x1*cos[i]
			}
		}
	case opGetRows:
		id := int(rt.ids[r])
		rt.toF32(rt.src[id*rt.srcRB:(id+1)*rt.srcRB], rt.dst[r*n:(r+1)*n])
	case opWeightedSum:
		d := rt.dst[r*n : (r+1)*n]
		for j := 0; j < rt.k; j++ {
			wj := rt.w[r*rt.k+j]
			s := rt.a[(r*rt.k+j)*n : (r*rt.k+j+1)*n]
			if j == 0 {
				for i := range d {
					d[i] = wj * s[i]
				}
				continue
			}
			for i := range d {
				d[i] += wj * s[i]
			}
		}
	case opCopy:
		copyRow(rt.dstT.Slice(r, 1), rt.srcT.Slice(r, 1))
	}
}

// rmsNormRow follows ggml: Σx² accumulated in float64, mean and scale in float32, then ·w.
func rmsNormRow(dst, x, w []float32, eps float32) {
	var sum float64
	for _, v := range x {
		sum += float64(v * v)
	}
	mean := float32(sum / float64(len(x)))
	scale := 1 / float32(math.Sqrt(float64(mean+eps)))
	w = w[:len(x)]
	for i, v := range x {
		dst[i] = v * scale * w[i]
	}
}

// runRows dispatches rt over nRows rows of cols elements, in chunks of at least minWork elements.
func (b *Backend) runRows(rt *rowsTask, nRows, cols int) {
	const minWork = 1 << 13
	rt.nRows, rt.cols = nRows, cols
	per := max(1, minWork/max(cols, 1))
	per = max(per, nRows/(8*b.threads)) // no more than ~8 chunks per worker
	rt.perItem = per
	nItems := (nRows + per - 1) / per
	rt.reset(nItems)
	b.pool.run(rt, nItems)
}

func sameShape(a, b tensor.Tensor) bool { return a.Rows() == b.Rows() && a.Cols() == b.Cols() }

// Add: dst = a + b.
func (b *Backend) Add(dst, x, y tensor.Tensor) {
	if !sameShape(dst, x) || !sameShape(dst, y) {
		panic(fmt.Sprintf("cpu: Add(%v, %v, %v): shapes", dst, x, y))
	}
	b.lock()
	defer b.mu.Unlock()
	rt := &b.tRows
	*rt = rowsTask{op: opAdd, dst: f32s(dst), a: f32s(x), b: f32s(y)}
	b.runRows(rt, dst.Rows(), dst.Cols())
}

// SwiGLU: dst = silu(gate)·up.
func (b *Backend) SwiGLU(dst, gate, up tensor.Tensor) {
	if !sameShape(dst, gate) || !sameShape(dst, up) {
		panic(fmt.Sprintf("cpu: SwiGLU(%v, %v, %v): shapes", dst, gate, up))
	}
	b.lock()
	defer b.mu.Unlock()
	rt := &b.tRows
	*rt = rowsTask{op: opSwiGLU, dst: f32s(dst), a: f32s(gate), b: f32s(up)}
	b.runRows(rt, dst.Rows(), dst.Cols())
}

// RMSNorm normalises every row of x (rows of len(w)).
func (b *Backend) RMSNorm(dst, x, w tensor.Tensor, eps float32) {
	n := w.Len()
	if dst.Len() != x.Len() || n == 0 || x.Len()%n != 0 {
		panic(fmt.Sprintf("cpu: RMSNorm(%v, %v, %v): shapes", dst, x, w))
	}
	b.lock()
	defer b.mu.Unlock()
	rt := &b.tRows
	*rt = rowsTask{op: opRMSNorm, dst: f32s(dst), a: f32s(x), w: f32s(w), eps: eps}
	b.runRows(rt, x.Len()/n, n)
}

// GetRows gathers (and decodes) table rows.
func (b *Backend) GetRows(dst, table tensor.Tensor, ids []int32) {
	if dst.Rows() != len(ids) || dst.Cols() != table.Cols() {
		panic(fmt.Sprintf("cpu: GetRows(%v, %v, %d ids): shapes", dst, table, len(ids)))
	}
	for _, id := range ids {
		if id < 0 || int(id) >= table.Rows() {
			panic(fmt.Sprintf("cpu: GetRows: id %d outside [0,%d)", id, table.Rows()))
		}
	}
	tr := traitsOf(table.Type())
	if tr == nil {
		panic(fmt.Sprintf("cpu: GetRows: table type %v", table.Type()))
	}
	b.lock()
	defer b.mu.Unlock()
	rb, src := rowBytes(table)
	rt := &b.tRows
	*rt = rowsTask{op: opGetRows, dst: f32s(dst), ids: ids, src: src, srcRB: rb, toF32: tr.toF32}
	b.runRows(rt, len(ids), dst.Cols())
}

// Copy converts src into dst (F32/F16/BF16 both sides, same element count).
func (b *Backend) Copy(dst, src tensor.Tensor) {
	if dst.Len() != src.Len() {
		panic(fmt.Sprintf("cpu: Copy(%v, %v): sizes", dst, src))
	}
	b.lock()
	defer b.mu.Unlock()
	// Rows of the larger-granularity view; both reshaped to the same row length.
	cols := src.Cols()
	if dst.Cols() != cols || dst.Rows() != src.Rows() {
		cols = dst.Len()
		dst, src = dst.Reshape(1, cols), src.Reshape(1, cols)
	}
	rt := &b.tRows
	*rt = rowsTask{op: opCopy, dstT: dst, srcT: src}
	b.runRows(rt, src.Rows(), cols)
}

func copyRow(dst, src tensor.Tensor) {
	switch {
	case dst.Type() == src.Type() && dst.Type() == gguf.TypeF32:
		copy(f32s(dst), f32s(src))
	case dst.Type() == gguf.TypeF16 && src.Type() == gguf.TypeF32:
		f32ToF16Row(u16s(dst), f32s(src))
	case dst.Type() == gguf.TypeBF16 && src.Type() == gguf.TypeF32:
		h := u16s(dst)
		for i, v := range f32s(src) {
			h[i] = quant.F32ToBF16(v)
		}
	case dst.Type() == gguf.TypeF32 && src.Type() == gguf.TypeF16:
		f16ToF32Row(f32s(dst), u16s(src))
	case dst.Type() == gguf.TypeF32 && src.Type() == gguf.TypeBF16:
		d := f32s(dst)
		for i, h := range u16s(src) {
			d[i] = quant.BF16ToF32(h)
		}
	case dst.Type() == src.Type():
		copy(u16s(dst), u16s(src))
	default:
		panic(fmt.Sprintf("cpu: Copy from %v to %v", src.Type(), dst.Type()))
	}
}

// RopeTable computes cos/sin of every (position, frequency) pair in float64 (spec §8.1) with the scaling p
// asks for (spec §2.8: linear, or static YaRN with its ramp and magnitude correction).
func (b *Backend) RopeTable(dst tensor.Tensor, pos []int32, p tensor.Rope) {
	if p.Dim <= 0 || p.Dim%2 != 0 || dst.Cols() != p.Dim || dst.Rows() != len(pos) {
		panic(fmt.Sprintf("cpu: RopeTable(%v, %d positions, dim %d): shapes", dst, len(pos), p.Dim))
	}
	b.lock()
	defer b.mu.Unlock()
	m := p.Dim / 2
	d := f32s(dst)
	factor := p.Factor
	if factor <= 0 {
		factor = 1
	}
	// Per-frequency θ multiplier and the YaRN ramp.
	yarn := p.Scaling == "yarn" && factor != 1
	var lo, hi float64
	mscale := 1.0
	if yarn {
		betaFast, betaSlow := p.BetaFast, p.BetaSlow
		if betaFast == 0 {
			betaFast = 32
		}
		if betaSlow == 0 {
			betaSlow = 1
		}
		corr := func(r float64) float64 {
			return float64(p.Dim) * math.Log(float64(p.OrigCtx)/(2*math.Pi*r)) / (2 * math.Log(p.Base))
		}
		lo = math.Max(math.Floor(corr(betaFast)), 0)
		hi = math.Min(math.Ceil(corr(betaSlow)), float64(p.Dim-1))
		if lo == hi {
			hi += 0.001
		}
		mscale = 0.1*math.Log(factor) + 1
		if p.MScale != 0 {
			mscale = p.MScale
		}
	}
	for r, ps := range pos {
		row := d[r*p.Dim : (r+1)*p.Dim]
		for i := 0; i < m; i++ {
			theta := math.Pow(p.Base, -2*float64(i)/float64(p.Dim))
			switch {
			case yarn:
				ramp := math.Min(math.Max((float64(i)-lo)/(hi-lo), 0), 1)
				theta = theta*(1-ramp) + theta/factor*ramp
			case p.Scaling == "linear":
				theta /= factor
			}
			s, c := math.Sincos(float64(ps) * theta)
			row[i] = float32(c * mscale)
			row[m+i] = float32(s * mscale)
		}
	}
}

// Rope rotates every head of x in place.
func (b *Backend) Rope(x, table tensor.Tensor, headDim int) {
	if table.Rows() != x.Rows() || headDim <= 0 || x.Cols()%headDim != 0 || table.Cols() > headDim {
		panic(fmt.Sprintf("cpu: Rope(%v, %v, %d): shapes", x, table, headDim))
	}
	b.lock()
	defer b.mu.Unlock()
	rt := &b.tRows
	*rt = rowsTask{op: opRope, dst: f32s(x), table: f32s(table), headDim: headDim, ropeDim: table.Cols()}
	b.runRows(rt, x.Rows(), x.Cols())
}

// WeightedSum: dst[t] = Σ_j w[t][j]·src[t·k+j].
func (b *Backend) WeightedSum(dst, src, weights tensor.Tensor) {
	k := weights.Cols()
	if weights.Rows() != dst.Rows() || src.Rows() != dst.Rows()*k || src.Cols() != dst.Cols() {
		panic(fmt.Sprintf("cpu: WeightedSum(%v, %v, %v): shapes", dst, src, weights))
	}
	b.lock()
	defer b.mu.Unlock()
	rt := &b.tRows
	*rt = rowsTask{op: opWeightedSum, dst: f32s(dst), a: f32s(src), w: f32s(weights), k: k}
	b.runRows(rt, dst.Rows(), dst.Cols())
}

// TopK routes each token to its k most probable experts (softmax as ggml: max-subtracted, Σ in float64).
func (b *Backend) TopK(ids, weights, logits tensor.Tensor, norm bool) {
	nt, e, k := logits.Rows(), logits.Cols(), ids.Cols()
	if ids.Rows() != nt || !sameShape(ids, weights) || k > e || k <= 0 {
		panic(fmt.Sprintf("cpu: TopK(%v, %v, %v): shapes", ids, weights, logits))
	}
	b.lock()
	defer b.mu.Unlock()
	b.growScratch(2 * e)
	p, taken := b.scratch[0][:e], b.scratch[0][e:2*e]
	lg, iv, wv := f32s(logits), i32s(ids), f32s(weights)
	for t := 0; t < nt; t++ {
		softmaxRow(p, lg[t*e:(t+1)*e])
		clear(taken)
		var sum float64
		for j := 0; j < k; j++ {
			best := -1
			for x := 0; x < e; x++ {
				if taken[x] == 0 && (best < 0 || p[x] > p[best]) {
					best = x
				}
			}
			taken[best] = 1
			iv[t*k+j] = int32(best)
			wv[t*k+j] = p[best]
			sum += float64(p[best])
		}
		if norm {
			s := float32(sum)
			for j := 0; j < k; j++ {
				wv[t*k+j] /= s
			}
		}
	}
}

// softmaxRow: dst = softmax(x), as ggml_soft_max (f32 exp, float64 sum, f32 scale by 1/sum).
func softmaxRow(dst, x []float32) {
	mx := float32(math.Inf(-1))
	for _, v := range x {
		mx = max(mx, v)
	}
	copy(dst, x)
	inv := float32(1 / softmaxExp(dst[:len(x)], mx, len(x)))
	for i := range x {
		dst[i] *= inv
	}
}

// softmaxExpGo is softmaxExp with the scalar exp throughout (no SIMD).
func softmaxExpGo(s []float32, mx float32) float64 {
	var sum float64
	for i, v := range s {
		s[i] = expf(v - mx)
		sum += float64(s[i])
	}
	return sum
}

type attentionTask struct {
	items
	q, dst          []float32
	kf, vf          []float32 // F32 cache
	kh, vh          []uint16  // F16 cache
	nTok, pos0      int
	nHead, group, d int
	qc, kc          int // row lengths of q/dst and of the caches
	scale           float32
	scratch         [][]float32
}

func (a *attentionTask) run(worker int) {
	for {
		c, ok := a.claim()
		if !ok {
			return
		}
		t, h := c/a.nHead, c%a.nHead
		g := h / a.group
		nk := a.pos0 + t + 1
		s := a.scratch[worker][:nk]
		q := a.q[t*a.qc+h*a.d : t*a.qc+(h+1)*a.d]
		off := g * a.d
		// Scores: all keys in one kernel call where there is one, else a dot product per key.
		var fast bool
		if a.kf != nil {
			fast = scoresF32(q, a.kf[off:], a.kc, s)
		} else {
			fast = scoresF16(q, a.kh[off:], a.kc, s)
		}
		mx := float32(math.Inf(-1))
		for u := 0; u < nk; u++ {
			if !fast {
				if a.kf != nil {
					s[u] = dotF32(q, a.kf[u*a.kc+off:u*a.kc+off+a.d])
				} else {
					s[u] = dotF32F16(q, a.kh[u*a.kc+off:u*a.kc+off+a.d])
				}
			}
			s[u] *= a.scale
			mx = max(mx, s[u])
		}
		// Batches (prefill) use the vectorised exp: it is most of the softmax time, and llama.cpp's own
		// prefill rows differ from ours by rounding either way. One-token steps keep the scalar exp, which
		// matches llama.cpp's decode outputs best (goldens).
		var sum float64
		if a.nTok > 1 {
			sum = softmaxExp(s, mx, (a.pos0+a.nTok+255)&^255)
		} else {
			sum = softmaxExpGo(s, mx)
		}
		inv := float32(1 / sum)
		for u := range s {
			s[u] *= inv
		}
		out := a.dst[t*a.qc+h*a.d : t*a.qc+(h+1)*a.d]
		// Σ p_u·v_u: accumulated in registers where a kernel applies, else row by row into out (with AVX2
		// the same FMA sequence per element either way).
		if a.vf != nil && pvF32(s, a.vf[off:], a.kc, out) || a.vh != nil && pvF16(s, a.vh[off:], a.kc, out) {
			continue
		}
		clear(out)
		for u, pu := range s {
			if a.vf != nil {
				axpyF32(pu, a.vf[u*a.kc+off:u*a.kc+off+a.d], out)
			} else {
				axpyF16(pu, a.vh[u*a.kc+off:u*a.kc+off+a.d], out)
			}
		}
	}
}

// Attention: causal softmax attention over the first pos0+t+1 cache rows for query row t, heads grouped over
// the KV heads.
func (b *Backend) Attention(dst, q, k, v tensor.Tensor, pos0, nHead, nKVHead int, scale float32) {
	nt := q.Rows()
	if nHead <= 0 || nKVHead <= 0 || nHead%nKVHead != 0 || q.Cols()%nHead != 0 {
		panic(fmt.Sprintf("cpu: Attention: %d heads over %d KV heads, q %v", nHead, nKVHead, q))
	}
	d := q.Cols() / nHead
	if !sameShape(dst, q) || !sameShape(k, v) || k.Cols() != nKVHead*d || pos0 < 0 || pos0+nt > k.Rows() || k.Type() != v.Type() {
		panic(fmt.Sprintf("cpu: Attention(%v, %v, %v, %v, pos0 %d): shapes", dst, q, k, v, pos0))
	}
	b.lock()
	defer b.mu.Unlock()
	b.growScratch(k.Rows()) // the whole cache at once: no regrowth as the sequence lengthens
	a := &b.tAttn
	*a = attentionTask{q: f32s(q), dst: f32s(dst), nTok: nt, pos0: pos0, nHead: nHead, group: nHead / nKVHead,
		d: d, qc: q.Cols(), kc: k.Cols(), scale: scale, scratch: b.scratch}
	switch k.Type() {
	case gguf.TypeF32:
		a.kf, a.vf = f32s(k), f32s(v)
	case gguf.TypeF16:
		a.kh, a.vh = u16s(k), u16s(v)
	default:
		panic(fmt.Sprintf("cpu: Attention: cache type %v", k.Type()))
	}
	a.reset(nt * nHead)
	b.pool.run(a, nt*nHead)
}
