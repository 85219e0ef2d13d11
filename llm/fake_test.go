package llm

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/qwenstudio/qwenstudio/llm/tokenizer"
)

// A small byte-level tokenizer (256 byte tokens, no merges) with Qwen's added tokens, so session tests need
// no files.
var fakeAdded = []string{"<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>", "<tool_call>",
	"</tool_call>", "[PAD263]"}

const qwen2PreTokenizer = `{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"}, "behavior": "Isolated", "invert": false}, {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}]}`

func fakeTokenizer(t testing.TB) *tokenizer.Tokenizer {
	t.Helper()
	// GPT-2's byte-to-unicode table: printable bytes map to themselves, the rest to U+0100….
	vocab := map[string]int{}
	n := 0
	for b := range 256 {
		if (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			vocab[string(rune(b))] = b
		} else {
			vocab[string(rune(256+n))] = b
			n++
		}
	}
	type added struct {
		ID         int    `json:"id"`
		Content    string `json:"content"`
		Special    bool   `json:"special"`
		Normalized bool   `json:"normalized"`
	}
	var add []added
	for i, a := range fakeAdded {
		add = append(add, added{ID: 256 + i, Content: a, Special: strings.HasPrefix(a, "<|")})
	}
	tj, err := json.Marshal(map[string]any{
		"added_tokens":  add,
		"normalizer":    nil,
		"pre_tokenizer": json.RawMessage(qwen2PreTokenizer),
		"model":         map[string]any{"type": "BPE", "vocab": vocab, "merges": []string{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.FromJSON(tj, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// fakeModel "generates" whatever next says: given the text written after the last assistant header of the
// context, next returns the following piece (one byte or one added token), or "" to end the turn. It
// recomputes that from the tokens in its KV cache on every Eval, so a session that fed it the wrong tokens,
// or cut the cache wrongly, gets a different reply.
type fakeModel struct {
	tok      *tokenizer.Tokenizer
	template string
	next     func(h string) string
	evals    []int // tokens per Eval call, over all contexts
	onEval   func(c *fakeContext) error
	ctxLen   int
}

func newFake(t testing.TB, next func(h string) string) *fakeModel {
	return &fakeModel{tok: fakeTokenizer(t), next: next, ctxLen: 4096}
}

func (m *fakeModel) Tokenizer() *tokenizer.Tokenizer { return m.tok }
func (m *fakeModel) ChatTemplate() string            { return m.template }
func (m *fakeModel) ContextLength() int              { return m.ctxLen }
func (m *fakeModel) Close() error                    { return nil }
func (m *fakeModel) NewContext(n int) (Context, error) {
	return &fakeContext{m: m, n: n, logits: make([]float32, m.tok.VocabSize())}, nil
}

type fakeContext struct {
	m      *fakeModel
	n      int
	hist   []int32
	logits []float32
}

func (c *fakeContext) Len() int { return len(c.hist) }
func (c *fakeContext) Truncate(n int) error {
	if n < 0 || n > len(c.hist) {
		return fmt.Errorf("fake: truncate to %d of %d", n, len(c.hist))
	}
	c.hist = c.hist[:n]
	return nil
}
func (c *fakeContext) Close() error { return nil }

func (c *fakeContext) Eval(ctx context.Context, tokens []int32, all bool) ([]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(c.hist)+len(tokens) > c.n {
		return nil, fmt.Errorf("fake: %d+%d tokens do not fit %d", len(c.hist), len(tokens), c.n)
	}
	if len(tokens) == 0 || all {
		return nil, fmt.Errorf("fake: bad call (%d tokens, all=%v)", len(tokens), all)
	}
	if c.m.onEval != nil {
		if err := c.m.onEval(c); err != nil {
			return nil, err
		}
	}
	c.hist = append(c.hist, tokens...)
	c.m.evals = append(c.m.evals, len(tokens))
	text := c.m.tok.Decode(c.hist)
	const header = "<|im_start|>assistant\n"
	h := text
	if i := strings.LastIndex(text, header); i >= 0 {
		h = text[i+len(header):]
	}
	piece := c.m.next(h)
	id, _ := c.m.tok.TokenID("<|im_end|>")
	switch {
	case len(piece) == 1:
		id = int32(piece[0]) // byte tokens have the byte's value as id
	case piece != "":
		var ok bool
		if id, ok = c.m.tok.TokenID(piece); !ok {
			return nil, fmt.Errorf("fake: piece %q is not a token", piece)
		}
	}
	clear(c.logits)
	c.logits[id] = 20
	return c.logits, nil
}

// script returns a next function that writes reply and then ends the turn.
func script(reply string) func(string) string {
	return func(h string) string {
		if !strings.HasPrefix(reply, h) || len(h) == len(reply) {
			return ""
		}
		return piece(reply[len(h):])
	}
}

// piece returns the first token-sized piece of s: an added token or one byte.
func piece(s string) string {
	for _, a := range fakeAdded {
		if strings.HasPrefix(s, a) {
			return a
		}
	}
	return s[:1]
}
