package vision

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/qwenstudio/qwenstudio/kernels/quant"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// Numerics selects how closely Encode copies llama.cpp's CPU arithmetic.
type Numerics int

const (
	// NumericsReference is float32 arithmetic as the model is written (Hugging Face): F32 patch embedding,
	// exact tanh GELU in the ViT MLPs and exact erf GELU in the mergers.
	NumericsReference Numerics = iota
	// NumericsLlamaCPP copies llama.cpp's half-precision steps on the CPU backend: pixels and patch kernels
	// rounded to F16 (ggml_conv_2d's F16 im2col), and every GELU, the mergers' included, taken from ggml's
	// F16 table of the tanh form. Used to check parity with llama.cpp tightly.
	NumericsLlamaCPP
)

// Options configure Load.
type Options struct {
	Numerics Numerics
	// Threads is the number of goroutines Encode splits matrix products and attention over; 0 means
	// runtime.GOMAXPROCS(0). Results do not depend on it (each value is computed the same way).
	Threads int
}

// linear is y = W·x + b with W stored row-major [out][in] (GGML shape [in, out]).
type linear struct {
	w, b    []float32
	in, out int
}

// layerNorm holds the affine parameters of a LayerNorm over n values.
type layerNorm struct {
	w, b []float32
}

type block struct {
	ln1, ln2  layerNorm
	qkv, out  linear
	up, down  linear
	deepstack *merger // non-nil when this block's output feeds a DeepStack merger
}

// merger maps one 2×2 block of patch rows to a text-model row. The main merger normalises each patch row
// before concatenating the four (over Dv); DeepStack mergers normalise after concatenating (over 4·Dv).
type merger struct {
	norm     layerNorm
	preNorm  bool
	fc1, fc2 linear
}

// Encoder is a loaded Qwen3-VL vision tower (projector qwen3vl_merger). It is read-only after Load and safe
// for concurrent Encode calls.
type Encoder struct {
	numerics Numerics
	threads  int
	dv       int // vision width
	heads    int
	headDim  int
	patch    int
	proj     int // text-model width of each output part
	eps      float32

	patchW []float32 // [dv][3·patch·patch]: both temporal kernel slices summed (a still image is 2 equal frames)
	patchB []float32
	pos    []float32 // learned position table [side·side][dv]
	side   int

	blocks    []block
	main      merger
	deepstack int // number of DeepStack mergers
}

// Load reads the vision tower of an mmproj file. Tensors of any type kernels/quant can decode are accepted;
// they are converted to float32 (the encoder computes on the host in float32).
func Load(f *gguf.File, o Options) (*Encoder, error) {
	p, err := f.CLIP()
	if err != nil {
		return nil, fmt.Errorf("vision: %w", err)
	}
	if p.ProjectorType != "qwen3vl_merger" {
		return nil, fmt.Errorf("vision: projector type %q is not supported (want qwen3vl_merger)", p.ProjectorType)
	}
	if p.SpatialMergeSize != 0 && p.SpatialMergeSize != 2 {
		return nil, fmt.Errorf("vision: spatial merge size %d is not supported (want 2)", p.SpatialMergeSize)
	}
	e := &Encoder{
		numerics: o.Numerics,
		threads:  o.Threads,
		dv:       p.EmbeddingLength,
		heads:    p.HeadCount,
		headDim:  p.EmbeddingLength / p.HeadCount,
		patch:    p.PatchSize,
		proj:     p.ProjectionDim,
		eps:      float32(p.LayerNormEps),
	}
	if e.threads <= 0 {
		e.threads = runtime.GOMAXPROCS(0)
	}
	if e.eps == 0 {
		e.eps = 1e-6
	}
	if e.headDim%4 != 0 {
		return nil, fmt.Errorf("vision: head size %d is not a multiple of 4 (2D rotary embedding)", e.headDim)
	}
	dv, ff := int64(e.dv), int64(p.FeedForwardLength)
	r := tensorReader{f: f}
	k := int64(e.patch)
	w0 := r.get("v.patch_embd.weight", k, k, 3, dv)
	w1 := r.get("v.patch_embd.weight.1", k, k, 3, dv)
	e.patchB = r.get("v.patch_embd.bias", dv)
	posT, _ := f.Tensor("v.position_embd.weight")
	if posT != nil && len(posT.Shape) == 2 {
		e.side = int(math.Round(math.Sqrt(float64(posT.Shape[1]))))
	}
	e.pos = r.get("v.position_embd.weight", dv, int64(e.side*e.side))
	if r.err == nil && e.side < 1 {
		return nil, errors.New("vision: v.position_embd.weight: empty position table")
	}
	if r.err == nil {
		e.patchW = make([]float32, len(w0))
		for i := range w0 {
			a, b := w0[i], w1[i]
			if e.numerics == NumericsLlamaCPP {
				a, b = roundF16(a), roundF16(b)
			}
			e.patchW[i] = a + b
		}
	}
	dm := 4 * dv
	e.blocks = make([]block, p.BlockCount)
	for i := range e.blocks {
		b := &e.blocks[i]
		n := fmt.Sprintf("v.blk.%d.", i)
		b.ln1 = r.norm(n+"ln1", dv)
		b.qkv = r.linear(n+"attn_qkv", dv, 3*dv)
		b.out = r.linear(n+"attn_out", dv, dv)
		b.ln2 = r.norm(n+"ln2", dv)
		b.up = r.linear(n+"ffn_up", dv, ff)
		b.down = r.linear(n+"ffn_down", ff, dv)
		if i < len(p.DeepstackLayers) && p.DeepstackLayers[i] {
			d := fmt.Sprintf("v.deepstack.%d.", i)
			b.deepstack = &merger{
				norm: r.norm(d+"norm", dm),
				fc1:  r.linear(d+"fc1", dm, dm),
				fc2:  r.linear(d+"fc2", dm, int64(e.proj)),
			}
			e.deepstack++
		}
	}
	e.main = merger{
		norm:    r.norm("v.post_ln", dv),
		preNorm: true,
		fc1:     r.linear("mm.0", dm, dm),
		fc2:     r.linear("mm.2", dm, int64(e.proj)),
	}
	if r.err != nil {
		return nil, r.err
	}
	return e, nil
}

