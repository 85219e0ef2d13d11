package tokenizer

import "unicode/utf8"

// byteRunes is GPT-2's byte-to-unicode table: printable bytes map to themselves, the other 68 bytes, in
// increasing order, to U+0100 onwards. Vocabulary strings are written in this alphabet ("Ġthe" = " the").
var byteRunes = func() (t [256]rune) {
	n := rune(0)
	for b := 0; b < 256; b++ {
		if (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			t[b] = rune(b)
		} else {
			t[b] = 0x100 + n
			n++
		}
	}
	return t
}()

// runeBytes inverts byteRunes; runeBytes[r] is -1 for runes outside the table.
var runeBytes = func() (t [0x144]int16) {
	for i := range t {
		t[i] = -1
	}
	for b, r := range byteRunes {
		t[r] = int16(b)
	}
	return t
}()

// byteLevelString maps raw bytes to their vocabulary spelling.
func byteLevelString(b []byte) string {
	out := make([]rune, len(b))
	for i, c := range b {
		out[i] = byteRunes[c]
	}
	return string(out)
}

// byteLevelDecode maps a vocabulary string back to bytes. Like the Hugging Face ByteLevel decoder, a token
// containing a rune outside the table (e.g. an unusual GGUF entry) is taken as its raw UTF-8 bytes.
func byteLevelDecode(tok string) []byte {
	out := make([]byte, 0, len(tok))
	for _, r := range tok {
		if r < 0 || int(r) >= len(runeBytes) || runeBytes[r] < 0 {
			return []byte(tok)
		}
		out = append(out, byte(runeBytes[r]))
	}
	return out
}

// appendValidUTF8 appends src to dst, replacing each maximal invalid subsequence (Unicode §3.9, "substitution
// of maximal subparts") by one U+FFFD. This is what Python's bytes.decode(errors="replace"), Rust's
// String::from_utf8_lossy and JavaScript's TextDecoder do, so decoded text matches theirs.
func appendValidUTF8(dst, src []byte) []byte {
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if r != utf8.RuneError || size > 1 {
			dst = append(dst, src[i:i+size]...)
			i += size
			continue
		}
		n := validPrefixLen(src[i:])
		if n == 0 {
			n = 1
		}
		dst = append(dst, "\uFFFD"...)
		i += n
	}
	return dst
}

// validPrefixLen returns how many leading bytes of b form a proper prefix of a well-formed UTF-8 sequence
// (0 when b[0] cannot start one). It is only called where a full character does not decode.
func validPrefixLen(b []byte) int {
	c := b[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c == 0xED:
		need, hi = 2, 0x9F
	case c >= 0xE1 && c <= 0xEF:
		need = 2
	case c == 0xF0:
		need, lo = 3, 0x90
	case c == 0xF4:
		need, hi = 3, 0x8F
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	default:
		return 0
	}
	n := 1
	for n <= need && n < len(b) {
		if b[n] < lo || b[n] > hi {
			break
		}
		lo, hi = 0x80, 0xBF
		n++
	}
	if n > need {
		return 0 // a complete sequence: not a proper prefix (cannot happen for callers, kept for safety)
	}
	return n
}

// incompleteTail returns the length of a trailing proper prefix of a UTF-8 character in b, i.e. bytes that
// might still become a valid character when more bytes arrive.
func incompleteTail(b []byte) int {
	for k := 1; k <= 3 && k <= len(b); k++ {
		c := b[len(b)-k]
		if c&0xC0 == 0x80 {
			continue // continuation byte: keep looking for the lead
		}
		if c < 0xC0 {
			return 0
		}
		if validPrefixLen(b[len(b)-k:]) == k {
			return k
		}
		return 0
	}
	return 0
}

// toValidUTF8 returns s with invalid sequences replaced as in appendValidUTF8 (s itself when already valid).
func toValidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string(appendValidUTF8(make([]byte, 0, len(s)+8), []byte(s)))
}
