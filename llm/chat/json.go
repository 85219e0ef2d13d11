package chat

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/ardanlabs/jinja"
)

// maxJSONDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxJSONDepth = 256

// ValueFromJSON decodes one JSON value into a template value, keeping the key order of every object.
//
// The order matters: the template's tojson filter writes tools and tool-call arguments in the order their
// keys have, and the reference renderer keeps the order of the input. Plain Go maps would sort the keys.
//
// Numbers follow what the reference renderer (JavaScript) prints: integer literals stay integers, and a
// literal with a fraction or exponent whose value is a whole number (2.0, 1e3) becomes that integer ("2",
// "1000"), as JSON.stringify writes it.
func ValueFromJSON(data []byte) (jinja.Value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return jinja.Undefined(), fmt.Errorf("chat: json: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return jinja.Undefined(), errors.New("chat: json: unexpected data after the value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, depth int) (jinja.Value, error) {
	if depth > maxJSONDepth {
		return jinja.Undefined(), fmt.Errorf("nested deeper than %d levels", maxJSONDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return jinja.Undefined(), err
	}
	switch t := tok.(type) {
	case nil:
		return jinja.None(), nil
	case bool:
		return jinja.NewBool(t), nil
	case string:
		return jinja.NewString(t), nil
	case json.Number:
		return numberValue(string(t))
	case json.Delim:
		switch t {
		case '[':
			var items []jinja.Value
			for dec.More() {
				item, err := decodeValue(dec, depth+1)
				if err != nil {
					return jinja.Undefined(), err
				}
				items = append(items, item)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return jinja.Undefined(), err
			}
			return jinja.NewList(items), nil
		case '{':
			d := jinja.NewDict()
			dict := d.AsDict()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return jinja.Undefined(), err
				}
				key, ok := kt.(string)
				if !ok {
					return jinja.Undefined(), fmt.Errorf("object key %v is not a string", kt)
				}
				val, err := decodeValue(dec, depth+1)
				if err != nil {
					return jinja.Undefined(), fmt.Errorf("key %q: %w", key, err)
				}
				dict.Set(key, val) // a repeated key keeps its first position and the last value, as in JSON.parse
			}
			if _, err := dec.Token(); err != nil { // '}'
				return jinja.Undefined(), err
			}
			return d, nil
		}
	}
	return jinja.Undefined(), fmt.Errorf("unexpected token %v", tok)
}

func numberValue(s string) (jinja.Value, error) {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return jinja.NewInt(i), nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return jinja.Undefined(), fmt.Errorf("number %q: %w", s, err)
	}
	if math.IsInf(f, 0) {
		return jinja.Undefined(), fmt.Errorf("number %q is out of range", s)
	}
	// Whole numbers that fit an int64 print as integers, as JavaScript prints them.
	if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
		return jinja.NewInt(int64(f)), nil
	}
	return jinja.NewFloat(f), nil
}
