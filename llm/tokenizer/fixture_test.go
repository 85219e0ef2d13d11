package tokenizer

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// fixtureCase is one line of testdata/fixture.jsonl (written by testdata/gen/gen.js).
type fixtureCase struct {
	Text string  `json:"text"`
	IDs  []int32 `json:"ids"` // transformers.js
	HF   []int32 `json:"hf"`  // Hugging Face tokenizers, only where it differs from transformers.js
}

// want returns the Hugging Face ids, which this package follows.
func (c fixtureCase) want() []int32 {
	if c.HF != nil {
		return c.HF
	}
	return c.IDs
}

func readFixture(t testing.TB) []fixtureCase {
	t.Helper()
	f, err := os.Open("testdata/fixture.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []fixtureCase
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c fixtureCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("fixture line %d: %v", len(cases)+1, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 600 {
		t.Fatalf("fixture has only %d cases", len(cases))
	}
	return cases
}

func TestFixture(t *testing.T) {
	tok := qwen3(t)
	cases := readFixture(t)
	failed := 0
	for _, c := range cases {
		got := tok.Encode(c.Text)
		if !slices.Equal(got, c.want()) {
			failed++
			if failed <= 20 {
				t.Errorf("Encode(%q)\n got %v\nwant %v", c.Text, got, c.want())
			}
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d fixture strings differ", failed, len(cases))
	}
}

// Decoding the ids of any text gives back its NFC form (the tokenizer normalizes before splitting).
func TestFixtureRoundTrip(t *testing.T) {
	tok := qwen3(t)
	for _, c := range readFixture(t) {
		want := norm.NFC.String(toValidUTF8(c.Text))
		if got := tok.Decode(c.want()); got != want {
			t.Errorf("Decode(ids of %q) = %q, want %q", c.Text, got, want)
		}
	}
}
