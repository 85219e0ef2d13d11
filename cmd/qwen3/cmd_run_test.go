package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/qwenstudio/qwenstudio/llm"
	"github.com/qwenstudio/qwenstudio/llm/chat"
)

// TestRunJSON runs a golden model greedily: the case C4 of the golden data is llama.cpp's greedy
// continuation of exactly this prompt, so the streamed text and the counts are known.
func TestRunJSON(t *testing.T) {
	model := goldenModel(t, "a2-qwen3-e32-rv-f32")
	out, stderr, code := runCmd(t, "", "run", "-m", model, "--temp", "0", "-n", "24", "--json", "Hello!", "Who", "are", "you?")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var last jsonEvent
	kinds := map[string]int{}
	for _, l := range lines {
		var e jsonEvent
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		kinds[e.Type]++
		last = e
	}
	if kinds["prefill"] != 1 || last.Type != "done" || last.Stop != llm.StopMaxTokens {
		t.Fatalf("events %v, last %+v", kinds, last)
	}
	// llama.cpp's greedy continuation of this prompt is 24 newlines; the parser drops newlines at the start
	// and end of the answer, so nothing is left to print.
	if st := last.Stats; st.PromptTokens != 19 || st.GeneratedTokens != 24 || st.Thinking != true || !strings.HasPrefix(st.Sampling, "greedy") {
		t.Errorf("stats %+v", st)
	}
	if kinds["answer"] != 0 || last.Message.Content != "" {
		t.Errorf("answer events %d, message %+v", kinds["answer"], last.Message)
	}
	if !strings.Contains(stderr, "prompt 19 tokens (0 cached)") || !strings.Contains(stderr, "stop: max_tokens") {
		t.Errorf("stats line: %q", stderr)
	}
}

// TestRunText uses a model whose greedy output is visible text (a4 continues with token 481 after newlines).
func TestRunText(t *testing.T) {
	model := goldenModel(t, "a4-qwen3-e256-rv-f16")
	out, stderr, code := runCmd(t, "", "run", "-m", model, "--temp", "0", "-n", "24", "--system", "", "Hello! Who are you?")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if out == "" || strings.Contains(out, "\x1b[") || !strings.HasSuffix(out, "\n") {
		t.Errorf("stdout %q: want plain text ending in a newline", out)
	}
	// The prompt from stdin gives the same reply.
	out2, _, code := runCmd(t, "Hello! Who are you?\n", "run", "-m", model, "--temp", "0", "-n", "24")
	if code != 0 || out2 != out {
		t.Errorf("stdin prompt: exit %d, %q vs %q", code, out2, out)
	}
	// A seed makes sampling reproducible.
	a, _, _ := runCmd(t, "", "run", "-m", model, "--seed", "7", "--temp", "1.5", "--top-k", "0", "--top-p", "1", "-n", "12", "hi")
	b, _, _ := runCmd(t, "", "run", "-m", model, "--seed", "7", "--temp", "1.5", "--top-k", "0", "--top-p", "1", "-n", "12", "hi")
	if a != b {
		t.Errorf("the same seed gave %q and %q", a, b)
	}
}

func TestRunErrors(t *testing.T) {
	model := goldenModel(t, "a2-qwen3-e32-rv-f32")
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"run", "hi"}, 2, "-m MODEL or --demo"},
		{[]string{"run", "--demo", "-m", model, "hi"}, 2, "one of them"},
		{[]string{"run", "-m", model, "--think", "--no-think", "hi"}, 2, "exclude"},
		{[]string{"run", "-m", model, "--top-p", "2", "hi"}, 2, "top-p"},
		{[]string{"run", "-m", model, "--budget", "-1", "hi"}, 2, "--budget"},
		{[]string{"run", "-m", model}, 2, "no PROMPT"},
		{[]string{"run", "-m", model + ".missing", "hi"}, 1, "no such file"},
		{[]string{"run", "-m", model, "--ctx", "8", "hi"}, 1, "context holds 8"},
	} {
		_, stderr, code := runCmd(t, "", c.args...)
		if code != c.code || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d mentioning %q", c.args, code, stderr, c.code, c.msg)
		}
	}
}

// TestTextWriter checks how a reply is laid out: reasoning between "Thinking..." and "...done thinking.",
// dimmed only on a terminal, omitted with --hide-thinking; tool calls on their own line.
func TestTextWriter(t *testing.T) {
	events := []llm.Event{
		{Kind: llm.EventPrefill, Done: 5, Total: 5},
		{Kind: llm.EventReasoning, Text: "Let me "},
		{Kind: llm.EventReasoning, Text: "think."},
		{Kind: llm.EventAnswer, Text: "It is 4."},
		{Kind: llm.EventToolCall, ToolCall: &chat.ToolCall{Name: "calc", Arguments: []byte(`{"x": 1}`)}},
	}
	render := func(hide, faint bool) string {
		var b bytes.Buffer
		w := &textWriter{w: &b, hide: hide, faint: faint}
		for _, ev := range events {
			if err := w.event(ev); err != nil {
				t.Fatal(err)
			}
		}
		w.end()
		return b.String()
	}
	if got, want := render(false, false), "Thinking...\nLet me think.\n...done thinking.\n\nIt is 4.\n[tool call] calc {\"x\": 1}\n"; got != want {
		t.Errorf("plain:\n got %q\nwant %q", got, want)
	}
	if got, want := render(true, false), "It is 4.\n[tool call] calc {\"x\": 1}\n"; got != want {
		t.Errorf("hidden:\n got %q\nwant %q", got, want)
	}
	if got := render(false, true); !strings.HasPrefix(got, ansiFaint+"Thinking...") || !strings.Contains(got, "done thinking.\n\n"+ansiReset+"It is 4.") {
		t.Errorf("terminal: %q", got)
	}
}
