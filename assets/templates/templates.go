// Package templates embeds the chat templates that Qwen Studio writes into the models it generates.
// See README.md in this directory for their origin and license.
package templates

import _ "embed"

// Qwen3 is the Qwen3 (hybrid thinking) chat template, identical to the chat_template string of the published
// tokenizer_config.json (Apache-2.0, Qwen team).
//
//go:embed qwen3.jinja
var Qwen3 string
