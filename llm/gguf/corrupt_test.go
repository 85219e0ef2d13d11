package gguf

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// raw assembles GGUF bytes by hand, so tests can write what the Writer refuses to.
type raw struct{ b []byte }

func (r *raw) u32(v uint32) *raw { r.b = binary.LittleEndian.AppendUint32(r.b, v); return r }
func (r *raw) u64(v uint64) *raw { r.b = binary.LittleEndian.AppendUint64(r.b, v); return r }
func (r *raw) str(s string) *raw { r.u64(uint64(len(s))); r.b = append(r.b, s...); return r }
func (r *raw) pad(a int) *raw {
	for len(r.b)%a != 0 {
		r.b = append(r.b, 0)
	}
	return r
}
func (r *raw) zeros(n int) *raw { r.b = append(r.b, make([]byte, n)...); return r }

func header(version uint32, nTensors, nKV uint64) *raw {
	return (&raw{}).u32(Magic).u32(version).u64(nTensors).u64(nKV)
}

// tinfo appends one tensor info.
func (r *raw) tinfo(name string, typ Type, off uint64, shape ...uint64) *raw {
	r.str(name).u32(uint32(len(shape)))
	for _, d := range shape {
		r.u64(d)
	}
	return r.u32(uint32(typ)).u64(off)
}

// twoTensors is a file with tensors a (F32 [8], 32 bytes) and b (F32 [4]) at the given offsets.
func twoTensors(offA, offB uint64, nameB string) []byte {
	r := header(3, 2, 0).tinfo("a", TypeF32, offA, 8).tinfo(nameB, TypeF32, offB, 4)
	return r.pad(32).zeros(96).b
}

