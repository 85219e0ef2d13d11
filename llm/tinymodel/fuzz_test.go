package tinymodel

import (
	"encoding/json"
	"testing"
)

// smallTokenizerJSON is a valid byte-level tokenizer.json: the 256 byte tokens, two merges, Qwen3's added tokens.
func smallTokenizerJSON(t testing.TB) []byte {
	v := &Vocab{Added: qwen3AddedTokens}
	for _, b := range byteOrder {
		v.BPE = append(v.BPE, byteLevel(string([]byte{b})))
	}
	v.BPE = append(v.BPE, "ab", "Ġab")
	v.Merges = [][2]string{{"a", "b"}, {"Ġ", "ab"}}
	b, err := json.Marshal(tokenizerJSON(v))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseSmallTokenizerJSON(t *testing.T) {
	v, err := parseTokenizerJSON(smallTokenizerJSON(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.BPE) != 258 || len(v.Merges) != 2 || v.Rows != 384 || v.EOS() != 260 || v.SourceIDs != nil {
		t.Errorf("%d tokens, %d merges, %d rows, eos %d", len(v.BPE), len(v.Merges), v.Rows, v.EOS())
	}
	r, err := parseTokenizerJSON(smallTokenizerJSON(t), 257)
	if err != nil {
		t.Fatal(err)
	}
	// "Ġab" (id 257) is cut, so only the first merge survives; the added tokens follow at 257.
	if len(r.BPE) != 257 || len(r.Merges) != 1 || r.BOS() != 257 || r.SourceIDs[257] != 258 || r.SourceIDs[283] != 284 {
		t.Errorf("reduced: %d tokens, %d merges, bos %d, sources %v", len(r.BPE), len(r.Merges), r.BOS(), r.SourceIDs[255:])
	}
}

// FuzzParseTokenizerJSON: no input may panic the vocabulary reader, and an accepted vocabulary must be usable:
// consistent sizes, merges over existing tokens, source rows in range.
func FuzzParseTokenizerJSON(f *testing.F) {
	f.Add(smallTokenizerJSON(f), 0)
	f.Add(smallTokenizerJSON(f), 257)
	f.Add([]byte(`{"model":{"type":"BPE","vocab":{"a":0},"merges":["a a"]}}`), 0)
	f.Add([]byte(`{"model":{"type":"BPE","vocab":{"a":1},"merges":[["a"]]}}`), 5)
	f.Fuzz(func(t *testing.T, data []byte, keep int) {
		v, err := parseTokenizerJSON(data, keep)
		if err != nil {
			return
		}
		if err := v.check(); err != nil {
			t.Fatalf("accepted vocabulary fails check: %v", err)
		}
		ids := map[string]bool{}
		for _, s := range v.BPE {
			ids[s] = true
		}
		for _, m := range v.Merges {
			if !ids[m[0]] || !ids[m[1]] || !ids[m[0]+m[1]] {
				t.Fatalf("merge %q over missing tokens", m)
			}
		}
		for _, s := range v.SourceIDs {
			if s < 0 || s >= v.SourceRows {
				t.Fatalf("source row %d outside %d", s, v.SourceRows)
			}
		}
		for i := 0; i < v.Rows; i++ {
			_ = v.Token(i)
			_ = v.TokenType(i)
		}
	})
}
