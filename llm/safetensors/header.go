package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"sort"
	"strconv"
)

// MaxHeaderSize is the largest JSON header accepted, the same limit as the reference implementation.
const MaxHeaderSize = 100_000_000

const metadataKey = "__metadata__"

// ErrInvalid is wrapped by every error that reports a malformed file.
var ErrInvalid = errors.New("invalid safetensors file")

func invalidf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}

// header is the parsed and validated JSON header of one file.
type header struct {
	size     int64 // bytes of JSON after the 8-byte length prefix
	tensors  []Tensor
	metadata map[string]string
}

// parseHeader validates the header of a file whose complete contents are buf and returns the tensors with
// Data pointing into buf.
func parseHeader(buf []byte) (*header, error) {
	if len(buf) < 8 {
		return nil, invalidf("file is %d bytes, shorter than the 8-byte header length", len(buf))
	}
	n := binary.LittleEndian.Uint64(buf)
	if n > MaxHeaderSize {
		return nil, invalidf("header length %d exceeds the %d-byte limit", n, MaxHeaderSize)
	}
	if n > uint64(len(buf)-8) {
		return nil, invalidf("header length %d runs past the end of the %d-byte file", n, len(buf))
	}
	js := buf[8 : 8+n]
	if len(js) == 0 || js[0] != '{' {
		return nil, invalidf("header does not start with '{'")
	}
	data := buf[8+n:]
	h := &header{size: int64(n)}

	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // the opening '{', checked above
		return nil, invalidf("header JSON: %v", err)
	}
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, invalidf("header JSON: %v", err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, invalidf("header JSON: object key expected, got %v", tok)
		}
		if seen[name] {
			return nil, invalidf("header lists %q twice", name)
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, invalidf("header JSON: value of %q: %v", name, err)
		}
		if name == metadataKey {
			md, err := parseMetadata(raw)
			if err != nil {
				return nil, err
			}
			h.metadata = md
			continue
		}
		t, err := parseTensorInfo(name, raw, data)
		if err != nil {
			return nil, err
		}
		h.tensors = append(h.tensors, t)
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, invalidf("header JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, invalidf("header JSON: unexpected data after the top-level object")
	}
	if err := checkOverlaps(h.tensors); err != nil {
		return nil, err
	}
	if h.metadata == nil {
		h.metadata = map[string]string{}
	}
	return h, nil
}

func parseMetadata(raw json.RawMessage) (map[string]string, error) {
	if string(raw) == "null" {
		return map[string]string{}, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, invalidf("%s must be an object of strings: %v", metadataKey, err)
	}
	md := make(map[string]string, len(m))
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			return nil, invalidf("%s[%q] is not a string", metadataKey, k)
		}
		md[k] = s
	}
	return md, nil
}

// parseTensorInfo checks one header entry against the data section and returns the tensor it describes.
func parseTensorInfo(name string, raw json.RawMessage, data []byte) (Tensor, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return Tensor{}, invalidf("tensor %q: entry is not a JSON object", name)
	}
	var dtype string
	if err := json.Unmarshal(fields["dtype"], &dtype); err != nil || fields["dtype"] == nil {
		return Tensor{}, invalidf("tensor %q: missing or non-string dtype", name)
	}
	dt := DType(dtype)
	if !dt.Known() {
		return Tensor{}, invalidf("tensor %q: unknown dtype %q", name, dtype)
	}
	var shapeNums []json.Number
	if err := unmarshalNumbers(fields["shape"], &shapeNums); err != nil {
		return Tensor{}, invalidf("tensor %q: shape: %v", name, err)
	}
	shape := make([]int64, len(shapeNums))
	count := uint64(1)
	overflow := false
	for i, num := range shapeNums {
		v, err := strconv.ParseInt(num.String(), 10, 64)
		if err != nil || v < 0 {
			return Tensor{}, invalidf("tensor %q: shape[%d] = %s is not a non-negative integer", name, i, num)
		}
		shape[i] = v
		hi, lo := bits.Mul64(count, uint64(v))
		if hi != 0 {
			overflow = true
		}
		count = lo
	}
	var offNums []json.Number
	if err := unmarshalNumbers(fields["data_offsets"], &offNums); err != nil {
		return Tensor{}, invalidf("tensor %q: data_offsets: %v", name, err)
	}
	if len(offNums) != 2 {
		return Tensor{}, invalidf("tensor %q: data_offsets has %d values, want [begin, end]", name, len(offNums))
	}
	var off [2]uint64
	for i, num := range offNums {
		v, err := strconv.ParseUint(num.String(), 10, 64)
		if err != nil {
			return Tensor{}, invalidf("tensor %q: data_offsets[%d] = %s is not a non-negative integer", name, i, num)
		}
		off[i] = v
	}
	begin, end := off[0], off[1]
	if begin > end {
		return Tensor{}, invalidf("tensor %q: data_offsets [%d, %d] end before they begin", name, begin, end)
	}
	if end > uint64(len(data)) {
		return Tensor{}, invalidf("tensor %q: data_offsets [%d, %d] run past the %d-byte data section", name, begin, end, len(data))
	}
	nbytes, err := dt.byteSize(count)
	if overflow || (err == nil && nbytes > math.MaxInt64) {
		return Tensor{}, invalidf("tensor %q: shape %v of %s is too large", name, shape, dt)
	}
	if err != nil {
		return Tensor{}, invalidf("tensor %q: shape %v: %v", name, shape, err)
	}
	if nbytes != end-begin {
		return Tensor{}, invalidf("tensor %q: shape %v of %s needs %d bytes but data_offsets [%d, %d] hold %d",
			name, shape, dt, nbytes, begin, end, end-begin)
	}
	return Tensor{Name: name, DType: dt, Shape: shape, Data: data[begin:end:end], begin: int64(begin)}, nil
}

// unmarshalNumbers decodes a JSON array of numbers, keeping their text so that large integers stay exact.
func unmarshalNumbers(raw json.RawMessage, out *[]json.Number) error {
	if raw == nil {
		return errors.New("missing")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var vals []any
	if err := dec.Decode(&vals); err != nil || vals == nil {
		return errors.New("not an array")
	}
	nums := make([]json.Number, len(vals))
	for i, v := range vals {
		num, ok := v.(json.Number)
		if !ok {
			return fmt.Errorf("element %d is not a number", i)
		}
		nums[i] = num
	}
	*out = nums
	return nil
}

// checkOverlaps rejects tensors whose byte ranges share any byte. Empty tensors occupy nothing.
func checkOverlaps(ts []Tensor) error {
	idx := make([]int, 0, len(ts))
	for i := range ts {
		if len(ts[i].Data) > 0 {
			idx = append(idx, i)
		}
	}
	sort.Slice(idx, func(a, b int) bool { return ts[idx[a]].begin < ts[idx[b]].begin })
	for k := 1; k < len(idx); k++ {
		prev, cur := &ts[idx[k-1]], &ts[idx[k]]
		if cur.begin < prev.begin+int64(len(prev.Data)) {
			return invalidf("tensors %q [%d, %d] and %q [%d, %d] overlap", prev.Name, prev.begin,
				prev.begin+int64(len(prev.Data)), cur.Name, cur.begin, cur.begin+int64(len(cur.Data)))
		}
	}
	return nil
}
