package tokenizer

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Tokenizer is a byte-level BPE tokenizer with added tokens. It is immutable after construction and safe
// for concurrent use.
type Tokenizer struct {
	tokens  []string         // id -> token: byte-level spelling for BPE tokens, literal content for added ones
	vocab   map[string]int32 // token string -> id (BPE tokens and added tokens)
	byteIDs [256]int32       // id of each single-byte token
	merges  merges
	nfc     bool // apply NFC before pre-tokenization
	// ignoreMerges: a pre-token that is itself in the vocabulary is emitted whole (tokenizer.json option).
	ignoreMerges bool

	added     []addedToken // in id order
	raw       *matcher     // added tokens matched on the raw text (normalized=false)
	norm      *matcher     // added tokens matched on the normalized text (normalized=true)
	special   []uint64     // bit set of special ids
	eos       []int32
	template  string
	decodeBuf []byte   // concatenated decoded bytes of every id
	decodeOff []uint32 // id i decodes to decodeBuf[decodeOff[i]:decodeOff[i+1]]

	cache wordCache
}

// addedToken mirrors the Hugging Face AddedToken options.
type addedToken struct {
	id         int32
	content    string
	special    bool
	lstrip     bool
	rstrip     bool
	singleWord bool
	normalized bool
}

// spec is the format-independent description a Tokenizer is built from.
type spec struct {
	vocab        map[string]int32 // BPE vocabulary
	merges       [][2]string
	added        []addedToken
	extraTokens  map[int32]string // ids that are neither BPE nor added (GGUF UNUSED padding): no text when decoded
	nfc          bool
	ignoreMerges bool
	eos          []int32 // extra end-of-generation ids from metadata
	template     string
}

func build(s spec) (*Tokenizer, error) {
	size := 0
	grow := func(id int32) error {
		if id < 0 {
			return fmt.Errorf("negative token id %d", id)
		}
		size = max(size, int(id)+1)
		return nil
	}
	for tok, id := range s.vocab {
		if err := grow(id); err != nil {
			return nil, fmt.Errorf("vocab entry %q: %w", tok, err)
		}
	}
	for _, a := range s.added {
		if err := grow(a.id); err != nil {
			return nil, fmt.Errorf("added token %q: %w", a.content, err)
		}
	}
	for id := range s.extraTokens {
		if err := grow(id); err != nil {
			return nil, err
		}
	}
	if size == 0 {
		return nil, errors.New("empty vocabulary")
	}
	if size > 1<<24 {
		return nil, fmt.Errorf("token id %d is implausibly large", size-1)
	}
	t := &Tokenizer{
		tokens:       make([]string, size),
		vocab:        make(map[string]int32, len(s.vocab)+len(s.added)),
		merges:       newMerges(len(s.merges)),
		nfc:          s.nfc,
		ignoreMerges: s.ignoreMerges,
		special:      make([]uint64, (size+63)/64),
		template:     s.template,
		cache:        wordCache{m: make(map[string][]int32), max: cacheEntries},
	}
	for id, tok := range s.extraTokens {
		t.tokens[id] = tok
	}
	for tok, id := range s.vocab {
		if prev := t.tokens[id]; prev != "" && prev != tok {
			return nil, fmt.Errorf("token id %d used by both %q and %q", id, prev, tok)
		}
		t.tokens[id] = tok
		t.vocab[tok] = id
	}
	for b := range 256 {
		id, ok := s.vocab[string(byteRunes[b])]
		if !ok {
			return nil, fmt.Errorf("vocabulary lacks the single-byte token %q (byte 0x%02x): not a byte-level BPE vocabulary", string(byteRunes[b]), b)
		}
		t.byteIDs[b] = id
	}
	for i, m := range s.merges {
		a, okA := s.vocab[m[0]]
		b, okB := s.vocab[m[1]]
		ab, okAB := s.vocab[m[0]+m[1]]
		if !okA || !okB || !okAB {
			missing := m[0] + m[1]
			if !okA {
				missing = m[0]
			} else if !okB {
				missing = m[1]
			}
			return nil, fmt.Errorf("merge %d (%q %q): token %q not in the vocabulary", i, m[0], m[1], missing)
		}
		t.merges.add(a, b, int32(i), ab)
	}
	var raw, normd []addedToken
	seen := make(map[string]bool)
	added := slices.Clone(s.added)
	slices.SortFunc(added, func(a, b addedToken) int { return int(a.id - b.id) })
	for _, a := range added {
		if a.content == "" {
			return nil, fmt.Errorf("added token id %d has empty content", a.id)
		}
		if seen[a.content] {
			return nil, fmt.Errorf("added token %q appears twice", a.content)
		}
		seen[a.content] = true
		if prev := t.tokens[a.id]; prev != "" && prev != a.content {
			return nil, fmt.Errorf("added token %q has id %d, which is already the token %q", a.content, a.id, prev)
		}
		t.tokens[a.id] = a.content
		t.vocab[a.content] = a.id
		if a.special {
			t.special[a.id/64] |= 1 << (a.id % 64)
		}
		if a.normalized {
			if t.nfc {
				a.content = norm.NFC.String(a.content)
			}
			normd = append(normd, a)
		} else {
			raw = append(raw, a)
		}
	}
	t.added = added
	t.raw = newMatcher(raw)
	t.norm = newMatcher(normd)

	eos := slices.Clone(s.eos)
	for _, name := range []string{"<|im_end|>", "<|endoftext|>"} {
		if id, ok := t.vocab[name]; ok {
			eos = append(eos, id)
		}
	}
	eos = slices.DeleteFunc(eos, func(id int32) bool { return id < 0 || int(id) >= size })
	slices.Sort(eos)
	t.eos = slices.Compact(eos)

	t.buildDecodeTable(s.extraTokens)
	return t, nil
}