// OutputWidth is the width of each Encode output row: the main merger's part plus one part per DeepStack
// merger ([main | ds_0 | ds_1 | …], llama.cpp's n_embd_inp).
func (e *Encoder) OutputWidth() int { return e.proj * (1 + e.deepstack) }

// DeepstackCount is the number of DeepStack parts after the main part of each output row.
func (e *Encoder) DeepstackCount() int { return e.deepstack }

// tensorReader reads named tensors as float32, keeping the first error.
type tensorReader struct {
	f   *gguf.File
	err error
}

// get returns tensor name as float32 after checking its GGML shape (innermost dimension first).
func (r *tensorReader) get(name string, shape ...int64) []float32 {
	if r.err != nil {
		return nil
	}
	t, ok := r.f.Tensor(name)
	if !ok {
		r.err = fmt.Errorf("vision: tensor %q missing from the mmproj", name)
		return nil
	}
	same := len(t.Shape) == len(shape)
	for i := 0; same && i < len(shape); i++ {
		same = t.Shape[i] == shape[i]
	}
	if !same {
		r.err = fmt.Errorf("vision: tensor %q has shape %v, want %v", name, t.Shape, shape)
		return nil
	}
	out := make([]float32, t.NumElements())
	if err := quant.Dequantize(t.Type, t.Data, out); err != nil {
		r.err = fmt.Errorf("vision: tensor %q: %w", name, err)
		return nil
	}
	return out
}

func (r *tensorReader) linear(name string, in, out int64) linear {
	return linear{w: r.get(name+".weight", in, out), b: r.get(name+".bias", out), in: int(in), out: int(out)}
}

func (r *tensorReader) norm(name string, n int64) layerNorm {
	return layerNorm{w: r.get(name+".weight", n), b: r.get(name+".bias", n)}
}

// Embeddings is the encoder output for one image: Rows rows of Width values, one per merged 2×2 patch block
// in raster order over the merged grid (row i is cell (i / GridW, i mod GridW)). Each row is
// [main | ds_0 | ds_1 | …]: the main part replaces an image placeholder embedding in the text model, ds_k is
// added to the output of text decoder layer k at that position.
type Embeddings struct {
	GridW, GridH int       // merged grid (patch grid / 2)
	Width        int       // (1 + Deepstack) · text-model width
	Deepstack    int       // number of DeepStack parts after the main part
	Data         []float32 // [GridW·GridH][Width]
}

// Part returns part k of row i: k = 0 is the main merger's output, k = 1… the DeepStack features ds_(k−1).
func (m *Embeddings) Part(i, k int) []float32 {
	w := m.Width / (1 + m.Deepstack)
	off := i*m.Width + k*w
	return m.Data[off : off+w : off+w]
}

