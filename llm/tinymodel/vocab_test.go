package tinymodel

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
	"github.com/qwenstudio/qwenstudio/llm/tokenizer"
)

func TestPreTokenize(t *testing.T) {
	cases := map[string][]string{
		"a   b":                    {"a", "  ", " b"},
		"trailing   ":              {"trailing", "   "},
		"   \n  \n":                {"   \n  \n"},
		"Hello, world!":            {"Hello", ",", " world", "!"},
		"I'm 42 I'LL":              {"I", "'m", " ", "4", "2", " I", "'LL"},
		"x\n\ny":                   {"x", "\n\n", "y"},
		"(hello) \u00a0nbsp":       {"(hello", ")", " ", "\u00a0nbsp"},
		"if a == b {\n\treturn\n}": {"if", " a", " ==", " b", " {\n", "\treturn", "\n", "}"},
		"你好，世界":                    {"你好", "，世界"},
	}
	for in, want := range cases {
		if got := preTokenize(in); !reflect.DeepEqual(got, want) {
			t.Errorf("preTokenize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTrainBPESmall(t *testing.T) {
	tokens, merges, err := trainBPE(context.Background(), []string{"ab ab ab cd"}, 258)
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"a", "b"}, {"Ġ", "ab"}}
	if !reflect.DeepEqual(merges, want) || len(tokens) != 258 || tokens[256] != "ab" || tokens[257] != "Ġab" {
		t.Errorf("merges %q tokens %q", merges, tokens[256:])
	}
	// Nothing occurs twice: training stops before the requested size.
	_, merges, err = trainBPE(context.Background(), []string{"xyz"}, 300)
	if err != nil || len(merges) != 0 {
		t.Errorf("merges %q, err %v", merges, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := trainBPE(ctx, []string{"ab ab"}, 300); err == nil {
		t.Error("cancelled training returned no error")
	}
}

func TestBuiltinVocabStructure(t *testing.T) {
	v, err := BuiltinVocab(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(v.BPE) != builtinBPESize || v.Rows != 2048 || len(v.Added) != 26 {
		t.Fatalf("%d BPE tokens, %d added, %d rows", len(v.BPE), len(v.Added), v.Rows)
	}
	ids := map[string]int{}
	for id, s := range v.BPE {
		if _, dup := ids[s]; dup {
			t.Fatalf("token %q twice", s)
		}
		ids[s] = id
	}
	for i, m := range v.Merges {
		l, okl := ids[m[0]]
		r, okr := ids[m[1]]
		res, okm := ids[m[0]+m[1]]
		if !okl || !okr || !okm || res <= l || res <= r {
			t.Fatalf("merge %d %q is not usable (ids %d %d -> %d)", i, m, l, r, res)
		}
	}
	if v.Token(v.EOS()) != "<|im_end|>" || v.Token(v.BOS()) != "<|endoftext|>" || v.Token(v.Rows) != "[PAD2048]" {
		t.Errorf("special tokens: eos %q bos %q", v.Token(v.EOS()), v.Token(v.BOS()))
	}
	if v.TokenType(v.ID("<|im_start|>")) != TokenControl || v.TokenType(v.ID("<think>")) != TokenUserDefined ||
		v.TokenType(v.ID("<|fim_pad|>")) != TokenControl || v.TokenType(0) != TokenNormal {
		t.Error("token types differ from llama.cpp's rule")
	}
	again, err := BuiltinVocab(context.Background())
	if err != nil || !reflect.DeepEqual(again, v) {
		t.Error("training the built-in vocabulary twice gave different results")
	}
}

// The built-in vocabulary starts like every byte-level BPE vocabulary (the 256 byte tokens in GPT-2 order) and
// ends with Qwen3's added tokens exactly as the real tokenizer_config.json declares them.
func TestBuiltinVocabMatchesRealConventions(t *testing.T) {
	v, err := BuiltinVocab(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	real := realVocab(t, 0)
	if !reflect.DeepEqual(v.BPE[:256], real.BPE[:256]) {
		t.Error("byte tokens differ from Qwen3's ids 0-255")
	}
	if !reflect.DeepEqual(v.Added, real.Added) {
		t.Errorf("added tokens differ from Qwen3's")
	}
	b, err := os.ReadFile(filepath.Join(testdata.Dir(t, "qwen3-tokenizer"), "tokenizer_config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Decoder map[string]struct {
			Content string `json:"content"`
			Special bool   `json:"special"`
		} `json:"added_tokens_decoder"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	for i, a := range v.Added {
		d := cfg.Decoder[strconv.Itoa(151643+i)]
		if d.Content != a.Content || d.Special != a.Special {
			t.Errorf("added token %d: %+v, real %+v", i, a, d)
		}
	}
	if real.Rows != 151936 || real.NumTokens() != 151669 || len(real.Merges) != 151387 {
		t.Errorf("full real vocabulary: %d rows, %d tokens, %d merges", real.Rows, real.NumTokens(), len(real.Merges))
	}
}

// A model on the built-in vocabulary loads in the tokenizer package from both formats, tokenizes any text
// (every byte has a token), round-trips it, compresses the kind of text it was trained on, and recognises the
// chat control tokens.
func TestBuiltinVocabTokenizes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	o := Golden(ArchQwen3)
	if err := WriteHF(ctx, dir, o); err != nil {
		t.Fatal(err)
	}
	gpath := filepath.Join(dir, "m.gguf")
	if err := WriteGGUF(ctx, gpath, o); err != nil {
		t.Fatal(err)
	}
	fromHF, err := tokenizer.FromFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	g, err := gguf.Open(gpath)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	fromGGUF, err := tokenizer.FromGGUF(g)
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{
		"<|im_start|>user\nHow do I make bread at home?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
		"The weather today is sunny, with 21 °C in the afternoon.",
		"Guten Morgen! Привет, мир! 你好，世界！こんにちは 안녕하세요 مرحبا 🙂",
		"func main() {\n\tfmt.Println(\"hello\")\n}\n",
		"Text the corpus never saw: Zyxwvut qqq ŧ \x7f \u0300 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
	}
	for _, s := range texts {
		a, b := fromHF.Encode(s), fromGGUF.Encode(s)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%q: tokenizer.json gives %v, GGUF %v", s, a, b)
		}
		if got := fromHF.Decode(a); got != s {
			t.Errorf("round trip of %q gave %q", s, got)
		}
	}
	first := fromHF.Encode(texts[0])
	if im, _ := fromHF.TokenID("<|im_start|>"); first[0] != im || !fromHF.IsSpecial(im) {
		t.Errorf("<|im_start|> not recognised: %v", first[:3])
	}
	eos := fromHF.EOS()
	imEnd, _ := fromHF.TokenID("<|im_end|>")
	if len(eos) == 0 || eos[0] != imEnd && (len(eos) < 2 || eos[1] != imEnd) {
		t.Errorf("EOS %v lacks <|im_end|> %d", eos, imEnd)
	}
	english := texts[1]
	n := len(fromHF.Encode(english))
	t.Logf("English: %d characters -> %d tokens", utf8.RuneCountInString(english), n)
	if n*2 > utf8.RuneCountInString(english) {
		t.Errorf("%d tokens for %d characters of English: the merges barely compress", n, len(english))
	}
}
