package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	iofs "io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/qwenstudio/qwenstudio/llm/gguf"
	"github.com/qwenstudio/qwenstudio/llm/qwen3"
)

// benchResult is one test of qwen3 bench (the fields of llama-bench's JSON that apply).
type benchResult struct {
	Model        string    `json:"model_filename"`
	ModelType    string    `json:"model_type"`
	ModelSize    int64     `json:"model_size"`
	ModelParams  int64     `json:"model_n_params"`
	Backend      string    `json:"backends"`
	Threads      int       `json:"n_threads"`
	Test         string    `json:"test"`
	NPrompt      int       `json:"n_prompt"`
	NGen         int       `json:"n_gen"`
	AvgTS        float64   `json:"avg_ts"`
	StddevTS     float64   `json:"stddev_ts"`
	SamplesTS    []float64 `json:"samples_ts"`
	SamplesNS    []int64   `json:"samples_ns"`
	PeakRSSBytes int64     `json:"peak_rss_bytes,omitempty"`
}

// runBench measures prompt processing (pp: one batch of -p tokens into an empty cache) and text generation
// (tg: -n tokens one at a time from an empty cache) like llama-bench: random token ids, one warm-up run of
// each test that is not counted, then -r measured runs reported as mean ± sample standard deviation of
// tokens/s. Peak memory is the process's VmHWM.
func runBench(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "bench", "-m MODEL [-p 512] [-n 128] [-t THREADS] [-r 3] [--json]")
	model := fs.String("m", "", "model: a .gguf file, a Hugging Face folder, or a downloaded model's name")
	nPrompt := fs.Int("p", 512, "prompt tokens for the pp test (0: skip)")
	nGen := fs.Int("n", 128, "generated tokens for the tg test (0: skip)")
	threads := fs.Int("t", 0, "CPU threads (0: one per CPU)")
	reps := fs.Int("r", 3, "measured repetitions of each test")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("unexpected arguments %q", pos)
	}
	if *model == "" {
		return usagef("-m MODEL is required")
	}
	if *nPrompt < 0 || *nGen < 0 || *threads < 0 || *reps < 1 || *nPrompt+*nGen == 0 {
		return usagef("-p and -n must be ≥ 0 (not both 0), -t ≥ 0, -r ≥ 1")
	}
	path, err := resolveModel(ctx, *model)
	if err != nil {
		return err
	}
	m, err := qwen3.Load(ctx, path, qwen3.Options{Threads: *threads})
	if err != nil {
		return err
	}
	defer m.Close()
	cfg := m.Config()
	info := m.Backend().Info()
	size, params := modelSize(path)
	base := benchResult{Model: filepath.Base(path), ModelType: cfg.Arch, ModelSize: size, ModelParams: params,
		Backend: info.Name, Threads: info.Threads}

	c, err := m.NewContext(max(*nPrompt, *nGen))
	if err != nil {
		return err
	}
	defer c.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	tokens := make([]int32, max(*nPrompt, *nGen))
	for i := range tokens {
		tokens[i] = int32(rng.IntN(cfg.VocabSize))
	}
	var results []benchResult
	tests := []struct {
		name string
		n    int
		run  func() error
	}{
		{fmt.Sprintf("pp%d", *nPrompt), *nPrompt, func() error {
			_, err := c.Eval(ctx, tokens[:*nPrompt], false)
			return err
		}},
		{fmt.Sprintf("tg%d", *nGen), *nGen, func() error {
			for _, id := range tokens[:*nGen] {
				if _, err := c.Eval(ctx, []int32{id}, false); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	for i, test := range tests {
		if test.n == 0 {
			continue
		}
		r := base
		r.Test = test.name
		if i == 0 {
			r.NPrompt = test.n
		} else {
			r.NGen = test.n
		}
		for rep := -1; rep < *reps; rep++ { // rep -1 is the warm-up
			if err := c.Truncate(0); err != nil {
				return err
			}
			t0 := time.Now()
			if err := test.run(); err != nil {
				return fmt.Errorf("%s: %w", test.name, err)
			}
			d := time.Since(t0)
			if rep >= 0 {
				r.SamplesNS = append(r.SamplesNS, d.Nanoseconds())
				r.SamplesTS = append(r.SamplesTS, float64(test.n)/d.Seconds())
			}
		}
		r.AvgTS, r.StddevTS = meanStddev(r.SamplesTS)
		results = append(results, r)
	}
	peak := peakRSS()
	for i := range results {
		results[i].PeakRSSBytes = peak
	}
	if *asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	printBench(env.stdout, results, peak)
	return nil
}

func printBench(w io.Writer, results []benchResult, peak int64) {
	fmt.Fprintln(w, "| model | size | params | backend | threads | test | t/s |")
	fmt.Fprintln(w, "| --- | ---: | ---: | --- | ---: | ---: | ---: |")
	for _, r := range results {
		params := "-"
		if r.ModelParams > 0 {
			params = fmt.Sprintf("%.2f M", float64(r.ModelParams)/1e6)
		}
		fmt.Fprintf(w, "| %s | %.2f MiB | %s | %s | %d | %s | %.2f ± %.2f |\n", r.Model,
			float64(r.ModelSize)/(1<<20), params, r.Backend, r.Threads, r.Test, r.AvgTS, r.StddevTS)
	}
	if peak > 0 {
		fmt.Fprintf(w, "\npeak memory (VmHWM): %.1f MiB\n", float64(peak)/(1<<20))
	}
}

// meanStddev returns the mean and the sample standard deviation (0 for one sample).
func meanStddev(xs []float64) (mean, sd float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(xs)-1))
}

// modelSize returns the bytes of the model's weights (GGUF: the tensor data; folders: the safetensors files)
// and, for GGUF, its parameter count (0 when unknown).
func modelSize(path string) (size, params int64) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, 0
	}
	if !st.IsDir() {
		f, err := gguf.Open(path)
		if err != nil {
			return st.Size(), 0
		}
		defer f.Close()
		// Tensor data only, as llama-bench counts it.
		for i := range f.Tensors {
			params += f.Tensors[i].NumElements()
			size += int64(len(f.Tensors[i].Data))
		}
		return size, params
	}
	filepath.WalkDir(path, func(p string, d iofs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".safetensors") {
			if info, err := d.Info(); err == nil {
				size += info.Size()
			}
		}
		return nil
	})
	return size, 0
}

// peakRSS returns the process's peak resident memory (VmHWM in /proc/self/status), 0 where there is none.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			fields := strings.Fields(rest) // "123456 kB"
			if len(fields) == 2 && fields[1] == "kB" {
				if kb, err := strconv.ParseInt(fields[0], 10, 64); err == nil {
					return kb << 10
				}
			}
		}
	}
	return 0
}
