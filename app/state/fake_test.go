package state

import (
	"context"
	"iter"
	"sync"
	"time"

	"github.com/qwenstudio/qwenstudio/llm"
	"github.com/qwenstudio/qwenstudio/llm/chat"
)

// call records what the chat asked the engine.
type call struct {
	msgs []chat.Message
	opts llm.Options
}

// fakeEngine answers with scripted events. With a gate, each event waits for a value on it (or for the
// context to end), so tests can stop an answer midway.
type fakeEngine struct {
	info   ModelInfo
	script func(msgs []chat.Message, opts llm.Options) ([]llm.Event, error)
	gate   chan struct{}
	delay  time.Duration // before each answer event

	mu     sync.Mutex
	calls  []call
	closed bool
}

func newFake() *fakeEngine {
	return &fakeEngine{
		info: ModelInfo{Name: "fake-0.6b", CanThink: true, ThinkSwitch: true, ContextLength: 40960, Backend: "fake"},
		script: func([]chat.Message, llm.Options) ([]llm.Event, error) {
			return []llm.Event{
				{Kind: llm.EventReasoning, Text: "Let me "},
				{Kind: llm.EventReasoning, Text: "think."},
				{Kind: llm.EventAnswer, Text: "Hello"},
				{Kind: llm.EventAnswer, Text: " world"},
			}, nil
		},
	}
}

func (e *fakeEngine) Info() ModelInfo { return e.info }

func (e *fakeEngine) NewSession(nCtx int) (Session, error) {
	return &fakeSession{e: e, size: nCtx}, nil
}

func (e *fakeEngine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	return nil
}

func (e *fakeEngine) lastCall() call {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls[len(e.calls)-1]
}

func (e *fakeEngine) numCalls() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.calls)
}

type fakeSession struct {
	e    *fakeEngine
	n    int
	size int
}

func (s *fakeSession) Len() int         { return s.n }
func (s *fakeSession) ContextSize() int { return s.size }
func (s *fakeSession) Close() error     { return nil }

// Generate mimics llm.Session: prefill events, the script, then EventDone (StopCancelled when ctx ended).
func (s *fakeSession) Generate(ctx context.Context, msgs []chat.Message, opts llm.Options) iter.Seq2[llm.Event, error] {
	return func(yield func(llm.Event, error) bool) {
		s.e.mu.Lock()
		s.e.calls = append(s.e.calls, call{append([]chat.Message(nil), msgs...), opts})
		s.e.mu.Unlock()
		evs, err := s.e.script(msgs, opts)
		if err != nil {
			yield(llm.Event{}, err)
			return
		}
		if !yield(llm.Event{Kind: llm.EventPrefill, Done: 5, Total: 10}, nil) ||
			!yield(llm.Event{Kind: llm.EventPrefill, Done: 10, Total: 10}, nil) {
			return
		}
		st := &llm.Stats{PromptTokens: 10, Thinking: opts.Think == nil || *opts.Think, Stop: llm.StopEOS,
			Decode: 100 * time.Millisecond}
		var out chat.Message
		for _, ev := range evs {
			if s.e.gate != nil {
				select {
				case <-s.e.gate:
				case <-ctx.Done():
				}
			}
			if ev.Kind == llm.EventAnswer && s.e.delay > 0 {
				time.Sleep(s.e.delay)
			}
			if ctx.Err() != nil {
				st.Stop = llm.StopCancelled
				break
			}
			st.GeneratedTokens++
			s.n++
			if ev.Kind == llm.EventReasoning {
				out.ReasoningContent += ev.Text
			} else {
				out.Content += ev.Text
			}
			if !yield(ev, nil) {
				return
			}
		}
		s.n += 10
		yield(llm.Event{Kind: llm.EventDone, Stats: st, Message: &out}, nil)
	}
}
