package tokenizer

import (
	"bufio"
	"encoding/json"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// decode.jsonl: id sequences (many forming invalid or truncated UTF-8) and the references' decoded text.
func TestDecodeFixture(t *testing.T) {
	tok := qwen3(t)
	f, err := os.Open("testdata/decode.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var c struct {
			IDs  []int32 `json:"ids"`
			Text string  `json:"text"`
			HF   *string `json:"hf"`
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		want := c.Text
		if c.HF != nil {
			want = *c.HF
		}
		if got := tok.Decode(c.IDs); got != want {
			t.Errorf("Decode(%v) = %q, want %q", c.IDs, got, want)
		}
		// Streaming the same ids must give the same text.
		sd := tok.NewStreamDecoder()
		var sb strings.Builder
		for _, id := range c.IDs {
			sb.WriteString(sd.Add(id))
		}
		sb.WriteString(sd.Flush())
		if sb.String() != want {
			t.Errorf("stream decode of %v = %q, want %q", c.IDs, sb.String(), want)
		}
		n++
	}
	if n < 50 {
		t.Fatalf("only %d decode cases", n)
	}
}

// A stream of byte-level tokens that cut characters anywhere must never yield a replacement character for
// valid text, and must add up to the text.
func TestStreamDecoderSplitsCharacters(t *testing.T) {
	tok := qwen3(t)
	texts := []string{"中文测试：你好，世界", "emoji 🙂👨‍👩‍👧‍👦 café", "नमस्ते दुनिया", "𝔸𝕓𝒞 𐌰𐍄", "plain ascii"}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, text := range texts {
		// Encode the text as one token per byte (the worst case: every multi-byte character is split),
		// and as its real tokenization.
		var perByte []int32
		for i := 0; i < len(text); i++ {
			perByte = append(perByte, tok.byteIDs[text[i]])
		}
		for _, ids := range [][]int32{perByte, tok.Encode(text)} {
			sd := tok.NewStreamDecoder()
			var sb strings.Builder
			for _, id := range ids {
				out := sd.Add(id)
				if strings.ContainsRune(out, utf8.RuneError) {
					t.Fatalf("%q: Add emitted a replacement character: %q", text, out)
				}
				sb.WriteString(out)
				if !strings.HasPrefix(text, sb.String()) {
					t.Fatalf("%q: stream so far %q is not a prefix", text, sb.String())
				}
			}
			sb.WriteString(sd.Flush())
			if sb.String() != text {
				t.Errorf("stream decode = %q, want %q", sb.String(), text)
			}
		}
		// Random extra garbage bytes: stream and Decode agree.
		ids := append([]int32(nil), perByte...)
		for range 5 {
			ids = append(ids, tok.byteIDs[0x80+rng.IntN(128)])
		}
		sd := tok.NewStreamDecoder()
		var sb strings.Builder
		for _, id := range ids {
			sb.WriteString(sd.Add(id))
		}
		sb.WriteString(sd.Flush())
		if sb.String() != tok.Decode(ids) {
			t.Errorf("stream %q != Decode %q", sb.String(), tok.Decode(ids))
		}
	}
	// Held bytes come out at Flush as one replacement character.
	sd := tok.NewStreamDecoder()
	if out := sd.Add(tok.byteIDs[0xE4]) + sd.Add(tok.byteIDs[0xB8]); out != "" {
		t.Errorf("incomplete character emitted early: %q", out)
	}
	if out := sd.Flush(); out != "\uFFFD" {
		t.Errorf("Flush = %q, want U+FFFD", out)
	}
	if out := sd.Add(9707); out != "Hello" {
		t.Errorf("after Flush, Add = %q", out)
	}
}

func TestDecodeSpecialAndUnknown(t *testing.T) {
	tok := qwen3(t)
	if got := tok.Decode([]int32{151644, 872, 198, 6023, 151645}); got != "<|im_start|>user\nhi<|im_end|>" {
		t.Errorf("Decode = %q", got)
	}
	// Ids outside the vocabulary are skipped, like Hugging Face does.
	if got := tok.Decode([]int32{-1, 9707, 151669, 1 << 30}); got != "Hello" {
		t.Errorf("Decode with unknown ids = %q", got)
	}
	if tok.Token(9707) != "Hello" || tok.Token(220) != "Ġ" || tok.Token(-5) != "" {
		t.Errorf("Token: %q %q %q", tok.Token(9707), tok.Token(220), tok.Token(-5))
	}
}
