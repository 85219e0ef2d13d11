package chat

import "strings"

// EarlyStopText ends the reasoning when a thinking budget runs out (spec §5.6, the Qwen docs' string): the
// session appends it to what the model has thought so far, and the model goes on with its answer.
const EarlyStopText = "\n\nConsidering the limited time by the user, I have to give the solution based on the thinking directly now.\n</think>\n\n"

// Soft switches: plain text in a user or system message that the hybrid Qwen3 models were trained to obey.
const (
	SoftThink   = "/think"
	SoftNoThink = "/no_think"
)

// CanThink reports whether the template produces reasoning blocks at all (Qwen3 hybrid and Thinking
// models); Instruct-2507 templates do not.
func (t *Template) CanThink() bool { return strings.Contains(t.src, "<think>") }

// HasThinkingSwitch reports whether the template reads the enable_thinking variable (Qwen3 hybrid models).
func (t *Template) HasThinkingSwitch() bool { return strings.Contains(t.src, "enable_thinking") }

// SoftSwitch returns the most recent soft switch in the conversation: the model follows the latest /think or
// /no_think it saw in a user or system message. found is false when there is none.
func SoftSwitch(msgs []Message) (think, found bool) {
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.Role != "user" && m.Role != "system" {
			continue
		}
		t, n := strings.LastIndex(m.Content, SoftThink), strings.LastIndex(m.Content, SoftNoThink)
		// "/think" is not a substring of "/no_think", so the two indexes never describe the same text.
		if t >= 0 || n >= 0 {
			return t > n, true
		}
	}
	return false, false
}

// Thinking reports whether the model will reason before answering r: the template must be able to think; the
// hard switch (enable_thinking=false) turns it off, and otherwise the latest soft switch decides.
func (t *Template) Thinking(r Request) bool {
	if !t.CanThink() {
		return false
	}
	if t.HasThinkingSwitch() {
		if r.EnableThinking != nil && !*r.EnableThinking {
			return false
		}
		if think, ok := SoftSwitch(r.Messages); ok {
			return think
		}
	}
	return true
}

// OpensThinking reports whether a rendered prompt ends inside an open <think> block, as the prompts of the
// Thinking-2507 and Qwen3-VL Thinking templates do: the model's output then starts with reasoning and holds
// only the closing tag.
func OpensThinking(prompt string) bool {
	i := strings.LastIndex(prompt, "<think>")
	return i >= 0 && !strings.Contains(prompt[i:], "</think>")
}
