package video

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// Spec §6.2's worked table (HF bounds 64..16384 tokens).
func TestSmartResizeSpecTable(t *testing.T) {
	for _, c := range []struct{ h, w, rh, rw int }{
		{1080, 1920, 1088, 1920},
		{480, 640, 480, 640},
		{768, 1024, 768, 1024},
		{100, 100, 256, 256},
		{48, 80, 224, 352},
		{2736, 4096, 2752, 4096},
		{4000, 6000, 3328, 4992},
	} {
		h, w, err := SmartResize(c.h, c.w, 32, 65536, 16777216)
		if err != nil || h != c.rh || w != c.rw {
			t.Errorf("%dx%d: got %dx%d (%v), want %dx%d", c.h, c.w, h, w, err, c.rh, c.rw)
		}
	}
	for _, c := range []struct{ h, w int }{{0, 10}, {10, -1}, {1, 201}} {
		if _, _, err := SmartResize(c.h, c.w, 32, 65536, 16777216); err == nil {
			t.Errorf("%dx%d: no error", c.h, c.w)
		}
	}
	if _, _, err := SmartResize(100, 100, 32, 10, 5); err == nil {
		t.Error("max below min: no error")
	}
}

// Spec §6.3's example: a 10 s clip at 30 fps gives 20 frames at these indices and these prompt timestamps.
func TestPolicySpecExample(t *testing.T) {
	in := Info{Path: "x", Duration: 10, FrameRate: 30, FrameCount: 300, FrameCountExact: true,
		Width: 1920, Height: 1080, DisplayWidth: 1920, DisplayHeight: 1080}
	plan, err := DefaultPolicy().Plan(in)
	if err != nil {
		t.Fatal(err)
	}
	wantIdx := []int{0, 16, 31, 47, 63, 79, 94, 110, 126, 142, 157, 173, 189, 205, 220, 236, 252, 268, 283, 299}
	if len(plan.Times) != len(wantIdx) {
		t.Fatalf("%d frames, want %d", len(plan.Times), len(wantIdx))
	}
	frameTimes := make([]float64, len(wantIdx)) // what sampling returns: the selected frames' own times
	for k, i := range wantIdx {
		if got := int(plan.Times[k] * 30); got != i {
			t.Errorf("time %d is %.4fs, in frame %d, want frame %d", k, plan.Times[k], got, i)
		}
		frameTimes[k] = float64(i) / 30
	}
	var got []string
	for _, ts := range TemporalTimestamps(frameTimes) {
		got = append(got, FormatTimestamp(ts))
	}
	want := []string{"<0.3 seconds>", "<1.3 seconds>", "<2.4 seconds>", "<3.4 seconds>", "<4.5 seconds>",
		"<5.5 seconds>", "<6.6 seconds>", "<7.6 seconds>", "<8.7 seconds>", "<9.7 seconds>"}
	if !slices.Equal(got, want) {
		t.Errorf("timestamps %v, want %v", got, want)
	}
	// 20 frames of 1080×1920: qwen-vl-utils resizes each to 640×1152 (spec §6.3).
	if plan.Width != 1152 || plan.Height != 640 {
		t.Errorf("size %dx%d, want 1152x640", plan.Width, plan.Height)
	}
}

func TestPolicyCounts(t *testing.T) {
	cfr := func(frames int64, fps float64) Info {
		return Info{Path: "x", FrameCount: frames, FrameRate: fps, Duration: float64(frames) / fps,
			DisplayWidth: 640, DisplayHeight: 360}
	}
	for _, c := range []struct {
		name string
		in   Info
		p    Policy
		n    int
	}{
		{"short clip gets the minimum", cfr(50, 25), DefaultPolicy(), 4},
		{"three frames round down to two", cfr(3, 25), DefaultPolicy(), 2},
		{"odd count rounds down", cfr(25*7+5, 25), DefaultPolicy(), 14},
		{"hour-long video capped at 768", cfr(25*3600, 25), DefaultPolicy(), 768},
		{"lower fps", cfr(25*60, 25), Policy{FPS: 0.5, MinFrames: 4, MaxFrames: 768, MinPixels: VideoMinPixels, TotalPixels: 1 << 30}, 30},
		{"max frames is rounded down to even", cfr(25*60, 25), Policy{FPS: 2, MinFrames: 4, MaxFrames: 33, MinPixels: VideoMinPixels, TotalPixels: 1 << 30}, 32},
	} {
		plan, err := c.p.Plan(c.in)
		if err != nil || len(plan.Times) != c.n {
			t.Errorf("%s: %d frames (%v), want %d", c.name, len(plan.Times), err, c.n)
			continue
		}
		if int(plan.Times[0]*c.in.FrameRate) != 0 || int(plan.Times[c.n-1]*c.in.FrameRate) != int(c.in.FrameCount-1) {
			t.Errorf("%s: times run %.3f..%.3f, want first to last frame", c.name, plan.Times[0], plan.Times[c.n-1])
		}
		if plan.Width%32 != 0 || plan.Height%32 != 0 {
			t.Errorf("%s: size %dx%d not multiples of 32", c.name, plan.Width, plan.Height)
		}
	}
	if _, err := DefaultPolicy().Plan(cfr(1, 25)); !errors.Is(err, ErrBadRequest) {
		t.Errorf("one-frame video: got %v, want ErrBadRequest", err)
	}
}

func TestPolicyPixelBudget(t *testing.T) {
	in := Info{Path: "x", FrameCount: 25 * 3600, FrameRate: 25, Duration: 3600, DisplayWidth: 1920, DisplayHeight: 1080}
	p := DefaultPolicy()
	plan, err := p.Plan(in)
	if err != nil {
		t.Fatal(err)
	}
	// 768 frames: total budget /768·2 = 307200 pixels per frame, above the 1.05·min floor.
	px := plan.Width * plan.Height
	if px > 307200 || px < 131072 {
		t.Errorf("per-frame pixels %d outside [131072, 307200]", px)
	}
	p.MaxPixels = 64 * 32 * 32 // a user cap below the floor lowers the floor
	plan, err = p.Plan(in)
	if err != nil {
		t.Fatal(err)
	}
	if px := plan.Width * plan.Height; px > 64*32*32 {
		t.Errorf("max pixels 65536 gives %dx%d", plan.Width, plan.Height)
	}
}

func TestTemporalTimestampsOdd(t *testing.T) {
	got := TemporalTimestamps([]float64{0, 1, 2})
	if !slices.Equal(got, []float64{0.5, 2}) {
		t.Errorf("got %v, want [0.5 2] (last repeated)", got)
	}
	if FormatTimestamp(2.25) != "<2.2 seconds>" || FormatTimestamp(0.05) != "<0.1 seconds>" {
		t.Errorf("formatting: %s %s", FormatTimestamp(2.25), FormatTimestamp(0.05))
	}
}

func TestEvenTimes(t *testing.T) {
	in := Info{FrameCount: 11, FrameRate: 10, Duration: 1.1}
	got := EvenTimes(in, 5)                         // linspace(0,10,5) = 0, 2.5, 5, 7.5, 10 → half to even: 0, 2, 5, 8, 10
	want := []float64{0.05, 0.25, 0.55, 0.85, 1.05} // the middle of those frames
	for k := range want {
		if math.Abs(got[k]-want[k]) > 1e-12 {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if EvenTimes(in, 0) != nil || len(EvenTimes(in, 1)) != 1 {
		t.Error("n = 0 or 1")
	}
}
