package llm

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qwenstudio/qwenstudio/llm/chat"
	"github.com/qwenstudio/qwenstudio/llm/tinymodel"
)

// TestLoadHFFolder loads a generated Hugging Face folder: its generation_config.json sets the sampling
// defaults of the model's default (thinking) mode, and a reply streams.
func TestLoadHFFolder(t *testing.T) {
	dir := t.TempDir()
	o := tinymodel.Golden(tinymodel.ArchQwen3)
	if err := tinymodel.WriteHF(context.Background(), dir, o); err != nil {
		t.Fatal(err)
	}
	gc := filepath.Join(dir, "generation_config.json")
	b, err := os.ReadFile(gc)
	if err != nil {
		t.Fatal(err)
	}
	b = []byte(strings.Replace(string(b), `"temperature": 0.6`, `"temperature": 0.42`, 1))
	if !strings.Contains(string(b), "0.42") {
		t.Fatalf("generation_config.json has no temperature 0.6 to change:\n%s", b)
	}
	if err := os.WriteFile(gc, b, 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := Load(context.Background(), dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if p := e.Sampling(true); p.Temperature != 0.42 || p.TopP != 0.95 || p.TopK != 20 {
		t.Errorf("thinking defaults %+v, want generation_config's", p)
	}
	if p := e.Sampling(false); p.Temperature != 0.7 || p.TopP != 0.8 {
		t.Errorf("non-thinking defaults %+v, want Qwen's", p)
	}
	s, err := e.NewSession(512)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var st *Stats
	for ev, err := range s.Generate(context.Background(), []chat.Message{{Role: "user", Content: "Hi"}}, Options{MaxTokens: 8}) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Kind == EventDone {
			st = ev.Stats
		}
	}
	if st == nil || st.GeneratedTokens == 0 || st.Sampling.Temperature != 0.42 {
		t.Errorf("stats %+v", st)
	}
}

// BenchmarkSecondTurn measures the time to first token of a chat's second turn on the demo model, with the
// KV cache of the first turn reused (reuse) and, for comparison, evaluated from scratch (fresh).
func BenchmarkSecondTurn(b *testing.B) {
	path := filepath.Join(b.TempDir(), "demo.gguf")
	if err := tinymodel.WriteGGUF(context.Background(), path, tinymodel.Demo()); err != nil {
		b.Fatal(err)
	}
	e, err := Load(context.Background(), path, LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	first := []chat.Message{{Role: "system", Content: strings.Repeat("You are a careful assistant who explains things step by step. ", 20)},
		{Role: "user", Content: strings.Repeat("Tell me about the history of the city, its rivers and bridges. ", 10)}}
	opts := Options{MaxTokens: 16, Sampling: greedy}
	reply := func(s *Session, msgs []chat.Message) (*Stats, *chat.Message) {
		for ev, err := range s.Generate(context.Background(), msgs, opts) {
			if err != nil {
				b.Fatal(err)
			}
			if ev.Kind == EventDone {
				return ev.Stats, ev.Message
			}
		}
		b.Fatal("no EventDone")
		return nil, nil
	}
	for _, mode := range []string{"reuse", "fresh"} {
		b.Run(mode, func(b *testing.B) {
			s, err := e.NewSession(2048)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var ttft time.Duration
			var prompt, cached int
			for b.Loop() {
				b.StopTimer()
				if err := s.Reset(); err != nil {
					b.Fatal(err)
				}
				_, msg := reply(s, first)
				second := append(append([]chat.Message{}, first...), *msg, chat.Message{Role: "user", Content: "And the bridges?"})
				if mode == "fresh" {
					s.Reset()
				}
				b.StartTimer()
				st, _ := reply(s, second)
				ttft += st.TimeToFirstToken
				prompt, cached = st.PromptTokens, st.CachedTokens
			}
			b.ReportMetric(float64(ttft.Microseconds())/1000/float64(b.N), "ms-ttft")
			b.ReportMetric(float64(prompt), "prompt-tokens")
			b.ReportMetric(float64(cached), "cached-tokens")
		})
	}
}
