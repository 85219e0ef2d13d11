package tinymodel

import (
	"container/heap"
	"context"
	"sort"
)

// trainBPE learns byte-level BPE merges from text the way the Hugging Face trainer does: the text is cut into
// pre-tokens (preTokenize), each pre-token starts as its single-byte tokens (ids 0-255 in GPT-2 order), and the
// most frequent adjacent pair (ties: the smaller left token string, then the smaller right one) is merged
// until the vocabulary has vocabSize entries or no pair occurs twice. It returns the token strings (byte-level
// spelling, index = id) and the merges in rank order.
func trainBPE(ctx context.Context, texts []string, vocabSize int) ([]string, [][2]string, error) {
	tokens := make([]string, 256)
	ids := make(map[string]int32, vocabSize)
	for id, b := range byteOrder {
		tokens[id] = byteLevel(string([]byte{b}))
		ids[tokens[id]] = int32(id)
	}

	counts := map[string]int{}
	for _, t := range texts {
		for _, p := range preTokenize(t) {
			counts[p]++
		}
	}
	uniq := make([]string, 0, len(counts))
	for w := range counts {
		uniq = append(uniq, w)
	}
	sort.Strings(uniq)
	words := make([]trainWord, len(uniq))
	for i, w := range uniq {
		syms := make([]int32, len(w))
		for k := 0; k < len(w); k++ {
			syms[k] = byteID[w[k]]
		}
		words[i] = trainWord{syms: syms, count: counts[w]}
	}

	pc := &pairCounts{count: map[pair]int{}, where: map[pair]map[int]struct{}{}, tokens: &tokens}
	for wi := range words {
		pc.addWord(wi, words[wi].syms, words[wi].count)
	}
	for p, c := range pc.count {
		pc.h = append(pc.h, pairEntry{p: p, count: c, tokens: &tokens})
	}
	heap.Init(&pc.h)
	pc.live = true

	var merges [][2]string
	for len(tokens) < vocabSize && pc.h.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		top := heap.Pop(&pc.h).(pairEntry)
		cur := pc.count[top.p]
		if cur != top.count { // stale entry: requeue with the true count
			if cur > 0 {
				heap.Push(&pc.h, pairEntry{p: top.p, count: cur, tokens: &tokens})
			}
			continue
		}
		if cur < 2 {
			break
		}
		left, right := tokens[top.p.a], tokens[top.p.b]
		merged := left + right
		newID, ok := ids[merged]
		if !ok {
			newID = int32(len(tokens))
			tokens = append(tokens, merged)
			ids[merged] = newID
		}
		merges = append(merges, [2]string{left, right})

		affected := make([]int, 0, len(pc.where[top.p]))
		for wi := range pc.where[top.p] {
			affected = append(affected, wi)
		}
		sort.Ints(affected)
		for _, wi := range affected {
			w := &words[wi]
			if !hasPair(w.syms, top.p) {
				continue
			}
			pc.removeWord(wi, w.syms, w.count)
			w.syms = mergePair(w.syms, top.p, newID)
			pc.addWord(wi, w.syms, w.count)
		}
		delete(pc.where, top.p)
	}
	return tokens, merges, nil
}

type trainWord struct {
	syms  []int32
	count int
}

type pair struct{ a, b int32 }

// pairCounts tracks how often each adjacent pair occurs (weighted by word count) and in which words, with a
// max-heap whose entries may be stale (corrected when popped).
type pairCounts struct {
	count  map[pair]int
	where  map[pair]map[int]struct{}
	h      pairHeap
	tokens *[]string
	live   bool // push heap entries as counts grow (off while the initial counts are built)
}

func (pc *pairCounts) addWord(wi int, syms []int32, n int) {
	for k := 0; k+1 < len(syms); k++ {
		p := pair{syms[k], syms[k+1]}
		old := pc.count[p]
		pc.count[p] = old + n
		if pc.where[p] == nil {
			pc.where[p] = map[int]struct{}{}
		}
		pc.where[p][wi] = struct{}{}
		if pc.live {
			heap.Push(&pc.h, pairEntry{p: p, count: old + n, tokens: pc.tokens})
		}
	}
}

func (pc *pairCounts) removeWord(_ int, syms []int32, n int) {
	for k := 0; k+1 < len(syms); k++ {
		p := pair{syms[k], syms[k+1]}
		if pc.count[p] -= n; pc.count[p] <= 0 {
			delete(pc.count, p)
		}
	}
}

func hasPair(syms []int32, p pair) bool {
	for k := 0; k+1 < len(syms); k++ {
		if syms[k] == p.a && syms[k+1] == p.b {
			return true
		}
	}
	return false
}

// mergePair replaces every non-overlapping occurrence of p, left to right, with id.
func mergePair(syms []int32, p pair, id int32) []int32 {
	out := syms[:0:0]
	for k := 0; k < len(syms); k++ {
		if k+1 < len(syms) && syms[k] == p.a && syms[k+1] == p.b {
			out = append(out, id)
			k++
			continue
		}
		out = append(out, syms[k])
	}
	return out
}

type pairEntry struct {
	p      pair
	count  int
	tokens *[]string
}

type pairHeap []pairEntry

func (h pairHeap) Len() int { return len(h) }
func (h pairHeap) Less(i, j int) bool {
	if h[i].count != h[j].count {
		return h[i].count > h[j].count
	}
	t := *h[i].tokens
	if li, lj := t[h[i].p.a], t[h[j].p.a]; li != lj {
		return li < lj
	}
	return t[h[i].p.b] < t[h[j].p.b]
}
func (h pairHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *pairHeap) Push(x any)   { *h = append(*h, x.(pairEntry)) }
func (h *pairHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