func TestCorruptFiles(t *testing.T) {
	valid := twoTensors(0, 32, "b")
	if _, err := Parse(valid); err != nil {
		t.Fatalf("base file rejected: %v", err)
	}
	flip := func(off int, b byte) []byte {
		c := append([]byte(nil), valid...)
		c[off] = b
		return c
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"bad magic", flip(0, 'X'), "bad magic"},
		{"version 1", header(1, 0, 0).b, "version 1 is not supported"},
		{"version 4", header(4, 0, 0).b, "unsupported GGUF version 4"},
		{"version 0", flip(4, 0), "unsupported GGUF version 0"},
		{"big endian", (&raw{}).u32(Magic).u32(3 << 24).u64(0).u64(0).b, "big-endian"},
		{"huge tensor count", header(3, 1<<60, 0).zeros(64).b, "tensor count 1152921504606846976 is impossible"},
		{"huge kv count", header(3, 0, 1<<60).zeros(64).b, "metadata key count 1152921504606846976 is impossible"},
		{"huge string array", header(3, 0, 1).str("k").u32(uint32(ValueArray)).u32(uint32(ValueString)).u64(1 << 60).zeros(64).b,
			`key "k": array length 1152921504606846976 is impossible`},
		{"huge u64 array", header(3, 0, 1).str("k").u32(uint32(ValueArray)).u32(uint32(ValueUint64)).u64(1 << 61).b,
			"array length"},
		{"huge key length", header(3, 0, 1).u64(1 << 62).zeros(8).b, "metadata key #0 length 4611686018427387904 exceeds"},
		{"huge string value", header(3, 0, 1).str("k").u32(uint32(ValueString)).u64(1<<63 + 5).b, `key "k": string value length`},
		{"huge tensor name", header(3, 1, 0).u64(1 << 40).zeros(40).b, "tensor #0 name length 1099511627776 exceeds"},
		{"duplicate key", header(3, 0, 2).str("k").u32(uint32(ValueUint8)).zeros(1).str("k").u32(uint32(ValueUint8)).zeros(1).b,
			`duplicate metadata key "k"`},
		{"unknown value type", header(3, 0, 1).str("k").u32(13).zeros(16).b, `key "k": unknown metadata value type 13`},
		{"unknown array type", header(3, 0, 1).str("k").u32(uint32(ValueArray)).u32(99).u64(0).b, "unknown array element type 99"},
		{"deep nesting", func() []byte {
			r := header(3, 0, 1).str("k").u32(uint32(ValueArray))
			for range 20 {
				r.u32(uint32(ValueArray)).u64(1)
			}
			return r.b
		}(), "nested deeper than 8"},
		{"alignment not power of two", header(3, 0, 1).str("general.alignment").u32(uint32(ValueUint32)).u32(48).b, "general.alignment 48"},
		{"alignment zero", header(3, 0, 1).str("general.alignment").u32(uint32(ValueUint32)).u32(0).b, "not a positive power of two"},
		{"alignment string", header(3, 0, 1).str("general.alignment").u32(uint32(ValueString)).str("32").b, "general.alignment"},
		{"five dims", header(3, 1, 0).tinfo("t", TypeF32, 0, 1, 1, 1, 1, 1).pad(32).zeros(32).b, `tensor "t" has 5 dimensions, at most 4`},
		{"zero dim", header(3, 1, 0).tinfo("t", TypeF32, 0, 4, 0).pad(32).zeros(32).b, `tensor "t": dimension 1 is 0`},
		{"negative dim", header(3, 1, 0).tinfo("t", TypeF32, 0, 1<<63).pad(32).b, `dimension 0 is 9223372036854775808`},
		{"dims overflow", header(3, 1, 0).tinfo("t", TypeF32, 0, 1<<32, 1<<32).pad(32).b, "element count overflows int64"},
		{"bytes overflow", header(3, 1, 0).tinfo("t", TypeF32, 0, 1<<62).pad(32).b, "overflow"},
		{"unknown tensor type", header(3, 1, 0).tinfo("t", Type(4), 0, 32).pad(32).zeros(32).b, `tensor "t" has unknown tensor type 4`},
		{"type past table", header(3, 1, 0).tinfo("t", Type(1000), 0, 32).pad(32).zeros(32).b, "unknown tensor type 1000"},
		{"partial block", header(3, 1, 0).tinfo("t", TypeQ8_0, 0, 33).pad(32).zeros(64).b, "not a multiple of the Q8_0 block size 32"},
		{"partial K block", header(3, 1, 0).tinfo("t", TypeQ4_K, 0, 128, 2).pad(32).zeros(288).b, "Q4_K block size 256"},
		{"unaligned offset", twoTensors(0, 36, "b"), `tensor "b": data offset 36 is not a multiple of the alignment 32`},
		{"offset past end", twoTensors(0, 1<<20, "b"), `tensor "b": data [1048576, 1048592) of the data section runs past the end`},
		{"huge offset", twoTensors(0, 1<<63-32, "b"), `tensor "b"`},
		{"overlap", twoTensors(0, 0, "b"), `tensors "a" [0, 32) and "b" [0, 16) overlap`},
		{"overlap reversed", header(3, 2, 0).tinfo("a", TypeF32, 32, 8).tinfo("b", TypeF32, 0, 16).pad(32).zeros(96).b,
			`tensors "b" [0, 64) and "a" [32, 64) overlap`},
		{"duplicate tensor", twoTensors(0, 32, "a"), `duplicate tensor name "a"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			f, err := Parse(c.data)
			runtime.ReadMemStats(&ms1)
			if err == nil {
				t.Fatalf("accepted: %d tensors, %d KVs", len(f.Tensors), len(f.KVs))
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to contain %q", err, c.want)
			}
			if !errors.Is(err, ErrFormat) || !strings.HasPrefix(err.Error(), "gguf: <buffer>: ") {
				t.Errorf("error %q is not a FormatError naming the input", err)
			}
			// Counts are checked against the file size before anything is allocated for them.
			if alloc := ms1.TotalAlloc - ms0.TotalAlloc; alloc > 1<<20 {
				t.Errorf("allocated %d bytes while rejecting a %d-byte file", alloc, len(c.data))
			}
		})
	}
	if _, err := Parse(twoTensors(0, 64, "b")); err != nil { // a gap between tensors is legal
		t.Errorf("file with a gap between tensors rejected: %v", err)
	}
}

// TestTruncated cuts a valid file at every byte: each prefix that loses part of the header, metadata, tensor
// infos or tensor data must be rejected with a "truncated" error; only the trailing padding is optional.
func TestTruncated(t *testing.T) {
	data, _ := buildFile(t, 0, allValueKVs(), testTensors)
	full, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var end int64
	for _, tt := range full.Tensors {
		end = max(end, full.DataOffset+tt.Offset+int64(len(tt.Data)))
	}
	for n := 0; n < len(data); n++ {
		_, err := Parse(data[:n])
		if int64(n) >= end {
			if err != nil {
				t.Errorf("cut at %d (after all tensor data, end %d): %v", n, end, err)
			}
			continue
		}
		if err == nil {
			t.Fatalf("cut at %d of %d accepted", n, len(data))
		}
		if !strings.Contains(err.Error(), "truncated") && !strings.Contains(err.Error(), "impossible") &&
			!strings.Contains(err.Error(), "exceeds") {
			t.Errorf("cut at %d: error %q does not say the file is truncated", n, err)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	data, _ := buildFile(t, 0, allValueKVs(), testTensors)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		path, want string
	}{
		{write("empty.gguf", nil), "empty.gguf: truncated file: 0 bytes"},
		{write("short.gguf", data[:10]), "short.gguf: truncated file: 10 bytes"},
		{write("half.gguf", data[:len(data)/2]), "half.gguf: "},
		{write("magic.gguf", append([]byte("GGML"), data[4:]...)), `magic.gguf: bad magic "GGML"`},
		{filepath.Join(dir, "missing.gguf"), "no such file"},
		{dir, "not a regular file"},
	}
	for _, c := range cases {
		f, err := Open(c.path)
		if err == nil {
			f.Close()
			t.Errorf("%s: opened", c.path)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want it to contain %q", c.path, err, c.want)
		}
	}
}

// TestVersion2 checks that GGUF v2 (same layout as v3, 64-bit counts) is read.
func TestVersion2(t *testing.T) {
	data, _ := buildFile(t, 0, allValueKVs(), testTensors)
	binary.LittleEndian.PutUint32(data[4:], 2)
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != 2 || len(f.Tensors) != len(testTensors) || len(f.KVs) != len(allValueKVs()) {
		t.Errorf("v2 file: version %d, %d tensors, %d KVs", f.Version, len(f.Tensors), len(f.KVs))
	}
}
