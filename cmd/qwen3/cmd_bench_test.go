package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestBench(t *testing.T) {
	model := goldenModel(t, "a3-qwen3moe-e32-rv-q8_0")
	out, stderr, code := runCmd(t, "", "bench", "-m", model, "-p", "32", "-n", "8", "-r", "2", "-t", "1", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res []benchResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(res) != 2 || res[0].Test != "pp32" || res[1].Test != "tg8" || res[0].NPrompt != 32 || res[1].NGen != 8 {
		t.Fatalf("results %+v", res)
	}
	for _, r := range res {
		if len(r.SamplesTS) != 2 || r.AvgTS <= 0 || r.Threads != 1 || r.ModelType != "qwen3moe" || r.ModelParams <= 0 || r.PeakRSSBytes <= 0 {
			t.Errorf("result %+v", r)
		}
		mean := (r.SamplesTS[0] + r.SamplesTS[1]) / 2
		if d := r.AvgTS - mean; d > 1e-9*mean || d < -1e-9*mean {
			t.Errorf("avg %v is not the mean of %v", r.AvgTS, r.SamplesTS)
		}
	}
	out, _, code = runCmd(t, "", "bench", "-m", model, "-p", "0", "-n", "4", "-r", "1")
	if code != 0 || !strings.Contains(out, "| tg4 |") || strings.Contains(out, "pp0") || !strings.Contains(out, "peak memory") {
		t.Errorf("table:\n%s", out)
	}
	if _, _, code := runCmd(t, "", "bench", "-m", model, "-p", "0", "-n", "0"); code != 2 {
		t.Errorf("-p 0 -n 0: exit %d", code)
	}
}

func TestMeanStddev(t *testing.T) {
	m, sd := meanStddev([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	if m != 5 || sd < 2.138 || sd > 2.139 { // sample standard deviation: sqrt(32/7)
		t.Errorf("mean %v sd %v", m, sd)
	}
	if m, sd := meanStddev([]float64{3}); m != 3 || sd != 0 {
		t.Errorf("one sample: %v %v", m, sd)
	}
}
