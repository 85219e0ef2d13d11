package safetensors

import (
	"fmt"
	"os"
	"path/filepath"
)

// GenerationConfig is a parsed generation_config.json: the model's default sampling settings and stop ids.
// Optional numbers are nil when the file does not set them.
type GenerationConfig struct {
	BOSTokenID        int64   // -1 when absent
	PadTokenID        int64   // -1 when absent
	EOSTokenIDs       []int64 // eos_token_id, written as an int or a list
	DoSample          *bool
	Temperature       *float64
	TopP              *float64
	TopK              *int
	MinP              *float64
	RepetitionPenalty *float64
	PresencePenalty   *float64
	MaxNewTokens      *int
}

// LoadGenerationConfig reads dir/generation_config.json. A missing file gives an error wrapping fs.ErrNotExist.
func LoadGenerationConfig(dir string) (*GenerationConfig, error) {
	p := filepath.Join(dir, "generation_config.json")
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	g, err := ParseGenerationConfig(b)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %s: %w", p, err)
	}
	return g, nil
}

// ParseGenerationConfig parses the contents of a generation_config.json.
func ParseGenerationConfig(data []byte) (*GenerationConfig, error) {
	o, err := parseObject("", data)
	if err != nil {
		return nil, fmt.Errorf("generation config: %w", err)
	}
	g := &GenerationConfig{
		BOSTokenID:  o.integer("bos_token_id", -1),
		PadTokenID:  o.integer("pad_token_id", -1),
		EOSTokenIDs: o.integers("eos_token_id", true),
	}
	optFloat := func(key string) *float64 {
		if !o.has(key) {
			return nil
		}
		v := o.float(key, 0)
		return &v
	}
	optInt := func(key string) *int {
		if !o.has(key) {
			return nil
		}
		v := int(o.integer(key, 0))
		return &v
	}
	if o.has("do_sample") {
		v := o.boolean("do_sample", false)
		g.DoSample = &v
	}
	g.Temperature = optFloat("temperature")
	g.TopP = optFloat("top_p")
	g.TopK = optInt("top_k")
	g.MinP = optFloat("min_p")
	g.RepetitionPenalty = optFloat("repetition_penalty")
	g.PresencePenalty = optFloat("presence_penalty")
	g.MaxNewTokens = optInt("max_new_tokens")
	if o.err != nil {
		return nil, fmt.Errorf("generation config: %w", o.err)
	}
	return g, nil
}
