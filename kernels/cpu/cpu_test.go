package cpu

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/qwenstudio/qwenstudio/kernels/quant"
	"github.com/qwenstudio/qwenstudio/kernels/tensor"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

var weightTypes = []gguf.Type{gguf.TypeF32, gguf.TypeF16, gguf.TypeBF16, gguf.TypeQ8_0, gguf.TypeQ4_0,
	gguf.TypeQ4_1, gguf.TypeQ5_0, gguf.TypeQ5_1, gguf.TypeQ4_K, gguf.TypeQ5_K, gguf.TypeQ6_K}

func randF32(r *rand.Rand, n int, scale float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * scale)
	}
	return x
}

// randWeight makes rows×cols weights of type t: encoded floats where we have an encoder, random blocks with
// sane F16 scales for the K-quants (every bit pattern of their quants and packed scales is valid).
func randWeight(t *testing.T, r *rand.Rand, typ gguf.Type, rows, cols int) []byte {
	t.Helper()
	switch typ {
	case gguf.TypeQ4_K, gguf.TypeQ5_K, gguf.TypeQ6_K:
	default:
		b, err := quant.Quantize(typ, randF32(r, rows*cols, 0.05))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	_, bb, _ := quant.Layout(typ)
	n := rows * cols / 256
	b := make([]byte, n*bb)
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	for i := 0; i < n; i++ {
		blk := b[i*bb : (i+1)*bb]
		d := quant.F32ToF16(float32(0.0005 + 0.001*r.Float64()))
		if typ == gguf.TypeQ6_K {
			binary.LittleEndian.PutUint16(blk[208:], d)
		} else {
			binary.LittleEndian.PutUint16(blk, d)
			binary.LittleEndian.PutUint16(blk[2:], quant.F32ToF16(float32(0.0005*r.Float64())))
		}
	}
	return b
}

func decode(t *testing.T, typ gguf.Type, b []byte, n int) []float32 {
	t.Helper()
	out := make([]float32, n)
	if err := quant.Dequantize(typ, b, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestVecDot checks each type's dot product against a float64 sum over the decoded weight row and the decoded
// encoded activations (which it must match up to float32 rounding), and against the float activations (which
// it must match up to the activation encoding's error).
func TestVecDot(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	const k = 1024
	for _, typ := range weightTypes {
		tr := traitsOf(typ)
		for trial := 0; trial < 20; trial++ {
			w := randWeight(t, r, typ, 1, k)
			x := randF32(r, k, 1)
			xb := f32Bytes(x)
			if tr.fromF32 != nil {
				n, _ := quant.RowBytes(tr.act, k)
				xb = make([]byte, n)
				tr.fromF32(x, xb)
			}
			got := float64(tr.vecDot(w, xb))
			wf := decode(t, typ, w, k)
			xq := decode(t, tr.act, xb, k)
			var exact, unrounded, mag float64
			for i := range wf {
				exact += float64(wf[i]) * float64(xq[i])
				unrounded += float64(wf[i]) * float64(x[i])
				mag += math.Abs(float64(wf[i]) * float64(x[i]))
			}
			if tr.act == gguf.TypeQ8_1 {
				// Q8_1 carries s = d·Σq rounded to F16, and the offset term of Q4_1/Q5_1 uses it (as in ggml):
				// replace m·dx·Σqx by m·s in the reference, block by block.
				_, wbb, _ := quant.Layout(typ)
				for blk := 0; blk < k/32; blk++ {
					m := float64(quant.F16ToF32(binary.LittleEndian.Uint16(w[blk*wbb+2:])))
					xb := xb[blk*quant.Q8_1B:]
					s := float64(quant.F16ToF32(binary.LittleEndian.Uint16(xb[2:])))
					var sx float64
					for i := 0; i < 32; i++ {
						sx += float64(xq[blk*32+i])
					}
					exact += m * (s - sx)
				}
			}
			if d := math.Abs(got - exact); d > 1e-5*mag {
				t.Fatalf("%v: vecDot = %g, float64 over decoded operands = %g (|Σ| %g)", typ, got, exact, mag)
			}
			// Partner encodings lose at most ~1% of the magnitude (Q8 blocks: amax/254 per element).
			if d := math.Abs(got - unrounded); d > 0.02*mag {
				t.Fatalf("%v: vecDot = %g, float64 with float activations = %g (|Σ| %g)", typ, got, unrounded, mag)
			}
			// The row decoder agrees with the reference Dequantize.
			row := make([]float32, k)
			tr.toF32(w, row)
			for i := range row {
				if row[i] != wf[i] {
					t.Fatalf("%v: toF32[%d] = %g, Dequantize = %g", typ, i, row[i], wf[i])
				}
			}
		}
	}
}

func newBackend(t testing.TB, threads int, f32 bool) *Backend {
	b := New(Config{Threads: threads, F32: f32})
	t.Cleanup(func() { b.Close() })
	return b
}

func alloc(t testing.TB, b *Backend, typ gguf.Type, rows, cols int) tensor.Tensor {
	t.Helper()
	x, err := b.Alloc(typ, rows, cols)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func upload(t testing.TB, b *Backend, rows, cols int, v []float32) tensor.Tensor {
	t.Helper()
	x := alloc(t, b, gguf.TypeF32, rows, cols)
	b.Write(x, v)
	return x
}

func read(b *Backend, x tensor.Tensor) []float32 {
	out := make([]float32, x.Len())
	b.Read(x, out)
	return out
}

// TestMatMul compares MatMul (several thread counts, token counts and odd row counts) with per-row float64
// sums over the decoded weights, in the rounded-activation mode and in F32 mode.
func TestMatMul(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	const n, k = 37, 512
	for _, typ := range weightTypes {
		w := randWeight(t, r, typ, n, k)
		wf := decode(t, typ, w, n*k)
		for _, nt := range []int{1, 5, 70} {
			x := randF32(r, nt*k, 1)
			var ref [2][]float32 // per thread count, mode 0
			for _, f32 := range []bool{false, true} {
				for ti, threads := range []int{1, 3} {
					b := newBackend(t, threads, f32)
					wt, err := b.Weight("w", typ, n, k, w)
					if err != nil {
						t.Fatal(err)
					}
					xt := upload(t, b, nt, k, x)
					dst := alloc(t, b, gguf.TypeF32, nt, n)
					b.MatMul(dst, wt, xt)
					got := read(b, dst)
					if !f32 {
						ref[ti] = got
					}
					tol := 0.02 // rounded activations: up to ~1% of the magnitude
					if f32 || typ == gguf.TypeF32 {
						tol = 1e-5
					}
					for tk := 0; tk < nt; tk++ {
						for o := 0; o < n; o++ {
							var want, mag float64
							for i := 0; i < k; i++ {
								p := float64(wf[o*k+i]) * float64(x[tk*k+i])
								want += p
								mag += math.Abs(p)
							}
							if d := math.Abs(float64(got[tk*n+o]) - want); d > tol*mag {
								t.Fatalf("%v T=%d f32=%v threads=%d: dst[%d][%d] = %g, want %g (|Σ| %g)", typ, nt, f32, threads, tk, o, got[tk*n+o], want, mag)
							}
						}
					}
				}
			}
			for i := range ref[0] {
				if ref[0][i] != ref[1][i] {
					t.Fatalf("%v T=%d: 1 and 3 threads differ at %d: %g vs %g", typ, nt, i, ref[0][i], ref[1][i])
				}
			}
		}
	}
}

// TestMatMulID checks the expert-routed matmul against MatMul by each selected expert's slice.
func TestMatMulID(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	const nExp, n, k, nt, kk = 5, 24, 256, 6, 2
	for _, typ := range []gguf.Type{gguf.TypeF32, gguf.TypeQ8_0, gguf.TypeQ4_K} {
		for _, perSlot := range []bool{false, true} {
			b := newBackend(t, 2, false)
			w, err := b.Weight("experts", typ, nExp*n, k, randWeight(t, r, typ, nExp*n, k))
			if err != nil {
				t.Fatal(err)
			}
			xRows := nt
			if perSlot {
				xRows = nt * kk
			}
			xv := randF32(r, xRows*k, 1)
			x := upload(t, b, xRows, k, xv)
			idv := make([]float32, nt*kk)
			for i := range idv {
				idv[i] = float32((i*3 + i/kk) % nExp)
			}
			ids := alloc(t, b, gguf.TypeI32, nt, kk)
			b.Write(ids, idv)
			dst := alloc(t, b, gguf.TypeF32, nt*kk, n)
			b.MatMulID(dst, w, x, ids)
			got := read(b, dst)
			one := alloc(t, b, gguf.TypeF32, 1, n)
			for s := 0; s < nt*kk; s++ {
				xr := s / kk
				if perSlot {
					xr = s
				}
				e := int(idv[s])
				b.MatMul(one, w.Slice(e*n, n), x.Slice(xr, 1))
				want := read(b, one)
				for o := range want {
					if got[s*n+o] != want[o] {
						t.Fatalf("%v perSlot=%v slot %d (expert %d) row %d: %g, MatMul gives %g", typ, perSlot, s, e, o, got[s*n+o], want[o])
					}
				}
			}
		}
	}
}

func TestRMSNormAndElementwise(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	b := newBackend(t, 2, false)
	const rows, n = 9, 16
	xv, wv := randF32(r, rows*n, 0.1), randF32(r, n, 1)
	x, w := upload(t, b, rows, n, xv), upload(t, b, 1, n, wv)
	dst := alloc(t, b, gguf.TypeF32, rows, n)
	b.RMSNorm(dst, x, w, 1e-6)
	got := read(b, dst)
	for i := 0; i < rows; i++ {
		var ss float64
		for j := 0; j < n; j++ {
			ss += float64(xv[i*n+j]) * float64(xv[i*n+j])
		}
		inv := 1 / math.Sqrt(ss/n+1e-6)
		for j := 0; j < n; j++ {
			want := float64(xv[i*n+j]) * inv * float64(wv[j])
			if math.Abs(float64(got[i*n+j])-want) > 1e-6*math.Abs(want)+1e-9 {
				t.Fatalf("RMSNorm[%d][%d] = %g, want %g", i, j, got[i*n+j], want)
			}
		}
	}
	// In place, per head: [rows][n] viewed as [rows*2][n/2] with a weight of n/2.
	w2 := upload(t, b, 1, n/2, wv[:n/2])
	xh := x.Reshape(rows*2, n/2)
	b.RMSNorm(xh, xh, w2, 1e-6)
	head := read(b, x)[:n/2]
	var ss float64
	for j := 0; j < n/2; j++ {
		ss += float64(xv[j]) * float64(xv[j])
	}
	if want := float64(xv[1]) / math.Sqrt(ss/(n/2)+1e-6) * float64(wv[1]); math.Abs(float64(head[1])-want) > 1e-6*math.Abs(want) {
		t.Fatalf("per-head RMSNorm = %g, want %g", head[1], want)
	}

	a, c := randF32(r, rows*n, 1), randF32(r, rows*n, 1)
	at, ct := upload(t, b, rows, n, a), upload(t, b, rows, n, c)
	b.Add(dst, at, ct)
	sum := read(b, dst)
	b.SwiGLU(dst, at, ct)
	sw := read(b, dst)
	for i := range a {
		if sum[i] != a[i]+c[i] {
			t.Fatalf("Add[%d] = %g, want %g", i, sum[i], a[i]+c[i])
		}
		want := float64(a[i]) / (1 + math.Exp(-float64(a[i]))) * float64(c[i])
		if math.Abs(float64(sw[i])-want) > 1e-6*math.Abs(want)+1e-9 {
			t.Fatalf("SwiGLU[%d] = %g, want %g", i, sw[i], want)
		}
	}
}

func TestRope(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	b := newBackend(t, 2, false)
	const d, heads = 16, 3
	pos := []int32{0, 1, 7, 1000, 40000}
	for _, p := range []tensor.Rope{
		{Dim: d, Base: 1e6},
		{Dim: d, Base: 1e4, Scaling: "linear", Factor: 4},
		{Dim: d, Base: 1e6, Scaling: "yarn", Factor: 4, OrigCtx: 32768},
	} {
		tab := alloc(t, b, gguf.TypeF32, len(pos), d)
		b.RopeTable(tab, pos, p)
		xv := randF32(r, len(pos)*heads*d, 1)
		x := upload(t, b, len(pos), heads*d, xv)
		b.Rope(x, tab, d)
		got := read(b, x)
		// Spec §2.4/§2.8, computed independently here.
		m := d / 2
		lo, hi, mscale := 0.0, 0.0, 1.0
		if p.Scaling == "yarn" {
			corr := func(rr float64) float64 {
				return d * math.Log(float64(p.OrigCtx)/(2*math.Pi*rr)) / (2 * math.Log(p.Base))
			}
			lo, hi = math.Max(math.Floor(corr(32)), 0), math.Min(math.Ceil(corr(1)), d-1)
			mscale = 0.1*math.Log(p.Factor) + 1
		}
		for ti, ps := range pos {
			for h := 0; h < heads; h++ {
				v := xv[(ti*heads+h)*d:]
				for i := 0; i < m; i++ {
					th := math.Pow(p.Base, -2*float64(i)/d)
					switch p.Scaling {
					case "linear":
						th /= p.Factor
					case "yarn":
						ramp := math.Min(math.Max((float64(i)-lo)/(hi-lo), 0), 1)
						th = th*(1-ramp) + th/p.Factor*ramp
					}
					c, s := math.Cos(float64(ps)*th)*mscale, math.Sin(float64(ps)*th)*mscale
					w0 := float64(v[i])*c - float64(v[i+m])*s
					w1 := float64(v[i])*s + float64(v[i+m])*c
					g0, g1 := got[(ti*heads+h)*d+i], got[(ti*heads+h)*d+i+m]
					if math.Abs(float64(g0)-w0) > 1e-5 || math.Abs(float64(g1)-w1) > 1e-5 {
						t.Fatalf("%+v pos %d head %d pair %d: (%g,%g), want (%g,%g)", p, ps, h, i, g0, g1, w0, w1)
					}
				}
			}
		}
	}
}

// naiveAttention is the spec §2.4 formula in float64 over float32 inputs.
func naiveAttention(q, k, v []float32, nt, pos0, nHead, nKV, d int, scale float64) []float64 {
	out := make([]float64, nt*nHead*d)
	for t := 0; t < nt; t++ {
		for h := 0; h < nHead; h++ {
			g := h / (nHead / nKV)
			n := pos0 + t + 1
			s := make([]float64, n)
			mx := math.Inf(-1)
			for u := 0; u < n; u++ {
				for i := 0; i < d; i++ {
					s[u] += float64(q[(t*nHead+h)*d+i]) * float64(k[(u*nKV+g)*d+i])
				}
				s[u] *= scale
				mx = math.Max(mx, s[u])
			}
			var sum float64
			for u := range s {
				s[u] = math.Exp(s[u] - mx)
				sum += s[u]
			}
			for u := range s {
				for i := 0; i < d; i++ {
					out[(t*nHead+h)*d+i] += s[u] / sum * float64(v[(u*nKV+g)*d+i])
				}
			}
		}
	}
	return out
}

func TestAttention(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	const nHead, nKV, nCtx = 4, 2, 40
	// Head sizes: 16 and 24 take the per-key loops for part of the work, 64 and 128 the whole-row kernels.
	for _, d := range []int{16, 24, 64, 128} {
		for _, cache := range []gguf.Type{gguf.TypeF32, gguf.TypeF16} {
			for _, c := range []struct{ pos0, nt int }{{0, 1}, {0, 9}, {9, 1}, {20, 13}} {
				b := newBackend(t, 3, false)
				kv := randF32(r, nCtx*nKV*d, 1)
				vv := randF32(r, nCtx*nKV*d, 1)
				k := alloc(t, b, cache, nCtx, nKV*d)
				v := alloc(t, b, cache, nCtx, nKV*d)
				b.Copy(k, upload(t, b, nCtx, nKV*d, kv))
				b.Copy(v, upload(t, b, nCtx, nKV*d, vv))
				kr, vr := read(b, k), read(b, v) // what the cache holds (F16-rounded for F16)
				qv := randF32(r, c.nt*nHead*d, 1)
				q := upload(t, b, c.nt, nHead*d, qv)
				dst := alloc(t, b, gguf.TypeF32, c.nt, nHead*d)
				scale := 1 / math.Sqrt(float64(d))
				b.Attention(dst, q, k, v, c.pos0, nHead, nKV, float32(scale))
				got := read(b, dst)
				want := naiveAttention(qv, kr, vr, c.nt, c.pos0, nHead, nKV, d, scale)
				for i := range want {
					if math.Abs(float64(got[i])-want[i]) > 1e-5 {
						t.Fatalf("d=%d %v pos0=%d T=%d: out[%d] = %g, want %g", d, cache, c.pos0, c.nt, i, got[i], want[i])
					}
				}
			}
		}
	}
}

func TestTopKAndWeightedSum(t *testing.T) {
	b := newBackend(t, 2, false)
	const e, k = 6, 2
	logits := upload(t, b, 2, e, []float32{
		0.1, 2, 0.3, 2, -1, 1, // tie between experts 1 and 3: the lower id first
		5, 4, 3, 2, 1, 0,
	})
	ids := alloc(t, b, gguf.TypeI32, 2, k)
	w := alloc(t, b, gguf.TypeF32, 2, k)
	for _, norm := range []bool{true, false} {
		b.TopK(ids, w, logits, norm)
		gotIDs, gotW := read(b, ids), read(b, w)
		if fmt.Sprint(gotIDs) != "[1 3 0 1]" {
			t.Fatalf("ids = %v", gotIDs)
		}
		if norm {
			if gotW[0] != 0.5 || gotW[1] != 0.5 || math.Abs(float64(gotW[2])-1/(1+math.Exp(-1))) > 1e-6 {
				t.Fatalf("normalised weights = %v", gotW)
			}
		} else {
			var z float64
			for _, l := range []float64{0.1, 2, 0.3, 2, -1, 1} {
				z += math.Exp(l)
			}
			if math.Abs(float64(gotW[0])-math.Exp(2)/z) > 1e-6 {
				t.Fatalf("weights = %v, want p = %g", gotW, math.Exp(2)/z)
			}
		}
	}
	src := upload(t, b, 4, 3, []float32{1, 2, 3, 10, 20, 30, 1, 1, 1, 2, 2, 2})
	dst := alloc(t, b, gguf.TypeF32, 2, 3)
	b.WeightedSum(dst, src, upload(t, b, 2, k, []float32{0.5, 0.25, 2, -1}))
	if got := read(b, dst); fmt.Sprint(got) != "[3 6 9 0 0 0]" {
		t.Fatalf("WeightedSum = %v", got)
	}
}

func TestGetRowsAndCopy(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	b := newBackend(t, 2, false)
	const v, d = 10, 256
	for _, typ := range weightTypes {
		raw := randWeight(t, r, typ, v, d)
		table, err := b.Weight("emb", typ, v, d, raw)
		if err != nil {
			t.Fatal(err)
		}
		ids := []int32{3, 0, 9, 3}
		dst := alloc(t, b, gguf.TypeF32, len(ids), d)
		b.GetRows(dst, table, ids)
		got := read(b, dst)
		all := decode(t, typ, raw, v*d)
		for i, id := range ids {
			for j := 0; j < d; j++ {
				if got[i*d+j] != all[int(id)*d+j] {
					t.Fatalf("%v: GetRows row %d col %d = %g, want %g", typ, i, j, got[i*d+j], all[int(id)*d+j])
				}
			}
		}
	}
	x := []float32{1, 1.0001, -65504, 70000, 1e-8, 0.333}
	src := upload(t, b, 2, 3, x)
	h := alloc(t, b, gguf.TypeF16, 6, 1)
	b.Copy(h, src)
	back := alloc(t, b, gguf.TypeF32, 1, 6)
	b.Copy(back, h)
	got := read(b, back)
	for i, v := range x {
		if want := quant.F16ToF32(quant.F32ToF16(v)); got[i] != want {
			t.Fatalf("F32→F16→F32 of %g = %g, want %g", v, got[i], want)
		}
	}
}

func TestWeightErrors(t *testing.T) {
	b := newBackend(t, 1, false)
	if _, err := b.Weight("w", gguf.TypeQ8_0, 2, 32, make([]byte, 67)); err == nil {
		t.Error("wrong byte count accepted")
	}
	if _, err := b.Weight("w", gguf.TypeQ8_0, 2, 31, make([]byte, 68)); err == nil {
		t.Error("partial block accepted")
	}
	if _, err := b.Weight("w", gguf.TypeIQ2_XXS, 1, 256, make([]byte, 66)); err == nil {
		t.Error("unsupported type accepted")
	}
	// Misaligned F32 data is copied, not misread.
	raw := make([]byte, 4*4+1)
	binary.LittleEndian.PutUint32(raw[1:], math.Float32bits(2.5))
	w, err := b.Weight("w", gguf.TypeF32, 1, 4, raw[1:])
	if err != nil {
		t.Fatal(err)
	}
	if got := read(b, w); got[0] != 2.5 {
		t.Fatalf("misaligned F32 weight reads %v", got)
	}
}

// TestNoAllocations: a decode-sized step of ops allocates nothing once the scratch has grown, and neither
// does a prefill-sized MatMul (tile kernels), for a K-quant and for Q8_0 (four-row kernels) weights.
func TestNoAllocations(t *testing.T) {
	for _, typ := range []gguf.Type{gguf.TypeQ4_K, gguf.TypeQ8_0} {
		testNoAllocations(t, typ)
	}
}

func testNoAllocations(t *testing.T, typ gguf.Type) {
	r := rand.New(rand.NewPCG(8, 8))
	b := newBackend(t, 2, false)
	const k, n = 256, 64
	w, err := b.Weight("w", typ, n, k, randWeight(t, r, typ, n, k))
	if err != nil {
		t.Fatal(err)
	}
	xs := upload(t, b, 12, k, randF32(r, 12*k, 1))
	ys := alloc(t, b, gguf.TypeF32, 12, n)
	b.MatMul(ys, w, xs)
	if a := testing.AllocsPerRun(20, func() { b.MatMul(ys, w, xs) }); a != 0 {
		t.Fatalf("%v: a 12-token MatMul allocates %v times", typ, a)
	}
	x := upload(t, b, 1, k, randF32(r, k, 1))
	y := alloc(t, b, gguf.TypeF32, 1, n)
	kc := alloc(t, b, gguf.TypeF16, 8, n)
	norm := upload(t, b, 1, k, randF32(r, k, 1))
	tab := alloc(t, b, gguf.TypeF32, 1, 16)
	pos := []int32{5}
	step := func() {
		b.RMSNorm(x, x, norm, 1e-6)
		b.MatMul(y, w, x)
		b.RopeTable(tab, pos, tensor.Rope{Dim: 16, Base: 1e6})
		b.Rope(y, tab, 16)
		b.Copy(kc.Slice(5, 1), y)
		b.Attention(y, y, kc, kc, 5, 4, 4, 0.25)
		b.SwiGLU(y, y, y)
	}
	step()
	if a := testing.AllocsPerRun(20, step); a != 0 {
		t.Fatalf("%v: a decode step allocates %v times", typ, a)
	}
}

func BenchmarkMatMul(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 9))
	const n, k = 1024, 1024
	for _, typ := range weightTypes {
		for _, nt := range []int{1, 32} {
			b.Run(fmt.Sprintf("%v/T=%d", typ, nt), func(b *testing.B) {
				be := newBackend(b, 0, false)
				raw := randWeight(&testing.T{}, r, typ, n, k)
				w, err := be.Weight("w", typ, n, k, raw)
				if err != nil {
					b.Fatal(err)
				}
				x := upload(b, be, nt, k, randF32(r, nt*k, 1))
				dst := alloc(b, be, gguf.TypeF32, nt, n)
				b.SetBytes(int64(len(raw)))
				b.ResetTimer()
				for b.Loop() {
					be.MatMul(dst, w, x)
				}
			})
		}
	}
}
