package tinymodel

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
)

// Token types as stored in tokenizer.ggml.token_type (llama.cpp's llama_token_type).
const (
	TokenNormal      int32 = 1
	TokenControl     int32 = 3
	TokenUserDefined int32 = 4
	TokenUnused      int32 = 5
)

// AddedToken is one of the tokens matched before BPE (tokenizer.json "added_tokens").
type AddedToken struct {
	Content string
	Special bool // "special" in tokenizer.json: skipped by decode(skip_special_tokens)
}

// qwen3AddedTokens are Qwen3's 26 added tokens in id order (ids 151643-151668 in the real vocabulary).
var qwen3AddedTokens = []AddedToken{
	{"<|endoftext|>", true}, {"<|im_start|>", true}, {"<|im_end|>", true},
	{"<|object_ref_start|>", true}, {"<|object_ref_end|>", true}, {"<|box_start|>", true}, {"<|box_end|>", true},
	{"<|quad_start|>", true}, {"<|quad_end|>", true}, {"<|vision_start|>", true}, {"<|vision_end|>", true},
	{"<|vision_pad|>", true}, {"<|image_pad|>", true}, {"<|video_pad|>", true},
	{"<tool_call>", false}, {"</tool_call>", false},
	{"<|fim_prefix|>", false}, {"<|fim_middle|>", false}, {"<|fim_suffix|>", false}, {"<|fim_pad|>", false},
	{"<|repo_name|>", false}, {"<|file_sep|>", false},
	{"<tool_response>", false}, {"</tool_response>", false}, {"<think>", false}, {"</think>", false},
}

// Qwen3's published embedding has 151936 rows for its 151669 tokens.
const (
	qwen3Tokens    = 151669
	qwen3VocabRows = 151936
)

// Vocab is the tokenizer of a generated model: byte-level BPE tokens (ids 0..len(BPE)-1), then the added tokens,
// then "[PAD<id>]" rows up to Rows (the embedding and output row count), as in the reduced-vocabulary golden models.
type Vocab struct {
	BPE    []string    // byte-level token strings, index = id
	Merges [][2]string // in rank order
	Added  []AddedToken
	Rows   int // total rows including padding (>= len(BPE)+len(Added))

	// SourceRows and SourceIDs describe where each row comes from when the vocabulary was cut from a larger
	// one: the generator draws the whole SourceRows-row embedding and keeps row SourceIDs[i] as row i, so a
	// model on the reduced vocabulary has the same embedding rows as the full model with the same seed.
	// Nil SourceIDs means the rows are the vocabulary's own.
	SourceRows int
	SourceIDs  []int
}

// NumTokens is the number of real (non-padding) tokens.
func (v *Vocab) NumTokens() int { return len(v.BPE) + len(v.Added) }

// Token returns the string of id, "[PAD<id>]" for padding rows.
func (v *Vocab) Token(id int) string {
	switch {
	case id < len(v.BPE):
		return v.BPE[id]
	case id < v.NumTokens():
		return v.Added[id-len(v.BPE)].Content
	default:
		return fmt.Sprintf("[PAD%d]", id)
	}
}

// TokenType returns the GGUF token type of id: CONTROL for special added tokens and for added tokens that look
// special ("<|...|>", as llama.cpp's converter decides), USER_DEFINED for the other added tokens, UNUSED for padding.
func (v *Vocab) TokenType(id int) int32 {
	switch {
	case id < len(v.BPE):
		return TokenNormal
	case id < v.NumTokens():
		a := v.Added[id-len(v.BPE)]
		if a.Special || (strings.HasPrefix(a.Content, "<|") && strings.HasSuffix(a.Content, "|>")) {
			return TokenControl
		}
		return TokenUserDefined
	default:
		return TokenUnused
	}
}

// ID returns the id of an added token's content, or -1.
func (v *Vocab) ID(content string) int {
	for i, a := range v.Added {
		if a.Content == content {
			return len(v.BPE) + i
		}
	}
	return -1
}

// EOS is <|im_end|> (the end of an assistant turn), BOS and PAD are <|endoftext|>, as in Qwen3's files.
func (v *Vocab) EOS() int { return v.ID("<|im_end|>") }
func (v *Vocab) BOS() int { return v.ID("<|endoftext|>") }

