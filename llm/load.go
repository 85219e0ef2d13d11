package llm

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/qwenstudio/qwenstudio/llm/qwen3"
	"github.com/qwenstudio/qwenstudio/llm/safetensors"
	"github.com/qwenstudio/qwenstudio/llm/sample"
)

// LoadOptions configure Load.
type LoadOptions struct {
	Qwen3  qwen3.Options // backend, threads, KV cache type, load-time quantization
	Engine EngineOptions // a template to use instead of the model's; sampling defaults (else generation_config.json)
}

// Load loads a Qwen3 model (a GGUF file or a Hugging Face folder) and wraps it in an Engine. The sampling
// defaults of a folder come from its generation_config.json unless opts set them.
func Load(ctx context.Context, path string, opts LoadOptions) (*Engine, error) {
	m, err := qwen3.Load(ctx, path, opts.Qwen3)
	if err != nil {
		return nil, err
	}
	eo := opts.Engine
	if eo.Template == "" && m.ChatTemplate() == "" {
		// Folders may keep the template outside tokenizer_config.json (chat_template.jinja / .json).
		if eo.Template, err = ReadChatTemplate(path); err != nil {
			m.Close()
			return nil, err
		}
	}
	if eo.Generation == (sample.Override{}) {
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			g, err := safetensors.LoadGenerationConfig(path)
			switch {
			case err == nil:
				eo.Generation = generationOverride(g)
			case !errors.Is(err, fs.ErrNotExist):
				m.Close()
				return nil, fmt.Errorf("llm: %w", err)
			}
		}
	}
	e, err := NewEngine(Qwen3{m}, eo)
	if err != nil {
		m.Close()
		return nil, err
	}
	return e, nil
}

// Qwen3 adapts a *qwen3.Model to Model.
type Qwen3 struct{ *qwen3.Model }

// ContextLength is the trained context from the model's metadata.
func (m Qwen3) ContextLength() int { return m.Config().ContextLength }

// NewContext makes a KV cache of nCtx positions.
func (m Qwen3) NewContext(nCtx int) (Context, error) {
	c, err := m.Model.NewContext(nCtx)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// generationOverride turns a generation_config.json into sampling settings.
func generationOverride(g *safetensors.GenerationConfig) sample.Override {
	var o sample.Override
	f32 := func(p *float64) *float32 {
		if p == nil {
			return nil
		}
		v := float32(*p)
		return &v
	}
	o.Temperature, o.TopP, o.MinP = f32(g.Temperature), f32(g.TopP), f32(g.MinP)
	o.PresencePenalty, o.RepetitionPenalty = f32(g.PresencePenalty), f32(g.RepetitionPenalty)
	o.TopK = g.TopK
	o.Greedy = g.DoSample != nil && !*g.DoSample
	return o
}
