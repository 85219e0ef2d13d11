package sample

import (
	"math"
	"math/rand/v2"
	"testing"
)

// draw samples n tokens from the same logits and returns how often each id came up.
func draw(t *testing.T, p Params, logits []float32, n int) []int {
	t.Helper()
	s, err := New(p, len(logits))
	if err != nil {
		t.Fatal(err)
	}
	counts := make([]int, len(logits))
	for range n {
		id, err := s.Sample(logits)
		if err != nil {
			t.Fatal(err)
		}
		counts[id]++
	}
	return counts
}

// logitsFor returns logits whose softmax is probs.
func logitsFor(probs ...float64) []float32 {
	l := make([]float32, len(probs))
	for i, p := range probs {
		l[i] = float32(math.Log(p))
	}
	return l
}

// checkDistribution fails when the counts are implausible under want (Pearson's chi-square over the ids
// with want > 0, at p < 0.001; ids with want == 0 must never appear). The seeds are fixed, so the outcome
// is deterministic; the threshold is what keeps the test meaningful.
func checkDistribution(t *testing.T, name string, counts []int, want []float64) {
	t.Helper()
	n := 0
	for _, c := range counts {
		n += c
	}
	var chi2 float64
	df := -1
	for i, w := range want {
		if w == 0 {
			if counts[i] != 0 {
				t.Errorf("%s: id %d drawn %d times, should be impossible (counts %v)", name, i, counts[i], counts)
			}
			continue
		}
		e := w * float64(n)
		chi2 += (float64(counts[i]) - e) * (float64(counts[i]) - e) / e
		df++
	}
	// Chi-square critical values at p = 0.001 for df = 1..5.
	crit := []float64{0, 10.83, 13.82, 16.27, 18.47, 20.52}[max(df, 0)]
	if df > 0 && chi2 > crit {
		t.Errorf("%s: counts %v do not fit %v (chi2 %.1f > %.1f, df %d)", name, counts, want, chi2, crit, df)
	}
}

func normalise(w ...float64) []float64 {
	var s float64
	for _, x := range w {
		s += x
	}
	out := make([]float64, len(w))
	for i, x := range w {
		out[i] = x / s
	}
	return out
}

func TestDistributions(t *testing.T) {
	base := logitsFor(0.5, 0.3, 0.15, 0.05)
	const n = 20000
	cases := []struct {
		name string
		p    Params
		want []float64
	}{
		{"temperature 1", Params{Temperature: 1, Seed: 1}, normalise(0.5, 0.3, 0.15, 0.05)},
		// T=0.5 squares the probabilities.
		{"temperature 0.5", Params{Temperature: 0.5, Seed: 2}, normalise(0.25, 0.09, 0.0225, 0.0025)},
		{"temperature 2", Params{Temperature: 2, Seed: 3}, normalise(math.Sqrt(0.5), math.Sqrt(0.3), math.Sqrt(0.15), math.Sqrt(0.05))},
		{"top-k 2", Params{Temperature: 1, TopK: 2, Seed: 4}, normalise(0.5, 0.3, 0, 0)},
		{"top-p 0.7 keeps the two that reach it", Params{Temperature: 1, TopP: 0.7, Seed: 5}, normalise(0.5, 0.3, 0, 0)},
		{"top-p 0.9", Params{Temperature: 1, TopP: 0.9, Seed: 6}, normalise(0.5, 0.3, 0.15, 0)},
		{"min-p 0.35 drops p < 0.175", Params{Temperature: 1, MinP: 0.35, Seed: 7}, normalise(0.5, 0.3, 0, 0)},
		{"top-k 3 then top-p 0.8 of the renormalised three", Params{Temperature: 1, TopK: 3, TopP: 0.8, Seed: 8}, normalise(0.5, 0.3, 0, 0)},
		{"greedy", Params{Temperature: 0, Seed: 9}, []float64{1, 0, 0, 0}},
	}
	for _, c := range cases {
		checkDistribution(t, c.name, draw(t, c.p, base, n), c.want)
	}
}