// padRows rounds n up to a multiple of 128, the padding the reduced golden vocabularies use.
func padRows(n int) int { return (n + 127) / 128 * 128 }

func (v *Vocab) check() error {
	if len(v.BPE) < 256 {
		return fmt.Errorf("vocabulary has %d BPE tokens, need at least the 256 byte tokens", len(v.BPE))
	}
	if v.Rows < v.NumTokens() {
		return fmt.Errorf("vocabulary rows %d < %d tokens", v.Rows, v.NumTokens())
	}
	if v.EOS() < 0 || v.BOS() < 0 {
		return fmt.Errorf("vocabulary lacks <|im_end|> or <|endoftext|>")
	}
	if v.SourceIDs != nil && len(v.SourceIDs) != v.Rows {
		return fmt.Errorf("vocabulary has %d source ids for %d rows", len(v.SourceIDs), v.Rows)
	}
	return nil
}

// WithRows returns a copy of v padded to rows rows (at least its token count).
func (v *Vocab) WithRows(rows int) (*Vocab, error) {
	if rows < v.NumTokens() {
		return nil, fmt.Errorf("tinymodel: %d vocabulary rows cannot hold %d tokens", rows, v.NumTokens())
	}
	c := *v
	c.Rows = rows
	if v.SourceIDs != nil {
		// Extra padding rows continue after the source's rows, keeping them distinct.
		c.SourceIDs = append([]int(nil), v.SourceIDs...)
		if rows < len(c.SourceIDs) {
			c.SourceIDs = c.SourceIDs[:rows]
		}
		for len(c.SourceIDs) < rows {
			c.SourceIDs = append(c.SourceIDs, c.SourceRows)
			c.SourceRows++
		}
	}
	return &c, nil
}

// VocabFromTokenizerJSON reads a Hugging Face tokenizer.json (byte-level BPE, like Qwen's). With keep > 0 only
// the first keep BPE tokens are kept, with the merges whose two parts and result are all among them (in their
// original order), followed by the added tokens renumbered in their original order — exactly how the golden
// "rv" models reduce Qwen3's vocabulary (keep = 4096 gives their 4224-row vocabulary). keep = 0 keeps everything.
// The rows are padded to a multiple of 128 (to 151936 for the full Qwen3 vocabulary, as published).
func VocabFromTokenizerJSON(path string, keep int) (*Vocab, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tinymodel: %w", err)
	}
	v, err := parseTokenizerJSON(b, keep)
	if err != nil {
		return nil, fmt.Errorf("tinymodel: %s: %w", path, err)
	}
	return v, nil
}

