package tokenizer

import "unicode/utf8"

// Rune classes of the Qwen2 split pattern
//
//	(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
const (
	clsOther   = iota // none of the below: punctuation, symbols, marks, controls, unassigned
	clsLetter         // \p{L}
	clsNumber         // \p{N}
	clsSpace          // \s other than \r and \n
	clsNewline        // \r or \n (also \s)
)

var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for c := 0; c < utf8.RuneSelf; c++ {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			t[c] = clsLetter
		case c >= '0' && c <= '9':
			t[c] = clsNumber
		case c == '\r' || c == '\n':
			t[c] = clsNewline
		case c == ' ', c >= '\t' && c <= '\f':
			t[c] = clsSpace
		default:
			t[c] = clsOther
		}
	}
	return t
}()

// decodeClass decodes the rune at s[i:] and classifies it. s is valid UTF-8.
func decodeClass(s string, i int) (r rune, size int, cls uint8) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1, asciiClass[c]
	}
	r, size = utf8.DecodeRuneInString(s[i:])
	return r, size, runeClass(r)
}

// preTokenEnd returns the end of the pre-token that starts at s[i] (i < len(s)); s is valid UTF-8.
//
// It reproduces the leftmost-first alternation of the pattern above, including the effect of backtracking:
// alternatives are tried in order at position i and the first that matches decides the end.
func preTokenEnd(s string, i int) int {
	r, w, cls := decodeClass(s, i)

	// 1. (?i:'s|'t|'re|'ve|'m|'ll|'d)
	if r == '\'' {
		if n := contraction(s[i+1:]); n > 0 {
			return i + 1 + n
		}
	}
	// 2. [^\r\n\p{L}\p{N}]?\p{L}+
	if cls == clsLetter {
		return letterRunEnd(s, i+w)
	}
	if cls == clsOther || cls == clsSpace {
		if j := i + w; j < len(s) {
			if _, w2, c2 := decodeClass(s, j); c2 == clsLetter {
				return letterRunEnd(s, j+w2)
			}
		}
	}
	// 3. \p{N}
	if cls == clsNumber {
		return i + w
	}
	// 4. ` ?[^\s\p{L}\p{N}]+[\r\n]*` (only U+0020 may lead)
	j := i
	if r == ' ' {
		j = i + 1
	}
	if j < len(s) {
		if _, wj, cj := decodeClass(s, j); cj == clsOther {
			k := j + wj
			for k < len(s) {
				_, wk, ck := decodeClass(s, k)
				if ck != clsOther {
					break
				}
				k += wk
			}
			for k < len(s) && (s[k] == '\r' || s[k] == '\n') {
				k++
			}
			return k
		}
	}
	// Here r is whitespace. Find the whitespace run [i, e) and its last newline.
	e, lastNL, lastW, runes := i, -1, 0, 0
	for e < len(s) {
		_, we, ce := decodeClass(s, e)
		if ce != clsSpace && ce != clsNewline {
			break
		}
		if ce == clsNewline {
			lastNL = e
		}
		e += we
		lastW = we
		runes++
	}
	// 5. \s*[\r\n]+ : backtracking gives back whitespace until the last newline of the run.
	if lastNL >= 0 {
		return lastNL + 1
	}
	// 6. \s+(?!\S) : the whole run at the end of the text, else all but its last rune (which then leads the
	// next pre-token) when that leaves at least one.
	if e == len(s) {
		return e
	}
	if runes >= 2 {
		return e - lastW
	}
	// 7. \s+
	return e
}

// letterRunEnd returns the end of the maximal run of letters starting at s[i].
func letterRunEnd(s string, i int) int {
	for i < len(s) {
		_, w, c := decodeClass(s, i)
		if c != clsLetter {
			break
		}
		i += w
	}
	return i
}

// contraction matches s|t|re|ve|m|ll|d case-insensitively at the start of s and returns its byte length.
// Unicode simple case folding makes U+017F LATIN SMALL LETTER LONG S match "s" as well (the reference's
// regex engine folds it; transformers.js's rewrite of the pattern does not).
func contraction(s string) int {
	if len(s) == 0 {
		return 0
	}
	lower := func(c byte) byte { return c | 0x20 }
	switch lower(s[0]) {
	case 's':
		return 1
	case 't':
		return 1
	case 'm':
		return 1
	case 'd':
		return 1
	case 'r', 'v':
		if len(s) >= 2 && lower(s[1]) == 'e' {
			return 2
		}
	case 'l':
		if len(s) >= 2 && lower(s[1]) == 'l' {
			return 2
		}
	}
	if len(s) >= 2 && s[0] == 0xC5 && s[1] == 0xBF { // ſ
		return 2
	}
	return 0
}
