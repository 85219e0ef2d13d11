package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
)

func runLogitsCLI(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	code := runCLI(context.Background(), env, append([]string{"logits"}, args...))
	return errb.String(), code
}

func readF32File(t *testing.T, path string) []float32 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b)%4 != 0 {
		t.Fatalf("%s: %d bytes", path, len(b))
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}

// TestLogitsMatchesGolden runs `qwen3 logits` on a golden model's C1 ids and compares the file with llama.cpp's.
func TestLogitsMatchesGolden(t *testing.T) {
	dir := testdata.Dir(t, "golden")
	const name = "a2-qwen3-e32-rv-q8_0"
	model := filepath.Join(dir, "models", name+".gguf")
	var g struct {
		Tokens []int32 `json:"tokens"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "out", name, "C1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(g.Tokens))
	for i, id := range g.Tokens {
		ids[i] = strconv.Itoa(int(id))
	}
	want := readF32File(t, filepath.Join(dir, "out", name, "C1.last.f32"))
	tmp := t.TempDir()

	for _, f32 := range []bool{false, true} {
		out := filepath.Join(tmp, "last.f32")
		args := []string{"-m", model, "--tokens", strings.Join(ids, " "), "-o", out}
		if f32 {
			args = append(args, "--f32")
		}
		if stderr, code := runLogitsCLI(t, args...); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		got := readF32File(t, out)
		if len(got) != len(want) {
			t.Fatalf("%d logits, want %d", len(got), len(want))
		}
		// README tolerances for Q8_0 dense weights: max 1.5e-2, mean 2e-3.
		var mx, mean float64
		for i := range got {
			d := math.Abs(float64(got[i] - want[i]))
			mx, mean = math.Max(mx, d), mean+d
		}
		mean /= float64(len(got))
		if mx > 1.5e-2 || mean > 2e-3 {
			t.Errorf("f32=%v: max |diff| %g, mean %g vs llama.cpp", f32, mx, mean)
		}
	}

	// --all writes one row per position; its last row is the last-position output.
	last := readF32File(t, filepath.Join(tmp, "last.f32"))
	out := filepath.Join(tmp, "all.f32")
	if stderr, code := runLogitsCLI(t, "-m", model, "--tokens", strings.Join(ids, ","), "--all", "--f32", "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	all := readF32File(t, out)
	if len(all) != len(ids)*len(want) {
		t.Fatalf("--all wrote %d values, want %d rows × %d", len(all), len(ids), len(want))
	}
	for i, v := range all[(len(ids)-1)*len(want):] {
		if v != last[i] {
			t.Fatalf("--all last row differs from the last-position output at %d: %g vs %g", i, v, last[i])
		}
	}
}

func TestLogitsErrors(t *testing.T) {
	dir := testdata.Dir(t, "golden")
	model := filepath.Join(dir, "models", "a2-qwen3-e32-rv-f32.gguf")
	out := filepath.Join(t.TempDir(), "x.f32")
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--tokens", "1 2", "-o", out}, 2, "-m MODEL is required"},
		{[]string{"-m", model, "--tokens", "1 x", "-o", out}, 2, `"x" is not a token id`},
		{[]string{"-m", model, "--tokens", "1 2"}, 2, "-o FILE is required"},
		{[]string{"-m", model, "--tokens", "1 99999", "-o", out}, 1, "outside the vocabulary"},
	}
	for _, c := range cases {
		stderr, code := runLogitsCLI(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", c.args, code, stderr, c.code, c.msg)
		}
	}
}
