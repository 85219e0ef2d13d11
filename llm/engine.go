package llm

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/qwenstudio/qwenstudio/llm/chat"
	"github.com/qwenstudio/qwenstudio/llm/sample"
	"github.com/qwenstudio/qwenstudio/llm/tokenizer"
)

// Engine is a loaded model with its tokenizer, chat template and default sampling settings. Sessions made
// from one Engine share its weights; each has its own KV cache.
type Engine struct {
	model  Model
	tok    *tokenizer.Tokenizer
	tmpl   *chat.Template
	gen    sample.Override // the model's generation_config
	stops  []int32
	banned []int32
	// builtinTemplate is set when the model carried no template and the embedded Qwen3 one is used.
	builtinTemplate bool
}

// EngineOptions adjust an Engine.
type EngineOptions struct {
	// Template replaces the model's chat template (Jinja text); "" uses the model's, or the built-in Qwen3
	// template when the model has none.
	Template string
	// Generation holds the model's own sampling defaults (generation_config.json); they replace Qwen's
	// recommended values for the model's default mode.
	Generation sample.Override
}

// NewEngine wraps a loaded model. The Engine owns m: Close closes it.
func NewEngine(m Model, opts EngineOptions) (*Engine, error) {
	tok := m.Tokenizer()
	if tok == nil {
		return nil, errors.New("llm: the model has no tokenizer")
	}
	e := &Engine{model: m, tok: tok, gen: opts.Generation}
	src := opts.Template
	if src == "" {
		src = m.ChatTemplate()
	}
	var err error
	if src == "" {
		e.tmpl, err = chat.Builtin()
		e.builtinTemplate = true
	} else {
		e.tmpl, err = chat.NewTemplate(src)
	}
	if err != nil {
		return nil, fmt.Errorf("llm: chat template: %w", err)
	}
	// Stop on every end-of-generation id the tokenizer knows, and on both Qwen end tokens whatever the
	// metadata says (spec §4.4).
	e.stops = tok.EOS()
	for _, name := range []string{"<|im_end|>", "<|endoftext|>"} {
		if id, ok := tok.TokenID(name); ok {
			e.stops = append(e.stops, id)
		}
	}
	slices.Sort(e.stops)
	e.stops = slices.Compact(e.stops)
	if len(e.stops) == 0 {
		return nil, errors.New("llm: the tokenizer has no end-of-generation token")
	}
	// Padding rows of the embedding ([PAD151669]…) are never real output (spec §5.5).
	for id := range int32(tok.VocabSize()) {
		if t := tok.Token(id); strings.HasPrefix(t, "[PAD") && strings.HasSuffix(t, "]") {
			e.banned = append(e.banned, id)
		}
	}
	return e, nil
}

// Close releases the model.
func (e *Engine) Close() error { return e.model.Close() }

// Model returns the wrapped model.
func (e *Engine) Model() Model { return e.model }

// Tokenizer returns the model's tokenizer.
func (e *Engine) Tokenizer() *tokenizer.Tokenizer { return e.tok }

// Template returns the chat template in use.
func (e *Engine) Template() *chat.Template { return e.tmpl }

// BuiltinTemplate reports whether the model carried no template and the built-in Qwen3 one is used.
func (e *Engine) BuiltinTemplate() bool { return e.builtinTemplate }

// StopTokens returns the ids that end a generation.
func (e *Engine) StopTokens() []int32 { return slices.Clone(e.stops) }

// Sampling returns the settings a request in thinking or non-thinking mode gets before the user's own:
// Qwen's recommendation for the mode, with the model's generation_config replacing it for the model's
// default mode (thinking when the template can think).
func (e *Engine) Sampling(thinking bool) sample.Params {
	p := sample.Defaults(thinking)
	if thinking == e.tmpl.CanThink() {
		p = p.Apply(e.gen)
	}
	return p
}

// NewSession makes a session with a KV cache of nCtx positions (0: the model's context length).
func (e *Engine) NewSession(nCtx int) (*Session, error) {
	if nCtx <= 0 {
		nCtx = e.model.ContextLength()
	}
	if nCtx <= 0 {
		return nil, fmt.Errorf("llm: context size %d", nCtx)
	}
	c, err := e.model.NewContext(nCtx)
	if err != nil {
		return nil, fmt.Errorf("llm: new context of %d: %w", nCtx, err)
	}
	return &Session{e: e, kv: c, nCtx: nCtx}, nil
}
