package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/qwenstudio/qwenstudio/llm/gguf"
	"github.com/qwenstudio/qwenstudio/llm/tinymodel"
)

const genSynopsis = "-o PATH [--preset demo|qwen3-0.6b-shape] [--arch qwen3|qwen3moe] [--format gguf|hf] " +
	"[--type f32|f16|bf16|q8_0] [--embd N --layers N --heads N --kv-heads N --head-dim N --ffn N " +
	"--experts N --experts-used N --expert-ffn N --ctx N] [--untied] [--seed S] [--tokenizer tokenizer.json [--vocab N]]"

// runGen writes a random-weight Qwen3 / Qwen3-MoE model (llm/tinymodel) for tests, demos and benchmarks.
func runGen(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "gen", genSynopsis)
	out := fs.String("o", "", "output: a .gguf file, or a folder for --format hf")
	preset := fs.String("preset", "demo", "starting shape: demo (small, built-in vocabulary) or qwen3-0.6b-shape (Qwen3-0.6B's exact architecture)")
	arch := fs.String("arch", "", "qwen3 or qwen3moe (default: the preset's)")
	format := fs.String("format", "", "gguf or hf (default: gguf when -o ends in .gguf, hf otherwise)")
	typ := fs.String("type", "", "weight type: f32, f16, bf16 or q8_0 (hf: f32, f16, bf16; default: the preset's)")
	embd := fs.Int("embd", 0, "embedding width n_embd")
	layers := fs.Int("layers", 0, "number of layers")
	heads := fs.Int("heads", 0, "attention heads")
	kvHeads := fs.Int("kv-heads", 0, "key/value heads")
	headDim := fs.Int("head-dim", 0, "head dimension")
	ffn := fs.Int("ffn", 0, "feed-forward width")
	experts := fs.Int("experts", 0, "MoE: number of experts (qwen3moe default 8)")
	expertsUsed := fs.Int("experts-used", 0, "MoE: experts per token (default 2)")
	expertFFN := fs.Int("expert-ffn", 0, "MoE: expert feed-forward width (default ffn/4)")
	nctx := fs.Int("ctx", 0, "context length")
	untied := fs.Bool("untied", false, "write a separate output matrix instead of reusing the embedding")
	seed := fs.Uint64("seed", 1, "random seed (same seed and options, same bytes)")
	tokPath := fs.String("tokenizer", "", "take the vocabulary from this tokenizer.json (or a folder holding one)")
	vocabN := fs.Int("vocab", 0, "with --tokenizer: keep only the first N BPE tokens (the golden models use 4096)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("unexpected arguments %q (the output goes after -o)", pos)
	}
	if *out == "" {
		return usagef("-o PATH is required")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	var o tinymodel.Options
	switch *preset {
	case "demo":
		o = tinymodel.Demo()
	case "qwen3-0.6b-shape":
		o = tinymodel.Qwen3_0_6BShape()
	default:
		return usagef("--preset %q: want demo or qwen3-0.6b-shape", *preset)
	}
	if set["arch"] {
		if *arch != tinymodel.ArchQwen3 && *arch != tinymodel.ArchQwen3MoE {
			return usagef("--arch %q: want qwen3 or qwen3moe", *arch)
		}
		o.Arch = *arch
	}
	if set["type"] {
		t, ok := map[string]gguf.Type{"f32": gguf.TypeF32, "f16": gguf.TypeF16, "bf16": gguf.TypeBF16, "q8_0": gguf.TypeQ8_0}[strings.ToLower(*typ)]
		if !ok {
			return usagef("--type %q: want f32, f16, bf16 or q8_0", *typ)
		}
		o.Type = t
	}
	for name, dst := range map[string]struct {
		v   int
		dst *int
	}{
		"embd": {*embd, &o.Embd}, "layers": {*layers, &o.Layers}, "heads": {*heads, &o.Heads},
		"kv-heads": {*kvHeads, &o.KVHeads}, "head-dim": {*headDim, &o.HeadDim}, "ffn": {*ffn, &o.FFN},
		"experts": {*experts, &o.Experts}, "experts-used": {*expertsUsed, &o.ExpertsUsed},
		"expert-ffn": {*expertFFN, &o.ExpertFFN}, "ctx": {*nctx, &o.Context},
	} {
		if set[name] {
			if dst.v <= 0 {
				return usagef("--%s %d: must be positive", name, dst.v)
			}
			*dst.dst = dst.v
		}
	}
	if set["heads"] && !set["kv-heads"] && o.KVHeads > o.Heads {
		o.KVHeads = o.Heads
	}
	if o.Arch == tinymodel.ArchQwen3MoE {
		if o.Experts == 0 {
			o.Experts = 8
		}
		if o.ExpertsUsed == 0 {
			o.ExpertsUsed = min(2, o.Experts)
		}
		if o.ExpertFFN == 0 {
			o.ExpertFFN = max(o.FFN/4, 1)
		}
	}
	o.Untied = *untied
	o.Seed = *seed
	if set["vocab"] && *tokPath == "" {
		return usagef("--vocab needs --tokenizer")
	}
	if *vocabN < 0 {
		return usagef("--vocab %d: must be positive", *vocabN)
	}
	if *tokPath != "" {
		p := *tokPath
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			p = filepath.Join(p, "tokenizer.json")
		}
		if o.Vocab, err = tinymodel.VocabFromTokenizerJSON(p, *vocabN); err != nil {
			return err
		}
		if o.VocabRows > 0 && o.VocabRows < o.Vocab.NumTokens() {
			o.VocabRows = 0 // the preset's row count is too small for this vocabulary: use its own
		}
	}

	f := *format
	if f == "" {
		f = "hf"
		if strings.HasSuffix(strings.ToLower(*out), ".gguf") {
			f = "gguf"
		}
	}
	switch f {
	case "gguf":
		err = tinymodel.WriteGGUF(ctx, *out, o)
	case "hf":
		if o.Type == gguf.TypeQ8_0 {
			return usagef("--type q8_0 is for GGUF; Hugging Face folders hold f32, f16 or bf16")
		}
		err = tinymodel.WriteHF(ctx, *out, o)
	default:
		return usagef("--format %q: want gguf or hf", f)
	}
	if err != nil {
		return err
	}
	size, _ := pathSize(*out)
	desc := fmt.Sprintf("%s, %d layers, n_embd %d, %d/%d heads of %d, ffn %d", o.Arch, o.Layers, o.Embd, o.Heads, o.KVHeads, o.HeadDim, o.FFN)
	if o.Arch == tinymodel.ArchQwen3MoE {
		desc += fmt.Sprintf(", %d experts (%d used) of %d", o.Experts, o.ExpertsUsed, o.ExpertFFN)
	}
	fmt.Fprintf(env.stdout, "wrote %s (%s, %s): %s, %s weights, seed %d, %.1f MB\n",
		*out, f, *preset, desc, o.Type, o.Seed, float64(size)/1e6)
	return nil
}

// pathSize is the size of a file, or the total size of the files in a folder.
func pathSize(p string) (int64, error) {
	var n int64
	err := filepath.WalkDir(p, func(_ string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			n += info.Size()
		}
		return err
	})
	return n, err
}
