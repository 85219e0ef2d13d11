package tokenizer

// StreamDecoder turns ids into text one at a time during generation. It holds back the bytes of a
// character that is split across ids until the rest arrives, so it never emits half a UTF-8 character;
// concatenating everything Add and Flush return gives exactly Decode of all ids.
type StreamDecoder struct {
	t       *Tokenizer
	pending []byte
}

// NewStreamDecoder returns a decoder with no pending bytes.
func (t *Tokenizer) NewStreamDecoder() *StreamDecoder { return &StreamDecoder{t: t} }

// Add appends id and returns the text that became complete (possibly "").
func (d *StreamDecoder) Add(id int32) string {
	d.pending = append(d.pending, d.t.tokenBytes(id)...)
	keep := incompleteTail(d.pending)
	ready := d.pending[:len(d.pending)-keep]
	if len(ready) == 0 {
		return ""
	}
	s := string(appendValidUTF8(make([]byte, 0, len(ready)), ready))
	d.pending = append(d.pending[:0], d.pending[len(ready):]...)
	return s
}

// Flush returns whatever is still held back (an incomplete character becomes U+FFFD) and resets the decoder.
func (d *StreamDecoder) Flush() string {
	s := string(appendValidUTF8(nil, d.pending))
	d.pending = d.pending[:0]
	return s
}
