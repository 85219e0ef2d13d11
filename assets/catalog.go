// Package assets holds the files Qwen Studio embeds in its binaries: the model catalog (catalog.json), and
// the app's icons, fonts and templates.
package assets

import _ "embed"

// CatalogJSON is the embedded model catalog: Qwen3 and Qwen3-VL models with their GGUF and safetensors
// repositories on Hugging Face and ModelScope, the files per quantization with sizes (and sha256 where
// verified), vision projectors, context lengths and descriptions. llm/hub parses it.
//
//go:embed catalog.json
var CatalogJSON []byte
