package chat

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ardanlabs/jinja"
)

// Template is a compiled chat template. It is safe for concurrent use.
type Template struct {
	src string
	t   *jinja.Template
}

// NewTemplate compiles a chat template (the Jinja text of tokenizer.chat_template).
func NewTemplate(src string) (*Template, error) {
	if strings.TrimSpace(src) == "" {
		return nil, errors.New("chat: empty chat template")
	}
	t, err := jinja.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("chat: template: %w", err)
	}
	return &Template{src: src, t: t}, nil
}

// Source returns the template text.
func (t *Template) Source() string { return t.src }

// Request is what a prompt is rendered from.
type Request struct {
	Messages []Message
	// Tools are OpenAI-style tool definitions ({"type": "function", "function": {...}}) as JSON, passed to the
	// template with their key order kept.
	Tools               []json.RawMessage
	AddGenerationPrompt bool
	// EnableThinking is the template's hard thinking switch; nil leaves it undefined (the model's default).
	EnableThinking *bool
	// Vars are further template variables, as JSON.
	Vars map[string]json.RawMessage
}

// Render renders the prompt for r.
func (t *Template) Render(r Request) (string, error) {
	vars := make(map[string]jinja.Value, len(r.Vars)+4)
	for k, raw := range r.Vars {
		v, err := ValueFromJSON(raw)
		if err != nil {
			return "", fmt.Errorf("chat: variable %q: %w", k, err)
		}
		vars[k] = v
	}
	msgs := make([]jinja.Value, len(r.Messages))
	for i, m := range r.Messages {
		v, err := m.templateValue()
		if err != nil {
			return "", fmt.Errorf("chat: message %d: %w", i, err)
		}
		msgs[i] = v
	}
	vars["messages"] = jinja.NewList(msgs)
	if len(r.Tools) > 0 {
		tools := make([]jinja.Value, len(r.Tools))
		for i, raw := range r.Tools {
			v, err := ValueFromJSON(raw)
			if err != nil {
				return "", fmt.Errorf("chat: tool %d: %w", i, err)
			}
			tools[i] = v
		}
		vars["tools"] = jinja.NewList(tools)
	}
	vars["add_generation_prompt"] = jinja.NewBool(r.AddGenerationPrompt)
	if r.EnableThinking != nil {
		vars["enable_thinking"] = jinja.NewBool(*r.EnableThinking)
	}
	return t.RenderValues(vars)
}

// RenderJSON renders from a JSON object {"messages": [...], "tools": [...], "add_generation_prompt": true,
// "enable_thinking": false, ...}; every key becomes a template variable, with object key order kept.
func (t *Template) RenderJSON(data []byte) (string, error) {
	v, err := ValueFromJSON(data)
	if err != nil {
		return "", err
	}
	if !v.IsDict() {
		return "", errors.New("chat: the request must be a JSON object")
	}
	d := v.AsDict()
	msgs, ok := d.Get("messages")
	if !ok || !msgs.IsList() {
		return "", errors.New(`chat: the request needs a "messages" list`)
	}
	vars := make(map[string]jinja.Value, d.Len())
	for _, k := range d.Keys {
		vars[k], _ = d.Get(k)
	}
	return t.RenderValues(vars)
}

// RenderValues renders with variables that are already template values.
func (t *Template) RenderValues(vars map[string]jinja.Value) (out string, err error) {
	// The renderer is a third-party interpreter running a template from a model file; a template or data
	// shape it does not expect must come back as an error, not take the program down.
	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("chat: rendering the template failed: %v", r)
		}
	}()
	out, err = t.t.RenderValues(vars)
	if err != nil {
		return "", fmt.Errorf("chat: render: %w", err)
	}
	return out, nil
}
