package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
)

// added_flags.json: Hugging Face's ids with lstrip / rstrip / single_word / normalized added tokens,
// obtained by patching the real tokenizer.json the same way as here.
func TestAddedTokenOptions(t *testing.T) {
	dir := testdata.Dir(t, "qwen3-tokenizer")
	raw, err := os.ReadFile(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	fixture, err := os.ReadFile("testdata/added_flags.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Patch struct {
			Modify map[string]map[string]bool `json:"modify"`
			Add    []map[string]any           `json:"add"`
		} `json:"patch"`
		Cases []struct {
			Text string  `json:"text"`
			IDs  []int32 `json:"ids"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(fixture, &fx); err != nil {
		t.Fatal(err)
	}
	var tj map[string]any
	if err := json.Unmarshal(raw, &tj); err != nil {
		t.Fatal(err)
	}
	added := tj["added_tokens"].([]any)
	for _, a := range added {
		m := a.(map[string]any)
		for k, v := range fx.Patch.Modify[m["content"].(string)] {
			m[k] = v
		}
	}
	for _, a := range fx.Patch.Add {
		added = append(added, a)
	}
	tj["added_tokens"] = added
	patched, err := json.Marshal(tj)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := FromJSON(patched, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range fx.Cases {
		if got := tok.Encode(c.Text); !slices.Equal(got, c.IDs) {
			t.Errorf("Encode(%q) = %v, want %v", c.Text, got, c.IDs)
		}
	}
}

func TestEncodeOrdinary(t *testing.T) {
	tok := qwen3(t)
	text := "<|im_start|>user\n<think>hi</think><|im_end|>"
	got := tok.EncodeOrdinary(text)
	for _, id := range got {
		if id >= 151643 {
			t.Fatalf("EncodeOrdinary produced added token %d: %v", id, got)
		}
	}
	if tok.Decode(got) != text {
		t.Errorf("EncodeOrdinary round trip = %q", tok.Decode(got))
	}
	// Plain text is unaffected.
	if a, b := tok.EncodeOrdinary("Hello world"), tok.Encode("Hello world"); !slices.Equal(a, b) {
		t.Errorf("EncodeOrdinary(plain) = %v, Encode = %v", a, b)
	}
}

func TestVocabularyFacts(t *testing.T) {
	tok := qwen3(t)
	if tok.VocabSize() != 151669 {
		t.Errorf("VocabSize = %d, want 151669", tok.VocabSize())
	}
	for tokStr, want := range map[string]int32{"<|im_end|>": 151645, "<think>": 151667, "Ġ": 220, "Ċ": 198, "user": 872} {
		if id, ok := tok.TokenID(tokStr); !ok || id != want {
			t.Errorf("TokenID(%q) = %d, %v; want %d", tokStr, id, ok, want)
		}
	}
	if _, ok := tok.TokenID("no such token"); ok {
		t.Error("TokenID found a token that does not exist")
	}
	for id := int32(151643); id <= 151668; id++ {
		if want := id <= 151656; tok.IsSpecial(id) != want {
			t.Errorf("IsSpecial(%d %q) = %v, want %v", id, tok.Token(id), !want, want)
		}
	}
	if tok.IsSpecial(9707) || tok.IsSpecial(-1) || tok.IsSpecial(1<<30) {
		t.Error("IsSpecial true for a normal or unknown id")
	}
	if !slices.Equal(tok.EOS(), []int32{151643, 151645}) {
		t.Errorf("EOS = %v", tok.EOS())
	}
	if tmpl := tok.ChatTemplate(); !strings.Contains(tmpl, "enable_thinking") || !strings.Contains(tmpl, "<|im_start|>") {
		t.Errorf("chat template is not Qwen3's (%d bytes)", len(tmpl))
	}
}
