package qwen3

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/qwenstudio/qwenstudio/llm/gguf"
	"github.com/qwenstudio/qwenstudio/llm/tinymodel"
)

// Forward-pass benchmarks on the demo shape (n_embd 256, 4 layers, built-in vocabulary); tokens/s is reported
// as a metric. `qwen3 bench` measures real model shapes.
func BenchmarkForward(b *testing.B) {
	ctx := context.Background()
	for _, typ := range []gguf.Type{gguf.TypeF32, gguf.TypeQ8_0} {
		o := tinymodel.Demo()
		o.Type = typ
		path := filepath.Join(b.TempDir(), "demo.gguf")
		if err := tinymodel.WriteGGUF(ctx, path, o); err != nil {
			b.Fatal(err)
		}
		m, err := Load(ctx, path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		ids := randTokens(rand.New(rand.NewPCG(1, 1)), 128, m.Config().VocabSize)
		b.Run(fmt.Sprintf("%v/prefill128", typ), func(b *testing.B) {
			c, err := m.NewContext(len(ids))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			for b.Loop() {
				c.Truncate(0)
				if _, err := c.Eval(ctx, ids, false); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(ids)*b.N)/b.Elapsed().Seconds(), "tok/s")
		})
		b.Run(fmt.Sprintf("%v/decode", typ), func(b *testing.B) {
			c, err := m.NewContext(256)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			tok := ids[:1]
			for b.Loop() {
				if c.Len() == c.Cap() {
					c.Truncate(0)
				}
				if _, err := c.Eval(ctx, tok, false); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tok/s")
		})
		m.Close()
	}
}
