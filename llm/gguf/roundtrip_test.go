package gguf

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// allValueKVs covers every metadata value type, empty and nested arrays, and awkward strings.
func allValueKVs() []KV {
	return []KV{
		{"general.architecture", "qwen3"},
		{"t.u8", uint8(200)},
		{"t.i8", int8(-100)},
		{"t.u16", uint16(65000)},
		{"t.i16", int16(-32000)},
		{"t.u32", uint32(4000000000)},
		{"t.i32", int32(-2000000000)},
		{"t.f32", float32(1e-6)},
		{"t.bool", true},
		{"t.false", false},
		{"t.str", "héllo \x00 wörld 🙂"},
		{"t.empty", ""},
		{"t.u64", uint64(math.MaxUint64)},
		{"t.i64", int64(math.MinInt64)},
		{"t.f64", math.Inf(-1)},
		{"a.u8", Array{ValueUint8, []uint8{0, 1, 255}}},
		{"a.i8", Array{ValueInt8, []int8{-128, 0, 127}}},
		{"a.u16", Array{ValueUint16, []uint16{1, 65535}}},
		{"a.i16", Array{ValueInt16, []int16{-1, 2}}},
		{"a.u32", Array{ValueUint32, []uint32{7}}},
		{"a.i32", Array{ValueInt32, []int32{24, 20, 20, 0}}},
		{"a.f32", Array{ValueFloat32, []float32{0.5, -0.25}}},
		{"a.bool", Array{ValueBool, []bool{true, false, true}}},
		{"a.str", Array{ValueString, []string{"Ġ Ġ", "", "<|im_end|>"}}},
		{"a.u64", Array{ValueUint64, []uint64{1 << 63}}},
		{"a.i64", Array{ValueInt64, []int64{-5}}},
		{"a.f64", Array{ValueFloat64, []float64{math.Pi}}},
		{"a.empty", Array{ValueString, []string{}}},
		{"a.nested", Array{ValueArray, []Array{
			{ValueInt32, []int32{1, 2}},
			{ValueString, []string{"x"}},
			{ValueArray, []Array{{ValueFloat64, []float64{2.5}}}},
			{ValueBool, []bool{}},
		}}},
	}
}

type testTensor struct {
	name  string
	typ   Type
	shape []int64
}

var testTensors = []testTensor{
	{"token_embd.weight", TypeQ8_0, []int64{64, 3}},
	{"output_norm.weight", TypeF32, []int64{5}}, // 20 bytes: forces padding before the next tensor
	{"blk.0.attn_q.weight", TypeQ4_K, []int64{256, 2}},
	{"blk.0.ffn_down.weight", TypeQ6_K, []int64{256, 1, 2}},
	{"half", TypeF16, []int64{3, 1, 1, 2}},
	{"bf", TypeBF16, []int64{7}},
}

// buildFile writes a small valid file with the writer and returns its bytes and the tensor data used.
func buildFile(t testing.TB, align int, kvs []KV, tensors []testTensor) ([]byte, [][]byte) {
	t.Helper()
	w := NewWriter()
	if align != 0 {
		w.SetAlignment(align)
	}
	for _, kv := range kvs {
		w.SetKV(kv.Key, kv.Value)
	}
	var datas [][]byte
	for i, tt := range tensors {
		n, err := tensorBytes(tt.typ, tt.shape)
		if err != nil {
			t.Fatal(err)
		}
		d := make([]byte, n)
		for j := range d {
			d[j] = byte(i*31 + j)
		}
		if err := w.AddTensor(tt.name, tt.typ, tt.shape, d); err != nil {
			t.Fatal(err)
		}
		datas = append(datas, d)
	}
	var buf bytes.Buffer
	n, err := w.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Fatalf("WriteTo reported %d bytes, wrote %d", n, buf.Len())
	}
	return buf.Bytes(), datas
}

