package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/qwenstudio/qwenstudio/llm/chat"
	"github.com/qwenstudio/qwenstudio/llm/sample"
)

// DefaultBatchSize is how many prompt tokens one forward pass evaluates.
const DefaultBatchSize = 512

// Options control one generation.
type Options struct {
	// Tools are OpenAI-style tool definitions (JSON), rendered into the prompt by the template.
	Tools []json.RawMessage
	// Think is the template's hard thinking switch (enable_thinking); nil leaves the model's default, which
	// /think and /no_think in the messages can change.
	Think *bool
	// Budget caps the reasoning: after Budget reasoning tokens the session writes chat.EarlyStopText (which
	// closes </think>) into the output and the model goes on with its answer. 0: no cap.
	Budget int
	// MaxTokens caps the tokens generated; 0: until the context is full.
	MaxTokens int
	// Sampling overrides single settings of the defaults (Engine.Sampling).
	Sampling sample.Override
	// BatchSize is the number of prompt tokens per forward pass; 0: DefaultBatchSize.
	BatchSize int
	// Vars are further chat-template variables (JSON).
	Vars map[string]json.RawMessage
}

// Session is one conversation's KV cache. Each Generate renders the whole conversation again and evaluates
// only what differs from what the cache holds (earlier turns are re-rendered without their reasoning, so a
// new prompt is not an extension of the last output; the longest shared token prefix is kept).
// A Session is not safe for concurrent use.
type Session struct {
	e       *Engine
	kv      Context
	nCtx    int
	tokens  []int32 // what kv holds, position by position
	sampler *sample.Sampler
	busy    atomic.Bool
}

// Len returns the number of positions the KV cache holds.
func (s *Session) Len() int { return len(s.tokens) }

// ContextSize returns the number of positions the session has room for.
func (s *Session) ContextSize() int { return s.nCtx }

// Reset empties the KV cache (a new conversation).
func (s *Session) Reset() error {
	s.tokens = s.tokens[:0]
	if err := s.kv.Truncate(0); err != nil {
		return fmt.Errorf("llm: reset: %w", err)
	}
	return nil
}

// Close releases the KV cache.
func (s *Session) Close() error { return s.kv.Close() }

// Prompt renders the prompt that Generate would evaluate for msgs and opts.
func (s *Session) Prompt(msgs []chat.Message, opts Options) (string, error) {
	prompt, _, err := s.e.render(msgs, opts)
	return prompt, err
}

func (e *Engine) render(msgs []chat.Message, opts Options) (string, chat.Request, error) {
	if len(msgs) == 0 {
		return "", chat.Request{}, errors.New("llm: no messages")
	}
	req := chat.Request{Messages: msgs, Tools: opts.Tools, AddGenerationPrompt: true,
		EnableThinking: opts.Think, Vars: opts.Vars}
	prompt, err := e.tmpl.Render(req)
	return prompt, req, err
}

// errStopped ends a generation whose consumer stopped reading.
var errStopped = errors.New("llm: consumer stopped")

// Generate answers the conversation msgs (which should end with a user or tool message). It streams events:
// prefill progress, reasoning and answer pieces, tool calls, and finally EventDone with the statistics and
// the assistant message to append to msgs. A failure ends the stream with a non-nil error instead.
//
// Cancelling ctx stops the generation within one token; the stream then ends with EventDone (StopCancelled).
// Breaking out of the loop stops it too. Either way the session stays usable.
func (s *Session) Generate(ctx context.Context, msgs []chat.Message, opts Options) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		if !s.busy.CompareAndSwap(false, true) {
			yield(Event{}, errors.New("llm: the session is already generating"))
			return
		}
		defer s.busy.Store(false)
		err := s.generate(ctx, msgs, opts, func(ev Event) bool { return yield(ev, nil) })
		if err != nil && !errors.Is(err, errStopped) {
			yield(Event{}, err)
		}
	}
}

