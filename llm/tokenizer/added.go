package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// matcher finds added tokens in text with leftmost-longest semantics (Hugging Face uses an Aho-Corasick
// automaton in LeftmostLongest mode; a byte trie walked from each candidate position is equivalent and
// plenty fast for a few dozen tokens).
type matcher struct {
	first [256]bool // bytes that start some token
	nodes []trieNode
	toks  []addedToken
}

type trieNode struct {
	next map[byte]int32
	tok  int32 // index into toks, or -1
}

func newMatcher(toks []addedToken) *matcher {
	if len(toks) == 0 {
		return nil
	}
	m := &matcher{nodes: []trieNode{{tok: -1}}}
	for _, a := range toks {
		m.first[a.content[0]] = true
		n := int32(0)
		for i := 0; i < len(a.content); i++ {
			c := a.content[i]
			nx, ok := m.nodes[n].next[c]
			if !ok {
				if m.nodes[n].next == nil {
					m.nodes[n].next = make(map[byte]int32)
				}
				nx = int32(len(m.nodes))
				m.nodes = append(m.nodes, trieNode{tok: -1})
				m.nodes[n].next[c] = nx
			}
			n = nx
		}
		m.nodes[n].tok = int32(len(m.toks))
		m.toks = append(m.toks, a)
	}
	return m
}

// longestAt returns the index (into m.toks) and end of the longest token starting at s[i], or -1.
func (m *matcher) longestAt(s string, i int) (int32, int) {
	best, end := int32(-1), 0
	n := int32(0)
	for j := i; j < len(s); j++ {
		nx, ok := m.nodes[n].next[s[j]]
		if !ok {
			break
		}
		n = nx
		if t := m.nodes[n].tok; t >= 0 {
			best, end = t, j+1
		}
	}
	return best, end
}

// split calls emit for each piece of s in order: a token with its id, or the text between tokens with id
// -1. It follows Hugging Face's AddedVocabulary::find_matches, including how lstrip / rstrip widen a match
// over neighbouring whitespace (which then disappears) and how single_word discards a match inside a word.
func (m *matcher) split(s string, emit func(piece string, id int32)) {
	startOffset := 0
	for i := 0; i < len(s); {
		if !m.first[s[i]] {
			i++
			continue
		}
		ti, stop := m.longestAt(s, i)
		if ti < 0 {
			i++
			continue
		}
		tok := &m.toks[ti]
		start := i
		i = stop // the automaton resumes after the match whatever happens to it
		if tok.singleWord {
			startSpace := start == 0 || !endsWithWord(s[:start])
			stopSpace := stop == len(s) || !startsWithWord(s[stop:])
			if !startSpace || !stopSpace {
				continue
			}
		}
		if tok.lstrip {
			start = max(trailingSpaceStart(s[:start]), startOffset)
		}
		if tok.rstrip {
			stop += leadingSpaceLen(s[stop:])
		}
		if startOffset < start {
			emit(s[startOffset:start], -1)
		}
		emit(s[start:stop], tok.id)
		startOffset = stop
	}
	if startOffset < len(s) {
		emit(s[startOffset:], -1)
	}
}

func endsWithWord(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return isWordRune(r)
}

func startsWithWord(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return isWordRune(r)
}

// trailingSpaceStart returns where the run of whitespace that ends s begins.
func trailingSpaceStart(s string) int {
	for len(s) > 0 {
		r, w := utf8.DecodeLastRuneInString(s)
		if !unicode.IsSpace(r) {
			break
		}
		s = s[:len(s)-w]
	}
	return len(s)
}

// leadingSpaceLen returns the byte length of the whitespace run that starts s.
func leadingSpaceLen(s string) int {
	n := 0
	for n < len(s) {
		r, w := utf8.DecodeRuneInString(s[n:])
		if !unicode.IsSpace(r) {
			break
		}
		n += w
	}
	return n
}
