package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func f32bytes(v ...float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func sampleTensors() []Tensor {
	return []Tensor{
		{Name: "model.norm.weight", DType: BF16, Shape: []int64{3}, Data: []byte{1, 2, 3, 4, 5, 6}},
		{Name: "model.embed_tokens.weight", DType: F32, Shape: []int64{2, 2}, Data: f32bytes(1, -2, 3.5, 4)},
		{Name: "flag", DType: Bool, Shape: []int64{}, Data: []byte{1}},
		{Name: "ids", DType: I64, Shape: []int64{2}, Data: []byte{1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0}},
		{Name: "empty", DType: F16, Shape: []int64{0, 4}, Data: nil},
		{Name: "q", DType: F8E4M3, Shape: []int64{2}, Data: []byte{0x38, 0xb8}},
		{Name: "packed", DType: F4, Shape: []int64{2, 2}, Data: []byte{0x12, 0x34}},
	}
}

func encode(t testing.TB, ts []Tensor, md map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, ts, md); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWriteReadRoundTrip(t *testing.T) {
	in := sampleTensors()
	md := map[string]string{"format": "pt", "note": "<b>&"}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := WriteFile(path, in, md); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".tmp"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("temporary file left behind: %v", err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if fmt.Sprint(f.Metadata) != fmt.Sprint(md) {
		t.Errorf("metadata = %v, want %v", f.Metadata, md)
	}
	if got := len(f.Tensors()); got != len(in) {
		t.Fatalf("%d tensors, want %d", got, len(in))
	}
	for _, want := range in {
		got, ok := f.Tensor(want.Name)
		if !ok {
			t.Fatalf("tensor %q missing", want.Name)
		}
		if got.DType != want.DType || fmt.Sprint(got.Shape) != fmt.Sprint(want.Shape) || !bytes.Equal(got.Data, want.Data) {
			t.Errorf("%s: got %s %v %v, want %s %v %v", want.Name, got.DType, got.Shape, got.Data, want.DType, want.Shape, want.Data)
		}
	}
	if _, ok := f.Tensor("nope"); ok {
		t.Error("found a tensor that does not exist")
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// The layout follows the reference writer: header padded with spaces to 8 bytes, __metadata__ first, tensors by
// descending element size then name, each aligned to its element size.
func TestWriteLayout(t *testing.T) {
	b := encode(t, sampleTensors(), map[string]string{"format": "pt"})
	n := binary.LittleEndian.Uint64(b)
	if n%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", n)
	}
	hdr := string(b[8 : 8+n])
	trimmed := strings.TrimRight(hdr, " ")
	if len(hdr)-len(trimmed) >= 8 || !strings.HasSuffix(trimmed, "}") {
		t.Errorf("header padding wrong: %q", hdr[len(trimmed):])
	}
	if !strings.HasPrefix(hdr, `{"__metadata__":{"format":"pt"},"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},`) {
		t.Errorf("header starts %q", hdr[:90])
	}
	order := []string{"ids", "model.embed_tokens.weight", "empty", "model.norm.weight", "flag", "q"}
	last := -1
	for _, name := range order {
		i := strings.Index(hdr, `"`+name+`"`)
		if i < last {
			t.Errorf("tensor %q out of order in %s", name, hdr)
		}
		last = i
	}
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range f.Tensors() {
		if sz := tn.DType.Size(); sz > 0 && tn.begin%int64(sz) != 0 {
			t.Errorf("%s at offset %d is not aligned to %d", tn.Name, tn.begin, tn.DType.Size())
		}
	}
	// Same input, same bytes.
	if !bytes.Equal(b, encode(t, sampleTensors(), map[string]string{"format": "pt"})) {
		t.Error("Write is not deterministic")
	}
}

func TestWriteRejects(t *testing.T) {
	cases := map[string][]Tensor{
		"size":      {{Name: "a", DType: F32, Shape: []int64{2}, Data: make([]byte, 4)}},
		"dtype":     {{Name: "a", DType: "F12", Shape: []int64{1}, Data: make([]byte, 4)}},
		"duplicate": {{Name: "a", DType: U8, Shape: []int64{1}, Data: []byte{1}}, {Name: "a", DType: U8, Shape: []int64{1}, Data: []byte{1}}},
		"metadata":  {{Name: "__metadata__", DType: U8, Shape: []int64{1}, Data: []byte{1}}},
		"negative":  {{Name: "a", DType: U8, Shape: []int64{-1}, Data: nil}},
		"half byte": {{Name: "a", DType: F4, Shape: []int64{1}, Data: []byte{1}}},
	}
	for name, ts := range cases {
		if err := Write(&bytes.Buffer{}, ts, nil); err == nil {
			t.Errorf("%s: Write accepted invalid tensors", name)
		}
	}
}

// rawFile builds a file from a literal header and data section.
func rawFile(header string, data []byte) []byte {
	b := make([]byte, 8, 8+len(header)+len(data))
	binary.LittleEndian.PutUint64(b, uint64(len(header)))
	return append(append(b, header...), data...)
}

func TestParseRejectsMalformed(t *testing.T) {
	data16 := make([]byte, 16)
	huge := make([]byte, 8)
	binary.LittleEndian.PutUint64(huge, MaxHeaderSize+1)
	past := make([]byte, 12)
	binary.LittleEndian.PutUint64(past, 5)
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"short", []byte{1, 2, 3}, "shorter than the 8-byte"},
		{"header limit", huge, "exceeds the"},
		{"header past end", past, "runs past the end"},
		{"not object", rawFile(`[1,2]`, nil), "does not start with '{'"},
		{"bad json", rawFile(`{"a":{"dtype":"F32",`, nil), "header JSON"},
		{"trailing", rawFile(`{} {}`, nil), "after the top-level object"},
		{"duplicate", rawFile(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`, data16), `lists "a" twice`},
		{"unknown dtype", rawFile(`{"a":{"dtype":"F12","shape":[1],"data_offsets":[0,4]}}`, data16), `unknown dtype "F12"`},
		{"missing dtype", rawFile(`{"a":{"shape":[1],"data_offsets":[0,4]}}`, data16), "missing or non-string dtype"},
		{"negative dim", rawFile(`{"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,4]}}`, data16), "not a non-negative integer"},
		{"fractional dim", rawFile(`{"a":{"dtype":"U8","shape":[1.5],"data_offsets":[0,4]}}`, data16), "not a non-negative integer"},
		{"shape not array", rawFile(`{"a":{"dtype":"U8","shape":4,"data_offsets":[0,4]}}`, data16), "shape: not an array"},
		{"three offsets", rawFile(`{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4,8]}}`, data16), "want [begin, end]"},
		{"reversed", rawFile(`{"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}`, data16), "end before they begin"},
		{"out of range", rawFile(`{"a":{"dtype":"F32","shape":[8],"data_offsets":[0,32]}}`, data16), "run past the 16-byte data section"},
		{"half byte", rawFile(`{"a":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}`, data16), "do not fill whole bytes"},
		{"size mismatch", rawFile(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}`, data16), "needs 12 bytes"},
		{"overflow", rawFile(`{"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,16]}}`, data16), "too large"},
		{"overflow bytes", rawFile(`{"a":{"dtype":"F64","shape":[9223372036854775807],"data_offsets":[0,16]}}`, data16), "too large"},
		{"overlap", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, data16), "overlap"},
		{"metadata type", rawFile(`{"__metadata__":{"n":3}}`, nil), "is not a string"},
		{"entry type", rawFile(`{"a":[1]}`, nil), "not a JSON object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.file)
			if err == nil {
				t.Fatal("Parse accepted a malformed file")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestParseAcceptsEdgeCases(t *testing.T) {
	// Empty tensors may share an offset, metadata may be null, and gaps between tensors are allowed.
	f, err := Parse(rawFile(`{"__metadata__":null,"a":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},"b":{"dtype":"U8","shape":[0,7],"data_offsets":[4,4]},"c":{"dtype":"U8","shape":[2],"data_offsets":[8,10]}}  `, make([]byte, 12)))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tensors()) != 3 || len(f.Metadata) != 0 {
		t.Errorf("got %d tensors, metadata %v", len(f.Tensors()), f.Metadata)
	}
	c, _ := f.Tensor("c")
	if c.NumElements() != 2 || cap(c.Data) != 2 {
		t.Errorf("c: %d elements, cap %d", c.NumElements(), cap(c.Data))
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "missing.safetensors")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	bad := filepath.Join(dir, "bad.safetensors")
	if err := os.WriteFile(bad, rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 4)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(bad)
	if err == nil || !strings.Contains(err.Error(), bad) || !errors.Is(err, ErrInvalid) {
		t.Errorf("truncated file: %v", err)
	}
	empty := filepath.Join(dir, "empty.safetensors")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(empty); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty file: %v", err)
	}
}

func writeShard(t *testing.T, path string, ts ...Tensor) {
	t.Helper()
	if err := WriteFile(path, ts, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
}

func u8(name string, v ...byte) Tensor {
	return Tensor{Name: name, DType: U8, Shape: []int64{int64(len(v))}, Data: v}
}

func TestOpenDirSingle(t *testing.T) {
	dir := t.TempDir()
	writeShard(t, filepath.Join(dir, SingleFile), u8("b", 2), u8("a", 1))
	c, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ts := c.Tensors()
	if len(ts) != 2 || ts[0].Name != "a" || ts[1].Name != "b" {
		t.Fatalf("tensors %v", ts)
	}
	if a, ok := c.Tensor("a"); !ok || a.Data[0] != 1 {
		t.Error("tensor a wrong")
	}

	// A folder whose only weights file has another name is accepted too.
	other := t.TempDir()
	writeShard(t, filepath.Join(other, "consolidated.safetensors"), u8("x", 9))
	c2, err := OpenDir(other)
	if err != nil {
		t.Fatal(err)
	}
	c2.Close()

	if _, err := OpenDir(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("empty folder: %v", err)
	}
}

func writeIndex(t *testing.T, dir string, weightMap string) {
	t.Helper()
	js := `{"metadata":{"total_size":4},"weight_map":` + weightMap + `}`
	if err := os.WriteFile(filepath.Join(dir, IndexFile), []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestOpenDirSharded(t *testing.T) {
	dir := t.TempDir()
	writeShard(t, filepath.Join(dir, "model-00001-of-00002.safetensors"), u8("a", 1), u8("b", 2))
	writeShard(t, filepath.Join(dir, "model-00002-of-00002.safetensors"), u8("c", 3, 4))
	writeIndex(t, dir, `{"a":"model-00001-of-00002.safetensors","b":"model-00001-of-00002.safetensors","c":"model-00002-of-00002.safetensors"}`)
	c, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Files) != 2 || len(c.Tensors()) != 3 {
		t.Fatalf("%d files, %d tensors", len(c.Files), len(c.Tensors()))
	}
	if tc, ok := c.Tensor("c"); !ok || !bytes.Equal(tc.Data, []byte{3, 4}) {
		t.Error("tensor c wrong")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenDirShardErrors(t *testing.T) {
	s1, s2 := "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"
	cases := []struct {
		name   string
		shard1 []Tensor
		shard2 []Tensor
		index  string
		want   string
	}{
		{"missing shard", []Tensor{u8("a", 1)}, nil, `{"a":"` + s1 + `","b":"model-00003-of-00003.safetensors"}`, `references shard "model-00003-of-00003.safetensors"`},
		{"duplicate", []Tensor{u8("a", 1)}, []Tensor{u8("a", 2), u8("b", 3)}, `{"a":"` + s1 + `","b":"` + s2 + `"}`, `tensor "a" is in both`},
		{"not in shard", []Tensor{u8("a", 1)}, []Tensor{u8("b", 2)}, `{"a":"` + s1 + `","b":"` + s2 + `","c":"` + s2 + `"}`, `"c" is mapped to ` + s2 + ` but not found`},
		{"wrong shard", []Tensor{u8("a", 1)}, []Tensor{u8("b", 2)}, `{"a":"` + s2 + `","b":"` + s1 + `"}`, `but stored in ` + s1},
		{"escape", []Tensor{u8("a", 1)}, nil, `{"a":"../x.safetensors"}`, "invalid shard name"},
		{"empty map", []Tensor{u8("a", 1)}, nil, `{}`, "empty or missing weight_map"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeShard(t, filepath.Join(dir, s1), c.shard1...)
			if c.shard2 != nil {
				writeShard(t, filepath.Join(dir, s2), c.shard2...)
			}
			writeIndex(t, dir, c.index)
			_, err := OpenDir(dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error mentioning %q", err, c.want)
			}
		})
	}
}

func TestFloat32s(t *testing.T) {
	f32 := Tensor{Name: "a", DType: F32, Shape: []int64{3}, Data: f32bytes(1, -2.5, 1e-3)}
	f16 := Tensor{Name: "b", DType: F16, Shape: []int64{3}, Data: []byte{0x00, 0x3c, 0x00, 0xc1, 0x00, 0x7c}} // 1, -2.5, +Inf
	bf16 := Tensor{Name: "c", DType: BF16, Shape: []int64{1, 2}, Data: []byte{0x80, 0x3f, 0x20, 0xc0}}        // 1, -2.5
	for _, c := range []struct {
		t    Tensor
		want string
	}{{f32, "[1 -2.5 0.001]"}, {f16, "[1 -2.5 +Inf]"}, {bf16, "[1 -2.5]"}} {
		got, err := c.t.Float32s()
		if err != nil || fmt.Sprint(got) != c.want {
			t.Errorf("%s: %v %v, want %s", c.t.DType, got, err, c.want)
		}
	}
	if _, err := (&Tensor{Name: "i", DType: I32, Shape: []int64{1}, Data: make([]byte, 4)}).Float32s(); err == nil {
		t.Error("I32 converted")
	}
	if _, err := (&Tensor{Name: "s", DType: F32, Shape: []int64{2}, Data: make([]byte, 4)}).Float32s(); err == nil {
		t.Error("short data converted")
	}
}
