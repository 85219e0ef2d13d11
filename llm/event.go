package llm

import (
	"time"

	"github.com/qwenstudio/qwenstudio/llm/chat"
	"github.com/qwenstudio/qwenstudio/llm/sample"
)

// EventKind says what an Event carries.
type EventKind uint8

const (
	EventPrefill   EventKind = iota + 1 // Progress of the prompt evaluation
	EventReasoning                      // Text is a piece of reasoning
	EventAnswer                         // Text is a piece of the answer
	EventToolCall                       // ToolCall is a complete tool call
	EventDone                           // Stats and Message: the generation ended (the last event)
)

func (k EventKind) String() string {
	switch k {
	case EventPrefill:
		return "prefill"
	case EventReasoning:
		return "reasoning"
	case EventAnswer:
		return "answer"
	case EventToolCall:
		return "tool_call"
	case EventDone:
		return "done"
	}
	return "unknown"
}

// Event is one step of a generation's stream.
type Event struct {
	Kind     EventKind
	Text     string
	ToolCall *chat.ToolCall
	// Prefill: prompt tokens evaluated so far and in all (tokens reused from the cache are not counted).
	Done, Total int
	// Done: the statistics and the assistant message to append to the conversation.
	Stats   *Stats
	Message *chat.Message
}

// StopReason says why a generation ended.
type StopReason string

const (
	StopEOS         StopReason = "eos"          // the model ended its turn (<|im_end|> or <|endoftext|>)
	StopMaxTokens   StopReason = "max_tokens"   // Options.MaxTokens were generated
	StopContextFull StopReason = "context_full" // the session's context has no room for another token
	StopCancelled   StopReason = "cancelled"    // the context.Context was cancelled
)

// Stats describe one generation.
type Stats struct {
	PromptTokens    int // tokens of the rendered prompt
	CachedTokens    int // of which were reused from the KV cache (shared prefix with the previous turn)
	GeneratedTokens int // tokens sampled, the stop token included
	ReasoningTokens int // of which were inside <think>
	BudgetReached   bool
	Stop            StopReason

	Prefill          time.Duration // evaluating PromptTokens-CachedTokens tokens
	Decode           time.Duration // from the first sampled token to the end
	TimeToFirstToken time.Duration // from the call to the first sampled token

	Thinking bool          // the request was in thinking mode
	Sampling sample.Params // the settings used
}

// PrefillTokensPerSecond is the prompt evaluation speed.
func (s *Stats) PrefillTokensPerSecond() float64 {
	return rate(s.PromptTokens-s.CachedTokens, s.Prefill)
}

// DecodeTokensPerSecond is the generation speed, over the tokens after the first (whose time is in
// TimeToFirstToken).
func (s *Stats) DecodeTokensPerSecond() float64 {
	return rate(s.GeneratedTokens-1, s.Decode)
}

func rate(n int, d time.Duration) float64 {
	if n <= 0 || d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
