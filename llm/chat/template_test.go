package chat

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ardanlabs/jinja"
	"github.com/qwenstudio/qwenstudio/internal/testdata"
)

// qwen3Template loads the real Qwen3 chat template from the shared tokenizer files.
func qwen3Template(t *testing.T) *Template {
	t.Helper()
	dir := testdata.Dir(t, "qwen3-tokenizer")
	data, err := os.ReadFile(filepath.Join(dir, "tokenizer_config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		ChatTemplate string `json:"chat_template"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	tmpl, err := NewTemplate(cfg.ChatTemplate)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

type renderCase struct {
	name     string
	input    []byte
	expected string
}

// renderCases reads testdata/render: each NAME.json is a request, NAME.txt what @huggingface/jinja rendered
// for it (testdata/gen/gen.mjs).
func renderCases(t *testing.T) []renderCase {
	t.Helper()
	files, err := filepath.Glob("testdata/render/*.json")
	if err != nil || len(files) < 15 {
		t.Fatalf("expected at least 15 fixtures in testdata/render, found %d (%v)", len(files), err)
	}
	var cases []renderCase
	for _, f := range files {
		in, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(strings.TrimSuffix(f, ".json") + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, renderCase{strings.TrimSuffix(filepath.Base(f), ".json"), in, string(want)})
	}
	return cases
}

// TestRenderJSONMatchesReference renders every fixture from its raw JSON (the `qwen3 prompt` path).
func TestRenderJSONMatchesReference(t *testing.T) {
	tmpl := qwen3Template(t)
	for _, c := range renderCases(t) {
		t.Run(c.name, func(t *testing.T) {
			got, err := tmpl.RenderJSON(c.input)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.expected {
				t.Errorf("rendering differs from @huggingface/jinja\n got: %q\nwant: %q", got, c.expected)
			}
		})
	}
}

// TestRenderRequestMatchesReference renders the same fixtures through the typed Request (the session path):
// the JSON is decoded into []Message, tools and variables first.
func TestRenderRequestMatchesReference(t *testing.T) {
	tmpl := qwen3Template(t)
	for _, c := range renderCases(t) {
		t.Run(c.name, func(t *testing.T) {
			var in struct {
				Messages            []Message         `json:"messages"`
				Tools               []json.RawMessage `json:"tools"`
				AddGenerationPrompt bool              `json:"add_generation_prompt"`
				EnableThinking      *bool             `json:"enable_thinking"`
			}
			if err := json.Unmarshal(c.input, &in); err != nil {
				t.Fatal(err)
			}
			var vars map[string]json.RawMessage
			if err := json.Unmarshal(c.input, &vars); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"messages", "tools", "add_generation_prompt", "enable_thinking"} {
				delete(vars, k)
			}
			got, err := tmpl.Render(Request{Messages: in.Messages, Tools: in.Tools,
				AddGenerationPrompt: in.AddGenerationPrompt, EnableThinking: in.EnableThinking, Vars: vars})
			if err != nil {
				t.Fatal(err)
			}
			if got != c.expected {
				t.Errorf("rendering differs from @huggingface/jinja\n got: %q\nwant: %q", got, c.expected)
			}
		})
	}
}

// TestSpecExamples checks the worked examples of spec §5.3 literally.
func TestSpecExamples(t *testing.T) {
	tmpl := qwen3Template(t)
	off := false
	cases := []struct {
		name string
		req  Request
		want string
	}{
		{"A plain", Request{Messages: []Message{{Role: "system", Content: "You are a helpful assistant."},
			{Role: "user", Content: "What is 2+2?"}}, AddGenerationPrompt: true},
			"<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n"},
		{"B thinking off", Request{Messages: []Message{{Role: "user", Content: "What is 2+2?"}},
			AddGenerationPrompt: true, EnableThinking: &off},
			"<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n"},
		{"D stripped", Request{Messages: []Message{{Role: "user", Content: "Hi"},
			{Role: "assistant", Content: "<think>\nThe user greets me.\n</think>\n\nHello! How can I help?"},
			{Role: "user", Content: "What is 3*7? /no_think"}}, AddGenerationPrompt: true},
			"<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello! How can I help?<|im_end|>\n<|im_start|>user\nWhat is 3*7? /no_think<|im_end|>\n<|im_start|>assistant\n"},
		{"E continue", Request{Messages: []Message{{Role: "user", Content: "Hi"}, {Role: "assistant", Content: "Hello"}}},
			"<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nHello<|im_end|>\n"},
		{"reasoning field of an earlier turn is dropped", Request{Messages: []Message{{Role: "user", Content: "Hi"},
			{Role: "assistant", Content: "Hello", ReasoningContent: "greet back"}, {Role: "user", Content: "Bye"}}, AddGenerationPrompt: true},
			"<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n"},
	}
	for _, c := range cases {
		got, err := tmpl.Render(c.req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	if _, err := NewTemplate("  "); err == nil {
		t.Error("empty template accepted")
	}
	if _, err := NewTemplate("{% if %}"); err == nil {
		t.Error("broken template accepted")
	}
	tmpl := qwen3Template(t)
	for _, in := range []string{`[]`, `{"messages": 3}`, `{}`, `{"messages": [}`, `{"messages": []} x`} {
		if _, err := tmpl.RenderJSON([]byte(in)); err == nil {
			t.Errorf("RenderJSON(%s): no error", in)
		}
	}
	_, err := tmpl.Render(Request{Messages: []Message{{Role: "assistant", ToolCalls: []ToolCall{{Name: "f", Arguments: []byte(`{"a":`)}}}}})
	if err == nil || !strings.Contains(err.Error(), "arguments") {
		t.Errorf("bad tool arguments: err = %v", err)
	}
	// A template that raises must come back as an error.
	raising, err := NewTemplate(`{{ raise_exception("no system role") }}`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raising.Render(Request{}); err == nil || !strings.Contains(err.Error(), "no system role") {
		t.Errorf("raise_exception: err = %v", err)
	}
}

func TestToolCallJSON(t *testing.T) {
	var tc ToolCall
	if err := json.Unmarshal([]byte(`{"id":"c1","type":"function","function":{"name":"f","arguments":{"b":1,"a":2}}}`), &tc); err != nil {
		t.Fatal(err)
	}
	if tc.ID != "c1" || tc.Name != "f" || string(tc.Arguments) != `{"b":1,"a":2}` {
		t.Fatalf("OpenAI form: %+v", tc)
	}
	out, err := json.Marshal(tc)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"id":"c1","type":"function","function":{"name":"f","arguments":{"b":1,"a":2}}}`; string(out) != want {
		t.Errorf("marshal: %s, want %s", out, want)
	}
	if err := json.Unmarshal([]byte(`{"name":"g","arguments":"{\"x\": 1}"}`), &tc); err != nil {
		t.Fatal(err)
	}
	if tc.Name != "g" || string(tc.Arguments) != `"{\"x\": 1}"` {
		t.Errorf("flat form: %+v", tc)
	}
}

func TestValueFromJSONNumbers(t *testing.T) {
	tmpl, err := NewTemplate(`{{ v | tojson }}`)
	if err != nil {
		t.Fatal(err)
	}
	// What JavaScript's JSON.stringify prints for the same parsed numbers.
	for in, want := range map[string]string{
		`[1, -2, 2.0, 1e3, 1000000.0, 0.5, 3.25, -0.0, 9007199254740993]`: `[1, -2, 2, 1000, 1000000, 0.5, 3.25, 0, 9007199254740993]`,
		`{"z": {"y": [true, false, null]}, "a": "é<&>"}`:                  `{"z": {"y": [true, false, null]}, "a": "é<&>"}`,
	} {
		v, err := ValueFromJSON([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		got, err := tmpl.RenderValues(map[string]jinja.Value{"v": v})
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s -> %s, want %s", in, got, want)
		}
	}
	deep := strings.Repeat("[", 1000) + strings.Repeat("]", 1000)
	if _, err := ValueFromJSON([]byte(deep)); err == nil {
		t.Error("1000 levels of nesting accepted")
	}
}

func TestThinkingMode(t *testing.T) {
	tmpl := qwen3Template(t)
	on, off := true, false
	user := func(s string) []Message { return []Message{{Role: "user", Content: s}} }
	cases := []struct {
		req  Request
		want bool
	}{
		{Request{Messages: user("hi")}, true},
		{Request{Messages: user("hi"), EnableThinking: &off}, false},
		{Request{Messages: user("hi /no_think"), EnableThinking: &on}, false},
		{Request{Messages: user("hi /no_think")}, false},
		{Request{Messages: user("hi /think"), EnableThinking: &off}, false}, // the hard switch wins
		{Request{Messages: []Message{{Role: "user", Content: "a /no_think"}, {Role: "assistant", Content: "x"}, {Role: "user", Content: "b"}}}, false},
		{Request{Messages: []Message{{Role: "user", Content: "a /no_think"}, {Role: "assistant", Content: "x"}, {Role: "user", Content: "b /think"}}}, true},
		{Request{Messages: user("/think first, then /no_think")}, false},
	}
	for _, c := range cases {
		if got := tmpl.Thinking(c.req); got != c.want {
			t.Errorf("Thinking(%+v) = %v, want %v", c.req.Messages, got, c.want)
		}
	}
	instruct, err := NewTemplate(`{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}`)
	if err != nil {
		t.Fatal(err)
	}
	if instruct.Thinking(Request{Messages: user("hi /think")}) {
		t.Error("a template without <think> cannot think")
	}
}

func TestOpensThinking(t *testing.T) {
	for prompt, want := range map[string]bool{
		"<|im_start|>assistant\n":                                                 false,
		"<|im_start|>assistant\n<think>\n":                                        true,
		"<|im_start|>assistant\n<think>\n\n</think>\n\n":                          false,
		"<think>\nold\n</think>\n\nx<|im_end|>\n<|im_start|>assistant\n<think>\n": true,
	} {
		if got := OpensThinking(prompt); got != want {
			t.Errorf("OpensThinking(%q) = %v, want %v", prompt, got, want)
		}
	}
}

// TestBuiltinTemplate checks that the embedded template is the published one: it renders every fixture as
// the reference does.
func TestBuiltinTemplate(t *testing.T) {
	tmpl, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range renderCases(t) {
		got, err := tmpl.RenderJSON(c.input)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.expected {
			t.Errorf("%s: builtin template renders differently", c.name)
		}
	}
}