// Rows returns the number of image tokens (GridW·GridH).
func (m *Embeddings) Rows() int { return m.GridW * m.GridH }

// Encode runs the vision tower on preprocessed pixels. The image sides must be multiples of 2·patch size
// (Preprocess guarantees it). ctx is checked between blocks.
func (e *Encoder) Encode(ctx context.Context, px *Pixels) (*Embeddings, error) {
	if px == nil {
		return nil, errors.New("vision: nil pixels")
	}
	m := 2 * e.patch
	if px.W <= 0 || px.H <= 0 || px.W%m != 0 || px.H%m != 0 {
		return nil, fmt.Errorf("vision: image %d×%d: sides must be positive multiples of %d", px.W, px.H, m)
	}
	if len(px.Data) != 3*px.W*px.H {
		return nil, fmt.Errorf("vision: pixels hold %d values, want 3·%d·%d", len(px.Data), px.W, px.H)
	}
	gw, gh := px.W/e.patch, px.H/e.patch
	n := gw * gh
	rows, cols := patchOrder(gw, gh)

	x := e.embedPatches(px, rows, cols)
	e.addPositions(x, gw, gh, rows, cols)

	cos, sin := e.rotaryTables(rows, cols)
	var ds [][]float32
	for i := range e.blocks {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("vision: encode: %w", err)
		}
		b := &e.blocks[i]
		e.attention(x, n, b, cos, sin)
		e.mlp(x, n, b)
		if b.deepstack != nil {
			ds = append(ds, e.merge(b.deepstack, x, n))
		}
	}
	main := e.merge(&e.main, x, n)

	out := &Embeddings{GridW: gw / 2, GridH: gh / 2, Width: e.OutputWidth(), Deepstack: e.deepstack}
	out.Data = make([]float32, out.Rows()*out.Width)
	for r := range out.Rows() {
		copy(out.Part(r, 0), main[r*e.proj:(r+1)*e.proj])
		for k, d := range ds {
			copy(out.Part(r, k+1), d[r*e.proj:(r+1)*e.proj])
		}
	}
	return out, nil
}

// patchOrder returns the patch (row, col) of each sequence position. Patches are ordered by 2×2 merge block
// (raster over blocks) and inside a block (0,0), (0,1), (1,0), (1,1), so that four consecutive rows form one
// merged token.
func patchOrder(gw, gh int) (rows, cols []int) {
	rows, cols = make([]int, 0, gw*gh), make([]int, 0, gw*gh)
	for by := 0; by < gh; by += 2 {
		for bx := 0; bx < gw; bx += 2 {
			for dy := range 2 {
				for dx := range 2 {
					rows, cols = append(rows, by+dy), append(cols, bx+dx)
				}
			}
		}
	}
	return rows, cols
}

// embedPatches is the Conv3d patch embedding as a matrix product: each patch's pixels in (channel, y, x)
// order times the summed temporal kernel, plus bias.
func (e *Encoder) embedPatches(px *Pixels, rows, cols []int) []float32 {
	dv, k := e.dv, 3*e.patch*e.patch
	x := make([]float32, len(rows)*dv)
	parallelFor(len(rows), e.threads, func(lo, hi int) {
		v := make([]float32, k)
		for i := lo; i < hi; i++ {
			e.embedPatch(px, rows[i], cols[i], v, x[i*dv:(i+1)*dv])
		}
	})
	return x
}

// embedPatch writes the embedding of the patch at (row, col) to out, using v as scratch.
func (e *Encoder) embedPatch(px *Pixels, row, col int, v, out []float32) {
	p, k := e.patch, 3*e.patch*e.patch
	for c := range 3 {
		for y := range p {
			src := px.Data[(c*px.H+row*p+y)*px.W+col*p:]
			copy(v[(c*p+y)*p:(c*p+y+1)*p], src[:p])
		}
	}
	if e.numerics == NumericsLlamaCPP {
		for j := range v {
			v[j] = roundF16(v[j]) // ggml_conv_2d's im2col buffer is F16
		}
	}
	for d := range out {
		out[d] = dot(e.patchW[d*k:(d+1)*k], v) + e.patchB[d]
	}
}

