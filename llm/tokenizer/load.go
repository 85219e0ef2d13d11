package tokenizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// qwen2Pattern is the split regex this package's pre-tokenizer implements (Qwen2, Qwen2.5, Qwen3).
const qwen2Pattern = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`

// FromFiles loads dir/tokenizer.json and, when present, dir/tokenizer_config.json.
func FromFiles(dir string) (*Tokenizer, error) {
	tjPath := filepath.Join(dir, "tokenizer.json")
	tj, err := os.ReadFile(tjPath)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	cfgPath := filepath.Join(dir, "tokenizer_config.json")
	cfg, err := os.ReadFile(cfgPath)
	if errors.Is(err, os.ErrNotExist) {
		cfg = nil
	} else if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	t, err := fromJSON(tj, cfg)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %s: %w", dir, err)
	}
	return t, nil
}

// FromJSON builds a tokenizer from the contents of tokenizer.json and tokenizer_config.json (configJSON may
// be nil; it contributes the chat template, extra added tokens and the eos token).
func FromJSON(tokenizerJSON, configJSON []byte) (*Tokenizer, error) {
	t, err := fromJSON(tokenizerJSON, configJSON)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	return t, nil
}

type hfAddedToken struct {
	ID         *int32 `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	Lstrip     bool   `json:"lstrip"`
	Rstrip     bool   `json:"rstrip"`
	Normalized *bool  `json:"normalized"`
	Special    bool   `json:"special"`
}

func (a hfAddedToken) toAdded(id int32) addedToken {
	normalized := !a.Special // the Hugging Face default when the flag is absent
	if a.Normalized != nil {
		normalized = *a.Normalized
	}
	return addedToken{id: id, content: a.Content, special: a.Special, lstrip: a.Lstrip, rstrip: a.Rstrip,
		singleWord: a.SingleWord, normalized: normalized}
}

type hfTokenizerFile struct {
	AddedTokens  []hfAddedToken  `json:"added_tokens"`
	Normalizer   json.RawMessage `json:"normalizer"`
	PreTokenizer json.RawMessage `json:"pre_tokenizer"`
	Model        struct {
		Type                    string            `json:"type"`
		Vocab                   map[string]int32  `json:"vocab"`
		Merges                  []json.RawMessage `json:"merges"`
		Dropout                 *float64          `json:"dropout"`
		ContinuingSubwordPrefix *string           `json:"continuing_subword_prefix"`
		EndOfWordSuffix         *string           `json:"end_of_word_suffix"`
		ByteFallback            bool              `json:"byte_fallback"`
		IgnoreMerges            bool              `json:"ignore_merges"`
	} `json:"model"`
}

type hfComponent struct {
	Type          string          `json:"type"`
	Normalizers   []hfComponent   `json:"normalizers"`
	Pretokenizers []hfComponent   `json:"pretokenizers"`
	Pattern       json.RawMessage `json:"pattern"`
	Behavior      string          `json:"behavior"`
	Invert        bool            `json:"invert"`
	AddPrefix     bool            `json:"add_prefix_space"`
	UseRegex      *bool           `json:"use_regex"`
}

func fromJSON(tj, cfg []byte) (*Tokenizer, error) {
	var f hfTokenizerFile
	if err := json.Unmarshal(tj, &f); err != nil {
		return nil, fmt.Errorf("tokenizer.json: %w", err)
	}
	if f.Model.Type != "BPE" && f.Model.Type != "" {
		return nil, fmt.Errorf("tokenizer.json: model type %q is not supported (want BPE)", f.Model.Type)
	}
	if len(f.Model.Vocab) == 0 {
		return nil, errors.New("tokenizer.json: model.vocab is empty")
	}
	if f.Model.ByteFallback {
		return nil, errors.New("tokenizer.json: byte_fallback BPE is not supported")
	}
	if p := f.Model.ContinuingSubwordPrefix; p != nil && *p != "" {
		return nil, fmt.Errorf("tokenizer.json: continuing_subword_prefix %q is not supported", *p)
	}
	if p := f.Model.EndOfWordSuffix; p != nil && *p != "" {
		return nil, fmt.Errorf("tokenizer.json: end_of_word_suffix %q is not supported", *p)
	}
	if d := f.Model.Dropout; d != nil && *d > 0 {
		return nil, fmt.Errorf("tokenizer.json: BPE dropout %v is not supported", *d)
	}
	nfc, err := checkNormalizer(f.Normalizer)
	if err != nil {
		return nil, fmt.Errorf("tokenizer.json: %w", err)
	}
	if err := checkPreTokenizer(f.PreTokenizer); err != nil {
		return nil, fmt.Errorf("tokenizer.json: %w", err)
	}
	s := spec{vocab: f.Model.Vocab, nfc: nfc, ignoreMerges: f.Model.IgnoreMerges}
	s.merges = make([][2]string, len(f.Model.Merges))
	for i, raw := range f.Model.Merges {
		m, err := parseMerge(raw)
		if err != nil {
			return nil, fmt.Errorf("tokenizer.json: merge %d: %w", i, err)
		}
		s.merges[i] = m
	}
	byID := make(map[int32]int)
	for _, a := range f.AddedTokens {
		if a.ID == nil {
			return nil, fmt.Errorf("tokenizer.json: added token %q has no id", a.Content)
		}
		byID[*a.ID] = len(s.added)
		s.added = append(s.added, a.toAdded(*a.ID))
	}
	if cfg != nil {
		c, err := parseConfig(cfg)
		if err != nil {
			return nil, fmt.Errorf("tokenizer_config.json: %w", err)
		}
		s.template = c.template
		// transformers adds tokens that only tokenizer_config.json declares; tokenizer.json wins otherwise.
		for _, a := range c.added {
			if _, ok := byID[a.id]; !ok {
				byID[a.id] = len(s.added)
				s.added = append(s.added, a)
			}
		}
		if c.eos != "" {
			if id, ok := s.vocab[c.eos]; ok {
				s.eos = append(s.eos, id)
			} else if i, ok := findAdded(s.added, c.eos); ok {
				s.eos = append(s.eos, s.added[i].id)
			}
		}
	}
	// An added token whose content is also a BPE token keeps the added token's id for both.
	for _, a := range s.added {
		if id, ok := s.vocab[a.content]; ok && id != a.id {
			return nil, fmt.Errorf("tokenizer.json: added token %q has id %d but the vocabulary says %d", a.content, a.id, id)
		}
	}
	return build(s)
}