// buildDecodeTable stores the bytes every id decodes to. Padding entries (silent) decode to nothing, as in
// the Hugging Face tokenizer, which lacks them, and llama.cpp.
func (t *Tokenizer) buildDecodeTable(silent map[int32]string) {
	isAdded := make(map[int32]bool, len(t.added))
	for _, a := range t.added {
		isAdded[a.id] = true
	}
	t.decodeOff = make([]uint32, len(t.tokens)+1)
	t.decodeBuf = make([]byte, 0, 8*len(t.tokens))
	for id, tok := range t.tokens {
		t.decodeOff[id] = uint32(len(t.decodeBuf))
		if _, ok := silent[int32(id)]; ok {
			continue
		}
		if isAdded[int32(id)] {
			t.decodeBuf = append(t.decodeBuf, tok...)
		} else {
			t.decodeBuf = append(t.decodeBuf, byteLevelDecode(tok)...)
		}
	}
	t.decodeOff[len(t.tokens)] = uint32(len(t.decodeBuf))
}

// Encode tokenizes text the way Hugging Face's tokenizer(text, add_special_tokens=False) does: added and
// special tokens written in the text (e.g. "<|im_start|>", "<think>") become their ids. No BOS is added.
func (t *Tokenizer) Encode(text string) []int32 {
	return t.encode(text, true)
}

// EncodeOrdinary tokenizes text with every added-token string (special or not) treated as plain text, so
// that untrusted content cannot inject control tokens. (Hugging Face's split_special_tokens=True still
// matches non-special added tokens such as "<think>"; this does not.)
func (t *Tokenizer) EncodeOrdinary(text string) []int32 {
	return t.encode(text, false)
}

func (t *Tokenizer) encode(text string, withAdded bool) []int32 {
	text = toValidUTF8(text)
	out := make([]int32, 0, len(text)/3+4)
	if !withAdded || t.raw == nil {
		return t.encodeSegment(text, withAdded, out)
	}
	t.raw.split(text, func(seg string, id int32) {
		if id >= 0 {
			out = append(out, id)
		} else {
			out = t.encodeSegment(seg, withAdded, out)
		}
	})
	return out
}

