package chat

import "github.com/qwenstudio/qwenstudio/assets/templates"

// Builtin returns the Qwen3 (hybrid thinking) template that Qwen Studio embeds, for model files that carry
// no chat template of their own.
func Builtin() (*Template, error) { return NewTemplate(templates.Qwen3) }
