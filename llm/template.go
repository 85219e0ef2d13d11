package llm

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// ReadChatTemplate returns the chat template a model's files carry, without loading the model: the GGUF key
// tokenizer.chat_template, or in a Hugging Face folder chat_template.jinja, the chat_template of
// tokenizer_config.json (a string, or a list of named templates of which "default" is used), or
// chat_template.json (Qwen3-VL processors). It returns "" when there is none.
func ReadChatTemplate(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("llm: %w", err)
	}
	if !st.IsDir() {
		f, err := gguf.Open(path)
		if err != nil {
			return "", fmt.Errorf("llm: %w", err)
		}
		defer f.Close()
		v, ok := f.Get("tokenizer.chat_template")
		if !ok {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("llm: %s: tokenizer.chat_template is a %T, not a string", path, v)
		}
		return s, nil
	}
	if b, err := os.ReadFile(filepath.Join(path, "chat_template.jinja")); err == nil {
		return string(b), nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("llm: %w", err)
	}
	for _, name := range []string{"tokenizer_config.json", "chat_template.json"} {
		b, err := os.ReadFile(filepath.Join(path, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("llm: %w", err)
		}
		var cfg struct {
			ChatTemplate json.RawMessage `json:"chat_template"`
		}
		if err := json.Unmarshal(b, &cfg); err != nil {
			return "", fmt.Errorf("llm: %s: %w", filepath.Join(path, name), err)
		}
		if len(cfg.ChatTemplate) == 0 || string(cfg.ChatTemplate) == "null" {
			continue
		}
		var s string
		if json.Unmarshal(cfg.ChatTemplate, &s) == nil {
			return s, nil
		}
		var list []struct{ Name, Template string }
		if err := json.Unmarshal(cfg.ChatTemplate, &list); err != nil {
			return "", fmt.Errorf("llm: %s: chat_template is neither a string nor a list of templates", filepath.Join(path, name))
		}
		for _, t := range list {
			if t.Name == "default" {
				return t.Template, nil
			}
		}
	}
	return "", nil
}
