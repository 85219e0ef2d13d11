package hubtest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// Model describes a tiny GGUF model for tests.
type Model struct {
	Arch     string // "qwen3" (default), "qwen3moe", "llama", or "clip" for a vision projector
	Name     string // general.name
	FileType int    // general.file_type (llama_ftype): 7 = Q8_0, 15 = Q4_K_M
	Layers   int    // block_count (default 2)
	Embd     int    // embedding_length (default 64)
	Heads    int    // attention.head_count (default 4)
	KVHeads  int    // attention.head_count_kv (default 2)
	Context  int    // context_length (default 4096)
	Padding  int    // bytes of F32 tensor data to add, to make a bigger file
}

// TinyGGUF returns the bytes of a valid GGUF file with m's metadata and one F32 tensor of Padding bytes
// (at least 64 floats).
func TinyGGUF(m Model) []byte {
	if m.Arch == "" {
		m.Arch = "qwen3"
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&m.Layers, 2)
	def(&m.Embd, 64)
	def(&m.Heads, 4)
	def(&m.KVHeads, 2)
	def(&m.Context, 4096)
	w := gguf.NewWriter()
	w.SetKV("general.architecture", m.Arch)
	if m.Name != "" {
		w.SetKV("general.name", m.Name)
	}
	w.SetKV("general.file_type", uint32(m.FileType))
	if m.Arch == "clip" {
		w.SetKV("clip.has_vision_encoder", true)
		w.SetKV("clip.projector_type", "qwen3vl_merger")
		w.SetKV("clip.vision.block_count", uint32(m.Layers))
		w.SetKV("clip.vision.embedding_length", uint32(m.Embd))
	} else {
		k := func(s string) string { return m.Arch + "." + s }
		w.SetKV(k("context_length"), uint32(m.Context))
		w.SetKV(k("embedding_length"), uint32(m.Embd))
		w.SetKV(k("block_count"), uint32(m.Layers))
		w.SetKV(k("feed_forward_length"), uint32(m.Embd*3))
		w.SetKV(k("attention.head_count"), uint32(m.Heads))
		w.SetKV(k("attention.head_count_kv"), uint32(m.KVHeads))
	}
	n := max(m.Padding/4, 64)
	data := make([]byte, n*4)
	for i := 0; i < n; i++ {
		binary.LittleEndian.PutUint32(data[i*4:], math.Float32bits(float32(i%251)/251))
	}
	if err := w.AddTensor("output_norm.weight", gguf.TypeF32, []int64{int64(n)}, data); err != nil {
		panic(fmt.Sprintf("hubtest: %v", err)) // the inputs above are always valid
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		panic(fmt.Sprintf("hubtest: %v", err))
	}
	return buf.Bytes()
}
