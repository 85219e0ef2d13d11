package sample

import "fmt"

// Params are the sampling settings of one generation.
type Params struct {
	Temperature float32 // 0 means greedy: always the most likely token
	TopK        int     // keep the K most likely tokens; 0 keeps all
	TopP        float32 // keep the smallest set of most likely tokens whose probability reaches TopP; 0 or 1: off
	MinP        float32 // drop tokens less likely than MinP times the most likely one; 0: off
	// PresencePenalty is subtracted once from the logit of every token that already occurs in the output
	// (OpenAI semantics). 0: off.
	PresencePenalty float32
	// RepetitionPenalty divides positive and multiplies negative logits of tokens seen in the prompt or the
	// output (the HF/CTRL rule). 1 or 0: off.
	RepetitionPenalty float32
	Seed              uint64
}

// Qwen's recommended settings (spec §5.5).
var (
	// thinkingDefaults are for thinking mode (Qwen3 hybrid generation_config.json, Thinking-2507).
	thinkingDefaults = Params{Temperature: 0.6, TopP: 0.95, TopK: 20, MinP: 0}
	// nonThinkingDefaults are for non-thinking mode (enable_thinking=false, /no_think, Instruct-2507).
	nonThinkingDefaults = Params{Temperature: 0.7, TopP: 0.8, TopK: 20, MinP: 0}
)

// Defaults returns Qwen's recommended settings for thinking or non-thinking mode. Qwen warns against greedy
// decoding in thinking mode (it degrades quality and causes endless repetition).
func Defaults(thinking bool) Params {
	if thinking {
		return thinkingDefaults
	}
	return nonThinkingDefaults
}

// Override holds the settings a user or a model's generation_config sets; nil fields keep what they override.
type Override struct {
	Temperature       *float32
	TopK              *int
	TopP              *float32
	MinP              *float32
	PresencePenalty   *float32
	RepetitionPenalty *float32
	Seed              *uint64
	// Greedy forces greedy decoding (generation_config "do_sample": false).
	Greedy bool
}

// Apply returns p with o's settings in place.
func (p Params) Apply(o Override) Params {
	set := func(dst *float32, src *float32) {
		if src != nil {
			*dst = *src
		}
	}
	set(&p.Temperature, o.Temperature)
	set(&p.TopP, o.TopP)
	set(&p.MinP, o.MinP)
	set(&p.PresencePenalty, o.PresencePenalty)
	set(&p.RepetitionPenalty, o.RepetitionPenalty)
	if o.TopK != nil {
		p.TopK = *o.TopK
	}
	if o.Seed != nil {
		p.Seed = *o.Seed
	}
	if o.Greedy {
		p.Temperature = 0
	}
	return p
}

// Validate reports settings that make no sense.
func (p Params) Validate() error {
	switch {
	case p.Temperature < 0 || p.Temperature != p.Temperature:
		return fmt.Errorf("sample: temperature %v must be ≥ 0", p.Temperature)
	case p.TopK < 0:
		return fmt.Errorf("sample: top-k %d must be ≥ 0", p.TopK)
	case p.TopP < 0 || p.TopP > 1 || p.TopP != p.TopP:
		return fmt.Errorf("sample: top-p %v must be in [0, 1]", p.TopP)
	case p.MinP < 0 || p.MinP > 1 || p.MinP != p.MinP:
		return fmt.Errorf("sample: min-p %v must be in [0, 1]", p.MinP)
	case p.RepetitionPenalty < 0 || p.RepetitionPenalty != p.RepetitionPenalty:
		return fmt.Errorf("sample: repetition penalty %v must be > 0", p.RepetitionPenalty)
	case p.PresencePenalty != p.PresencePenalty:
		return fmt.Errorf("sample: presence penalty is NaN")
	}
	return nil
}

// String writes the settings in the form of the CLI flags.
func (p Params) String() string {
	if p.Temperature == 0 {
		return fmt.Sprintf("greedy presence=%g repetition=%g", p.PresencePenalty, p.RepetitionPenalty)
	}
	return fmt.Sprintf("temp=%g top-k=%d top-p=%g min-p=%g presence=%g repetition=%g seed=%d",
		p.Temperature, p.TopK, p.TopP, p.MinP, p.PresencePenalty, p.RepetitionPenalty, p.Seed)
}
