package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
)

// runCmd runs the CLI with stdin and returns stdout, stderr and the exit status.
func runCmd(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb}
	code := runCLI(context.Background(), env, args)
	return out.String(), errb.String(), code
}

func goldenModel(t *testing.T, name string) string {
	t.Helper()
	return filepath.Join(testdata.Dir(t, "golden"), "models", name+".gguf")
}

// TestPromptMatchesReference prints every chat fixture with the template of a golden GGUF and compares it
// with what @huggingface/jinja rendered (llm/chat/testdata/render).
func TestPromptMatchesReference(t *testing.T) {
	model := goldenModel(t, "a2-qwen3-e32-rv-f32")
	files, err := filepath.Glob("../../llm/chat/testdata/render/*.json")
	if err != nil || len(files) < 15 {
		t.Fatalf("fixtures: %d, %v", len(files), err)
	}
	for _, f := range files {
		want, err := os.ReadFile(strings.TrimSuffix(f, ".json") + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		out, stderr, code := runCmd(t, "", "prompt", "-m", model, "--messages", f)
		if code != 0 || out != string(want) {
			t.Errorf("%s: exit %d, stderr %q\n got %q\nwant %q", filepath.Base(f), code, stderr, out, want)
		}
	}
	// The same through stdin and with the template given as a file.
	data, _ := os.ReadFile(files[0])
	want, _ := os.ReadFile(strings.TrimSuffix(files[0], ".json") + ".txt")
	out, _, code := runCmd(t, string(data), "prompt", "--template", "../../assets/templates/qwen3.jinja", "--messages", "-")
	if code != 0 || out != string(want) {
		t.Errorf("--template with stdin: exit %d, %q", code, out)
	}
}

// TestPromptIDs checks --ids against llama.cpp's tokenization of the golden case C1, which is the rendered
// prompt of one user message.
func TestPromptIDs(t *testing.T) {
	dir := testdata.Dir(t, "golden")
	var cases struct {
		Tokens map[string]map[string][]int32 `json:"tokens"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	msgs := filepath.Join(t.TempDir(), "m.json")
	os.WriteFile(msgs, []byte(`{"messages": [{"role": "user", "content": "Hello! Who are you?"}], "add_generation_prompt": true}`), 0o644)
	for tokName, byCase := range cases.Tokens {
		model := "a1-qwen3-e32-f32"
		if strings.Contains(tokName, "reduced") || strings.Contains(tokName, "rv") {
			model = "a2-qwen3-e32-rv-f32"
		}
		out, stderr, code := runCmd(t, "", "prompt", "-m", goldenModel(t, model), "--messages", msgs, "--ids")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var want []string
		for _, id := range byCase["C1"] {
			want = append(want, strconv.Itoa(int(id)))
		}
		if strings.TrimSpace(out) != strings.Join(want, " ") {
			t.Errorf("%s (%s): ids %q, want %q", tokName, model, strings.TrimSpace(out), strings.Join(want, " "))
		}
	}
}

func TestPromptErrors(t *testing.T) {
	model := goldenModel(t, "a2-qwen3-e32-rv-f32")
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"messages": "nope"}`), 0o644)
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"prompt", "-m", model}, 2, "--messages"},
		{[]string{"prompt", "--messages", bad}, 2, "-m MODEL"},
		{[]string{"prompt", "-m", model, "--messages", bad}, 1, "messages"},
		{[]string{"prompt", "-m", model, "--messages", bad + ".missing"}, 1, "no such file"},
		{[]string{"prompt", "-m", bad, "--messages", bad}, 1, "gguf"},
	} {
		_, stderr, code := runCmd(t, "", c.args...)
		if code != c.code || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d mentioning %q", c.args, code, stderr, c.code, c.msg)
		}
	}
}
