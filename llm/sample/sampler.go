package sample

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// ErrNoCandidate means every logit was NaN, -Inf or banned: the model produced garbage.
var ErrNoCandidate = errors.New("sample: no token has a finite logit")

type candidate struct {
	id int32
	v  float32 // logit, then logit/temperature
}

// Sampler picks the next token from a row of logits. It keeps everything it needs between tokens (the
// random generator, the penalty history, scratch space), so sampling a token allocates nothing.
// A Sampler is not safe for concurrent use.
type Sampler struct {
	p      Params
	pcg    rand.PCG
	rng    *rand.Rand
	banned []bool   // [n_vocab] never sampled (padding rows of the embedding)
	count  []uint32 // [n_vocab] occurrences in the output so far
	prompt []bool   // [n_vocab] occurs in the prompt (for the repetition penalty)
	seen   []int32  // ids with count > 0 or prompt set, to reset cheaply
	cand   []candidate
	probs  []float64
}

// New returns a sampler for a vocabulary of nVocab logits.
func New(p Params, nVocab int) (*Sampler, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if nVocab <= 0 {
		return nil, fmt.Errorf("sample: vocabulary size %d", nVocab)
	}
	s := &Sampler{
		p:      p,
		banned: make([]bool, nVocab),
		count:  make([]uint32, nVocab),
		prompt: make([]bool, nVocab),
		seen:   make([]int32, 0, 4096),
		cand:   make([]candidate, nVocab),
		probs:  make([]float64, nVocab),
	}
	s.pcg.Seed(p.Seed, p.Seed^0x9e3779b97f4a7c15)
	s.rng = rand.New(&s.pcg)
	return s, nil
}

// SetParams changes the settings and seeds the generator again from p.Seed, keeping the scratch space.
func (s *Sampler) SetParams(p Params) error {
	if err := p.Validate(); err != nil {
		return err
	}
	s.p = p
	s.pcg.Seed(p.Seed, p.Seed^0x9e3779b97f4a7c15)
	return nil
}

// Fits reports whether the sampler was made for a vocabulary of nVocab logits.
func (s *Sampler) Fits(nVocab int) bool { return len(s.cand) == nVocab }

// Params returns the settings the sampler uses.
func (s *Sampler) Params() Params { return s.p }

// Ban excludes ids from sampling (for example the padding entries of the vocabulary). Out-of-range ids are
// ignored.
func (s *Sampler) Ban(ids ...int32) {
	for _, id := range ids {
		if id >= 0 && int(id) < len(s.banned) {
			s.banned[id] = true
		}
	}
}

// Reset forgets the output history and records the prompt tokens for the repetition penalty. The random
// generator keeps its state, so a session's successive replies are not copies of each other.
func (s *Sampler) Reset(prompt []int32) {
	for _, id := range s.seen {
		s.count[id] = 0
		s.prompt[id] = false
	}
	s.seen = s.seen[:0]
	if s.p.RepetitionPenalty == 0 || s.p.RepetitionPenalty == 1 {
		return
	}
	for _, id := range prompt {
		if id >= 0 && int(id) < len(s.prompt) && !s.prompt[id] {
			s.prompt[id] = true
			if s.count[id] == 0 {
				s.seen = append(s.seen, id)
			}
		}
	}
}

// Accept records a token that was generated, for the penalties.
func (s *Sampler) Accept(id int32) {
	if id < 0 || int(id) >= len(s.count) {
		return
	}
	if s.count[id] == 0 && !s.prompt[id] {
		s.seen = append(s.seen, id)
	}
	s.count[id]++
}