func parseTokenizerJSON(b []byte, keep int) (*Vocab, error) {
	var tj struct {
		AddedTokens []struct {
			ID      int    `json:"id"`
			Content string `json:"content"`
			Special bool   `json:"special"`
		} `json:"added_tokens"`
		Model struct {
			Type   string            `json:"type"`
			Vocab  map[string]int    `json:"vocab"`
			Merges []json.RawMessage `json:"merges"`
		} `json:"model"`
	}
	if err := json.Unmarshal(b, &tj); err != nil {
		return nil, err
	}
	if tj.Model.Type != "BPE" {
		return nil, fmt.Errorf("model type %q, want BPE", tj.Model.Type)
	}
	n := len(tj.Model.Vocab)
	bpe := make([]string, n)
	for s, id := range tj.Model.Vocab {
		if s == "" {
			return nil, fmt.Errorf("vocab has an empty token (id %d)", id)
		}
		if id < 0 || id >= n || bpe[id] != "" {
			return nil, fmt.Errorf("vocab ids are not 0..%d without gaps (token %q has id %d)", n-1, s, id)
		}
		bpe[id] = s
	}
	full := keep <= 0 || keep >= n
	if !full {
		if keep < 256 {
			return nil, fmt.Errorf("cannot keep %d tokens: the 256 byte tokens are needed", keep)
		}
		bpe = bpe[:keep]
	}
	inVocab := func(s string) bool {
		id, ok := tj.Model.Vocab[s]
		return ok && id < len(bpe)
	}
	var merges [][2]string
	for i, raw := range tj.Model.Merges {
		m, err := parseMerge(raw)
		if err != nil {
			return nil, fmt.Errorf("merge %d: %w", i, err)
		}
		if inVocab(m[0]) && inVocab(m[1]) && inVocab(m[0]+m[1]) {
			merges = append(merges, m)
		} else if full {
			return nil, fmt.Errorf("merge %d (%q %q) uses tokens missing from the vocabulary", i, m[0], m[1])
		}
	}
	added := tj.AddedTokens
	sort.SliceStable(added, func(i, j int) bool { return added[i].ID < added[j].ID })
	v := &Vocab{BPE: bpe, Merges: merges}
	for _, a := range added {
		if _, isBPE := tj.Model.Vocab[a.Content]; isBPE {
			continue // an added token that is also a vocabulary entry keeps its BPE id
		}
		v.Added = append(v.Added, AddedToken{Content: a.Content, Special: a.Special})
	}
	v.Rows = padRows(v.NumTokens())
	if full && v.NumTokens() == qwen3Tokens {
		v.Rows = qwen3VocabRows
	}
	if !full {
		// Row i of the reduced vocabulary is row SourceIDs[i] of the full one: kept BPE tokens keep their id,
		// added tokens map to their original ids, padding rows to the full vocabulary's padding rows.
		srcTokens := n + len(v.Added)
		v.SourceRows = padRows(srcTokens)
		if srcTokens == qwen3Tokens {
			v.SourceRows = qwen3VocabRows
		}
		for i := range v.Rows {
			switch {
			case i < len(bpe):
				v.SourceIDs = append(v.SourceIDs, i)
			case i < v.NumTokens():
				v.SourceIDs = append(v.SourceIDs, n+i-len(bpe))
			default:
				v.SourceIDs = append(v.SourceIDs, srcTokens+i-v.NumTokens())
			}
		}
		if last := v.SourceIDs[len(v.SourceIDs)-1]; last >= v.SourceRows {
			v.SourceRows = last + 1
		}
	}
	if err := v.check(); err != nil {
		return nil, err
	}
	return v, nil
}

// parseMerge accepts both spellings of a merge: "left right" and ["left", "right"].
func parseMerge(raw json.RawMessage) ([2]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return [2]string{}, err
		}
		l, r, ok := strings.Cut(s, " ")
		if !ok {
			return [2]string{}, fmt.Errorf("merge %q has no space", s)
		}
		return [2]string{l, r}, nil
	}
	var p []string
	if err := json.Unmarshal(raw, &p); err != nil || len(p) != 2 {
		return [2]string{}, fmt.Errorf("merge %s is neither \"a b\" nor [a, b]", raw)
	}
	return [2]string{p[0], p[1]}, nil
}

//go:embed corpus/*.txt
var corpusFS embed.FS

// builtinBPESize is the number of BPE tokens of the built-in vocabulary: with the 26 added tokens the
// vocabulary has exactly 2048 rows when the corpus yields enough merges.
const builtinBPESize = 2048 - 26

// BuiltinVocab trains the built-in vocabulary: the 256 byte tokens plus merges learned over the embedded corpus
// (English prose and dialogue, a dozen other languages and scripts, code), then Qwen3's 26 added tokens. It needs
// no file and no network, is deterministic, and takes a fraction of a second.
func BuiltinVocab(ctx context.Context) (*Vocab, error) {
	var texts []string
	err := fs.WalkDir(corpusFS, "corpus", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := corpusFS.ReadFile(path)
		if err != nil {
			return err
		}
		texts = append(texts, string(b))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tinymodel: corpus: %w", err)
	}
	bpe, merges, err := trainBPE(ctx, texts, builtinBPESize)
	if err != nil {
		return nil, fmt.Errorf("tinymodel: train vocabulary: %w", err)
	}
	v := &Vocab{BPE: bpe, Merges: merges, Added: append([]AddedToken(nil), qwen3AddedTokens...)}
	v.Rows = padRows(v.NumTokens())
	return v, v.check()
}
