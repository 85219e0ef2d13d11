package safetensors

import (
	"bytes"
	"fmt"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the header parser: it must never panic, and whatever it accepts must be
// self-consistent and survive a write/parse round trip.
func FuzzParse(f *testing.F) {
	var buf bytes.Buffer
	if err := Write(&buf, sampleTensors(), map[string]string{"format": "pt"}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[1,2],"data_offsets":[8,12]}}`, make([]byte, 12)))
	f.Add(rawFile(`{"__metadata__":{"k":"v"},"x":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}`, nil))
	f.Add(rawFile(`{"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,16]}}`, make([]byte, 16)))
	f.Add(rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, make([]byte, 16)))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, '{', '}'})
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			return
		}
		var ts []Tensor
		for _, tn := range file.Tensors() {
			if n, err := tn.DType.byteSize(uint64(tn.NumElements())); err != nil || n != uint64(len(tn.Data)) {
				t.Fatalf("%s: %d bytes for shape %v of %s", tn.Name, len(tn.Data), tn.Shape, tn.DType)
			}
			ts = append(ts, Tensor{Name: tn.Name, DType: tn.DType, Shape: tn.Shape, Data: tn.Data})
		}
		var out bytes.Buffer
		if err := Write(&out, ts, file.Metadata); err != nil {
			t.Fatalf("re-encoding an accepted file: %v", err)
		}
		again, err := Parse(out.Bytes())
		if err != nil {
			t.Fatalf("re-encoded file rejected: %v", err)
		}
		if len(again.Tensors()) != len(ts) || fmt.Sprint(again.Metadata) != fmt.Sprint(file.Metadata) {
			t.Fatalf("round trip changed the file")
		}
		for _, tn := range ts {
			g, ok := again.Tensor(tn.Name)
			if !ok || g.DType != tn.DType || fmt.Sprint(g.Shape) != fmt.Sprint(tn.Shape) || !bytes.Equal(g.Data, tn.Data) {
				t.Fatalf("round trip changed tensor %q", tn.Name)
			}
		}
	})
}

// FuzzParseConfig: config.json parsing must never panic, and an accepted config must satisfy the invariants the
// engine relies on.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{qwen3Config, qwen3MoEConfig, qwen3VLConfig, `{"model_type":"qwen3"}`, `[]`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			return
		}
		tc := c.Text
		if tc.HiddenSize <= 0 || tc.NumAttentionHeads <= 0 || tc.NumKeyValueHeads <= 0 || tc.HeadDim <= 0 ||
			tc.NumAttentionHeads%tc.NumKeyValueHeads != 0 || tc.VocabSize <= 0 || tc.NumHiddenLayers <= 0 {
			t.Fatalf("accepted invalid dims %+v", tc)
		}
		if c.IsMoE() && (tc.NumExpertsPerTok <= 0 || tc.NumExpertsPerTok > tc.NumExperts) {
			t.Fatalf("accepted invalid experts %+v", tc)
		}
		_, _ = ParseGenerationConfig(data)
	})
}