// encodeSegment normalizes a piece of text between raw-matched added tokens and encodes it.
func (t *Tokenizer) encodeSegment(seg string, withAdded bool, out []int32) []int32 {
	if t.nfc && !norm.NFC.IsNormalString(seg) {
		seg = norm.NFC.String(seg)
	}
	if !withAdded || t.norm == nil {
		return t.encodeText(seg, out)
	}
	t.norm.split(seg, func(s string, id int32) {
		if id >= 0 {
			out = append(out, id)
		} else {
			out = t.encodeText(s, out)
		}
	})
	return out
}

// encodeText pre-tokenizes normalized text and runs BPE on each pre-token.
func (t *Tokenizer) encodeText(s string, out []int32) []int32 {
	for i := 0; i < len(s); {
		e := preTokenEnd(s, i)
		out = t.encodeWord(s[i:e], out)
		i = e
	}
	return out
}

func (t *Tokenizer) encodeWord(w string, out []int32) []int32 {
	if len(w) == 1 {
		return append(out, t.byteIDs[w[0]])
	}
	if len(w) > cacheMaxBytes {
		return t.bpeWord(w, out)
	}
	if ids, ok := t.cache.get(w); ok {
		return append(out, ids...)
	}
	n := len(out)
	out = t.bpeWord(w, out)
	t.cache.put(strings.Clone(w), slices.Clone(out[n:]))
	return out
}

func (t *Tokenizer) bpeWord(w string, out []int32) []int32 {
	if t.ignoreMerges {
		if id, ok := t.vocab[byteLevelString([]byte(w))]; ok {
			return append(out, id)
		}
	}
	return t.bpe(w, out)
}

// Decode turns ids back into text: added tokens are written literally, BPE tokens through the byte-level
// table, and invalid UTF-8 (e.g. a character cut between ids) becomes U+FFFD. Unknown ids are skipped.
func (t *Tokenizer) Decode(ids []int32) string {
	var buf []byte
	for _, id := range ids {
		buf = append(buf, t.tokenBytes(id)...)
	}
	return string(appendValidUTF8(make([]byte, 0, len(buf)), buf))
}

// tokenBytes returns the raw bytes id decodes to (nil for unknown ids).
func (t *Tokenizer) tokenBytes(id int32) []byte {
	if id < 0 || int(id) >= len(t.tokens) {
		return nil
	}
	return t.decodeBuf[t.decodeOff[id]:t.decodeOff[id+1]]
}

// TokenID returns the id of an exact token string: an added token's content ("<|im_end|>") or a BPE
// token in its byte-level spelling ("Ġthe").
func (t *Tokenizer) TokenID(tok string) (int32, bool) {
	id, ok := t.vocab[tok]
	return id, ok
}

// Token returns the string of id (see TokenID), or "" for an unknown id.
func (t *Tokenizer) Token(id int32) string {
	if id < 0 || int(id) >= len(t.tokens) {
		return ""
	}
	return t.tokens[id]
}

// VocabSize returns the number of ids, i.e. the largest id plus one (151669 for Qwen3's tokenizer.json;
// GGUF files usually pad to the embedding size, 151936).
func (t *Tokenizer) VocabSize() int { return len(t.tokens) }

// IsSpecial reports whether id is a special token (added token with special=true, or CONTROL in GGUF).
func (t *Tokenizer) IsSpecial(id int32) bool {
	if id < 0 || int(id) >= len(t.tokens) {
		return false
	}
	return t.special[id/64]&(1<<(id%64)) != 0
}

// EOS returns the ids that end generation: <|im_end|> and <|endoftext|> when present, plus the end-of-text
// / end-of-turn ids named by the metadata, sorted.
func (t *Tokenizer) EOS() []int32 { return slices.Clone(t.eos) }

// ChatTemplate returns the Jinja chat template shipped with the tokenizer, or "".
func (t *Tokenizer) ChatTemplate() string { return t.template }

// isWordRune is the \w class of the Rust regex crate (Alphabetic, marks, decimal digits, connector
// punctuation, join controls), used for single_word added tokens.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.Is(unicode.Nl, r) || unicode.Is(unicode.Other_Alphabetic, r) ||
		unicode.IsMark(r) || unicode.Is(unicode.Nd, r) || unicode.Is(unicode.Pc, r) || r == 0x200C || r == 0x200D
}