// TestTopPOverLargeVocabulary checks top-p where the kept set is larger than the first partial sort (64).
func TestTopPOverLargeVocabulary(t *testing.T) {
	logits := make([]float32, 1000)
	// 200 equally likely tokens hold ~99.9% of the mass; the other 800 share the rest.
	for i := range logits {
		if i%5 == 0 {
			logits[i] = 10
		}
	}
	s, err := New(Params{Temperature: 1, TopP: 0.5, Seed: 1}, len(logits))
	if err != nil {
		t.Fatal(err)
	}
	distinct := map[int32]bool{}
	for range 5000 {
		id, err := s.Sample(logits)
		if err != nil {
			t.Fatal(err)
		}
		if id%5 != 0 {
			t.Fatalf("drew %d, outside the top-p set", id)
		}
		distinct[id] = true
	}
	// Half the mass is ~100 of the 200 tied tokens.
	if len(distinct) < 90 || len(distinct) > 110 {
		t.Errorf("%d distinct tokens drawn, want about 100", len(distinct))
	}
}

func TestPenalties(t *testing.T) {
	logits := []float32{2, 1.9, -1, -1.2}
	s, err := New(Params{Temperature: 0, PresencePenalty: 0.5}, len(logits))
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := s.Sample(logits); id != 0 {
		t.Fatalf("greedy picked %d", id)
	}
	s.Accept(0)
	if id, _ := s.Sample(logits); id != 1 {
		t.Errorf("presence penalty: picked %d, want 1 (2-0.5 < 1.9)", id)
	}
	s.Accept(0) // a second occurrence costs nothing more (presence, not frequency)
	s.Accept(1)
	if id, _ := s.Sample(logits); id != 0 {
		t.Errorf("presence penalty after both: picked %d, want 0 (1.5 > 1.4)", id)
	}
	if logits[0] != 2 {
		t.Error("Sample modified the caller's logits")
	}

	// Repetition penalty: positive logits are divided, negative multiplied; prompt tokens count too.
	r, err := New(Params{Temperature: 0, RepetitionPenalty: 2}, len(logits))
	if err != nil {
		t.Fatal(err)
	}
	r.Reset([]int32{0}) // 2/2 = 1 < 1.9
	if id, _ := r.Sample(logits); id != 1 {
		t.Errorf("repetition penalty on a prompt token: picked %d, want 1", id)
	}
	r.Accept(1) // 1.9/2 = 0.95 < 1
	if id, _ := r.Sample(logits); id != 0 {
		t.Errorf("repetition penalty: picked %d, want 0", id)
	}
	r.Reset(nil)
	if id, _ := r.Sample(logits); id != 0 {
		t.Errorf("after Reset: picked %d, want 0", id)
	}
	neg := []float32{-1, -1.5}
	r2, _ := New(Params{Temperature: 0, RepetitionPenalty: 2}, 2)
	r2.Accept(0) // -1*2 = -2 < -1.5
	if id, _ := r2.Sample(neg); id != 1 {
		t.Errorf("repetition penalty on a negative logit: picked %d, want 1", id)
	}
}

func TestBanAndBadLogits(t *testing.T) {
	s, err := New(Params{Temperature: 1, Seed: 3}, 4)
	if err != nil {
		t.Fatal(err)
	}
	s.Ban(0, 99, -1)
	nan := float32(math.NaN())
	for range 200 {
		id, err := s.Sample([]float32{10, nan, float32(math.Inf(-1)), 0})
		if err != nil || id != 3 {
			t.Fatalf("got %d, %v; only id 3 is allowed", id, err)
		}
	}
	if _, err := s.Sample([]float32{10, nan, float32(math.Inf(-1)), nan}); err != ErrNoCandidate {
		t.Errorf("no candidate: err = %v", err)
	}
	if _, err := s.Sample([]float32{1, 2}); err == nil {
		t.Error("wrong logits length accepted")
	}
	for _, p := range []Params{{Temperature: -1}, {TopP: 1.5}, {TopK: -1}, {MinP: 2}, {RepetitionPenalty: -1}} {
		if _, err := New(p, 4); err == nil {
			t.Errorf("New(%+v) accepted", p)
		}
	}
}

