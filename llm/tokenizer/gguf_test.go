package tokenizer

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

func openGGUF(t *testing.T, name string) *Tokenizer {
	t.Helper()
	dir := testdata.Dir(t, "golden/models")
	f, err := gguf.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tok, err := FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// The real vocabulary stored in GGUF metadata must tokenize exactly like tokenizer.json.
func TestGGUFFullVocabFixture(t *testing.T) {
	tok := openGGUF(t, "a1-qwen3-e32-f32.gguf")
	ref := qwen3(t)
	if tok.VocabSize() != 151936 {
		t.Errorf("VocabSize = %d, want 151936 (151669 tokens padded to the embedding rows)", tok.VocabSize())
	}
	failed := 0
	for _, c := range readFixture(t) {
		got := tok.Encode(c.Text)
		if !slices.Equal(got, c.want()) {
			if failed++; failed <= 10 {
				t.Errorf("GGUF Encode(%q)\n got %v\nwant %v", c.Text, got, c.want())
			}
			continue
		}
		if d := tok.Decode(got); d != ref.Decode(got) {
			t.Errorf("GGUF Decode differs from tokenizer.json's for %q: %q vs %q", c.Text, d, ref.Decode(got))
		}
	}
	for id := int32(151643); id <= 151668; id++ {
		// llama.cpp's converter stores every <|...|> token as CONTROL, so the FIM / repo tokens
		// (151659-151664), non-special in tokenizer.json, are special in GGUF files.
		fim := id >= 151659 && id <= 151664
		if tok.Token(id) != ref.Token(id) || (!fim && tok.IsSpecial(id) != ref.IsSpecial(id)) || (fim && !tok.IsSpecial(id)) {
			t.Errorf("id %d: GGUF %q special=%v, tokenizer.json %q special=%v", id, tok.Token(id), tok.IsSpecial(id),
				ref.Token(id), ref.IsSpecial(id))
		}
	}
	if !slices.Equal(tok.EOS(), []int32{151643, 151645}) {
		t.Errorf("EOS = %v, want [151643 151645]", tok.EOS())
	}
	// Padding entries exist as ids but have no text.
	if tok.Token(151935) != "[PAD151935]" || tok.Decode([]int32{9707, 151935}) != "Hello" {
		t.Errorf("padding id 151935: token %q, Decode(Hello, pad) = %q", tok.Token(151935), tok.Decode([]int32{9707, 151935}))
	}
	if !strings.Contains(tok.ChatTemplate(), "<|im_start|>") {
		t.Errorf("GGUF chat template lacks <|im_start|>: %.80q", tok.ChatTemplate())
	}
}

// cases.json holds llama.cpp's ids for C1-C3 with both vocabularies.
func TestGGUFGoldenCases(t *testing.T) {
	dir := testdata.Dir(t, "golden")
	data, err := os.ReadFile(filepath.Join(dir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases struct {
		Texts  map[string]json.RawMessage    `json:"texts"`
		Tokens map[string]map[string][]int32 `json:"tokens"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	text := func(c, vocab string) string {
		var s string
		if json.Unmarshal(cases.Texts[c], &s) == nil {
			return s
		}
		var per map[string]string // C3 differs per vocabulary (section count)
		if err := json.Unmarshal(cases.Texts[c], &per); err != nil {
			t.Fatalf("cases.json texts.%s: %v", c, err)
		}
		return per[vocab]
	}
	models := map[string][]string{
		"qwen3-full-151936":  {"a1-qwen3-e32-f32.gguf"},
		"qwen3-reduced-4224": {"a2-qwen3-e32-rv-f32.gguf", "a2-qwen3-e32-rv-q8_0.gguf", "a2-qwen3-e32-rv-bf16.gguf", "a3-qwen3moe-e32-rv-f32.gguf", "a4-qwen3-e256-rv-q4_k_m.gguf"},
	}
	for vocab, files := range models {
		for _, file := range files {
			tok := openGGUF(t, file)
			for _, c := range []string{"C1", "C2", "C3"} {
				want := cases.Tokens[vocab][c]
				if len(want) == 0 {
					t.Fatalf("cases.json has no ids for %s %s", vocab, c)
				}
				s := text(c, vocab)
				if got := tok.Encode(s); !slices.Equal(got, want) {
					t.Errorf("%s %s: got %d ids %v\nwant %d ids %v", file, c, len(got), head(got), len(want), head(want))
				}
				if got := tok.Decode(want); got != s {
					t.Errorf("%s %s: Decode = %.60q..., want %.60q...", file, c, got, s)
				}
			}
		}
	}
	// The reduced vocabulary renumbers the added tokens.
	rv := openGGUF(t, "a2-qwen3-e32-rv-f32.gguf")
	if id, ok := rv.TokenID("<|im_end|>"); !ok || id != 4098 || !rv.IsSpecial(id) {
		t.Errorf("reduced vocab <|im_end|> = %d, %v, special %v; want 4098 special", id, ok, rv.IsSpecial(id))
	}
	if id, _ := rv.TokenID("<think>"); rv.IsSpecial(id) || id != 4120 {
		t.Errorf("reduced vocab <think> = %d special %v; want 4120, not special", id, rv.IsSpecial(id))
	}
	if !slices.Equal(rv.EOS(), []int32{4096, 4098}) {
		t.Errorf("reduced vocab EOS = %v, want [4096 4098]", rv.EOS())
	}
}

func head(ids []int32) []int32 {
	if len(ids) > 24 {
		return ids[:24]
	}
	return ids
}

// writeGGUF builds a small in-memory GGUF with the given tokenizer metadata.
func parseGGUF(t *testing.T, kv map[string]any) *gguf.File {
	t.Helper()
	w := gguf.NewWriter()
	w.SetKV("general.architecture", "qwen3")
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		w.SetKV(k, kv[k])
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// byteTokens returns the 256 single-byte tokens in byte order.
func byteTokens() []string {
	toks := make([]string, 256)
	for b := range toks {
		toks[b] = string(byteRunes[b])
	}
	return toks
}

func TestGGUFSmallVocab(t *testing.T) {
	toks := append(byteTokens(), "ab", "abc", "<|end|>", "<x>", "[PAD]")
	types := make([]int32, len(toks))
	for i := range types {
		types[i] = ggufNormal
	}
	types[258], types[259], types[260] = ggufControl, ggufUserDefined, ggufUnused
	f := parseGGUF(t, map[string]any{
		"tokenizer.ggml.model":        "gpt2",
		"tokenizer.ggml.pre":          "qwen2",
		"tokenizer.ggml.tokens":       toks,
		"tokenizer.ggml.token_type":   types,
		"tokenizer.ggml.merges":       []string{"a b", "ab c"},
		"tokenizer.ggml.eos_token_id": uint32(258),
	})
	tok, err := FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	got := tok.Encode("abc<|end|>ab<x>[PAD]")
	want := []int32{257, 258, 256, 259, int32('['), int32('P'), int32('A'), int32('D'), int32(']')}
	if !slices.Equal(got, want) {
		t.Errorf("Encode = %v, want %v", got, want)
	}
	if !tok.IsSpecial(258) || tok.IsSpecial(259) || !slices.Equal(tok.EOS(), []int32{258}) {
		t.Errorf("special(258)=%v special(259)=%v EOS=%v", tok.IsSpecial(258), tok.IsSpecial(259), tok.EOS())
	}
	if d := tok.Decode([]int32{257, 260, 258}); d != "abc<|end|>" {
		t.Errorf("Decode = %q", d)
	}
}

func TestGGUFErrors(t *testing.T) {
	good := func() map[string]any {
		return map[string]any{
			"tokenizer.ggml.model":  "gpt2",
			"tokenizer.ggml.pre":    "qwen2",
			"tokenizer.ggml.tokens": append(byteTokens(), "ab"),
			"tokenizer.ggml.merges": []string{"a b"},
		}
	}
	for _, c := range []struct {
		name   string
		change func(kv map[string]any)
		want   string
	}{
		{"no tokenizer", func(kv map[string]any) { clear(kv) }, "tokenizer.ggml.model"},
		{"llama model", func(kv map[string]any) { kv["tokenizer.ggml.model"] = "llama" }, `"llama" is not supported`},
		{"other pre", func(kv map[string]any) { kv["tokenizer.ggml.pre"] = "llama-bpe" }, `"llama-bpe" is not supported`},
		{"no merges", func(kv map[string]any) { delete(kv, "tokenizer.ggml.merges") }, "merges"},
		{"bad merge", func(kv map[string]any) { kv["tokenizer.ggml.merges"] = []string{"ab"} }, "has no space"},
		{"merge result missing", func(kv map[string]any) { kv["tokenizer.ggml.merges"] = []string{"a c"} }, `"ac" not in the vocabulary`},
		{"byte missing", func(kv map[string]any) { kv["tokenizer.ggml.tokens"] = append(byteTokens()[1:], "ab") }, "single-byte token"},
		{"wrong type", func(kv map[string]any) { kv["tokenizer.ggml.tokens"] = "abc" }, "tokenizer.ggml.tokens"},
	} {
		kv := good()
		c.change(kv)
		_, err := FromGGUF(parseGGUF(t, kv))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.want)
		}
	}
}
