package tokenizer

import "unicode"

// bmpClass holds runeClass for every code point below U+10000, built once from the generated reference
// tables (unicode_tables.go) so that the hot path is one array load instead of a binary search.
var bmpClass = func() *[0x10000]uint8 {
	var t [0x10000]uint8
	for r := 0; r < len(t); r++ {
		if r < 0x80 {
			t[r] = asciiClass[r]
			continue
		}
		t[r] = slowClass(rune(r))
	}
	return &t
}()

func slowClass(r rune) uint8 {
	switch {
	case unicode.Is(refLetter, r):
		return clsLetter
	case unicode.Is(refNumber, r):
		return clsNumber
	case unicode.Is(refSpace, r):
		return clsSpace
	}
	return clsOther
}

// runeClass classifies r as the reference's regex engine does (\r and \n are clsNewline).
func runeClass(r rune) uint8 {
	if r >= 0 && r < 0x10000 {
		return bmpClass[r]
	}
	return slowClass(r)
}