func findAdded(added []addedToken, content string) (int, bool) {
	for i, a := range added {
		if a.content == content {
			return i, true
		}
	}
	return 0, false
}

// parseMerge accepts both serializations: "left right" (tokenizers < 0.20) and ["left", "right"].
func parseMerge(raw json.RawMessage) ([2]string, error) {
	var pair []string
	if err := json.Unmarshal(raw, &pair); err == nil {
		if len(pair) != 2 {
			return [2]string{}, fmt.Errorf("want 2 parts, got %d", len(pair))
		}
		return [2]string{pair[0], pair[1]}, nil
	}
	var line string
	if err := json.Unmarshal(raw, &line); err != nil {
		return [2]string{}, fmt.Errorf("neither a string nor a pair: %s", truncate(string(raw)))
	}
	a, b, ok := strings.Cut(line, " ")
	if !ok {
		return [2]string{}, fmt.Errorf("%q has no space", line)
	}
	return [2]string{a, b}, nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// checkNormalizer accepts no normalizer or NFC (possibly inside a Sequence) and reports whether NFC applies.
func checkNormalizer(raw json.RawMessage) (bool, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return false, nil
	}
	var c hfComponent
	if err := json.Unmarshal(raw, &c); err != nil {
		return false, fmt.Errorf("normalizer: %w", err)
	}
	switch c.Type {
	case "NFC":
		return true, nil
	case "Sequence":
		nfc := false
		for _, n := range c.Normalizers {
			if n.Type != "NFC" {
				return false, fmt.Errorf("normalizer %q is not supported", n.Type)
			}
			nfc = true
		}
		return nfc, nil
	}
	return false, fmt.Errorf("normalizer %q is not supported (want NFC)", c.Type)
}

// checkPreTokenizer verifies that tokenizer.json asks for exactly what this package implements: the Qwen2
// split regex (isolated) followed by ByteLevel without prefix space or its own regex.
func checkPreTokenizer(raw json.RawMessage) error {
	var c hfComponent
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("pre_tokenizer: %w", err)
	}
	if c.Type != "Sequence" || len(c.Pretokenizers) != 2 {
		return fmt.Errorf("pre_tokenizer %q is not supported (want Sequence[Split, ByteLevel] of Qwen2)", c.Type)
	}
	sp, bl := c.Pretokenizers[0], c.Pretokenizers[1]
	var pat struct{ Regex string }
	if sp.Type != "Split" || json.Unmarshal(sp.Pattern, &pat) != nil || pat.Regex != qwen2Pattern ||
		sp.Behavior != "Isolated" || sp.Invert {
		return fmt.Errorf("pre_tokenizer split %s is not the Qwen2 pattern", truncate(string(sp.Pattern)))
	}
	if bl.Type != "ByteLevel" || bl.AddPrefix || (bl.UseRegex != nil && *bl.UseRegex) {
		return fmt.Errorf("pre_tokenizer %q after Split is not supported (want ByteLevel, add_prefix_space=false, use_regex=false)", bl.Type)
	}
	return nil
}

type hfConfig struct {
	template string
	added    []addedToken
	eos      string
}

func parseConfig(data []byte) (hfConfig, error) {
	var raw struct {
		AddedTokensDecoder map[string]hfAddedToken `json:"added_tokens_decoder"`
		ChatTemplate       json.RawMessage         `json:"chat_template"`
		EOSToken           json.RawMessage         `json:"eos_token"`
	}
	var c hfConfig
	if err := json.Unmarshal(data, &raw); err != nil {
		return c, err
	}
	for k, a := range raw.AddedTokensDecoder {
		id, err := strconv.ParseInt(k, 10, 32)
		if err != nil {
			return c, fmt.Errorf("added_tokens_decoder key %q: %w", k, err)
		}
		c.added = append(c.added, a.toAdded(int32(id)))
	}
	if len(raw.ChatTemplate) > 0 && string(raw.ChatTemplate) != "null" {
		// A string, or a list of {name, template} where "default" is the chat template.
		if err := json.Unmarshal(raw.ChatTemplate, &c.template); err != nil {
			var list []struct{ Name, Template string }
			if err := json.Unmarshal(raw.ChatTemplate, &list); err != nil {
				return c, fmt.Errorf("chat_template: %w", err)
			}
			for _, t := range list {
				if t.Name == "default" {
					c.template = t.Template
				}
			}
		}
	}
	if len(raw.EOSToken) > 0 && string(raw.EOSToken) != "null" {
		if err := json.Unmarshal(raw.EOSToken, &c.eos); err != nil {
			var obj struct{ Content string }
			if err := json.Unmarshal(raw.EOSToken, &obj); err != nil {
				return c, fmt.Errorf("eos_token: %w", err)
			}
			c.eos = obj.Content
		}
	}
	return c, nil
}
