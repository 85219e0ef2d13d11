package qwen3

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
)

// Parity with llama.cpp on the golden random-weight models (../shared/testdata/golden/README.md).

type tolerance struct{ max, mean float64 }

// goldenModels lists every golden model with the README's recommended tolerances.
var goldenModels = []struct {
	name string
	tol  tolerance
}{
	{"a1-qwen3-e32-f32", tolerance{1e-5, 1e-6}},
	{"a2-qwen3-e32-rv-f32", tolerance{1e-5, 1e-6}},
	{"a2-qwen3-e32-rv-q8_0", tolerance{1.5e-2, 2e-3}},
	{"a2-qwen3-e32-rv-bf16", tolerance{5e-3, 1e-3}},
	{"a3-qwen3moe-e32-rv-f32", tolerance{1e-5, 1e-6}},
	{"a3-qwen3moe-e32-rv-q8_0", tolerance{5e-2, 3e-3}},
	{"a4-qwen3-e256-rv-f16", tolerance{3e-3, 5e-4}},
	{"a4-qwen3-e256-rv-q4_k_m", tolerance{1e-1, 1.5e-2}},
	{"a4-qwen3-e256-rv-q5_k_m", tolerance{1e-1, 1.5e-2}},
	{"a4-qwen3-e256-rv-q6_k", tolerance{1e-1, 1.5e-2}},
	{"a4-qwen3-e256-rv-q4_0", tolerance{1e-1, 1.5e-2}},
}

type goldenCase struct {
	Model   string          `json:"model"`
	Case    string          `json:"case"`
	NVocab  int             `json:"n_vocab"`
	Tokens  []int32         `json:"tokens"`
	Top10   [][][2]float64  `json:"top10"`
	Prompt  []int32         `json:"prompt_tokens"`
	Gen     []int32         `json:"generated"`
	Steps   []goldenStep    `json:"steps"`
	LastRaw json.RawMessage `json:"last_logits_file"`
	last    []float32
}

type goldenStep struct {
	Step   int     `json:"step"`
	ID     int32   `json:"id"`
	Margin float64 `json:"margin"`
}

