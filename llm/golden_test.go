package llm

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
	"github.com/qwenstudio/qwenstudio/llm/chat"
)

// TestGoldenGreedy runs the whole stack (template, tokenizer, prefill, decode loop, greedy sampling) on the
// golden models: the case C1 is exactly the rendered prompt of one user message, so a greedy Generate must
// reproduce llama.cpp's C4 continuation token for token.
func TestGoldenGreedy(t *testing.T) {
	dir := testdata.Dir(t, "golden")
	models, err := filepath.Glob(filepath.Join(dir, "models", "*.gguf"))
	if err != nil || len(models) == 0 {
		t.Fatalf("no golden models in %s", dir)
	}
	for _, path := range models {
		name := strings.TrimSuffix(filepath.Base(path), ".gguf")
		t.Run(name, func(t *testing.T) {
			var c4 struct {
				PromptTokens []int32 `json:"prompt_tokens"`
				Generated    []int32 `json:"generated"`
			}
			data, err := os.ReadFile(filepath.Join(dir, "out", name, "C4.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &c4); err != nil {
				t.Fatal(err)
			}
			e, err := Load(context.Background(), path, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			s, err := e.NewSession(256)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			msgs := []chat.Message{{Role: "user", Content: "Hello! Who are you?"}}
			var answer strings.Builder
			var st *Stats
			for ev, err := range s.Generate(context.Background(), msgs, Options{Sampling: greedy, MaxTokens: len(c4.Generated)}) {
				if err != nil {
					t.Fatal(err)
				}
				switch ev.Kind {
				case EventAnswer, EventReasoning:
					answer.WriteString(ev.Text)
				case EventDone:
					st = ev.Stats
				}
			}
			if st.PromptTokens != len(c4.PromptTokens) || st.Stop != StopMaxTokens || st.GeneratedTokens != len(c4.Generated) {
				t.Fatalf("stats %+v, want %d prompt and %d generated tokens", st, len(c4.PromptTokens), len(c4.Generated))
			}
			// The cache holds the prompt and every generated token but the last (never fed back).
			want := append(slices.Clone(c4.PromptTokens), c4.Generated[:len(c4.Generated)-1]...)
			if !slices.Equal(s.tokens, want) {
				t.Errorf("tokens\n got %v\nwant %v", s.tokens, want)
			}
			text := e.Tokenizer().Decode(c4.Generated)
			if got := answer.String(); got != strings.Trim(text, "\n") {
				t.Errorf("streamed text %q, want %q", got, strings.Trim(text, "\n"))
			}
		})
	}
}
