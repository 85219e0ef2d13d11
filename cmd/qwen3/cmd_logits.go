package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/qwenstudio/qwenstudio/llm/qwen3"
)

// runLogits evaluates a token sequence in one pass and writes the logits as little-endian float32, row-major
// [rows][n_vocab]: the last position, or every position with --all. It is the engine's parity probe: the same
// layout as llama.cpp's golden *.last.f32 files.
func runLogits(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "logits", `-m MODEL --tokens "ID ID ..." [--all] [--f32] [-t THREADS] -o FILE`)
	model := fs.String("m", "", "model: a .gguf file or a Hugging Face folder")
	tokens := fs.String("tokens", "", "token ids separated by spaces or commas")
	all := fs.Bool("all", false, "write the logits of every position, not only the last")
	f32 := fs.Bool("f32", false, "compute everything in float32 (F32 KV cache, no activation rounding)")
	threads := fs.Int("t", 0, "CPU threads (0: one per CPU)")
	out := fs.String("o", "", "output file")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 0:
		return usagef("unexpected arguments %q", pos)
	case *model == "":
		return usagef("-m MODEL is required")
	case *out == "":
		return usagef("-o FILE is required")
	case *threads < 0:
		return usagef("-t must be ≥ 0")
	}
	ids, err := parseTokenIDs(*tokens)
	if err != nil {
		return usagef("--tokens: %v", err)
	}
	m, err := qwen3.Load(ctx, *model, qwen3.Options{Threads: *threads, F32: *f32})
	if err != nil {
		return err
	}
	defer m.Close()
	c, err := m.NewContext(len(ids))
	if err != nil {
		return err
	}
	defer c.Close()
	logits, err := c.Eval(ctx, ids, *all)
	if err != nil {
		return err
	}
	if err := writeF32(*out, logits); err != nil {
		return err
	}
	rows := 1
	if *all {
		rows = len(ids)
	}
	fmt.Fprintf(env.stderr, "wrote %d × %d logits to %s\n", rows, m.Config().VocabSize, *out)
	return nil
}

func parseTokenIDs(s string) ([]int32, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' })
	if len(fields) == 0 {
		return nil, fmt.Errorf("no token ids")
	}
	ids := make([]int32, len(fields))
	for i, f := range fields {
		v, err := strconv.ParseInt(f, 10, 32)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("%q is not a token id", f)
		}
		ids[i] = int32(v)
	}
	return ids, nil
}

func writeF32(path string, v []float32) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	var b [4]byte
	for _, x := range v {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(x))
		w.Write(b[:])
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
