package templates

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
)

func TestQwen3MatchesPublishedTemplate(t *testing.T) {
	dir := testdata.Dir(t, "qwen3-tokenizer")
	b, err := os.ReadFile(filepath.Join(dir, "tokenizer_config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		ChatTemplate string `json:"chat_template"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if Qwen3 != cfg.ChatTemplate {
		t.Errorf("embedded template (%d bytes) differs from the published one (%d bytes)", len(Qwen3), len(cfg.ChatTemplate))
	}
}

func TestQwen3HasThinkingSwitch(t *testing.T) {
	for _, want := range []string{"enable_thinking", "<|im_start|>", "<think>", "add_generation_prompt"} {
		if !strings.Contains(Qwen3, want) {
			t.Errorf("template lacks %q", want)
		}
	}
}