func TestSeedDeterminism(t *testing.T) {
	logits := make([]float32, 5000)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range logits {
		logits[i] = float32(rng.NormFloat64() * 3)
	}
	run := func(seed uint64) []int32 {
		s, err := New(Params{Temperature: 1, TopK: 40, TopP: 0.95, Seed: seed}, len(logits))
		if err != nil {
			t.Fatal(err)
		}
		out := make([]int32, 50)
		for i := range out {
			out[i], _ = s.Sample(logits)
		}
		return out
	}
	a, b, c := run(7), run(7), run(8)
	same := func(x, y []int32) bool {
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Error("the same seed gave different tokens")
	}
	if same(a, c) {
		t.Error("different seeds gave the same 50 tokens")
	}
}

func TestDefaultsAndOverride(t *testing.T) {
	th, non := Defaults(true), Defaults(false)
	if th.Temperature != 0.6 || th.TopP != 0.95 || th.TopK != 20 || th.MinP != 0 {
		t.Errorf("thinking defaults %+v", th)
	}
	if non.Temperature != 0.7 || non.TopP != 0.8 || non.TopK != 20 || non.MinP != 0 {
		t.Errorf("non-thinking defaults %+v", non)
	}
	temp, k := float32(0.3), 5
	p := th.Apply(Override{Temperature: &temp, TopK: &k})
	if p.Temperature != 0.3 || p.TopK != 5 || p.TopP != 0.95 {
		t.Errorf("override %+v", p)
	}
	if g := th.Apply(Override{Greedy: true}); g.Temperature != 0 {
		t.Errorf("greedy override %+v", g)
	}
}

// TestNoAllocations checks the hot path: sampling a token with every filter on, over the real vocabulary
// size, allocates nothing.
func TestNoAllocations(t *testing.T) {
	const nVocab = 151936
	logits := make([]float32, nVocab)
	rng := rand.New(rand.NewPCG(2, 2))
	for i := range logits {
		logits[i] = float32(rng.NormFloat64() * 4)
	}
	s, err := New(Params{Temperature: 0.6, TopK: 20, TopP: 0.95, MinP: 0.01, PresencePenalty: 1, RepetitionPenalty: 1.1, Seed: 1}, nVocab)
	if err != nil {
		t.Fatal(err)
	}
	s.Reset([]int32{1, 2, 3})
	allocs := testing.AllocsPerRun(50, func() {
		id, err := s.Sample(logits)
		if err != nil {
			t.Fatal(err)
		}
		s.Accept(id)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per token", allocs)
	}
}

func BenchmarkSample(b *testing.B) {
	const nVocab = 151936
	logits := make([]float32, nVocab)
	rng := rand.New(rand.NewPCG(3, 3))
	for i := range logits {
		logits[i] = float32(rng.NormFloat64() * 4)
	}
	for _, bc := range []struct {
		name string
		p    Params
	}{
		{"greedy", Params{}},
		{"qwen-thinking", Defaults(true)},
		{"top-p-only", Params{Temperature: 0.8, TopP: 0.9}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s, err := New(bc.p, nVocab)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := s.Sample(logits); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestSetParamsReseeds(t *testing.T) {
	logits := logitsFor(0.25, 0.25, 0.25, 0.25)
	s, err := New(Params{Temperature: 1, Seed: 5}, 4)
	if err != nil {
		t.Fatal(err)
	}
	seq := func() (out [20]int32) {
		for i := range out {
			out[i], _ = s.Sample(logits)
		}
		return out
	}
	a := seq()
	if err := s.SetParams(Params{Temperature: 1, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	if b := seq(); a != b {
		t.Errorf("the same seed after SetParams gave %v, first time %v", b, a)
	}
	if s.SetParams(Params{Temperature: -1}) == nil {
		t.Error("invalid params accepted")
	}
	if !s.Fits(4) || s.Fits(5) {
		t.Error("Fits")
	}
}
