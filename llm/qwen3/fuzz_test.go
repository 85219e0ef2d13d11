package qwen3

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
	"github.com/qwenstudio/qwenstudio/kernels/cpu"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
	"github.com/qwenstudio/qwenstudio/llm/tinymodel"
)

// FuzzLoadGGUF feeds mutated model files through config parsing, weight binding and one evaluation: bad
// files must give errors, never panics. Run with a short -fuzzminimizetime (e.g. 2s): minimising each new
// input of this size otherwise takes the default 60 s and the run makes no progress.
func FuzzLoadGGUF(f *testing.F) {
	// Seeds: small models (a 300-token slice of the real vocabulary keeps the inputs a few tens of KB, which the
	// coverage-guided fuzzer needs to make progress), dense and MoE.
	v, err := tinymodel.VocabFromTokenizerJSON(filepath.Join(testdata.Dir(f, "qwen3-tokenizer"), "tokenizer.json"), 300)
	if err != nil {
		f.Fatal(err)
	}
	for _, arch := range []string{tinymodel.ArchQwen3, tinymodel.ArchQwen3MoE} {
		o := tinymodel.Golden(arch)
		o.Vocab, o.Embd, o.FFN, o.Layers, o.Type = v, 32, 32, 1, gguf.TypeQ8_0
		var buf bytes.Buffer
		if err := tinymodel.EncodeGGUF(context.Background(), &buf, o); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	be := cpu.New(cpu.Config{Threads: 1})
	defer be.Close()
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		gf, err := gguf.Parse(data)
		if err != nil {
			return
		}
		cfg, src, tok, err := fromGGUF(gf)
		if err != nil {
			return
		}
		m, err := newModel(ctx, cfg, src, tok, Options{Backend: be})
		if err != nil {
			return
		}
		defer m.Close()
		c := m.Config()
		// Keep the evaluation's buffers small: the fuzzer may inflate dimensions the weights then match.
		if int64(c.HiddenSize)*int64(max(c.VocabSize, c.FFNSize, c.Experts*c.ExpertFFNSize)) > 1<<24 {
			return
		}
		cx, err := m.NewContext(4)
		if err != nil {
			return
		}
		defer cx.Close()
		if _, err := cx.Eval(ctx, []int32{0, int32(c.VocabSize - 1)}, true); err != nil {
			t.Fatalf("Eval on a model that loaded: %v", err)
		}
	})
}
