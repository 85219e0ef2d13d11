package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qwenstudio/qwenstudio/llm/gguf"
	"github.com/qwenstudio/qwenstudio/llm/tinymodel"
)

// A BF16 Hugging Face folder runs as it is and quantized to Q8_0 at load (--q8), with either KV cache type;
// greedy answers of the Q8_0 load and the F32 cache stay those of the plain load on this tiny model.
func TestRunHFFolderQ8AndKVCache(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hf")
	o := tinymodel.Demo()
	o.Type = gguf.TypeBF16
	if err := tinymodel.WriteHF(context.Background(), dir, o); err != nil {
		t.Fatal(err)
	}
	answer := func(extra ...string) string {
		t.Helper()
		args := append([]string{"run", "-m", dir, "-n", "8", "--no-think", "--temp", "0", "--json"}, extra...)
		out, errOut, code := q3(t, "", append(args, "Hello")...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s", extra, code, errOut)
		}
		var text []string // the streamed text events; the done event carries timings that differ run to run
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, `{"type":"answer"`) || strings.HasPrefix(line, `{"type":"reasoning"`) {
				text = append(text, line)
			}
		}
		return strings.Join(text, "\n")
	}
	plain := answer()
	if plain == "" {
		t.Fatalf("no streamed text in:\n%s", plain)
	}
	if got := answer("--kv", "f32"); got != plain {
		t.Errorf("F32 KV cache changed the greedy answer:\n%s\nvs\n%s", got, plain)
	}
	answer("--q8") // runs; its greedy tokens may legitimately differ after rounding the weights
	if _, errOut, code := q3(t, "", "run", "-m", dir, "--kv", "q4", "hi"); code != 2 || !strings.Contains(errOut, "--kv") {
		t.Errorf("bad --kv: exit %d %s", code, errOut)
	}
}
