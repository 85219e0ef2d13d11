package gguf

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
)

// rewrite encodes a parsed file again with the Writer.
func rewrite(t *testing.T, f *File) []byte {
	t.Helper()
	w := NewWriter()
	for _, kv := range f.KVs {
		w.SetKV(kv.Key, kv.Value)
	}
	for _, tt := range f.Tensors {
		if err := w.AddTensor(tt.Name, tt.Type, tt.Shape, tt.Data); err != nil {
			t.Fatalf("writer refused tensor %q the reader accepted: %v", tt.Name, err)
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatalf("writer refused a file the reader accepted: %v", err)
	}
	return buf.Bytes()
}

// goldenSeed re-encodes a golden model with its arrays cut short and only its small tensors, so the fuzzer
// starts from real llama.cpp metadata without megabytes of vocabulary.
func goldenSeed(t testing.TB, path string) []byte {
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := NewWriter()
	for _, kv := range f.KVs {
		v := kv.Value
		if a, ok := v.(Array); ok && a.Len() > 8 {
			switch x := a.Values.(type) {
			case []string:
				v = Array{a.Elem, x[:8]}
			case []int32:
				v = Array{a.Elem, x[:8]}
			}
		}
		if s, ok := v.(string); ok && len(s) > 64 {
			v = s[:64]
		}
		w.SetKV(kv.Key, v)
	}
	for _, tt := range f.Tensors {
		if len(tt.Data) <= 512 {
			if err := w.AddTensor(tt.Name, tt.Type, tt.Shape, tt.Data); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func FuzzParse(f *testing.F) {
	for _, align := range []int{0, 1, 64} {
		b, _ := buildFile(f, align, allValueKVs(), testTensors)
		f.Add(b)
	}
	b, _ := buildFile(f, 0, allValueKVs()[:3], testTensors[:2])
	f.Add(b)
	f.Add(twoTensors(0, 32, "b"))
	if root := testdata.Root(); root != "" {
		for _, name := range []string{"a3-qwen3moe-e32-rv-q8_0.gguf", "a4-qwen3-e256-rv-q4_k_m.gguf"} {
			p := filepath.Join(root, "golden", "models", name)
			if _, err := os.Stat(p); err != nil {
				continue
			}
			f.Add(goldenSeed(f, p))
			if head, err := readPrefix(p, 2048); err == nil {
				f.Add(head) // the real header, cut inside the vocabulary
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error is not a FormatError: %v", err)
			}
			return
		}
		for i := range file.Tensors {
			tt := &file.Tensors[i]
			n, err := tt.NumBytes()
			if err != nil || int64(len(tt.Data)) != n {
				t.Fatalf("tensor %q: %d data bytes, NumBytes %d, %v", tt.Name, len(tt.Data), n, err)
			}
			if p, ok := file.Tensor(tt.Name); !ok || p != tt {
				t.Fatalf("Tensor(%q) lookup failed", tt.Name)
			}
		}
		for _, kv := range file.KVs {
			if _, ok := file.Get(kv.Key); !ok {
				t.Fatalf("Get(%q) failed", kv.Key)
			}
		}
		// Typed views must fail cleanly, never panic, on arbitrary metadata.
		_, _ = file.LLM()
		_, _ = file.TokenizerParams()
		_, _ = file.CLIP()
		if file.Alignment > 1<<16 {
			return // a legal but huge alignment would make the rewrite below pad megabytes
		}
		// What the reader accepts, the writer must reproduce: write, re-read, write again, same bytes.
		w1 := rewrite(t, file)
		f2, err := Parse(w1)
		if err != nil {
			t.Fatalf("re-encoded file rejected: %v", err)
		}
		if len(f2.KVs) != len(file.KVs) || len(f2.Tensors) != len(file.Tensors) {
			t.Fatalf("re-encoded file has %d KVs / %d tensors, want %d / %d", len(f2.KVs), len(f2.Tensors), len(file.KVs), len(file.Tensors))
		}
		for i, tt := range file.Tensors {
			g := f2.Tensors[i]
			if g.Name != tt.Name || g.Type != tt.Type || !slices.Equal(g.Shape, tt.Shape) || !bytes.Equal(g.Data, tt.Data) {
				t.Fatalf("tensor %d changed in the round trip", i)
			}
		}
		if w2 := rewrite(t, f2); !bytes.Equal(w1, w2) {
			t.Fatal("writing the re-read file gave different bytes")
		}
	})
}

func readPrefix(path string, n int) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b := make([]byte, n)
	k, err := fh.Read(b)
	return b[:k], err
}
