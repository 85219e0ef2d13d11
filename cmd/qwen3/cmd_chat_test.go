package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestChat drives a chat through stdin: two turns (the second must reuse the first's KV cache), the
// commands, and the end of input.
func TestChat(t *testing.T) {
	model := goldenModel(t, "a4-qwen3-e256-rv-f16")
	in := strings.Join([]string{
		"Hello! Who are you?",
		"/no_think",
		"/budget 64",
		"/budget x",
		"And now?",
		"/help",
		"/reset",
		"/usr/bin is a directory", // a message, not a command
		"/quit",
		"never read",
	}, "\n")
	out, stderr, code := runCmd(t, in, "chat", "-m", model, "--temp", "0", "-n", "8")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"thinking off\n", "thinking budget 64 tokens\n", `/budget wants a number of tokens ≥ 0, not "x"`,
		"/reset        forget the conversation", "conversation cleared\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	re := regexp.MustCompile(`prompt (\d+) tokens \((\d+) cached\)`)
	turns := re.FindAllStringSubmatch(stderr, -1)
	if len(turns) != 3 {
		t.Fatalf("want 3 replies, stats lines:\n%s", stderr)
	}
	num := func(s string) int { n, _ := strconv.Atoi(s); return n }
	// Turn 2 shares the first turn's prompt with the cache; after /reset turn 3 starts from nothing.
	if c := num(turns[1][2]); c < num(turns[0][1]) {
		t.Errorf("second turn reused %d tokens, want at least the first prompt's %s", c, turns[0][1])
	}
	if c := num(turns[2][2]); c != 0 {
		t.Errorf("after /reset %d tokens were reused", c)
	}
}

// TestChatDemo chats with the generated demo model, as the README's first command does.
func TestChatDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a model")
	}
	out, stderr, code := runCmd(t, "Hello!\n", "chat", "--demo", "--seed", "1", "-n", "16")
	if code != 0 || !strings.Contains(stderr, "16 generated") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}
