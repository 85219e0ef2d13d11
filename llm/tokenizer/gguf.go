package tokenizer

import (
	"fmt"
	"os"
	"strings"

	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// GGUF token types (llama.cpp's llama_token_type).
const (
	ggufNormal      = 1
	ggufControl     = 3
	ggufUserDefined = 4
	ggufUnused      = 5
)

// FromGGUF builds the tokenizer embedded in a GGUF file (tokenizer.ggml.model = "gpt2" with
// tokenizer.ggml.pre = "qwen2"). NORMAL tokens form the BPE vocabulary; CONTROL tokens become special added
// tokens and USER_DEFINED ones non-special added tokens (both matched in text, as Hugging Face's added
// tokens are); UNUSED padding entries keep their ids but decode to nothing. Encoding applies NFC like the
// Hugging Face tokenizer the file was converted from, so ids equal FromFiles' on the same text.
func FromGGUF(f *gguf.File) (*Tokenizer, error) {
	t, err := fromGGUF(f)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %s: %w", f.Path(), err)
	}
	return t, nil
}

func fromGGUF(f *gguf.File) (*Tokenizer, error) {
	p, err := f.TokenizerParams()
	if err != nil {
		return nil, err
	}
	if p.Model != "gpt2" {
		return nil, fmt.Errorf("tokenizer.ggml.model %q is not supported (want gpt2, byte-level BPE)", p.Model)
	}
	if p.Pre != "qwen2" {
		return nil, fmt.Errorf("tokenizer.ggml.pre %q is not supported (want qwen2)", p.Pre)
	}
	if len(p.Merges) == 0 {
		return nil, fmt.Errorf("tokenizer.ggml.merges is missing or empty")
	}
	s := spec{
		vocab:       make(map[string]int32, len(p.Tokens)),
		extraTokens: make(map[int32]string),
		nfc:         true,
		template:    p.ChatTemplate,
	}
	for i, tok := range p.Tokens {
		id := int32(i)
		typ := int32(ggufNormal)
		if p.TokenTypes != nil {
			typ = p.TokenTypes[i]
		}
		switch typ {
		case ggufControl, ggufUserDefined:
			if tok == "" {
				s.extraTokens[id] = tok
				continue
			}
			s.added = append(s.added, addedToken{id: id, content: tok, special: typ == ggufControl})
		case ggufUnused:
			s.extraTokens[id] = tok
		default: // normal (and unknown (2) / byte (6), which gpt2 vocabularies do not use)
			if _, dup := s.vocab[tok]; dup {
				return nil, fmt.Errorf("tokenizer.ggml.tokens: token %q appears twice (ids %d and %d)", tok, s.vocab[tok], id)
			}
			s.vocab[tok] = id
		}
	}
	s.merges = make([][2]string, len(p.Merges))
	for i, m := range p.Merges {
		a, b, ok := strings.Cut(m, " ")
		if !ok {
			return nil, fmt.Errorf("tokenizer.ggml.merges[%d] %q has no space", i, m)
		}
		s.merges[i] = [2]string{a, b}
	}
	if p.EOS >= 0 {
		s.eos = append(s.eos, int32(p.EOS))
	}
	if _, ok := f.Get("tokenizer.ggml.eot_token_id"); ok {
		eot, err := f.Uint("tokenizer.ggml.eot_token_id")
		if err != nil {
			return nil, err
		}
		if eot < uint64(len(p.Tokens)) {
			s.eos = append(s.eos, int32(eot))
		}
	}
	return build(s)
}

// FromModel loads only the tokenizer of a model: a GGUF file's metadata, or tokenizer.json
// (+ tokenizer_config.json) when path is a Hugging Face folder. The weights are not read.
func FromModel(path string) (*Tokenizer, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	if st.IsDir() {
		return FromFiles(path)
	}
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return FromGGUF(f)
}
