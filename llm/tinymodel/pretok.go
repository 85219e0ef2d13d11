package tinymodel

import (
	"unicode"
	"unicode/utf8"
)

// preTokenize splits text like the Qwen2 pre-tokenizer regex (spec §4.2 step 3)
//
//	(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// with a hand scanner, because Go's regexp has no look-ahead. The BPE trainer learns merges inside these pieces
// only, as the tokenizer applies them.
func preTokenize(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		e := preTokenEnd(s, i)
		out = append(out, s[i:e])
		i = e
	}
	return out
}

func isL(r rune) bool  { return unicode.IsLetter(r) }
func isN(r rune) bool  { return unicode.IsNumber(r) }
func isWS(r rune) bool { return unicode.IsSpace(r) }
func isNL(r rune) bool { return r == '\r' || r == '\n' }

func runeAt(s string, i int) (rune, int) { return utf8.DecodeRuneInString(s[i:]) }

func preTokenEnd(s string, i int) int {
	c, n := runeAt(s, i)
	if c == '\'' {
		if k := contraction(s[i+n:]); k > 0 {
			return i + n + k
		}
	}
	if isL(c) {
		return letterRunEnd(s, i)
	}
	if !isN(c) && !isNL(c) && i+n < len(s) {
		if c2, _ := runeAt(s, i+n); isL(c2) {
			return letterRunEnd(s, i+n)
		}
	}
	if isN(c) {
		return i + n
	}
	j := i
	if c == ' ' {
		j = i + n
	}
	if j < len(s) {
		if cj, _ := runeAt(s, j); !isWS(cj) && !isL(cj) && !isN(cj) {
			k := j
			for k < len(s) {
				r, m := runeAt(s, k)
				if isWS(r) || isL(r) || isN(r) {
					break
				}
				k += m
			}
			for k < len(s) && (s[k] == '\r' || s[k] == '\n') {
				k++
			}
			return k
		}
	}
	// Here c is whitespace: take the maximal whitespace run [i, e).
	e, lastNL, lastStart, runes := i, -1, i, 0
	for e < len(s) {
		r, m := runeAt(s, e)
		if !isWS(r) {
			break
		}
		if isNL(r) {
			lastNL = e
		}
		lastStart = e
		runes++
		e += m
	}
	switch {
	case lastNL >= 0: // \s*[\r\n]+
		return lastNL + 1
	case e == len(s): // \s+ at the end of the text
		return e
	case runes >= 2: // \s+(?!\S) leaves the last space for the next word
		return lastStart
	default:
		return e
	}
}

func letterRunEnd(s string, i int) int {
	for i < len(s) {
		r, m := runeAt(s, i)
		if !isL(r) {
			break
		}
		i += m
	}
	return i
}

// contraction returns the length of the contraction suffix ('s, 't, 're, 've, 'm, 'll, 'd, any case) at the
// start of s (the apostrophe already consumed), or 0.
func contraction(s string) int {
	lower := func(i int) byte {
		if i >= len(s) {
			return 0
		}
		b := s[i]
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		return b
	}
	switch lower(0) {
	case 's', 't', 'm', 'd':
		return 1
	case 'r':
		if lower(1) == 'e' {
			return 2
		}
	case 'v':
		if lower(1) == 'e' {
			return 2
		}
	case 'l':
		if lower(1) == 'l' {
			return 2
		}
	}
	return 0
}
