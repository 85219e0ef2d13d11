package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
)

func tokenizeCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb}
	code = runCLI(context.Background(), env, append([]string{"tokenize"}, args...))
	return out.String(), errb.String(), code
}

func TestTokenizeCLI(t *testing.T) {
	gguf := filepath.Join(testdata.Dir(t, "golden"), "models", "a1-qwen3-e32-f32.gguf")
	reduced := filepath.Join(testdata.Dir(t, "golden"), "models", "a2-qwen3-e32-rv-q8_0.gguf")
	folder := testdata.Dir(t, "qwen3-tokenizer")
	for _, c := range []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{"-m", gguf, "Hello, my dog is cute"}, "", "9707 11 847 5562 374 18838\n"},
		{[]string{"Hello, my dog is cute", "-m", folder}, "", "9707 11 847 5562 374 18838\n"},
		{[]string{"-m", folder}, "<|im_start|>user\nhi<|im_end|>", "151644 872 198 6023 151645\n"},
		{[]string{"-m", reduced, "<|im_start|>user\nHello! Who are you?<|im_end|>\n<|im_start|>assistant\n"}, "",
			"4097 872 198 39 301 385 0 1232 78 525 498 30 4098 198 4097 395 380 517 198\n"},
		{[]string{"-m", folder, ""}, "", "\n"},
		{[]string{"-m", gguf, "--jsonl"}, "\"Hello world\"\n\"<|im_start|>user\\nhi<|im_end|>\"\n\"\"\n\"中文测试：你好，世界\"",
			"[9707,1879]\n[151644,872,198,6023,151645]\n[]\n[104811,81705,5122,108386,3837,99489]\n"},
	} {
		out, stderr, code := tokenizeCLI(t, c.stdin, c.args...)
		if code != 0 || out != c.want {
			t.Errorf("tokenize %q: exit %d, stdout %q, stderr %q; want %q", c.args, code, out, stderr, c.want)
		}
	}
}

func TestTokenizeCLIErrors(t *testing.T) {
	folder := testdata.Dir(t, "qwen3-tokenizer")
	missing := filepath.Join(t.TempDir(), "nope.gguf")
	notGGUF := filepath.Join(folder, "README.md")
	for _, c := range []struct {
		args    []string
		stdin   string
		code    int
		wantErr string
	}{
		{[]string{"hello"}, "", 2, "-m MODEL is required"},
		{[]string{"-m", folder, "a", "b"}, "", 2, "want one TEXT argument"},
		{[]string{"-m", folder, "--jsonl", "a"}, "", 2, "drop TEXT"},
		{[]string{"-m", missing, "hi"}, "", 1, missing},
		{[]string{"-m", notGGUF, "hi"}, "", 1, notGGUF},
		{[]string{"-m", t.TempDir(), "hi"}, "", 1, "tokenizer.json"},
		{[]string{"-m", folder, "--jsonl"}, "\"Hello world\"\nnot json\n", 1, "stdin line 2"},
	} {
		out, stderr, code := tokenizeCLI(t, c.stdin, c.args...)
		if code != c.code || !strings.Contains(stderr, c.wantErr) {
			t.Errorf("tokenize %q: exit %d, stderr %q; want exit %d mentioning %q", c.args, code, stderr, c.code, c.wantErr)
		}
		if c.code == 1 && strings.Contains(c.wantErr, "line 2") && out != "[9707,1879]\n" {
			t.Errorf("lines before the bad one should be written: stdout %q", out)
		}
	}
}
