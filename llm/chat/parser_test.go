package chat

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// parsed is the parser's output with consecutive text events of one kind merged, which is what a reader sees.
type parsed struct {
	Reasoning, Answer string
	Calls             []string // name, NUL, arguments
	Order             string   // kinds in order, e.g. "RAT" (reasoning, answer, tool call), merged runs
}

func collect(events []Event) parsed {
	var p parsed
	for _, e := range events {
		var k byte
		switch e.Kind {
		case KindReasoning:
			p.Reasoning += e.Text
			k = 'R'
		case KindAnswer:
			p.Answer += e.Text
			k = 'A'
		case KindToolCall:
			p.Calls = append(p.Calls, e.ToolCall.Name+"\x00"+string(e.ToolCall.Arguments))
			k = 'T'
		}
		if e.Kind != KindToolCall && e.Text == "" {
			panic("empty text event")
		}
		if n := len(p.Order); n == 0 || p.Order[n-1] != k || k == 'T' {
			p.Order += string(k)
		}
	}
	return p
}

func parseChunks(inReasoning bool, chunks []string) parsed {
	p := NewParser(inReasoning)
	var ev []Event
	for _, c := range chunks {
		ev = p.Feed(ev, c)
	}
	return collect(p.Flush(ev))
}

// tokenize splits s the way a tokenizer might: tags whole, other text in pieces of 1-3 bytes.
func tokenize(s string) []string {
	var out []string
	for len(s) > 0 {
		n := 1 + len(s)%3
		for _, tag := range []string{tagThink, tagThinkEnd, tagTool, tagToolEnd} {
			if strings.HasPrefix(s, tag) {
				n = len(tag)
			}
		}
		n = min(n, len(s))
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}

func TestParser(t *testing.T) {
	cases := []struct {
		name        string
		inReasoning bool
		out         string
		want        parsed
	}{
		{"thinking", false, "<think>\nLet me add.\n2+2=4.\n</think>\n\nThe answer is 4.",
			parsed{Reasoning: "Let me add.\n2+2=4.", Answer: "The answer is 4.", Order: "RA"}},
		{"empty think block (/no_think)", false, "<think>\n\n</think>\n\n21",
			parsed{Answer: "21", Order: "A"}},
		{"no think block (enable_thinking=false)", false, "Paris is the capital.\n",
			parsed{Answer: "Paris is the capital.", Order: "A"}},
		{"prompt opened <think> (Thinking-2507)", true, "Reasoning here.\n</think>\n\nAnswer.",
			parsed{Reasoning: "Reasoning here.", Answer: "Answer.", Order: "RA"}},
		{"unterminated reasoning", false, "<think>\nstill thinking\n",
			parsed{Reasoning: "still thinking", Order: "R"}},
		{"stray closing tag in the answer", false, "Hello</think> world",
			parsed{Answer: "Hello world", Order: "A"}},
		{"missing open tag", false, "I think.\n</think>\n\nAnswer.",
			parsed{Answer: "I think.\n\n\nAnswer.", Order: "A"}},
		{"stray open tag inside reasoning keeps newlines", true, "a\n<think>\nb",
			parsed{Reasoning: "a\n\nb", Order: "R"}},
		{"stray open tag inside reasoning", true, "a<think>b</think>c",
			parsed{Reasoning: "ab", Answer: "c", Order: "RA"}},
		{"think opened late", false, "\n\n<think>x</think>y",
			parsed{Reasoning: "x", Answer: "y", Order: "RA"}},
		{"tool call", false, "<think>\nNeed weather.\n</think>\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"a\": 1}}\n</tool_call>",
			parsed{Reasoning: "Need weather.", Calls: []string{"get_weather\x00" + `{"city": "Paris", "a": 1}`}, Order: "RT"}},
		{"text then two calls", false, "I'll check.\n<tool_call>\n{\"name\": \"a\", \"arguments\": {}}\n</tool_call>\n<tool_call>\n{\"name\": \"b\", \"arguments\": \"{\\\"x\\\": 1}\"}\n</tool_call>",
			parsed{Answer: "I'll check.", Calls: []string{"a\x00" + `{}`, "b\x00" + `"{\"x\": 1}"`}, Order: "ATT"}},
		{"call without arguments, then text", false, "<tool_call>{\"name\": \"now\"}</tool_call>\nDone.",
			parsed{Calls: []string{"now\x00" + `{}`}, Answer: "Done.", Order: "TA"}},
		{"malformed call stays visible", false, "x <tool_call>\nnot json\n</tool_call> y",
			parsed{Answer: "x <tool_call>\nnot json\n</tool_call> y", Order: "A"}},
		{"unterminated call that parses", false, "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"q\": \"</\"}}\n",
			parsed{Calls: []string{"f\x00" + `{"q": "</"}`}, Order: "T"}},
		{"unterminated call that does not", false, "<tool_call>\n{\"name\": ",
			parsed{Answer: "<tool_call>\n{\"name\": ", Order: "A"}},
		{"newlines inside text are kept", false, "a\n\nb\n",
			parsed{Answer: "a\n\nb", Order: "A"}},
		{"lookalike tags are text", false, "<thinking> is not <think",
			parsed{Answer: "<thinking> is not <think", Order: "A"}},
		{"only a partial tag", false, "<thi", parsed{Answer: "<thi", Order: "A"}},
		{"non-ASCII", false, "<think>\n思考中…\n</think>\n\nこんにちは 👋",
			parsed{Reasoning: "思考中…", Answer: "こんにちは 👋", Order: "RA"}},
		{"empty", false, "", parsed{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, chunks := range [][]string{{c.out}, tokenize(c.out), strings.Split(c.out, "")} {
				got := parseChunks(c.inReasoning, chunks)
				if !equalParsed(got, c.want) {
					t.Fatalf("chunks %q:\n got %+v\nwant %+v", chunks, got, c.want)
				}
			}
		})
	}
}

func equalParsed(a, b parsed) bool {
	if a.Reasoning != b.Reasoning || a.Answer != b.Answer || a.Order != b.Order || len(a.Calls) != len(b.Calls) {
		return false
	}
	for i := range a.Calls {
		if a.Calls[i] != b.Calls[i] {
			return false
		}
	}
	return true
}

// TestParserStreamsEarly checks that text is released as soon as it cannot be part of a tag, so the user
// sees the answer while it is generated.
func TestParserStreamsEarly(t *testing.T) {
	p := NewParser(false)
	ev := p.Feed(nil, "<think>\nabc")
	if len(ev) != 1 || ev[0].Kind != KindReasoning || ev[0].Text != "abc" {
		t.Fatalf("events %+v", ev)
	}
	if !p.InReasoning() {
		t.Fatal("not in reasoning")
	}
	ev = p.Feed(ev[:0], " def</th")
	if len(ev) != 1 || ev[0].Text != " def" {
		t.Fatalf("events %+v", ev)
	}
	ev = p.Feed(ev[:0], "ink>\n\nHi")
	if len(ev) != 1 || ev[0].Kind != KindAnswer || ev[0].Text != "Hi" || p.InReasoning() {
		t.Fatalf("events %+v", ev)
	}
}

// TestParserToolCallArgumentsAreJSON checks that parsed arguments are valid JSON in the model's key order.
func TestParserToolCallArgumentsAreJSON(t *testing.T) {
	p := NewParser(false)
	ev := p.Flush(p.Feed(nil, "<tool_call>\n{\"name\": \"search\", \"arguments\": {\"q\": \"go\", \"n\": 3}}\n</tool_call>"))
	if len(ev) != 1 || ev[0].ToolCall == nil {
		t.Fatalf("events %+v", ev)
	}
	if !json.Valid(ev[0].ToolCall.Arguments) || string(ev[0].ToolCall.Arguments) != `{"q": "go", "n": 3}` {
		t.Errorf("arguments %s", ev[0].ToolCall.Arguments)
	}
}

// FuzzParser checks, for any output and any way of cutting it into pieces, that the parser never panics,
// never lets a think tag into the text, and gives the same result as when fed the whole text at once.
func FuzzParser(f *testing.F) {
	for _, s := range []string{
		"<think>\nabc\n</think>\n\nanswer",
		"a</think>b<think>c",
		"<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>",
		"<tool_call><think></tool_call>",
		"\n\n<thi\n</thin<tool_call",
		"x\n<tool_call>{\"name\": 1}</tool_call>\n",
	} {
		f.Add(s, uint64(1), false)
		f.Add(s, uint64(7), true)
	}
	f.Fuzz(func(t *testing.T, out string, seed uint64, inReasoning bool) {
		whole := parseChunks(inReasoning, []string{out})
		rng := rand.New(rand.NewPCG(seed, 0))
		var chunks []string
		for rest := out; len(rest) > 0; {
			n := min(1+rng.IntN(8), len(rest))
			chunks = append(chunks, rest[:n])
			rest = rest[n:]
		}
		cut := parseChunks(inReasoning, chunks)
		if !equalParsed(whole, cut) {
			t.Fatalf("cutting changed the result:\nwhole %+v\ncut   %+v", whole, cut)
		}
		for _, s := range []string{whole.Reasoning, whole.Answer} {
			if strings.Contains(s, tagThink) || strings.Contains(s, tagThinkEnd) {
				// A think tag may only show inside the raw text of a malformed tool call, or where the model
				// wrote a tag in two halves around a stray tag that was removed ("<thi</think>nk>").
				if !strings.Contains(s, tagTool) && !strings.Contains(out, tagThinkEnd) && !strings.Contains(out, tagToolEnd) && !(inReasoning && strings.Contains(out, tagThink)) {
					t.Fatalf("think tag in text: %+v", whole)
				}
			}
		}
		for _, c := range whole.Calls {
			if i := strings.LastIndexByte(c, 0); !json.Valid([]byte(c[i+1:])) {
				t.Fatalf("tool call arguments are not JSON: %q", c)
			}
		}
	})
}