// addPositions adds the learned position table, bilinearly interpolated with aligned corners from side×side
// to the gw×gh patch grid, computed as ggml_interpolate does (float32 sample positions x = i / ((gw−1)/(side−1))).
func (e *Encoder) addPositions(x []float32, gw, gh int, rows, cols []int) {
	dv, s := e.dv, e.side
	scale := func(dst int) float32 {
		if dst > 1 && s > 1 {
			return float32(dst-1) / float32(s-1)
		}
		return float32(dst) / float32(s)
	}
	sample := func(i int, sf float32) (i0, i1 int, f float32) {
		p := float32(i) / sf
		i0 = int(math.Floor(float64(p)))
		i1 = min(max(i0+1, 0), s-1)
		i0 = min(max(i0, 0), s-1)
		f = min(max(p-float32(i0), 0), 1)
		return i0, i1, f
	}
	sx, sy := scale(gw), scale(gh)
	for i := range rows {
		y0, y1, dy := sample(rows[i], sy)
		x0, x1, dx := sample(cols[i], sx)
		a, b := e.pos[(y0*s+x0)*dv:], e.pos[(y0*s+x1)*dv:]
		c, d := e.pos[(y1*s+x0)*dv:], e.pos[(y1*s+x1)*dv:]
		out := x[i*dv : (i+1)*dv]
		for j := range out {
			v := a[j]*(1-dx)*(1-dy) + b[j]*dx*(1-dy) + c[j]*(1-dx)*dy + d[j]*dx*dy
			out[j] += v
		}
	}
}

// rotaryTables returns cos and sin of the 2D rotary angles, [n][headDim/2]: pair i of a head (channels i and
// i + headDim/2) turns by row·ω_i for the first headDim/4 pairs and by col·ω_(i − headDim/4) for the rest,
// ω_k = 10000^(−4k/headDim).
func (e *Encoder) rotaryTables(rows, cols []int) (cos, sin []float32) {
	half, quarter := e.headDim/2, e.headDim/4
	cos, sin = make([]float32, len(rows)*half), make([]float32, len(rows)*half)
	for i := range rows {
		for j := range half {
			pos, k := rows[i], j
			if j >= quarter {
				pos, k = cols[i], j-quarter
			}
			omega := math.Pow(10000, -4*float64(k)/float64(e.headDim))
			a := float64(float32(pos) * float32(omega))
			cos[i*half+j], sin[i*half+j] = float32(math.Cos(a)), float32(math.Sin(a))
		}
	}
	return cos, sin
}

// attention is x += Wo·MHA(RoPE(q), RoPE(k), v) + bo over LN1(x); attention is full (non-causal) over the
// image's patches.
func (e *Encoder) attention(x []float32, n int, b *block, cos, sin []float32) {
	dv, hd, half := e.dv, e.headDim, e.headDim/2
	y := make([]float32, n*dv)
	e.layerNormRows(y, x, n, dv, b.ln1)
	qkv := b.qkv.apply(y, n, e.threads)
	// Rotate q and k of every head in place.
	for i := range n {
		cs, sn := cos[i*half:(i+1)*half], sin[i*half:(i+1)*half]
		for part := range 2 { // q, then k
			for h := range e.heads {
				v := qkv[i*3*dv+part*dv+h*hd:]
				for j := range half {
					a, c := v[j], v[j+half]
					v[j] = a*cs[j] - c*sn[j]
					v[j+half] = a*sn[j] + c*cs[j]
				}
			}
		}
	}
	scale := float32(1 / math.Sqrt(float64(hd)))
	att := make([]float32, n*dv)
	parallelFor(n, e.threads, func(lo, hi int) {
		scores := make([]float32, n)
		for i := lo; i < hi; i++ {
			for h := range e.heads {
				q := qkv[i*3*dv+h*hd : i*3*dv+h*hd+hd]
				mx := float32(math.Inf(-1))
				for j := range n {
					s := dot(q, qkv[j*3*dv+dv+h*hd:j*3*dv+dv+h*hd+hd]) * scale
					scores[j] = s
					mx = max(mx, s)
				}
				var sum float64
				for j := range n {
					ex := float32(math.Exp(float64(scores[j] - mx)))
					scores[j] = ex
					sum += float64(ex)
				}
				inv := float32(1 / sum)
				o := att[i*dv+h*hd : i*dv+h*hd+hd]
				for j := range n {
					w := scores[j] * inv
					v := qkv[j*3*dv+2*dv+h*hd:]
					for d := range hd {
						o[d] += w * v[d]
					}
				}
			}
		}
	})
	proj := b.out.apply(att, n, e.threads)
	for i := range x {
		x[i] += proj[i]
	}
}

