package safetensors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// object is a decoded JSON object whose fields are read with typed getters. The first type error is kept in
// err (with the field's path) so that callers read every field and check once.
type object struct {
	path   string // "" at the top level, "text_config." inside a nested object
	fields map[string]json.RawMessage
	err    error
}

func parseObject(path string, raw []byte) (*object, error) {
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("%s: not a JSON object", trimDot(path))
	}
	return &object{path: path, fields: m}, nil
}

func trimDot(p string) string {
	if p == "" {
		return "top level"
	}
	return p[:len(p)-1]
}

// has reports whether key is present and not null.
func (o *object) has(key string) bool {
	raw, ok := o.fields[key]
	return ok && string(bytes.TrimSpace(raw)) != "null"
}

func (o *object) fail(key, want string) {
	if o.err == nil {
		o.err = fmt.Errorf("%s%s: want %s, got %s", o.path, key, want, truncate(string(o.fields[key]), 60))
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// sub returns the nested object at key, or nil when it is absent or null.
func (o *object) sub(key string) *object {
	if !o.has(key) {
		return nil
	}
	s, err := parseObject(o.path+key+".", o.fields[key])
	if err != nil {
		o.fail(key, "an object")
		return nil
	}
	return s
}

func (o *object) str(key, def string) string {
	if !o.has(key) {
		return def
	}
	var s string
	if err := json.Unmarshal(o.fields[key], &s); err != nil {
		o.fail(key, "a string")
		return def
	}
	return s
}

func (o *object) boolean(key string, def bool) bool {
	if !o.has(key) {
		return def
	}
	var b bool
	if err := json.Unmarshal(o.fields[key], &b); err != nil {
		o.fail(key, "true or false")
		return def
	}
	return b
}

func (o *object) float(key string, def float64) float64 {
	if !o.has(key) {
		return def
	}
	f, err := strconv.ParseFloat(string(bytes.TrimSpace(o.fields[key])), 64)
	if err != nil {
		o.fail(key, "a number")
		return def
	}
	return f
}

// integer accepts a JSON number with an integral value (1024 or 1024.0).
func (o *object) integer(key string, def int64) int64 {
	if !o.has(key) {
		return def
	}
	v, ok := parseInteger(o.fields[key])
	if !ok {
		o.fail(key, "an integer")
		return def
	}
	return v
}

func parseInteger(raw json.RawMessage) (int64, bool) {
	s := string(bytes.TrimSpace(raw))
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// integers reads an array of integers; a single integer is accepted as a one-element list when scalarOK.
func (o *object) integers(key string, scalarOK bool) []int64 {
	if !o.has(key) {
		return nil
	}
	raw := o.fields[key]
	if scalarOK {
		if v, ok := parseInteger(raw); ok {
			return []int64{v}
		}
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		o.fail(key, "a list of integers")
		return nil
	}
	out := make([]int64, len(items))
	for i, it := range items {
		v, ok := parseInteger(it)
		if !ok {
			o.fail(key, "a list of integers")
			return nil
		}
		out[i] = v
	}
	return out
}

func (o *object) strings(key string) []string {
	if !o.has(key) {
		return nil
	}
	var s []string
	if err := json.Unmarshal(o.fields[key], &s); err != nil {
		o.fail(key, "a list of strings")
		return nil
	}
	return s
}

func toInts(v []int64) []int {
	if v == nil {
		return nil
	}
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}
