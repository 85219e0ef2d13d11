package llm

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qwenstudio/qwenstudio/assets/templates"
	"github.com/qwenstudio/qwenstudio/internal/testdata"
)

func TestReadChatTemplate(t *testing.T) {
	// A golden GGUF carries the Qwen3 template.
	golden := testdata.Dir(t, "golden")
	src, err := ReadChatTemplate(filepath.Join(golden, "models", "a2-qwen3-e32-rv-f32.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	if src != templates.Qwen3 {
		t.Errorf("GGUF template differs from the published one (%d bytes)", len(src))
	}
	// Folders: each of the three places, and none.
	write := func(dir, name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	enc := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	cases := []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{"tokenizer_config.json": enc(map[string]any{"chat_template": "A"})}, "A"},
		{map[string]string{"tokenizer_config.json": enc(map[string]any{"chat_template": []map[string]string{{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D"}}})}, "D"},
		{map[string]string{"tokenizer_config.json": `{}`, "chat_template.json": enc(map[string]any{"chat_template": "VL"})}, "VL"},
		{map[string]string{"chat_template.jinja": "J", "tokenizer_config.json": enc(map[string]any{"chat_template": "A"})}, "J"},
		{map[string]string{"tokenizer_config.json": `{"chat_template": null}`}, ""},
	}
	for i, c := range cases {
		dir := t.TempDir()
		for name, content := range c.files {
			write(dir, name, content)
		}
		got, err := ReadChatTemplate(dir)
		if err != nil || got != c.want {
			t.Errorf("case %d: %q, %v; want %q", i, got, err, c.want)
		}
	}
	dir := t.TempDir()
	write(dir, "tokenizer_config.json", `{"chat_template": 5}`)
	if _, err := ReadChatTemplate(dir); err == nil || !strings.Contains(err.Error(), "chat_template") {
		t.Errorf("bad chat_template: err = %v", err)
	}
	if _, err := ReadChatTemplate(filepath.Join(dir, "missing.gguf")); err == nil {
		t.Error("missing file: no error")
	}
	write(dir, "bad.gguf", "not a gguf")
	if _, err := ReadChatTemplate(filepath.Join(dir, "bad.gguf")); err == nil {
		t.Error("corrupt GGUF: no error")
	}
}
