package hub_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/qwenstudio/qwenstudio/llm/gguf"
	"github.com/qwenstudio/qwenstudio/llm/hub"
	"github.com/qwenstudio/qwenstudio/llm/qwen3"
	"github.com/qwenstudio/qwenstudio/llm/tinymodel"
	"github.com/qwenstudio/qwenstudio/platform"
)

// measureModel is a generated model whose weights, KV cache and activations are all large enough (tens of
// MB) for RSS to measure, yet quick to fill on a CPU: few layers, a narrow residual stream, wide K/V heads
// and Qwen3's full vocabulary.
//
// HUB_FIT_PRESET=0.6b measures Qwen3-0.6B's exact shape instead (Q8_0, 128 positions: the weights and the
// output head dominate); it takes minutes on pure-Go kernels.
func measureModel() tinymodel.Options {
	if os.Getenv("HUB_FIT_PRESET") == "0.6b" {
		o := tinymodel.Qwen3_0_6BShape()
		o.Type, o.Context = gguf.TypeQ8_0, 128
		return o
	}
	return tinymodel.Options{Arch: tinymodel.ArchQwen3, Embd: 512, Layers: 4, Heads: 8, KVHeads: 8, HeadDim: 128,
		FFN: 1536, Context: 1024, VocabRows: 32768, Seed: 3, Type: gguf.TypeQ8_0}
}

type peakReport struct {
	Baseline, Peak uint64
}

// TestFitEstimateMatchesMeasuredPeak loads a generated model in a fresh process, fills its whole context,
// and compares the growth of the process's peak RSS with EstimateFit's total.
func TestFitEstimateMatchesMeasuredPeak(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and runs a model")
	}
	if _, err := platform.PeakRSS(); err != nil {
		t.Skip(err)
	}
	o := measureModel()
	path := filepath.Join(t.TempDir(), "measure.gguf")
	if err := tinymodel.WriteGGUF(context.Background(), path, o); err != nil {
		t.Fatal(err)
	}
	lm, err := hub.ReadLocal(path)
	if err != nil {
		t.Fatal(err)
	}
	est := hub.FitLocal(lm, o.Context, platform.Memory{Total: 1 << 40, Available: 1 << 40})

	cmd := exec.Command(os.Args[0], "-test.run=^TestFitMeasureHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "HUB_FIT_MODEL="+path, "HUB_FIT_CTX="+strconv.Itoa(o.Context), "GOGC=100")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	var rep peakReport
	for _, line := range splitLines(string(out)) {
		if json.Unmarshal([]byte(line), &rep) == nil && rep.Peak > 0 {
			break
		}
	}
	if rep.Peak == 0 {
		t.Fatalf("no report in:\n%s", out)
	}
	// The estimate is for the whole process, so it is compared with the whole process's peak (the test
	// binary's own start-up included, as a program's would be).
	measured := int64(rep.Peak)
	ratio := float64(measured) / float64(est.Total)
	t.Logf("estimate %s (weights %s, KV %s, runtime %s); measured peak RSS %s = %.2f× the estimate (%s at start)",
		hub.FormatBytes(est.Total), hub.FormatBytes(est.Weights), hub.FormatBytes(est.KV), hub.FormatBytes(est.Overhead),
		hub.FormatBytes(measured), ratio, hub.FormatBytes(int64(rep.Baseline)))
	// The estimate must not promise a fit that is not there, nor ask for much more than is used.
	if ratio > 1.0 || ratio < 0.7 {
		t.Errorf("measured %s vs estimated %s: outside 0.7-1.0× of the estimate", hub.FormatBytes(measured), hub.FormatBytes(est.Total))
	}
}

// TestFitMeasureHelper runs in the child process of TestFitEstimateMatchesMeasuredPeak.
func TestFitMeasureHelper(t *testing.T) {
	path := os.Getenv("HUB_FIT_MODEL")
	if path == "" {
		t.Skip("helper process only")
	}
	nctx, _ := strconv.Atoi(os.Getenv("HUB_FIT_CTX"))
	base, err := platform.PeakRSS()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	m, err := qwen3.Load(ctx, path, qwen3.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c, err := m.NewContext(nctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	toks := make([]int32, qwen3.Batch)
	for c.Len() < nctx {
		n := min(len(toks), nctx-c.Len())
		for i := range toks[:n] {
			toks[i] = int32((c.Len() + i*7) % 200)
		}
		if _, err := c.Eval(ctx, toks[:n], false); err != nil {
			t.Fatal(err)
		}
	}
	peak, err := platform.PeakRSS()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(peakReport{Baseline: base, Peak: peak})
	fmt.Println(string(b))
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