func TestRoundTrip(t *testing.T) {
	for _, align := range []int{0, 1, 8, 64, 4096} {
		data, datas := buildFile(t, align, allValueKVs(), testTensors)
		f, err := Parse(data)
		if err != nil {
			t.Fatalf("align %d: %v", align, err)
		}
		wantAlign := int64(align)
		if align == 0 {
			wantAlign = DefaultAlignment
		}
		if f.Version != 3 || f.Alignment != wantAlign || f.DataOffset%wantAlign != 0 {
			t.Errorf("align %d: version %d alignment %d data offset %d", align, f.Version, f.Alignment, f.DataOffset)
		}
		want := allValueKVs()
		got := f.KVs
		if align != 0 { // SetAlignment adds general.alignment before the other keys
			if got[0].Key != "general.alignment" || got[0].Value != uint32(align) {
				t.Errorf("first KV %+v, want general.alignment=%d", got[0], align)
			}
			got = got[1:]
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("align %d: KVs differ:\n got %#v\nwant %#v", align, got, want)
		}
		if len(f.Tensors) != len(testTensors) {
			t.Fatalf("%d tensors", len(f.Tensors))
		}
		for i, tt := range testTensors {
			g := f.Tensors[i]
			if g.Name != tt.name || g.Type != tt.typ || !slices.Equal(g.Shape, tt.shape) || !bytes.Equal(g.Data, datas[i]) {
				t.Errorf("tensor %d: %s %s %v (%d bytes), want %s %s %v", i, g.Name, g.Type, g.Shape, len(g.Data), tt.name, tt.typ, tt.shape)
			}
			if g.Offset%wantAlign != 0 {
				t.Errorf("tensor %s offset %d not aligned to %d", g.Name, g.Offset, wantAlign)
			}
		}
		if int64(len(data))%wantAlign != 0 {
			t.Errorf("file length %d is not padded to %d", len(data), wantAlign)
		}
	}
}

func TestWriteFileAndOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.gguf")
	w := NewWriter()
	for _, kv := range allValueKVs() {
		w.SetKV(kv.Key, kv.Value)
	}
	w.SetKV("t.u8", uint8(1)) // replacing keeps the original position
	if err := w.AddTensor("x", TypeF32, []int64{4}, make([]byte, 16)); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("temporary file left behind: %v", err)
	}
	for name, open := range map[string]func(string) (*File, error){
		"mmap": Open,
		"read": func(p string) (*File, error) {
			return openWith(p, func(int, int) ([]byte, error) { return nil, errors.New("no mmap here") })
		},
	} {
		f, err := open(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if f.KVs[1].Key != "t.u8" || f.KVs[1].Value != uint8(1) {
			t.Errorf("%s: KV 1 = %+v, want t.u8=1", name, f.KVs[1])
		}
		if tt, ok := f.Tensor("x"); !ok || len(tt.Data) != 16 {
			t.Errorf("%s: tensor x missing or wrong size", name)
		}
		if err := f.Close(); err != nil {
			t.Errorf("%s: close: %v", name, err)
		}
		if err := f.Close(); err != nil {
			t.Errorf("%s: second close: %v", name, err)
		}
	}
}

