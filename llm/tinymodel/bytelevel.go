package tinymodel

// byteOrder lists the 256 byte values in the order of the GPT-2 byte-to-unicode table: the printable bytes
// 0x21-0x7E, 0xA1-0xAC, 0xAE-0xFF first (each shown as the rune of the same code point), then the other 68 in
// increasing order (shown as U+0100, U+0101, ...). Byte-level BPE vocabularies (Qwen's included) give the 256
// single-byte tokens ids 0-255 in exactly this order.
var byteOrder = func() (order [256]byte) {
	n := 0
	for b := 0; b < 256; b++ {
		if printableByte(byte(b)) {
			order[n] = byte(b)
			n++
		}
	}
	for b := 0; b < 256; b++ {
		if !printableByte(byte(b)) {
			order[n] = byte(b)
			n++
		}
	}
	return order
}()

// byteRune maps a byte to the rune that stands for it in vocabulary strings.
var byteRune = func() (t [256]rune) {
	extra := rune(0x100)
	for b := 0; b < 256; b++ {
		if printableByte(byte(b)) {
			t[b] = rune(b)
		} else {
			t[b] = extra
			extra++
		}
	}
	return t
}()

// byteID maps a byte to the id of its single-byte token.
var byteID = func() (t [256]int32) {
	for id, b := range byteOrder {
		t[b] = int32(id)
	}
	return t
}()

func printableByte(b byte) bool {
	return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE
}

// byteLevel returns the vocabulary spelling of raw bytes.
func byteLevel(s string) string {
	r := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		r[i] = byteRune[s[i]]
	}
	return string(r)
}