// Sample returns the next token for logits ([n_vocab], left unchanged), following spec §5.5's order:
// penalties on the raw logits, temperature, top-k, top-p, min-p, then a draw from what is left.
func (s *Sampler) Sample(logits []float32) (int32, error) {
	if len(logits) != len(s.cand) {
		return 0, fmt.Errorf("sample: %d logits for a vocabulary of %d", len(logits), len(s.cand))
	}
	// Candidates: every token that can be drawn, with its penalised logit, in one pass over the row.
	cand := s.cand
	usesRep := s.p.RepetitionPenalty != 0 && s.p.RepetitionPenalty != 1
	penalise := usesRep || s.p.PresencePenalty != 0
	n := 0
	best := -1
	for i, v := range logits {
		if s.banned[i] {
			continue
		}
		if penalise && (s.count[i] > 0 || s.prompt[i]) {
			v = s.penalty(i, v, usesRep)
		}
		if v != v || v < -math.MaxFloat32 {
			continue // NaN or -Inf
		}
		cand[n] = candidate{int32(i), v}
		if best < 0 || v > cand[best].v {
			best = n
		}
		n++
	}
	if n == 0 {
		return 0, ErrNoCandidate
	}
	if s.p.Temperature == 0 || math.IsInf(float64(cand[best].v), 1) {
		return cand[best].id, nil
	}
	cand = cand[:n]
	inv := 1 / s.p.Temperature
	for i := range cand {
		cand[i].v *= inv
	}
	maxV := cand[best].v

	// top-k: the K largest move to the front.
	if k := s.p.TopK; k > 0 && k < len(cand) {
		selectTop(cand, k)
		cand = cand[:k]
	}
	// Unnormalised probabilities relative to the most likely token (which gets 1).
	probs := s.probs[:len(cand)]
	var total float64
	for i, c := range cand {
		probs[i] = math.Exp(float64(c.v - maxV))
		total += probs[i]
	}
	// top-p: the smallest prefix in descending order whose mass reaches TopP. Only as much of the list is
	// sorted as the prefix needs (usually a few dozen tokens of 151936).
	if tp := s.p.TopP; tp > 0 && tp < 1 {
		need := float64(tp) * total
		for k := min(64, len(cand)); ; k = min(4*k, len(cand)) {
			selectTop(cand, k)
			sortDesc(cand[:k])
			var cum float64
			for i := range k {
				cum += math.Exp(float64(cand[i].v - maxV))
				if cum >= need {
					cand = cand[:i+1]
					goto kept
				}
			}
			if k == len(cand) {
				break // rounding: everything is kept
			}
		}
	kept:
		probs = probs[:len(cand)]
		total = 0
		for i, c := range cand {
			probs[i] = math.Exp(float64(c.v - maxV))
			total += probs[i]
		}
	}
	// min-p: relative to the most likely token, whose relative probability is 1.
	if mp := float64(s.p.MinP); mp > 0 {
		m := 0
		total = 0
		for i, c := range cand {
			if probs[i] >= mp {
				cand[m], probs[m] = c, probs[i]
				total += probs[i]
				m++
			}
		}
		cand, probs = cand[:m], probs[:m]
	}
	// Draw.
	u := s.rng.Float64() * total
	for i, p := range probs {
		u -= p
		if u < 0 {
			return cand[i].id, nil
		}
	}
	return cand[len(cand)-1].id, nil // u landed on the rounding error at the top end
}

// penalty applies the presence and repetition penalties to the logit v of token id.
func (s *Sampler) penalty(id int, v float32, usesRep bool) float32 {
	if usesRep {
		if v > 0 {
			v /= s.p.RepetitionPenalty
		} else {
			v *= s.p.RepetitionPenalty
		}
	}
	if s.count[id] > 0 {
		v -= s.p.PresencePenalty
	}
	return v
}

// selectTop reorders c so that its k largest values come first (in no particular order): quickselect with
// a median-of-three pivot, deterministic so that a seed always gives the same tokens.
func selectTop(c []candidate, k int) {
	lo, hi := 0, len(c)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		// Median of three to the middle.
		if c[mid].v > c[lo].v {
			c[mid], c[lo] = c[lo], c[mid]
		}
		if c[hi].v > c[lo].v {
			c[hi], c[lo] = c[lo], c[hi]
		}
		if c[hi].v > c[mid].v {
			c[hi], c[mid] = c[mid], c[hi]
		}
		pivot := c[mid].v
		i, j := lo, hi
		for i <= j {
			for c[i].v > pivot {
				i++
			}
			for c[j].v < pivot {
				j--
			}
			if i <= j {
				c[i], c[j] = c[j], c[i]
				i++
				j--
			}
		}
		// [lo, j] ≥ pivot ≥ [i, hi]
		switch {
		case k-1 <= j:
			hi = j
		case k-1 >= i:
			lo = i
		default:
			return
		}
	}
}

// sortDesc sorts by descending value, ties by ascending id, so the order depends on nothing but the values.
func sortDesc(c []candidate) {
	slices.SortFunc(c, func(a, b candidate) int {
		switch {
		case a.v > b.v:
			return -1
		case a.v < b.v:
			return 1
		}
		return cmp.Compare(a.id, b.id)
	})
}
