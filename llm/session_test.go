package llm

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/qwenstudio/qwenstudio/llm/chat"
	"github.com/qwenstudio/qwenstudio/llm/sample"
)

var greedy = sample.Override{Greedy: true}

func newSession(t *testing.T, m *fakeModel, nCtx int) *Session {
	t.Helper()
	e, err := NewEngine(m, EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.NewSession(nCtx)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// result is a generation's stream, gathered.
type result struct {
	reasoning, answer string
	calls             []chat.ToolCall
	prefill           []Event
	stats             *Stats
	msg               *chat.Message
	kinds             []EventKind
}

func run(t *testing.T, ctx context.Context, s *Session, msgs []chat.Message, opts Options) result {
	t.Helper()
	var r result
	for ev, err := range s.Generate(ctx, msgs, opts) {
		if err != nil {
			t.Fatal(err)
		}
		if r.stats != nil {
			t.Fatal("event after EventDone")
		}
		r.kinds = append(r.kinds, ev.Kind)
		switch ev.Kind {
		case EventPrefill:
			r.prefill = append(r.prefill, ev)
		case EventReasoning:
			r.reasoning += ev.Text
		case EventAnswer:
			r.answer += ev.Text
		case EventToolCall:
			r.calls = append(r.calls, *ev.ToolCall)
		case EventDone:
			r.stats, r.msg = ev.Stats, ev.Message
		}
	}
	if r.stats == nil {
		t.Fatal("no EventDone")
	}
	return r
}

func user(s string) []chat.Message { return []chat.Message{{Role: "user", Content: s}} }

func TestGenerateThinkingReply(t *testing.T) {
	m := newFake(t, script("<think>\nThe user greets me.\n</think>\n\nHello! How can I help?"))
	s := newSession(t, m, 0)
	r := run(t, context.Background(), s, user("Hi"), Options{Sampling: greedy})
	if r.reasoning != "The user greets me." || r.answer != "Hello! How can I help?" {
		t.Errorf("reasoning %q, answer %q", r.reasoning, r.answer)
	}
	st := r.stats
	wantPrompt := len(m.tok.Encode("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"))
	replyTokens := len("\nThe user greets me.\n") + len("\n\nHello! How can I help?") + 2 // + <think>, </think>
	if st.PromptTokens != wantPrompt || st.CachedTokens != 0 || st.GeneratedTokens != replyTokens+1 || st.Stop != StopEOS {
		t.Errorf("stats %+v (want prompt %d, generated %d)", st, wantPrompt, replyTokens+1)
	}
	if !st.Thinking || st.ReasoningTokens < len("The user greets me.") || st.ReasoningTokens > replyTokens-len("Hello! How can I help?") {
		t.Errorf("thinking %v, reasoning tokens %d", st.Thinking, st.ReasoningTokens)
	}
	if st.TimeToFirstToken <= 0 || st.Prefill <= 0 || st.Decode <= 0 {
		t.Errorf("timings %+v", st)
	}
	if !reflect.DeepEqual(*r.msg, chat.Message{Role: "assistant", Content: "Hello! How can I help?", ReasoningContent: "The user greets me."}) {
		t.Errorf("message %+v", r.msg)
	}
	// The cache holds the prompt and every generated token but the stop token.
	if s.Len() != st.PromptTokens+st.GeneratedTokens-1 {
		t.Errorf("cache holds %d tokens, want %d", s.Len(), st.PromptTokens+st.GeneratedTokens-1)
	}
}

// TestPrefixReuse runs two turns and checks that the second evaluates only what its prompt does not share
// with the cache, and that the model then sees exactly the second prompt.
func TestPrefixReuse(t *testing.T) {
	m := newFake(t, func(h string) string {
		return script("<think>\nthinking\n</think>\n\nanswer one")(h)
	})
	m.next = script("<think>\nthinking\n</think>\n\nfirst answer")
	s := newSession(t, m, 0)
	msgs := []chat.Message{{Role: "system", Content: "Be brief."}, {Role: "user", Content: "Question one?"}}
	r1 := run(t, context.Background(), s, msgs, Options{Sampling: greedy})
	msgs = append(msgs, *r1.msg, chat.Message{Role: "user", Content: "Question two?"})
	m.next = script("second answer")
	m.evals = nil
	r2 := run(t, context.Background(), s, msgs, Options{Sampling: greedy})
	if r2.answer != "second answer" {
		t.Fatalf("second answer %q", r2.answer)
	}
	prompt2, err := s.Prompt(msgs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ids2 := m.tok.Encode(prompt2)
	// The shared prefix runs up to the first assistant turn's header: the re-rendered turn has no reasoning.
	shared := len(m.tok.Encode("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nQuestion one?<|im_end|>\n<|im_start|>assistant\n"))
	st := r2.stats
	if st.CachedTokens != shared || st.PromptTokens != len(ids2) {
		t.Errorf("cached %d of %d prompt tokens, want %d of %d", st.CachedTokens, st.PromptTokens, shared, len(ids2))
	}
	prefill := 0
	for _, n := range m.evals[:len(r2.prefill)] {
		prefill += n
	}
	if prefill != len(ids2)-shared {
		t.Errorf("second turn evaluated %d prompt tokens, want %d", prefill, len(ids2)-shared)
	}
	if st.PrefillTokensPerSecond() <= 0 {
		t.Error("no prefill speed")
	}
	// A third call with the same conversation re-evaluates only the last prompt token.
	m.evals = nil
	r3 := run(t, context.Background(), s, msgs, Options{Sampling: greedy})
	if r3.answer != "second answer" || r3.stats.CachedTokens != len(ids2)-1 || m.evals[0] != 1 {
		t.Errorf("identical prompt: answer %q, cached %d, first eval %d tokens", r3.answer, r3.stats.CachedTokens, m.evals[0])
	}
}

func TestPrefillBatches(t *testing.T) {
	m := newFake(t, script("ok"))
	s := newSession(t, m, 0)
	r := run(t, context.Background(), s, user(strings.Repeat("many words here ", 10)), Options{Sampling: greedy, BatchSize: 16})
	total := r.stats.PromptTokens
	if len(r.prefill) != (total+15)/16 {
		t.Fatalf("%d prefill events for %d tokens in batches of 16", len(r.prefill), total)
	}
	for i, ev := range r.prefill {
		if ev.Total != total || ev.Done != min(16*(i+1), total) {
			t.Errorf("prefill event %d: %d/%d", i, ev.Done, ev.Total)
		}
		if m.evals[i] > 16 {
			t.Errorf("batch %d has %d tokens", i, m.evals[i])
		}
	}
}

func TestThinkingOff(t *testing.T) {
	// With the hard switch the empty think block is in the prompt; with /no_think the model writes it.
	m := newFake(t, script("<think>\n\n</think>\n\nParis."))
	s := newSession(t, m, 0)
	off := false
	r := run(t, context.Background(), s, user("Capital of France?"), Options{Think: &off})
	if r.answer != "Paris." || r.reasoning != "" {
		t.Errorf("answer %q reasoning %q", r.answer, r.reasoning)
	}
	p := r.stats.Sampling
	if r.stats.Thinking || p.Temperature != 0.7 || p.TopP != 0.8 || p.TopK != 20 {
		t.Errorf("thinking %v, sampling %+v (want Qwen's non-thinking defaults)", r.stats.Thinking, p)
	}
	r = run(t, context.Background(), s, user("Capital of France? /no_think"), Options{})
	if r.stats.Thinking || r.stats.Sampling.Temperature != 0.7 {
		t.Errorf("soft switch: thinking %v", r.stats.Thinking)
	}
	m.next = script("<think>\nx\n</think>\n\nParis.")
	r = run(t, context.Background(), s, user("Capital of France?"), Options{})
	if !r.stats.Thinking || r.stats.Sampling.Temperature != 0.6 || r.stats.Sampling.TopP != 0.95 || r.answer != "Paris." {
		t.Errorf("thinking mode: %+v answer %q", r.stats, r.answer)
	}
}

// TestBudget: a model that would think forever is stopped after the budget and answers.
func TestBudget(t *testing.T) {
	m := newFake(t, func(h string) string {
		if !strings.HasPrefix(h, "<think>") {
			return "<think>"
		}
		if i := strings.Index(h, "</think>\n\n"); i >= 0 {
			return script("Done.")(h[i+len("</think>\n\n"):])
		}
		return "x"
	})
	s := newSession(t, m, 0)
	r := run(t, context.Background(), s, user("Think a lot"), Options{Sampling: greedy, Budget: 10})
	wantReasoning := strings.Repeat("x", 9) + strings.TrimRight(strings.TrimSuffix(chat.EarlyStopText, "</think>\n\n"), "\n")
	if r.reasoning != wantReasoning || r.answer != "Done." {
		t.Errorf("reasoning %q\nanswer %q", r.reasoning, r.answer)
	}
	if !r.stats.BudgetReached || r.stats.ReasoningTokens != 10 || r.stats.Stop != StopEOS {
		t.Errorf("stats %+v", r.stats)
	}
	// The early-stop text is in the cache as the model would have written it.
	if !strings.Contains(m.tok.Decode(s.tokens), strings.Repeat("x", 9)+chat.EarlyStopText+"Done.") {
		t.Errorf("cache: %q", m.tok.Decode(s.tokens))
	}
	// Without a budget the thinking goes on until max tokens.
	r = run(t, context.Background(), s, user("Think a lot"), Options{Sampling: greedy, MaxTokens: 50})
	if r.stats.BudgetReached || r.stats.Stop != StopMaxTokens || r.stats.GeneratedTokens != 50 || r.answer != "" {
		t.Errorf("no budget: %+v answer %q", r.stats, r.answer)
	}
}

func TestToolCall(t *testing.T) {
	m := newFake(t, script("<think>\nNeed the tool.\n</think>\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>"))
	s := newSession(t, m, 0)
	tools := Options{Sampling: greedy, Tools: []json.RawMessage{json.RawMessage(`{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}`)}}
	r := run(t, context.Background(), s, user("Weather in Paris?"), tools)
	if len(r.calls) != 1 || r.calls[0].Name != "get_weather" || string(r.calls[0].Arguments) != `{"city": "Paris"}` || r.answer != "" {
		t.Fatalf("calls %+v answer %q", r.calls, r.answer)
	}
	if len(r.msg.ToolCalls) != 1 || r.msg.ReasoningContent != "Need the tool." {
		t.Errorf("message %+v", r.msg)
	}
	prompt, _ := s.Prompt(user("x"), tools)
	if !strings.Contains(prompt, `<tools>
{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
</tools>`) {
		t.Errorf("tools not in the prompt: %q", prompt)
	}
	// The tool result goes back and the model answers; the tool turn keeps its reasoning in the prompt.
	msgs := append(user("Weather in Paris?"), *r.msg, chat.Message{Role: "tool", Content: "sunny"})
	m.next = script("<think>\n\n</think>\n\nSunny.")
	r = run(t, context.Background(), s, msgs, tools)
	if r.answer != "Sunny." {
		t.Errorf("answer %q", r.answer)
	}
	if r.stats.CachedTokens < r.stats.PromptTokens-len(m.tok.Encode("<|im_end|>\n<|im_start|>user\n<tool_response>\nsunny\n</tool_response><|im_end|>\n<|im_start|>assistant\n")) {
		t.Errorf("a tool turn should reuse the cache up to the call: cached %d of %d", r.stats.CachedTokens, r.stats.PromptTokens)
	}
}

func TestMaxTokensAndStopTokens(t *testing.T) {
	m := newFake(t, script("abcdefghij"))
	s := newSession(t, m, 0)
	r := run(t, context.Background(), s, user("x"), Options{Sampling: greedy, MaxTokens: 3})
	if r.answer != "abc" || r.stats.Stop != StopMaxTokens || r.stats.GeneratedTokens != 3 {
		t.Errorf("answer %q stats %+v", r.answer, r.stats)
	}
	m.next = script("ab<|endoftext|>cd")
	r = run(t, context.Background(), s, user("x"), Options{Sampling: greedy})
	if r.answer != "ab" || r.stats.Stop != StopEOS {
		t.Errorf("<|endoftext|> must stop: answer %q stats %+v", r.answer, r.stats)
	}
}

func TestContextFull(t *testing.T) {
	m := newFake(t, script(strings.Repeat("y", 100)))
	s := newSession(t, m, 40)
	r := run(t, context.Background(), s, user("x"), Options{Sampling: greedy})
	if r.stats.Stop != StopContextFull || s.Len() != 40 {
		t.Errorf("stats %+v, cache %d", r.stats, s.Len())
	}
	var err error
	for _, e := range s.Generate(context.Background(), user(strings.Repeat("long ", 20)), Options{}) {
		err = e
	}
	if !errors.Is(err, ErrContextFull) || !strings.Contains(err.Error(), "context holds 40") {
		t.Errorf("long prompt: err = %v", err)
	}
}

func TestCancel(t *testing.T) {
	m := newFake(t, script(strings.Repeat("z", 1000)))
	s := newSession(t, m, 0)
	ctx, cancel := context.WithCancel(context.Background())
	var answer string
	var stats *Stats
	for ev, err := range s.Generate(ctx, user("go"), Options{Sampling: greedy}) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Kind == EventAnswer {
			answer += ev.Text
			if len(answer) == 5 {
				cancel()
			}
		}
		if ev.Kind == EventDone {
			stats = ev.Stats
		}
	}
	if stats == nil || stats.Stop != StopCancelled || len(answer) > 6 {
		t.Fatalf("stats %+v after %d answer bytes", stats, len(answer))
	}
	// Cancelled during the prompt evaluation: the cache is left consistent and the session still works.
	ctx, cancel = context.WithCancel(context.Background())
	m.onEval = func(c *fakeContext) error { cancel(); return ctx.Err() }
	r := run(t, ctx, s, user(strings.Repeat("prompt ", 30)), Options{Sampling: greedy, BatchSize: 8})
	if r.stats.Stop != StopCancelled || r.stats.GeneratedTokens != 0 {
		t.Errorf("stats %+v", r.stats)
	}
	m.onEval = nil
	m.next = script("fine")
	r = run(t, context.Background(), s, user("again"), Options{Sampling: greedy})
	if r.answer != "fine" || s.Len() != s.kv.Len() {
		t.Errorf("after cancellation: answer %q, cache %d vs %d", r.answer, s.Len(), s.kv.Len())
	}
}

func TestBreakAndErrors(t *testing.T) {
	m := newFake(t, script(strings.Repeat("z", 100)))
	s := newSession(t, m, 0)
	for ev := range s.Generate(context.Background(), user("go"), Options{Sampling: greedy}) {
		if ev.Kind == EventAnswer {
			break
		}
	}
	m.next = script("ok")
	if r := run(t, context.Background(), s, user("go"), Options{Sampling: greedy}); r.answer != "ok" {
		t.Errorf("after break: %q", r.answer)
	}
	// A failing forward pass ends the stream with the error and leaves the cache consistent.
	m.onEval = func(c *fakeContext) error { return errors.New("device lost") }
	var err error
	for _, e := range s.Generate(context.Background(), user("new question"), Options{}) {
		err = e
	}
	if err == nil || !strings.Contains(err.Error(), "device lost") {
		t.Errorf("err = %v", err)
	}
	if s.Len() != s.kv.Len() {
		t.Errorf("cache %d vs %d", s.Len(), s.kv.Len())
	}
	m.onEval = nil
	for _, e := range s.Generate(context.Background(), nil, Options{}) {
		err = e
	}
	if err == nil {
		t.Error("no messages accepted")
	}
	for _, e := range s.Generate(context.Background(), user("x"), Options{Sampling: sample.Override{TopP: ptr(float32(2))}}) {
		err = e
	}
	if err == nil || !strings.Contains(err.Error(), "top-p") {
		t.Errorf("bad sampling: err = %v", err)
	}
}

// TestPromptOpensThinking: a Thinking-2507 style template puts <think> into the prompt; the output has only
// the closing tag.
func TestPromptOpensThinking(t *testing.T) {
	m := newFake(t, script("Let me see.\n</think>\n\nSeven."))
	m.template = `{%- for m in messages %}<|im_start|>{{ m.role }}
{{ m.content }}<|im_end|>
{% endfor %}{%- if add_generation_prompt %}<|im_start|>assistant
<think>
{% endif %}`
	s := newSession(t, m, 0)
	// The fake's h starts after the assistant header, so it includes the prompt's "<think>\n".
	m.next = func(h string) string { return script("<think>\nLet me see.\n</think>\n\nSeven.")(h) }
	r := run(t, context.Background(), s, user("3+4?"), Options{Sampling: greedy})
	if r.reasoning != "Let me see." || r.answer != "Seven." {
		t.Errorf("reasoning %q answer %q", r.reasoning, r.answer)
	}
}

func TestEngine(t *testing.T) {
	m := newFake(t, script(""))
	temp := float32(0.9)
	e, err := NewEngine(m, EngineOptions{Generation: sample.Override{Temperature: &temp}})
	if err != nil {
		t.Fatal(err)
	}
	if !e.BuiltinTemplate() {
		t.Error("a model without a template should get the built-in one")
	}
	if len(e.banned) != 1 || e.banned[0] != 263 {
		t.Errorf("banned %v, want the [PAD263] entry", e.banned)
	}
	stops := e.StopTokens()
	if len(stops) != 2 || stops[0] != 256 || stops[1] != 258 {
		t.Errorf("stop tokens %v", stops)
	}
	// generation_config replaces the defaults of the model's default (thinking) mode only.
	if p := e.Sampling(true); p.Temperature != 0.9 || p.TopP != 0.95 {
		t.Errorf("thinking sampling %+v", p)
	}
	if p := e.Sampling(false); p.Temperature != 0.7 {
		t.Errorf("non-thinking sampling %+v", p)
	}
}

func ptr[T any](v T) *T { return &v }
