package chat

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/ardanlabs/jinja"
)

// Message is one turn of a conversation in the OpenAI style that chat templates expect.
type Message struct {
	Role    string `json:"role"` // "system", "user", "assistant" or "tool"
	Content string `json:"content"`
	// ReasoningContent is an assistant turn's reasoning (the text between <think> and </think>). It is given
	// to the template only when not empty: an empty value would stop the template from splitting reasoning
	// out of a Content that still holds its <think> block.
	ReasoningContent string     `json:"reasoning_content,omitempty"`
	ToolCalls        []ToolCall `json:"tool_calls,omitempty"`
	ToolCallID       string     `json:"tool_call_id,omitempty"` // role "tool": the call this answers
	Name             string     `json:"name,omitempty"`
}

// ToolCall is a function call made by the model.
type ToolCall struct {
	ID   string
	Name string
	// Arguments is JSON: normally an object (kept byte for byte, so its key order survives), or a JSON string
	// holding the arguments text, which the Qwen3 template inserts verbatim.
	Arguments json.RawMessage
}

// toolCallJSON is the OpenAI wire form of a tool call.
type toolCallJSON struct {
	ID       string `json:"id,omitempty"`
	Type     string `json:"type"`
	Function struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	} `json:"function"`
}

// MarshalJSON writes the OpenAI form {"id", "type": "function", "function": {"name", "arguments"}}.
func (tc ToolCall) MarshalJSON() ([]byte, error) {
	var w toolCallJSON
	w.ID, w.Type = tc.ID, "function"
	w.Function.Name = tc.Name
	w.Function.Arguments = tc.Arguments
	if len(w.Function.Arguments) == 0 {
		w.Function.Arguments = json.RawMessage("{}")
	}
	return json.Marshal(w)
}

// UnmarshalJSON accepts the OpenAI form and the flat form {"name", "arguments"} that the template also reads.
func (tc *ToolCall) UnmarshalJSON(data []byte) error {
	var w struct {
		ID        string          `json:"id"`
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
		Function  *struct {
			Name      string          `json:"name"`
			Arguments json.RawMessage `json:"arguments"`
		} `json:"function"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("chat: tool call: %w", err)
	}
	tc.ID, tc.Name, tc.Arguments = w.ID, w.Name, w.Arguments
	if w.Function != nil {
		tc.Name, tc.Arguments = w.Function.Name, w.Function.Arguments
	}
	return nil
}

// templateValue converts a message to the dict the template sees, in OpenAI key order.
func (m Message) templateValue() (jinja.Value, error) {
	d := jinja.NewDict()
	dict := d.AsDict()
	dict.Set("role", jinja.NewString(m.Role))
	dict.Set("content", jinja.NewString(m.Content))
	if m.ReasoningContent != "" {
		dict.Set("reasoning_content", jinja.NewString(m.ReasoningContent))
	}
	if len(m.ToolCalls) > 0 {
		calls := make([]jinja.Value, len(m.ToolCalls))
		for i, tc := range m.ToolCalls {
			v, err := tc.templateValue()
			if err != nil {
				return jinja.Undefined(), fmt.Errorf("tool call %d: %w", i, err)
			}
			calls[i] = v
		}
		dict.Set("tool_calls", jinja.NewList(calls))
	}
	if m.ToolCallID != "" {
		dict.Set("tool_call_id", jinja.NewString(m.ToolCallID))
	}
	if m.Name != "" {
		dict.Set("name", jinja.NewString(m.Name))
	}
	return d, nil
}

func (tc ToolCall) templateValue() (jinja.Value, error) {
	args := jinja.NewDict()
	if len(bytes.TrimSpace(tc.Arguments)) > 0 {
		var err error
		if args, err = ValueFromJSON(tc.Arguments); err != nil {
			return jinja.Undefined(), fmt.Errorf("%q: arguments: %w", tc.Name, err)
		}
	}
	fn := jinja.NewDict()
	fn.AsDict().Set("name", jinja.NewString(tc.Name))
	fn.AsDict().Set("arguments", args)
	d := jinja.NewDict()
	dict := d.AsDict()
	if tc.ID != "" {
		dict.Set("id", jinja.NewString(tc.ID))
	}
	dict.Set("type", jinja.NewString("function"))
	dict.Set("function", fn)
	return d, nil
}
