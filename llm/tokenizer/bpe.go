package tokenizer

import (
	"math"
	"sync"
)

// merges maps an adjacent pair of ids to the merge's rank (its line in the merges list) and the merged id.
// It is an open-addressing hash table (linear probing, load factor at most 3/4): BPE spends most of its time
// in these lookups, and this is several times faster than a Go map with uint64 keys.
type merges struct {
	slots []mergeSlot
	mask  uint64
	shift uint // 64 - log2(len(slots)): Fibonacci hashing takes the product's top bits
	n     int
}

type mergeSlot struct {
	key      uint64 // pairKey+1, so that 0 marks an empty slot
	rank, id int32
}

type mergeInfo struct{ rank, id int32 }

func newMerges(n int) merges {
	size, bits := 16, uint(4)
	for size*3 < 4*n {
		size *= 2
		bits++
	}
	return merges{slots: make([]mergeSlot, size), mask: uint64(size - 1), shift: 64 - bits}
}

func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// add inserts a merge unless the pair already has one (the first, lowest-ranked occurrence wins, as in
// Hugging Face). It reports whether it inserted.
func (m *merges) add(a, b, rank, id int32) bool {
	k := pairKey(a, b) + 1
	for i := (k * 0x9E3779B97F4A7C15) >> m.shift; ; i = (i + 1) & m.mask {
		switch m.slots[i].key {
		case 0:
			m.slots[i] = mergeSlot{key: k, rank: rank, id: id}
			m.n++
			return true
		case k:
			return false
		}
	}
}

func (m *merges) get(a, b int32) (mergeInfo, bool) {
	k := pairKey(a, b) + 1
	for i := (k * 0x9E3779B97F4A7C15) >> m.shift; ; i = (i + 1) & m.mask {
		s := &m.slots[i]
		if s.key == k {
			return mergeInfo{s.rank, s.id}, true
		}
		if s.key == 0 {
			return mergeInfo{}, false
		}
	}
}

const noRank = math.MaxInt32

func (m *merges) rank(a, b int32) (int32, int32) {
	if v, ok := m.get(a, b); ok {
		return v.rank, v.id
	}
	return noRank, -1
}

// smallWord is the length up to which bpe uses the quadratic scan, which beats a heap on short words.
const smallWord = 48

// bpe appends the ids of one pre-token (raw UTF-8 bytes) to out.
//
// The Hugging Face algorithm: start from one symbol per byte; repeatedly apply the lowest-ranked merge
// among adjacent pairs, the leftmost one on ties, until no pair has a merge.
func (t *Tokenizer) bpe(word string, out []int32) []int32 {
	if len(word) == 1 {
		return append(out, t.byteIDs[word[0]])
	}
	if len(word) <= smallWord {
		return t.bpeSmall(word, out)
	}
	return t.bpeHeap(word, out)
}

func (t *Tokenizer) bpeSmall(word string, out []int32) []int32 {
	var symBuf, rankBuf, newBuf [smallWord]int32
	n := len(word)
	syms, ranks, news := symBuf[:n], rankBuf[:n-1], newBuf[:n-1]
	for i := 0; i < n; i++ {
		syms[i] = t.byteIDs[word[i]]
	}
	for i := 0; i < n-1; i++ {
		ranks[i], news[i] = t.merges.rank(syms[i], syms[i+1])
	}
	for len(syms) > 1 {
		best, bi := int32(noRank), -1
		for i, r := range ranks {
			if r < best {
				best, bi = r, i
			}
		}
		if bi < 0 {
			break
		}
		syms[bi] = news[bi]
		copy(syms[bi+1:], syms[bi+2:])
		syms = syms[:len(syms)-1]
		copy(ranks[bi:], ranks[bi+1:])
		copy(news[bi:], news[bi+1:])
		ranks, news = ranks[:len(ranks)-1], news[:len(news)-1]
		if bi > 0 {
			ranks[bi-1], news[bi-1] = t.merges.rank(syms[bi-1], syms[bi])
		}
		if bi < len(ranks) {
			ranks[bi], news[bi] = t.merges.rank(syms[bi], syms[bi+1])
		}
	}
	return append(out, syms...)
}

// bpeHeap is the O(n log n) variant for long pre-tokens (long digit-free runs of letters, symbols or
// spaces): a doubly linked list of symbols and a heap of candidate merges ordered by (rank, position).
// Stale candidates are recognised when popped.
func (t *Tokenizer) bpeHeap(word string, out []int32) []int32 {
	n := len(word)
	syms := make([]int32, n)
	prev := make([]int32, n)
	next := make([]int32, n)
	for i := 0; i < n; i++ {
		syms[i] = t.byteIDs[word[i]]
		prev[i] = int32(i - 1)
		next[i] = int32(i + 1)
	}
	next[n-1] = -1
	h := make(mergeHeap, 0, n)
	push := func(pos int32) {
		nx := next[pos]
		if nx < 0 {
			return
		}
		if r, id := t.merges.rank(syms[pos], syms[nx]); r != noRank {
			h.push(candidate{rank: r, pos: pos, left: syms[pos], right: syms[nx], id: id})
		}
	}
	for i := 0; i < n-1; i++ {
		push(int32(i))
	}
	for len(h) > 0 {
		c := h.pop()
		nx := next[c.pos]
		// A candidate is stale when its left symbol was absorbed (syms = -1) or either side changed.
		if syms[c.pos] != c.left || nx < 0 || syms[nx] != c.right {
			continue
		}
		syms[c.pos] = c.id
		syms[nx] = -1
		nn := next[nx]
		next[c.pos] = nn
		if nn >= 0 {
			prev[nn] = c.pos
		}
		if p := prev[c.pos]; p >= 0 {
			push(p)
		}
		push(c.pos)
	}
	for i := int32(0); i >= 0; i = next[i] {
		out = append(out, syms[i])
	}
	return out
}

type candidate struct{ rank, pos, left, right, id int32 }

func (c candidate) less(d candidate) bool {
	return c.rank < d.rank || (c.rank == d.rank && c.pos < d.pos)
}

// mergeHeap is a binary min-heap of candidates ordered by (rank, position), written out rather than via
// container/heap to avoid boxing every element in an interface.
type mergeHeap []candidate

func (h *mergeHeap) push(c candidate) {
	*h = append(*h, c)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s[i].less(s[p]) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *mergeHeap) pop() candidate {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(s) && s[l].less(s[m]) {
			m = l
		}
		if r < len(s) && s[r].less(s[m]) {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

// wordCache remembers the ids of recently seen pre-tokens. It is bounded: when full it is emptied, which
// costs one re-computation per word afterwards and needs no bookkeeping on the hot path.
type wordCache struct {
	mu  sync.Mutex
	m   map[string][]int32
	max int
}

const (
	cacheEntries  = 1 << 16
	cacheMaxBytes = 256 // longer pre-tokens rarely repeat
)

func (c *wordCache) get(w string) ([]int32, bool) {
	c.mu.Lock()
	ids, ok := c.m[w]
	c.mu.Unlock()
	return ids, ok
}

func (c *wordCache) put(w string, ids []int32) {
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[w] = ids
	c.mu.Unlock()
}