func TestWriterRejects(t *testing.T) {
	cases := []struct {
		name string
		do   func(w *Writer) error
		want string
	}{
		{"plain int", func(w *Writer) error { w.SetKV("k", 5); return nil }, "unsupported value type int"},
		{"bad array", func(w *Writer) error { w.SetKV("k", Array{ValueInt32, []uint8{1}}); return nil }, "Elem is int32"},
		{"alignment", func(w *Writer) error { w.SetAlignment(48); return nil }, "not a positive power of two"},
		{"alignment kv", func(w *Writer) error { w.SetKV("general.alignment", uint32(0)); return nil }, "not a positive power of two"},
		{"dup tensor", func(w *Writer) error {
			_ = w.AddTensor("a", TypeF32, []int64{1}, make([]byte, 4))
			return w.AddTensor("a", TypeF32, []int64{1}, make([]byte, 4))
		}, "duplicate tensor name"},
		{"size", func(w *Writer) error { return w.AddTensor("a", TypeF32, []int64{2}, make([]byte, 4)) }, "needs 8"},
		{"block", func(w *Writer) error { return w.AddTensor("a", TypeQ8_0, []int64{33}, make([]byte, 34)) }, "block size 32"},
		{"dims", func(w *Writer) error { return w.AddTensor("a", TypeF32, []int64{1, 1, 1, 1, 1}, make([]byte, 4)) }, "at most 4"},
		{"zero dim", func(w *Writer) error { return w.AddTensor("a", TypeF32, []int64{0}, nil) }, "must be positive"},
		{"unknown type", func(w *Writer) error { return w.AddTensor("a", Type(4), []int64{1}, nil) }, "unknown tensor type 4"},
		{"long name", func(w *Writer) error {
			return w.AddTensor(strings.Repeat("x", 64), TypeF32, []int64{1}, make([]byte, 4))
		}, "at most 63"},
	}
	for _, c := range cases {
		w := NewWriter()
		err := c.do(w)
		if err == nil {
			_, err = w.WriteTo(&bytes.Buffer{})
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestWriterAlignmentIsUint32(t *testing.T) {
	w := NewWriter()
	w.SetKV("general.alignment", uint64(64))
	if err := w.AddTensor("x", TypeF32, []int64{3}, make([]byte, 12)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.Get("general.alignment"); v != uint32(64) || f.Alignment != 64 || f.DataOffset%64 != 0 {
		t.Errorf("general.alignment %v (%T), alignment %d, data offset %d", v, v, f.Alignment, f.DataOffset)
	}
}

func TestTypes(t *testing.T) {
	cases := []struct {
		t          Type
		name       string
		block, len int
	}{
		{TypeF32, "F32", 1, 4}, {TypeF16, "F16", 1, 2}, {TypeBF16, "BF16", 1, 2}, {TypeQ4_0, "Q4_0", 32, 18},
		{TypeQ5_0, "Q5_0", 32, 22}, {TypeQ8_0, "Q8_0", 32, 34}, {TypeQ4_K, "Q4_K", 256, 144},
		{TypeQ5_K, "Q5_K", 256, 176}, {TypeQ6_K, "Q6_K", 256, 210}, {TypeQ8_K, "Q8_K", 256, 292},
		{TypeIQ4_XS, "IQ4_XS", 256, 136}, {TypeI32, "I32", 1, 4}, {TypeMXFP4, "MXFP4", 32, 17},
	}
	for _, c := range cases {
		if c.t.String() != c.name || c.t.BlockSize() != c.block || c.t.BlockBytes() != c.len {
			t.Errorf("%d: %s %d %d, want %s %d %d", c.t, c.t, c.t.BlockSize(), c.t.BlockBytes(), c.name, c.block, c.len)
		}
		if got, ok := TypeByName(c.name); !ok || got != c.t {
			t.Errorf("TypeByName(%q) = %v %v", c.name, got, ok)
		}
	}
	if n, err := TypeQ6_K.RowBytes(512); err != nil || n != 420 {
		t.Errorf("Q6_K RowBytes(512) = %d, %v", n, err)
	}
	if _, err := TypeQ4_K.RowBytes(100); err == nil || !strings.Contains(err.Error(), "block size 256") {
		t.Errorf("Q4_K RowBytes(100) error %v", err)
	}
	if _, err := Type(5).RowBytes(32); err == nil {
		t.Error("RowBytes of removed type 5 succeeded")
	}
	if Type(5).String() != "type(5)" {
		t.Errorf("Type(5).String() = %q", Type(5).String())
	}
}

func TestAccessors(t *testing.T) {
	data, _ := buildFile(t, 0, allValueKVs(), nil)
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Uint("t.u32"); err != nil || v != 4000000000 {
		t.Errorf("Uint(t.u32) = %d, %v", v, err)
	}
	if v, err := f.Uint("t.u8"); err != nil || v != 200 {
		t.Errorf("Uint(t.u8) = %d, %v", v, err)
	}
	if _, err := f.Uint("t.i8"); err == nil || !strings.Contains(err.Error(), "non-negative") {
		t.Errorf("Uint of a negative value: %v", err)
	}
	if _, err := f.Uint("t.str"); err == nil || !strings.Contains(err.Error(), `"t.str"`) || !strings.Contains(err.Error(), "want an integer") {
		t.Errorf("Uint of a string: %v", err)
	}
	if _, err := f.String("nope"); err == nil || !strings.Contains(err.Error(), `"nope": missing`) {
		t.Errorf("String of a missing key: %v", err)
	}
	if v, err := f.Float("t.f32"); err != nil || float32(v) != 1e-6 {
		t.Errorf("Float(t.f32) = %g, %v", v, err)
	}
	if v, err := f.Float("t.i32"); err != nil || v != -2e9 {
		t.Errorf("Float(t.i32) = %g, %v", v, err)
	}
	if v, err := f.Bool("t.bool"); err != nil || !v {
		t.Errorf("Bool = %v, %v", v, err)
	}
	if v, err := f.Strings("a.str"); err != nil || len(v) != 3 || v[2] != "<|im_end|>" {
		t.Errorf("Strings = %q, %v", v, err)
	}
	if v, err := f.Ints("a.i32"); err != nil || !slices.Equal(v, []int64{24, 20, 20, 0}) {
		t.Errorf("Ints(a.i32) = %v, %v", v, err)
	}
	if v, err := f.Ints("a.u8"); err != nil || !slices.Equal(v, []int64{0, 1, 255}) {
		t.Errorf("Ints(a.u8) = %v, %v", v, err)
	}
	if _, err := f.Ints("a.u64"); err == nil || !strings.Contains(err.Error(), "does not fit") {
		t.Errorf("Ints of 2^63: %v", err)
	}
	if _, err := f.Ints("a.str"); err == nil {
		t.Error("Ints of a string array succeeded")
	}
	if v, err := f.Floats("a.f64"); err != nil || len(v) != 1 || v[0] != float32(math.Pi) {
		t.Errorf("Floats(a.f64) = %v, %v", v, err)
	}
	if v, err := f.Floats("a.i32"); err != nil || v[0] != 24 {
		t.Errorf("Floats(a.i32) = %v, %v", v, err)
	}
	if f.Architecture() != "qwen3" {
		t.Errorf("Architecture() = %q", f.Architecture())
	}
	if _, err := f.LLM(); err == nil || !strings.Contains(err.Error(), "qwen3.embedding_length") {
		t.Errorf("LLM() without qwen3.* keys: %v", err)
	}
}

func TestLLMParams(t *testing.T) {
	kvs := []KV{
		{"general.architecture", "qwen3vlmoe"},
		{"qwen3vlmoe.context_length", uint32(262144)},
		{"qwen3vlmoe.embedding_length", uint32(2048)},
		{"qwen3vlmoe.block_count", uint32(48)},
		{"qwen3vlmoe.attention.head_count", uint32(32)},
		{"qwen3vlmoe.attention.head_count_kv", uint32(4)},
		{"qwen3vlmoe.attention.key_length", uint32(128)},
		{"qwen3vlmoe.attention.value_length", uint32(128)},
		{"qwen3vlmoe.expert_count", uint32(128)},
		{"qwen3vlmoe.expert_used_count", uint32(8)},
		{"qwen3vlmoe.expert_feed_forward_length", uint32(768)},
		{"qwen3vlmoe.rope.freq_base", float32(5e6)},
		{"qwen3vlmoe.attention.layer_norm_rms_epsilon", float32(1e-6)},
		{"qwen3vlmoe.rope.dimension_sections", []int32{24, 20, 20, 0}},
		{"qwen3vlmoe.n_deepstack_layers", uint32(3)},
		{"qwen3vlmoe.rope.scaling.type", "yarn"},
		{"qwen3vlmoe.rope.scaling.factor", float32(4)},
		{"qwen3vlmoe.rope.scaling.original_context_length", uint32(32768)},
		{"qwen3vlmoe.expert_weights_norm", true},
	}
	data, _ := buildFile(t, 0, kvs, nil)
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.LLM()
	if err != nil {
		t.Fatal(err)
	}
	want := LLMParams{Arch: "qwen3vlmoe", ContextLength: 262144, EmbeddingLength: 2048, BlockCount: 48, HeadCount: 32,
		HeadCountKV: 4, KeyLength: 128, ValueLength: 128, ExpertCount: 128, ExpertUsedCount: 8, ExpertFeedForwardLength: 768,
		DeepstackLayers: 3, RopeOrigContext: 32768, RopeFreqBase: 5e6, RMSNormEps: float64(float32(1e-6)), RopeScaleFactor: 4,
		RopeScalingType: "yarn", RopeDimSections: []int{24, 20, 20, 0}, ExpertWeightsNorm: true}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("LLM() =\n%+v\nwant\n%+v", p, want)
	}

	// Defaults: head_count_kv = head_count, key/value length = embd/heads, rope base 10000.
	data, _ = buildFile(t, 0, []KV{{"general.architecture", "llama"}, {"llama.embedding_length", uint64(64)},
		{"llama.block_count", int32(2)}, {"llama.attention.head_count", uint16(4)}}, nil)
	f, _ = Parse(data)
	p, err = f.LLM()
	if err != nil || p.HeadCountKV != 4 || p.KeyLength != 16 || p.ValueLength != 16 || p.RopeFreqBase != 10000 {
		t.Errorf("defaults: %+v, %v", p, err)
	}

	// A present key of the wrong type is an error, not a silent zero.
	data, _ = buildFile(t, 0, []KV{{"general.architecture", "qwen3"}, {"qwen3.embedding_length", uint32(64)},
		{"qwen3.block_count", uint32(2)}, {"qwen3.attention.head_count", uint32(4)}, {"qwen3.rope.freq_base", "big"}}, nil)
	f, _ = Parse(data)
	if _, err := f.LLM(); err == nil || !strings.Contains(err.Error(), "qwen3.rope.freq_base") {
		t.Errorf("wrong-typed rope.freq_base: %v", err)
	}
	data, _ = buildFile(t, 0, []KV{{"general.architecture", "gpt-j"}}, nil)
	f, _ = Parse(data)
	if _, err := f.LLM(); err == nil || !strings.Contains(err.Error(), `"gpt-j"`) {
		t.Errorf("unsupported architecture: %v", err)
	}
}

func TestTokenizerParams(t *testing.T) {
	kvs := []KV{
		{"tokenizer.ggml.model", "gpt2"},
		{"tokenizer.ggml.tokens", []string{"a", "b", "<|im_end|>"}},
		{"tokenizer.ggml.token_type", []int32{1, 1, 3}},
		{"tokenizer.ggml.merges", []string{"a b"}},
		{"tokenizer.ggml.eos_token_id", uint32(2)},
	}
	data, _ := buildFile(t, 0, kvs, nil)
	f, _ := Parse(data)
	p, err := f.TokenizerParams()
	if err != nil {
		t.Fatal(err)
	}
	if p.Model != "gpt2" || len(p.Tokens) != 3 || !slices.Equal(p.TokenTypes, []int32{1, 1, 3}) || p.EOS != 2 ||
		p.BOS != -1 || p.PAD != -1 || p.AddBOS || p.ChatTemplate != "" {
		t.Errorf("TokenizerParams = %+v", p)
	}
	kvs[4] = KV{"tokenizer.ggml.eos_token_id", uint32(3)}
	data, _ = buildFile(t, 0, kvs, nil)
	f, _ = Parse(data)
	if _, err := f.TokenizerParams(); err == nil || !strings.Contains(err.Error(), "outside the vocabulary") {
		t.Errorf("eos out of range: %v", err)
	}
}
