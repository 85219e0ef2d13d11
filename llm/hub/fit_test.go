package hub

import (
	"strings"
	"testing"

	"github.com/qwenstudio/qwenstudio/platform"
)

const gb = 1_000_000_000

func TestFitArithmetic(t *testing.T) {
	cat, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	m, _ := cat.Model("qwen3:8b")
	f, err := FitFor(m, "Q4_K_M", 8192, platform.Memory{Total: 16 * gb, Available: 12 * gb})
	if err != nil {
		t.Fatal(err)
	}
	// 2 (K and V) × 36 layers × 8192 positions × 8 KV heads × 128 × 2 bytes (F16).
	if f.KV != 2*36*8192*8*128*2 {
		t.Errorf("KV = %d", f.KV)
	}
	if f.Weights != 5027783488 || f.Vision != 0 {
		t.Errorf("weights %d, vision %d", f.Weights, f.Vision)
	}
	if f.Total != f.Weights+f.KV+f.Overhead || f.Overhead < 64<<20 || f.Overhead > 1<<30 {
		t.Errorf("total %d, overhead %d", f.Total, f.Overhead)
	}
	if f.Verdict != Fits || !strings.HasPrefix(f.String(), "fits: 5.03 GB weights + 1.21 GB KV (8192 ctx)") {
		t.Errorf("%s", f)
	}
	for _, tc := range []struct {
		avail uint64
		want  Verdict
	}{{uint64(f.Total) * 2, Fits}, {uint64(f.Total) + 1, Tight}, {uint64(f.Total) - 1, WontFit}, {0, FitUnknown}} {
		if g := EstimateFit(FitRequest{Weights: f.Weights, Dims: m.Dims, Context: 8192}, platform.Memory{Available: tc.avail}); g.Verdict != tc.want {
			t.Errorf("available %d: %s, want %s", tc.avail, g.Verdict, tc.want)
		}
	}

	// A vision model counts its projector and image activations.
	vl, _ := cat.Model("qwen3-vl:8b")
	v, err := FitFor(vl, "Q4_K_M", 8192, platform.Memory{Available: 64 * gb})
	if err != nil {
		t.Fatal(err)
	}
	if v.Vision < 1159029824 || !strings.Contains(v.String(), "vision") {
		t.Errorf("vision %d: %s", v.Vision, v)
	}
	// More context costs KV linearly.
	big, _ := FitFor(m, "Q4_K_M", 32768, platform.Memory{Available: 64 * gb})
	if big.KV != 4*f.KV {
		t.Errorf("KV at 32768 = %d, want 4×%d", big.KV, f.KV)
	}
}
