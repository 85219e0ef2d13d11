package cpu

import (
	"fmt"

	"github.com/qwenstudio/qwenstudio/kernels/quant"
	"github.com/qwenstudio/qwenstudio/kernels/tensor"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// Matmuls are where the time goes: every weight byte is read once per token (decode) or once per tile of
// tokens (prefill). Activations are encoded once per op into the weight type's partner format, then every
// worker takes tiles of (weight rows × tokens) and calls the type's vecDot.

// encodeTask encodes activation rows into the partner type of a weight type (and packs them for the tile
// kernel).
type encodeTask struct {
	items
	x    []float32
	k    int
	out  []byte
	orb  int
	enc  func(x []float32, y []byte)
	pack packFunc
	p    []byte // packed rows, prb bytes each
	prb  int
}

func (e *encodeTask) run(int) {
	for {
		r, ok := e.claim()
		if !ok {
			return
		}
		y := e.out[r*e.orb : (r+1)*e.orb]
		e.enc(e.x[r*e.k:(r+1)*e.k], y)
		if e.pack != nil {
			e.pack(y, e.p[r*e.prb:(r+1)*e.prb])
		}
	}
}

// encoded activations of a MatMul: rows of rb bytes in the partner format (x itself for F32), and for the
// tile kernel the rows as it reads them (p, prb bytes each: packed, or the encoded rows themselves).
type encoded struct {
	x   []byte
	rb  int
	p   []byte
	prb int
}

// encode returns x's rows in the partner format of tr, prepared for tr's tile kernel when there are rows
// enough to use it.
func (b *Backend) encode(tr *traits, x []float32, rows, k int) encoded {
	if tr.fromF32 == nil || b.cfg.F32 {
		xb := f32Bytes(x)
		return encoded{x: xb, rb: 4 * k, p: xb, prb: 4 * k}
	}
	orb, err := quant.RowBytes(tr.act, k)
	if err != nil {
		panic(fmt.Sprintf("cpu: matmul: activations of %d columns as %v: %v", k, tr.act, err))
	}
	out := b.actBytes(rows * orb)
	e := &b.tEncode
	*e = encodeTask{x: x, k: k, out: out, orb: orb, enc: tr.fromF32}
	tiled := tr.tile != nil && rows >= tr.tileN
	if tiled && tr.pack != nil {
		e.pack, e.prb = tr.pack, tr.packLen(orb)
		e.p = b.packBytes(rows * e.prb)
	}
	e.reset(rows)
	b.pool.run(e, rows)
	if e.pack != nil {
		return encoded{x: out, rb: orb, p: e.p, prb: e.prb}
	}
	return encoded{x: out, rb: orb, p: out, prb: orb}
}

type matmulTask struct {
	items
	w        []byte // weight rows
	wrb      int
	x        []byte // encoded activation rows
	xrb      int
	xf       []float32 // F32 mode: activations
	dst      []float32
	n, k     int
	rowChunk int
	tokChunk int
	nRowCh   int
	nTok     int
	dot      func(w, x []byte) float32
	rows4    rowsFunc // nil, or four weight rows per activation load (tokens outside tiles)
	tile     tileFunc // nil, or tileN tokens per weight row load
	tileN    int
	p        []byte // activation rows as tile reads them
	prb      int
	toF32    func(w []byte, out []float32) // F32 mode for non-F32 weights: decode a row, dot in float32
	scratch  [][]float32
	outs     []kernelOut // per worker: what the tile and four-row kernels return
}

// kernelOut receives a tile kernel's results; one per worker, a cache line each (no false sharing, and no
// allocation: a local array passed to a kernel through a func value would escape to the heap).
type kernelOut [16]float32

func (m *matmulTask) run(worker int) {
	for {
		c, ok := m.claim()
		if !ok {
			return
		}
		r0 := c % m.nRowCh * m.rowChunk
		r1 := min(r0+m.rowChunk, m.n)
		t0 := c / m.nRowCh * m.tokChunk
		t1 := min(t0+m.tokChunk, m.nTok)
		if m.toF32 != nil {
			row := m.scratch[worker][:m.k]
			for r := r0; r < r1; r++ {
				m.toF32(m.w[r*m.wrb:(r+1)*m.wrb], row)
				for t := t0; t < t1; t++ {
					m.dst[t*m.n+r] = dotF32(row, m.xf[t*m.k:(t+1)*m.k])
				}
			}
			continue
		}
		t := t0
		if m.tile != nil {
			// Groups of tileN tokens: each weight block is loaded once per group. The tile's weight rows stay
			// in cache while the groups pass.
			tn := m.tileN
			out := m.outs[worker][:tn]
			for ; t+tn <= t1; t += tn {
				p := m.p[t*m.prb : (t+tn)*m.prb]
				d := m.dst[t*m.n:]
				for r := r0; r < r1; r++ {
					m.tile(m.w[r*m.wrb:(r+1)*m.wrb], p, m.prb, out)
					for i, v := range out {
						d[i*m.n+r] = v
					}
				}
			}
		}
		for ; t < t1; t++ {
			x := m.x[t*m.xrb : (t+1)*m.xrb]
			d := m.dst[t*m.n : (t+1)*m.n]
			r := r0
			if m.rows4 != nil {
				o := (*[4]float32)(m.outs[worker][:4])
				for ; r+4 <= r1; r += 4 {
					m.rows4(m.w[r*m.wrb:(r+4)*m.wrb], m.wrb, x, o)
					d[r], d[r+1], d[r+2], d[r+3] = o[0], o[1], o[2], o[3]
				}
			}
			for ; r < r1; r++ {
				d[r] = m.dot(m.w[r*m.wrb:(r+1)*m.wrb], x)
			}
		}
	}
}

// tiles picks tile sizes: enough tiles for every worker to stay busy, tiles large enough to amortise the
// claim and keep a tile's weight rows in cache while the tokens stream past.
func (b *Backend) tiles(n, t int) (rowChunk, tokChunk int) {
	tokChunk = min(t, 64) // a multiple of every tile height
	nTokCh := (t + tokChunk - 1) / tokChunk
	want := 4 * b.threads // tiles in total
	rowChunk = max(1, min(64, n*nTokCh/max(want, 1)))
	return rowChunk, tokChunk
}

// MatMul: dst [T][N] = x [T][K] · w [N][K]ᵀ.
func (b *Backend) MatMul(dst, w, x tensor.Tensor) {
	n, k, nt := w.Rows(), w.Cols(), x.Rows()
	if x.Cols() != k || dst.Rows() != nt || dst.Cols() != n {
		panic(fmt.Sprintf("cpu: MatMul(%v, %v, %v): shapes", dst, w, x))
	}
	tr := traitsOf(w.Type())
	if tr == nil {
		panic(fmt.Sprintf("cpu: MatMul: weight type %v", w.Type()))
	}
	b.lock()
	defer b.mu.Unlock()
	xf := f32s(x)
	wrb, wb := rowBytes(w)
	m := &b.tMatMul
	*m = matmulTask{w: wb, wrb: wrb, dst: f32s(dst), n: n, k: k, nTok: nt, dot: tr.vecDot, rows4: tr.rows4, outs: b.outs}
	if b.cfg.F32 && w.Type() != gguf.TypeF32 {
		b.growScratch(k)
		m.toF32, m.xf, m.scratch = tr.toF32, xf, b.scratch
	} else {
		e := b.encode(tr, xf, nt, k)
		m.x, m.xrb = e.x, e.rb
		if tr.tile != nil && nt >= tr.tileN {
			m.tile, m.tileN, m.p, m.prb = tr.tile, tr.tileN, e.p, e.prb
		}
	}
	m.rowChunk, m.tokChunk = b.tiles(n, nt)
	m.nRowCh = (n + m.rowChunk - 1) / m.rowChunk
	nItems := m.nRowCh * ((nt + m.tokChunk - 1) / m.tokChunk)
	m.reset(nItems)
	b.pool.run(m, nItems)
}

// expertRows is one tile of MatMulID: rows [r0, r1) of expert e's matrix against the slots routed to e.
type expertRows struct {
	e, r0, r1 int
}

type matmulIDTask struct {
	items
	w        []byte
	wrb      int
	x        []byte
	xrb      int
	xf       []float32
	dst      []float32
	n, k     int
	perSlot  bool // x has one row per slot (else per token)
	slotsK   int  // k: slots per token
	order    []int32
	start    []int32 // order[start[e]:start[e+1]] are the slots routed to expert e
	tiles    []expertRows
	dot      func(w, x []byte) float32
	toF32    func(w []byte, out []float32)
	scratch  [][]float32
	expertsN int
}

func (m *matmulIDTask) xRow(s int) int {
	if m.perSlot {
		return s
	}
	return s / m.slotsK
}

func (m *matmulIDTask) run(worker int) {
	for {
		c, ok := m.claim()
		if !ok {
			return
		}
		tl := m.tiles[c]
		slots := m.order[m.start[tl.e]:m.start[tl.e+1]]
		for r := tl.r0; r < tl.r1; r++ {
			wr := m.w[(tl.e*m.n+r)*m.wrb : (tl.e*m.n+r+1)*m.wrb]
			if m.toF32 != nil {
				row := m.scratch[worker][:m.k]
				m.toF32(wr, row)
				for _, s := range slots {
					xr := m.xRow(int(s))
					m.dst[int(s)*m.n+r] = dotF32(row, m.xf[xr*m.k:(xr+1)*m.k])
				}
				continue
			}
			for _, s := range slots {
				xr := m.xRow(int(s))
				m.dst[int(s)*m.n+r] = m.dot(wr, m.x[xr*m.xrb:(xr+1)*m.xrb])
			}
		}
	}
}

// MatMulID: dst[t·k+j] = w_{ids[t][j]} · x_r (see kernels.Backend). Slots are grouped by expert so each
// expert's rows are read once for all the tokens routed to it.
func (b *Backend) MatMulID(dst, w, x, ids tensor.Tensor) {
	nt, kk := ids.Rows(), ids.Cols()
	n, k := dst.Cols(), w.Cols()
	if n == 0 || w.Rows()%n != 0 || dst.Rows() != nt*kk || x.Cols() != k || (x.Rows() != nt && x.Rows() != nt*kk) {
		panic(fmt.Sprintf("cpu: MatMulID(%v, %v, %v, %v): shapes", dst, w, x, ids))
	}
	tr := traitsOf(w.Type())
	if tr == nil {
		panic(fmt.Sprintf("cpu: MatMulID: weight type %v", w.Type()))
	}
	nExp := w.Rows() / n
	b.lock()
	defer b.mu.Unlock()
	m := &b.tMMID
	idv := i32s(ids)
	// Counting sort of the slots by expert, into reused scratch.
	start := growI32(m.start, nExp+1)
	order := growI32(m.order, nt*kk)
	clear(start)
	for _, e := range idv {
		if e < 0 || int(e) >= nExp {
			panic(fmt.Sprintf("cpu: MatMulID: expert id %d out of range [0,%d)", e, nExp))
		}
		start[e+1]++
	}
	for e := 0; e < nExp; e++ {
		start[e+1] += start[e]
	}
	b.pos = growI32(b.pos, nExp)
	pos := b.pos
	copy(pos, start[:nExp])
	for s, e := range idv {
		order[pos[e]] = int32(s)
		pos[e]++
	}
	rowChunk, _ := b.tiles(n, 1)
	tiles := m.tiles[:0]
	for e := 0; e < nExp; e++ {
		if start[e+1] == start[e] {
			continue
		}
		for r0 := 0; r0 < n; r0 += rowChunk {
			tiles = append(tiles, expertRows{e: e, r0: r0, r1: min(r0+rowChunk, n)})
		}
	}
	xf := f32s(x)
	wrb, wb := rowBytes(w)
	*m = matmulIDTask{w: wb, wrb: wrb, dst: f32s(dst), n: n, k: k, perSlot: x.Rows() == nt*kk && kk > 1,
		slotsK: kk, order: order, start: start, tiles: tiles, dot: tr.vecDot, expertsN: nExp}
	if b.cfg.F32 && w.Type() != gguf.TypeF32 {
		b.growScratch(k)
		m.toF32, m.xf, m.scratch = tr.toF32, xf, b.scratch
	} else {
		e := b.encode(tr, xf, x.Rows(), k)
		m.x, m.xrb = e.x, e.rb
	}
	m.reset(len(tiles))
	b.pool.run(m, len(tiles))
}

func growI32(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}