func (s *Session) generate(ctx context.Context, msgs []chat.Message, opts Options, emit func(Event) bool) error {
	start := time.Now()
	prompt, req, err := s.e.render(msgs, opts)
	if err != nil {
		return err
	}
	ids := s.e.tok.Encode(prompt)
	if len(ids) == 0 {
		return errors.New("llm: the prompt is empty")
	}
	if len(ids) >= s.nCtx {
		return fmt.Errorf("llm: the prompt has %d tokens but the context holds %d (start a new conversation or use a larger context): %w",
			len(ids), s.nCtx, ErrContextFull)
	}
	st := &Stats{PromptTokens: len(ids), Thinking: s.e.tmpl.Thinking(req)}
	st.Sampling = s.e.Sampling(st.Thinking).Apply(opts.Sampling)
	if err := st.Sampling.Validate(); err != nil {
		return err
	}

	// Prefill: keep the longest prefix the cache shares with the prompt, evaluate the rest in batches. At
	// least the last prompt token is evaluated, for its logits.
	common := min(commonPrefix(s.tokens, ids), len(ids)-1)
	if err := s.truncate(common); err != nil {
		return err
	}
	st.CachedTokens = common
	rest := ids[common:]
	batch := opts.BatchSize
	if batch <= 0 {
		batch = DefaultBatchSize
	}
	var logits []float32
	for off := 0; off < len(rest); off += batch {
		chunk := rest[off:min(off+batch, len(rest))]
		if logits, err = s.eval(ctx, chunk); err != nil {
			if ctx.Err() != nil {
				break
			}
			return fmt.Errorf("llm: evaluating the prompt: %w", err)
		}
		if !emit(Event{Kind: EventPrefill, Done: off + len(chunk), Total: len(rest)}) {
			return errStopped
		}
	}
	st.Prefill = time.Since(start)
	if ctx.Err() != nil {
		st.Stop = StopCancelled
		return s.done(emit, st, chat.Message{Role: "assistant"})
	}

	if s.sampler == nil || !s.sampler.Fits(len(logits)) {
		if s.sampler, err = sample.New(st.Sampling, len(logits)); err != nil {
			return err
		}
		s.sampler.Ban(s.e.banned...)
	} else if err := s.sampler.SetParams(st.Sampling); err != nil {
		return err
	}
	s.sampler.Reset(ids)

	// Decode.
	g := generation{parser: chat.NewParser(chat.OpensThinking(prompt)), emit: emit}
	dec := s.e.tok.NewStreamDecoder()
	var decodeStart time.Time
	for {
		if ctx.Err() != nil {
			st.Stop = StopCancelled
			break
		}
		id, err := s.sampler.Sample(logits)
		if err != nil {
			return fmt.Errorf("llm: token %d: %w", st.GeneratedTokens+1, err)
		}
		if st.GeneratedTokens == 0 {
			decodeStart = time.Now()
			st.TimeToFirstToken = decodeStart.Sub(start)
		}
		st.GeneratedTokens++
		if slices.Contains(s.e.stops, id) {
			st.Stop = StopEOS
			break
		}
		s.sampler.Accept(id)
		wasReasoning := g.parser.InReasoning()
		if !g.feed(dec.Add(id)) {
			return errStopped
		}
		if wasReasoning || g.parser.InReasoning() {
			st.ReasoningTokens++
		}
		if opts.MaxTokens > 0 && st.GeneratedTokens >= opts.MaxTokens {
			st.Stop = StopMaxTokens
			break
		}
		if len(s.tokens)+1 > s.nCtx {
			st.Stop = StopContextFull
			break
		}
		if logits, err = s.eval(ctx, []int32{id}); err != nil {
			if ctx.Err() != nil {
				st.Stop = StopCancelled
				break
			}
			return fmt.Errorf("llm: evaluating token %d: %w", st.GeneratedTokens, err)
		}
		// Thinking budget (spec §5.6): close the reasoning for the model and let it answer.
		if opts.Budget > 0 && !st.BudgetReached && g.parser.InReasoning() && st.ReasoningTokens >= opts.Budget {
			st.BudgetReached = true
			inject := s.e.tok.Encode(chat.EarlyStopText)
			if len(s.tokens)+len(inject) > s.nCtx {
				st.Stop = StopContextFull
				break
			}
			if !g.feed(dec.Flush()) || !g.feed(chat.EarlyStopText) {
				return errStopped
			}
			if logits, err = s.eval(ctx, inject); err != nil {
				if ctx.Err() != nil {
					st.Stop = StopCancelled
					break
				}
				return fmt.Errorf("llm: evaluating the early-stop text: %w", err)
			}
		}
	}
	if !decodeStart.IsZero() {
		st.Decode = time.Since(decodeStart)
	}
	if !g.feed(dec.Flush()) || !g.flush() {
		return errStopped
	}
	return s.done(emit, st, g.message())
}

func (s *Session) done(emit func(Event) bool, st *Stats, msg chat.Message) error {
	if !emit(Event{Kind: EventDone, Stats: st, Message: &msg}) {
		return errStopped
	}
	return nil
}

// eval runs the model on tokens and records them as cached. After a failure the cache is brought back to
// what it held before, so the session stays consistent.
func (s *Session) eval(ctx context.Context, tokens []int32) ([]float32, error) {
	logits, err := s.kv.Eval(ctx, tokens, false)
	if err != nil {
		if terr := s.truncate(len(s.tokens)); terr != nil {
			return nil, errors.Join(err, terr)
		}
		return nil, err
	}
	s.tokens = append(s.tokens, tokens...)
	return logits, nil
}

// truncate cuts the cache to n positions; when that fails the cache is emptied.
func (s *Session) truncate(n int) error {
	s.tokens = s.tokens[:n]
	if s.kv.Len() == n {
		return nil
	}
	if err := s.kv.Truncate(n); err != nil {
		s.tokens = s.tokens[:0]
		if err2 := s.kv.Truncate(0); err2 != nil {
			return fmt.Errorf("llm: resetting the KV cache: %w", errors.Join(err, err2))
		}
	}
	return nil
}

func commonPrefix(a, b []int32) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// generation collects the parsed output of one reply.
type generation struct {
	parser    *chat.Parser
	emit      func(Event) bool
	buf       []chat.Event
	reasoning strings.Builder
	answer    strings.Builder
	calls     []chat.ToolCall
}

// feed parses text and emits what it yields; false when the consumer stopped.
func (g *generation) feed(text string) bool {
	if text == "" {
		return true
	}
	g.buf = g.parser.Feed(g.buf[:0], text)
	return g.send()
}

func (g *generation) flush() bool {
	g.buf = g.parser.Flush(g.buf[:0])
	return g.send()
}

func (g *generation) send() bool {
	for _, e := range g.buf {
		var ev Event
		switch e.Kind {
		case chat.KindReasoning:
			g.reasoning.WriteString(e.Text)
			ev = Event{Kind: EventReasoning, Text: e.Text}
		case chat.KindAnswer:
			g.answer.WriteString(e.Text)
			ev = Event{Kind: EventAnswer, Text: e.Text}
		case chat.KindToolCall:
			g.calls = append(g.calls, *e.ToolCall)
			ev = Event{Kind: EventToolCall, ToolCall: e.ToolCall}
		}
		if !g.emit(ev) {
			return false
		}
	}
	return true
}

func (g *generation) message() chat.Message {
	return chat.Message{Role: "assistant", Content: g.answer.String(), ReasoningContent: g.reasoning.String(),
		ToolCalls: g.calls}
}