// mlp is x += W2·gelu(W1·LN2(x) + b1) + b2.
func (e *Encoder) mlp(x []float32, n int, b *block) {
	y := make([]float32, n*e.dv)
	e.layerNormRows(y, x, n, e.dv, b.ln2)
	h := b.up.apply(y, n, e.threads)
	for i := range h {
		h[i] = e.geluTanh(h[i])
	}
	out := b.down.apply(h, n, e.threads)
	for i := range x {
		x[i] += out[i]
	}
}

// merge applies a merger to the patch rows x [n][dv], giving [n/4][proj].
func (e *Encoder) merge(m *merger, x []float32, n int) []float32 {
	dv := e.dv
	z := make([]float32, n*dv) // viewed as [n/4][4·dv]: the four patches of each 2×2 block concatenated
	if m.preNorm {
		e.layerNormRows(z, x, n, dv, m.norm)
	} else {
		e.layerNormRows(z, x, n/4, 4*dv, m.norm)
	}
	h := m.fc1.apply(z, n/4, e.threads)
	for i := range h {
		if e.numerics == NumericsLlamaCPP {
			h[i] = e.geluTanh(h[i])
		} else {
			h[i] = geluErf(h[i])
		}
	}
	return m.fc2.apply(h, n/4, e.threads)
}

// layerNormRows writes LN(src row) to dst for rows rows of width w: (v − mean)/sqrt(var + eps)·γ + β with the
// population variance.
func (e *Encoder) layerNormRows(dst, src []float32, rows, w int, ln layerNorm) {
	for r := range rows {
		s, d := src[r*w:(r+1)*w], dst[r*w:(r+1)*w]
		var sum float64
		for _, v := range s {
			sum += float64(v)
		}
		mean := float32(sum / float64(w))
		var sq float64
		for i, v := range s {
			c := v - mean
			d[i] = c
			sq += float64(c * c)
		}
		inv := float32(1 / math.Sqrt(sq/float64(w)+float64(e.eps)))
		for i := range d {
			d[i] = d[i]*inv*ln.w[i] + ln.b[i]
		}
	}
}

// apply returns W·x + b for n input rows of width in, rows split over threads goroutines.
func (l *linear) apply(x []float32, n, threads int) []float32 {
	y := make([]float32, n*l.out)
	parallelFor(n, threads, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xr := x[r*l.in : (r+1)*l.in]
			yr := y[r*l.out : (r+1)*l.out]
			for o := range l.out {
				yr[o] = dot(l.w[o*l.in:(o+1)*l.in], xr) + l.b[o]
			}
		}
	})
	return y
}

// parallelFor calls fn on contiguous chunks of [0, n) from up to threads goroutines and waits for them.
func parallelFor(n, threads int, fn func(lo, hi int)) {
	threads = min(threads, n)
	if threads <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for t := range threads {
		lo, hi := n*t/threads, n*(t+1)/threads
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
}

// dot accumulates in float64 so the result does not depend on summation order beyond the final rounding.
func dot(a, b []float32) float32 {
	var s float64
	for i, v := range a {
		s += float64(v) * float64(b[i])
	}
	return float32(s)
}

// geluTanh is the tanh form 0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))). With NumericsLlamaCPP it is ggml's CPU
// version: |z| ≥ 10 passes through (or gives 0), otherwise z is rounded to F16 and the float32 result too.
func (e *Encoder) geluTanh(z float32) float32 {
	if e.numerics != NumericsLlamaCPP {
		return float32(0.5 * float64(z) * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(float64(z)+0.044715*float64(z)*float64(z)*float64(z)))))
	}
	switch {
	case z <= -10:
		return 0
	case z >= 10:
		return z
	}
	x := roundF16(z)
	const sqrt2OverPi, coefA = float32(0.79788456080286535587989211986876), float32(0.044715)
	t := float32(math.Tanh(float64(sqrt2OverPi * x * (1 + coefA*x*x))))
	return roundF16(0.5 * x * (1 + t))
}

// geluErf is the exact GELU 0.5·z·(1 + erf(z/√2)) used by the Hugging Face mergers.
func geluErf(z float32) float32 {
	return float32(0.5 * float64(z) * (1 + math.Erf(float64(z)/math.Sqrt2)))
}

func roundF16(v float32) float32 { return quant.F16ToF32(quant.F32ToF16(v)) }
