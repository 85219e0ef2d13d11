package gguf

import (
	"fmt"
	"math"
)

func (f *File) keyErr(key, format string, a ...any) error {
	return fmt.Errorf("gguf: %s: key %q: %s", f.path, key, fmt.Sprintf(format, a...))
}

func (f *File) lookup(key string) (any, error) {
	v, ok := f.Get(key)
	if !ok {
		return nil, f.keyErr(key, "missing")
	}
	return v, nil
}

// Architecture returns general.architecture, or "" when absent or not a string.
func (f *File) Architecture() string {
	s, _ := f.String("general.architecture")
	return s
}

// String returns a string value.
func (f *File) String(key string) (string, error) {
	v, err := f.lookup(key)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", f.keyErr(key, "is %s, want string", typeName(v))
	}
	return s, nil
}

// Uint returns an integer value of any integer type, which must not be negative.
func (f *File) Uint(key string) (uint64, error) {
	v, err := f.lookup(key)
	if err != nil {
		return 0, err
	}
	if u, ok := v.(uint64); ok {
		return u, nil
	}
	i, ok := asInt64(v)
	if !ok {
		return 0, f.keyErr(key, "is %s, want an integer", typeName(v))
	}
	if i < 0 {
		return 0, f.keyErr(key, "is %d, want a non-negative integer", i)
	}
	return uint64(i), nil
}

// Float returns a float32/float64 (or integer) value as float64.
func (f *File) Float(key string) (float64, error) {
	v, err := f.lookup(key)
	if err != nil {
		return 0, err
	}
	switch x := v.(type) {
	case float32:
		return float64(x), nil
	case float64:
		return x, nil
	case uint64:
		return float64(x), nil
	}
	if i, ok := asInt64(v); ok {
		return float64(i), nil
	}
	return 0, f.keyErr(key, "is %s, want a number", typeName(v))
}

// Bool returns a bool value.
func (f *File) Bool(key string) (bool, error) {
	v, err := f.lookup(key)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, f.keyErr(key, "is %s, want bool", typeName(v))
	}
	return b, nil
}

// Strings returns a string array.
func (f *File) Strings(key string) ([]string, error) {
	v, err := f.lookup(key)
	if err != nil {
		return nil, err
	}
	if a, ok := v.(Array); ok {
		if s, ok := a.Values.([]string); ok {
			return s, nil
		}
	}
	return nil, f.keyErr(key, "is %s, want array of string", typeName(v))
}

// Ints returns an array of any integer type as int64 values.
func (f *File) Ints(key string) ([]int64, error) {
	v, err := f.lookup(key)
	if err != nil {
		return nil, err
	}
	a, ok := v.(Array)
	if !ok {
		return nil, f.keyErr(key, "is %s, want an integer array", typeName(v))
	}
	out, err := arrayInts(a)
	if err != nil {
		return nil, f.keyErr(key, "%v", err)
	}
	return out, nil
}

// Floats returns an array of float32, float64 or integers as float32 values.
func (f *File) Floats(key string) ([]float32, error) {
	v, err := f.lookup(key)
	if err != nil {
		return nil, err
	}
	a, ok := v.(Array)
	if !ok {
		return nil, f.keyErr(key, "is %s, want a numeric array", typeName(v))
	}
	switch x := a.Values.(type) {
	case []float32:
		return x, nil
	case []float64:
		out := make([]float32, len(x))
		for i, e := range x {
			out[i] = float32(e)
		}
		return out, nil
	}
	ints, err := arrayInts(a)
	if err != nil {
		return nil, f.keyErr(key, "is %s, want a numeric array", typeName(v))
	}
	out := make([]float32, len(ints))
	for i, e := range ints {
		out[i] = float32(e)
	}
	return out, nil
}

// Bools returns a bool array.
func (f *File) Bools(key string) ([]bool, error) {
	v, err := f.lookup(key)
	if err != nil {
		return nil, err
	}
	if a, ok := v.(Array); ok {
		if b, ok := a.Values.([]bool); ok {
			return b, nil
		}
	}
	return nil, f.keyErr(key, "is %s, want array of bool", typeName(v))
}

func arrayInts(a Array) ([]int64, error) {
	conv := func(n int, at func(int) int64) []int64 {
		out := make([]int64, n)
		for i := range out {
			out[i] = at(i)
		}
		return out
	}
	switch x := a.Values.(type) {
	case []uint8:
		return conv(len(x), func(i int) int64 { return int64(x[i]) }), nil
	case []int8:
		return conv(len(x), func(i int) int64 { return int64(x[i]) }), nil
	case []uint16:
		return conv(len(x), func(i int) int64 { return int64(x[i]) }), nil
	case []int16:
		return conv(len(x), func(i int) int64 { return int64(x[i]) }), nil
	case []uint32:
		return conv(len(x), func(i int) int64 { return int64(x[i]) }), nil
	case []int32:
		return conv(len(x), func(i int) int64 { return int64(x[i]) }), nil
	case []int64:
		return x, nil
	case []uint64:
		for _, e := range x {
			if e > math.MaxInt64 {
				return nil, fmt.Errorf("value %d does not fit in int64", e)
			}
		}
		return conv(len(x), func(i int) int64 { return int64(x[i]) }), nil
	}
	return nil, fmt.Errorf("is array of %s, want an integer array", a.Elem)
}

// asInt64 converts any integer value except uint64 above MaxInt64.
func asInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case uint8:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case int16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint64:
		if x > math.MaxInt64 {
			return 0, false
		}
		return int64(x), true
	}
	return 0, false
}

func typeName(v any) string {
	if a, ok := v.(Array); ok {
		return "array of " + a.Elem.String()
	}
	return fmt.Sprintf("%T", v)
}