func readGoldenCase(t *testing.T, dir, model, name string) *goldenCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "out", model, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var g goldenCase
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatalf("%s/%s: %v", model, name, err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "out", model, name+".last.f32"))
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) != 4*g.NVocab {
		t.Fatalf("%s/%s.last.f32: %d bytes for %d logits", model, name, len(raw), g.NVocab)
	}
	g.last = make([]float32, g.NVocab)
	for i := range g.last {
		g.last[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return &g
}

// diffStats returns max and mean |a-b|.
func diffStats(a, b []float32) (mx, mean float64) {
	for i := range a {
		d := math.Abs(float64(a[i]) - float64(b[i]))
		mx = math.Max(mx, d)
		mean += d
	}
	return mx, mean / float64(len(a))
}

// top returns the ids of the n largest logits, descending, lower id first on ties.
func top(logits []float32, n int) []int32 {
	ids := make([]int32, 0, n+1)
	for i, v := range logits {
		if len(ids) == n && v <= logits[ids[n-1]] {
			continue
		}
		j := len(ids)
		ids = append(ids, int32(i))
		for j > 0 && logits[ids[j-1]] < v {
			ids[j] = ids[j-1]
			j--
		}
		ids[j] = int32(i)
		if len(ids) > n {
			ids = ids[:n]
		}
	}
	return ids
}

// checkPosition compares one position's logits with llama.cpp's top-10 there: the ten logits within tol.max,
// and each rank whose neighbours are more than 2·tol.max away holding the same id (rank 9 cannot be checked:
// the 11th logit, which could be within the tolerance of it, is not stored).
func checkPosition(t *testing.T, where string, p int, got []float32, ref [][2]float64, tol tolerance) (argmaxChecked bool) {
	t.Helper()
	for _, e := range ref {
		if d := math.Abs(float64(got[int(e[0])]) - e[1]); d > tol.max {
			t.Errorf("%s position %d: logit of id %d = %g, llama.cpp %g (|diff| %.3g > %.3g)", where, p, int(e[0]), got[int(e[0])], e[1], d, tol.max)
			return false
		}
	}
	ours := top(got, len(ref))
	for j := range ref {
		separated := j < len(ref)-1 && (j == 0 || ref[j-1][1]-ref[j][1] > 2*tol.max) && ref[j][1]-ref[j+1][1] > 2*tol.max
		if separated && ours[j] != int32(ref[j][0]) {
			t.Errorf("%s position %d: rank %d is id %d, llama.cpp has %d (margins exceed 2×tol)", where, p, j, ours[j], int(ref[j][0]))
		}
	}
	return len(ref) > 1 && ref[0][1]-ref[1][1] > 2*tol.max
}

func TestGolden(t *testing.T) {
	dir := testdata.Dir(t, "golden")
	ctx := context.Background()
	for _, gm := range goldenModels {
		t.Run(gm.name, func(t *testing.T) {
			m, err := Load(ctx, filepath.Join(dir, "models", gm.name+".gguf"), Options{KVF32: true})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			V := m.Config().VocabSize
			for _, name := range []string{"C1", "C2", "C3", "C4"} {
				g := readGoldenCase(t, dir, gm.name, name)
				if g.NVocab != V {
					t.Fatalf("%s: n_vocab %d, model %d", name, g.NVocab, V)
				}
				c, err := m.NewContext(len(g.Tokens))
				if err != nil {
					t.Fatal(err)
				}
				// Every position, in chunks (a1's 151936-wide rows make whole-sequence results large).
				var last []float32
				checked := 0
				const chunk = 64
				for off := 0; off < len(g.Tokens); off += chunk {
					ids := g.Tokens[off:min(off+chunk, len(g.Tokens))]
					all, err := c.Eval(ctx, ids, true)
					if err != nil {
						t.Fatal(err)
					}
					for i := range ids {
						if checkPosition(t, name, off+i, all[i*V:(i+1)*V], g.Top10[off+i], gm.tol) {
							checked++
						}
					}
					last = all[(len(ids)-1)*V:]
				}
				mx, mean := diffStats(last, g.last)
				t.Logf("%s: last position max |diff| %.3g, mean %.3g (tol %.3g / %.3g); argmax compared at %d/%d positions",
					name, mx, mean, gm.tol.max, gm.tol.mean, checked, len(g.Tokens))
				if mx > gm.tol.max || mean > gm.tol.mean {
					t.Errorf("%s: last-position logits differ from llama.cpp: max %.3g (tol %.3g), mean %.3g (tol %.3g)", name, mx, gm.tol.max, mean, gm.tol.mean)
				}
				c.Close()
				if name == "C4" {
					greedy(t, m, g, gm.tol)
				}
			}
		})
	}
}

// greedy decodes C4 token by token through the KV cache, comparing each argmax with llama.cpp's while its
// margin exceeds 2·tol (after a legitimately different choice the sequences would diverge).
func greedy(t *testing.T, m *Model, g *goldenCase, tol tolerance) {
	t.Helper()
	ctx := context.Background()
	c, err := m.NewContext(len(g.Tokens))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	logits, err := c.Eval(ctx, g.Prompt, false)
	if err != nil {
		t.Fatal(err)
	}
	steps := 0
	for k, st := range g.Steps {
		if st.Margin <= 2*tol.max {
			break
		}
		if id := top(logits, 1)[0]; id != st.ID {
			t.Fatalf("C4 greedy step %d: argmax %d, llama.cpp %d (margin %.3g)", k, id, st.ID, st.Margin)
		}
		steps++
		if logits, err = c.Eval(ctx, []int32{st.ID}, false); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("C4: greedy continuation identical for %d of %d steps (the rest have margins <= 2×tol)", steps, len(g.Steps))
}

// TestGoldenF16Cache: the default F16 KV cache stays within the tolerances on C1. Rounding keys and values to
// F16 perturbs the logits like F16 weights do, so the F16-weight tolerance is the floor (llama.cpp's own F16
// cache would differ from its F32-cache reference by as much).
func TestGoldenF16Cache(t *testing.T) {
	dir := testdata.Dir(t, "golden")
	ctx := context.Background()
	for _, gm := range goldenModels {
		m, err := Load(ctx, filepath.Join(dir, "models", gm.name+".gguf"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		g := readGoldenCase(t, dir, gm.name, "C1")
		c, err := m.NewContext(len(g.Tokens))
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Eval(ctx, g.Tokens, false)
		if err != nil {
			t.Fatal(err)
		}
		mx, mean := diffStats(got, g.last)
		tol := tolerance{max(gm.tol.max, 3e-3), max(gm.tol.mean, 5e-4)}
		t.Logf("%s C1 with F16 cache: max %.3g, mean %.3g", gm.name, mx, mean)
		if mx > tol.max || mean > tol.mean {
			t.Errorf("%s C1 with F16 cache: max %.3g (tol %.3g), mean %.3g (tol %.3g)", gm.name, mx, tol.max, mean, tol.mean)
		}
		c.Close()
		m.Close()
	}
}

// TestGoldenF32Mode: with Options.F32 (no activation rounding, F32 cache) the last-position logits of C1 and
// C2 stay within the README tolerances, which were set for engines that compute activations in float32.
func TestGoldenF32Mode(t *testing.T) {
	dir := testdata.Dir(t, "golden")
	ctx := context.Background()
	for _, gm := range goldenModels {
		m, err := Load(ctx, filepath.Join(dir, "models", gm.name+".gguf"), Options{F32: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"C1", "C2"} {
			g := readGoldenCase(t, dir, gm.name, name)
			c, err := m.NewContext(len(g.Tokens))
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Eval(ctx, g.Tokens, false)
			if err != nil {
				t.Fatal(err)
			}
			mx, mean := diffStats(got, g.last)
			t.Logf("%s %s in F32 mode: max %.3g, mean %.3g", gm.name, name, mx, mean)
			if mx > gm.tol.max || mean > gm.tol.mean {
				t.Errorf("%s %s in F32 mode: max %.3g (tol %.3g), mean %.3g (tol %.3g)", gm.name, name, mx, gm.tol.max, mean, gm.tol.mean)
			}
			c.Close()
		}
		m.Close()
	}
}
