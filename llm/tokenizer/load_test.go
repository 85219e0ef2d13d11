package tokenizer

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// smallJSON is a complete tokenizer.json with the 256 byte tokens, three merges and two added tokens.
func smallJSON(t *testing.T, edit func(m map[string]any)) []byte {
	t.Helper()
	vocab := map[string]any{}
	for b, tok := range byteTokens() {
		vocab[tok] = b
	}
	vocab["ab"], vocab["abc"], vocab["ĠĠ"] = 256, 257, 258
	m := map[string]any{
		"added_tokens": []any{
			map[string]any{"id": 259, "content": "<|x|>", "special": true, "normalized": false},
			map[string]any{"id": 260, "content": "<y>", "special": false, "normalized": false},
		},
		"normalizer": map[string]any{"type": "NFC"},
		"pre_tokenizer": map[string]any{"type": "Sequence", "pretokenizers": []any{
			map[string]any{"type": "Split", "pattern": map[string]any{"Regex": qwen2Pattern}, "behavior": "Isolated", "invert": false},
			map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false},
		}},
		"model": map[string]any{"type": "BPE", "vocab": vocab, "merges": []any{"a b", []any{"ab", "c"}, "Ġ Ġ"}},
	}
	if edit != nil {
		edit(m)
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestFromJSONSmall(t *testing.T) {
	cfg := []byte(`{"chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D"}],
		"eos_token": {"content": "<|x|>"},
		"added_tokens_decoder": {"261": {"content": "<z>", "special": true, "normalized": false}}}`)
	tok, err := FromJSON(smallJSON(t, nil), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// "abc", " ", " ab", <|x|>, <y>, <z>, "c", "  ": the byte tokens' ids equal their byte values here.
	got := tok.Encode("abc  ab<|x|><y><z>c  ")
	want := []int32{257, ' ', ' ', 256, 259, 260, 261, 'c', 258}
	if !slices.Equal(got, want) {
		t.Errorf("Encode = %v, want %v", got, want)
	}
	if tok.ChatTemplate() != "D" || !slices.Equal(tok.EOS(), []int32{259}) || !tok.IsSpecial(261) {
		t.Errorf("template %q, EOS %v, special(261) %v", tok.ChatTemplate(), tok.EOS(), tok.IsSpecial(261))
	}
	// The old "a b" and the new ["a", "b"] merge formats load alike.
	if m, ok := tok.merges.get(256, 'c'); !ok || m.id != 257 {
		t.Error("pair merge not loaded")
	}
}

func TestFromJSONErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(m map[string]any)
		want string
	}{
		{"unigram", func(m map[string]any) { m["model"].(map[string]any)["type"] = "Unigram" }, `"Unigram" is not supported`},
		{"other regex", func(m map[string]any) {
			m["pre_tokenizer"].(map[string]any)["pretokenizers"].([]any)[0].(map[string]any)["pattern"] = map[string]any{"Regex": `\s+`}
		}, "not the Qwen2 pattern"},
		{"metaspace", func(m map[string]any) { m["pre_tokenizer"] = map[string]any{"type": "Metaspace"} }, "not supported"},
		{"nfkc", func(m map[string]any) { m["normalizer"] = map[string]any{"type": "NFKC"} }, `"NFKC" is not supported`},
		{"byte fallback", func(m map[string]any) { m["model"].(map[string]any)["byte_fallback"] = true }, "byte_fallback"},
		{"merge of unknown", func(m map[string]any) { m["model"].(map[string]any)["merges"] = []any{"x y"} }, `"xy" not in the vocabulary`},
		{"bad merge", func(m map[string]any) { m["model"].(map[string]any)["merges"] = []any{[]any{"a"}} }, "want 2 parts"},
		{"no vocab", func(m map[string]any) { delete(m["model"].(map[string]any), "vocab") }, "vocab is empty"},
		{"added id clash", func(m map[string]any) {
			m["added_tokens"] = []any{map[string]any{"id": 5, "content": "ab", "special": true}}
		}, "vocabulary says 256"},
		{"added id taken", func(m map[string]any) {
			m["added_tokens"] = []any{map[string]any{"id": 256, "content": "<q>", "special": true}}
		}, `id 256, which is already the token "ab"`},
		{"added without id", func(m map[string]any) { m["added_tokens"] = []any{map[string]any{"content": "q"}} }, "has no id"},
		{"negative id", func(m map[string]any) { m["model"].(map[string]any)["vocab"].(map[string]any)["abc"] = -3 }, "negative token id"},
	} {
		_, err := FromJSON(smallJSON(t, c.edit), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.want)
		}
	}
	if _, err := FromJSON([]byte("{"), nil); err == nil || !strings.Contains(err.Error(), "tokenizer.json") {
		t.Errorf("truncated JSON: %v", err)
	}
	if _, err := FromJSON(smallJSON(t, nil), []byte(`{"chat_template": 5}`)); err == nil || !strings.Contains(err.Error(), "tokenizer_config.json") {
		t.Errorf("bad config: %v", err)
	}
}

func TestFromFilesErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := FromFiles(dir); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "tokenizer.json")) {
		t.Errorf("missing tokenizer.json: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tokenizer.json"), []byte(`{"model": {"type": "BPE"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := FromFiles(dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("empty vocab: %v", err)
	}
	// Without tokenizer_config.json the tokenizer loads, with no template.
	if err := os.WriteFile(filepath.Join(dir, "tokenizer.json"), smallJSON(t, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	tok, err := FromFiles(dir)
	if err != nil || tok.ChatTemplate() != "" {
		t.Errorf("FromFiles without config: %v, template %q", err, tok.ChatTemplate())
	}
}

// The quadratic scan used for short words and the heap used for long ones must agree on every input.
func TestBPEVariantsAgree(t *testing.T) {
	tok := qwen3(t)
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "b", "e", "r", "t", "h", "in", "the", " ", "  ", "ab", "é", "中", "文", "😀", "0", ".", "\n", "ing", "tion"}
	for range 3000 {
		var sb strings.Builder
		for n := 1 + rng.IntN(30); n > 0; n-- {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		w := sb.String()
		if len(w) > smallWord {
			w = w[:smallWord]
		}
		if len(w) < 2 {
			continue
		}
		small, big := tok.bpeSmall(w, nil), tok.bpeHeap(w, nil)
		if !slices.Equal(small, big) {
			t.Fatalf("word %q: scan %v, heap %v", w, small, big)
		}
		if got := string(appendValidUTF8(nil, []byte(tok.Decode(small)))); got != toValidUTF8(w) {
			t.Fatalf("word %q decodes to %q", w, got)
		}
	}
}

// Concurrent use shares the word cache; run with -race to check the locking.
func TestConcurrentEncode(t *testing.T) {
	tok := qwen3(t)
	cases := readFixture(t)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < len(cases); i += 2 {
				if got := tok.Encode(cases[i].Text); !slices.Equal(got, cases[i].want()) {
					t.Errorf("goroutine %d: Encode(%q) = %v", g, cases[i].Text, got)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// The cache is bounded: it never holds more than its limit.
func TestWordCacheBounded(t *testing.T) {
	c := wordCache{m: make(map[string][]int32), max: 8}
	for i := range 100 {
		c.put(strings.Repeat("x", i+1), []int32{int32(i)})
		if len(c.m) > 8 {
			t.Fatalf("cache holds %d entries", len(c.m))
		}
	}
	if ids, ok := c.get(strings.Repeat("x", 100)); !ok || ids[0] != 99 {
		t.Errorf("latest entry missing: %v %v", ids, ok)
	}
}
