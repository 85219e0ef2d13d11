package llm

import (
	"context"
	"errors"

	"github.com/qwenstudio/qwenstudio/llm/tokenizer"
)

// Context is one sequence's KV cache and the forward pass over it. *qwen3.Context satisfies it.
type Context interface {
	// Len is the number of positions filled.
	Len() int
	// Truncate keeps the first n positions (n ≤ Len), so that a new prompt sharing them evaluates only the rest.
	Truncate(n int) error
	// Eval appends tokens at positions Len()… and returns the logits of the last one ([n_vocab]), or of
	// every one ([len(tokens)][n_vocab] flattened) when all is set. The slice may be reused by the next call.
	// It stops early with an error when ctx is cancelled.
	Eval(ctx context.Context, tokens []int32, all bool) ([]float32, error)
	Close() error
}

// Model is what an Engine needs from a loaded model. Qwen3 models (package qwen3) are wrapped by Load; tests
// use small fakes.
type Model interface {
	Tokenizer() *tokenizer.Tokenizer
	// ChatTemplate is the model's own template, "" when its files carry none.
	ChatTemplate() string
	// ContextLength is the context the model was trained for (the default session size).
	ContextLength() int
	// NewContext makes a KV cache of nCtx positions.
	NewContext(nCtx int) (Context, error)
	Close() error
}

// ErrContextFull means a prompt does not fit the session's context.
var ErrContextFull = errors.New("llm: context full")
