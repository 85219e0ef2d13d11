package state

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/qwenstudio/qwenstudio/app/store"
)

// TestDemoModelEndToEnd generates the demo model, loads it with the real engine and has a two-turn chat with
// thinking on and off; the answers stream into the store.
func TestDemoModelEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and runs the demo model")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "demo", "demo.gguf")
	if err := EnsureDemoModel(ctx, path); err != nil {
		t.Fatal(err)
	}
	st1, _ := os.Stat(path)
	if err := EnsureDemoModel(ctx, path); err != nil { // already there: kept
		t.Fatal(err)
	}
	if st2, _ := os.Stat(path); !st2.ModTime().Equal(st1.ModTime()) {
		t.Error("the demo model was generated twice")
	}
	e, err := LoadModel(ctx, path, LoadOptions{Threads: 2, Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	info := e.Info()
	if !info.Demo || info.Arch != "qwen3" || !info.ThinkSwitch || info.ContextLength != 4096 || info.Backend == "" || info.Size == 0 {
		t.Errorf("info %+v", info)
	}
	c, st, _ := newTestChat(t, e)
	c.SetThink(false)
	send(t, c, "Hello there")
	c.SetThink(true)
	send(t, c, "And again")
	v := c.View()
	if len(v.Messages) != 4 {
		t.Fatalf("%d messages", len(v.Messages))
	}
	for _, i := range []int{1, 3} {
		a := v.Messages[i]
		if a.Status != store.StatusDone || a.Stats == nil || a.Stats.GeneratedTokens == 0 ||
			a.Stats.GeneratedTokens > DemoMaxTokens || a.Content+a.Reasoning == "" {
			t.Errorf("answer %d: %s %+v %q", i, a.Status, a.Stats, a.Content)
		}
	}
	if v.Messages[1].Stats.Thinking || !v.Messages[3].Stats.Thinking {
		t.Errorf("thinking flags %v %v", v.Messages[1].Stats.Thinking, v.Messages[3].Stats.Thinking)
	}
	// The second turn reuses the first one's cache.
	if v.Messages[3].Stats.CachedTokens == 0 {
		t.Error("no prompt prefix reused on the second turn")
	}
	if v.ContextUsed == 0 || v.ContextSize != 4096 {
		t.Errorf("context %d/%d", v.ContextUsed, v.ContextSize)
	}
	msgs, _ := st.Messages(ctx, v.Conversation.ID)
	if len(msgs) != 4 || msgs[3].Content != v.Messages[3].Content {
		t.Errorf("stored %d messages", len(msgs))
	}
}

func TestThumbnail(t *testing.T) {
	p := filepath.Join(t.TempDir(), "wide.png")
	writePNG(t, p, 300, 100)
	img, err := Thumbnail(p, 96)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 96 || b.Dy() != 32 {
		t.Errorf("thumbnail %v, want 96x32 (aspect kept)", b)
	}
	bad := filepath.Join(t.TempDir(), "bad.png")
	os.WriteFile(bad, []byte("not a png"), 0o644)
	if _, err := Thumbnail(bad, 96); err == nil {
		t.Error("garbage decoded")
	}
}

func TestPreviewVideo(t *testing.T) {
	ff, err := exec.LookPath("ffmpeg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ffmpeg is required under CI")
		}
		t.Skip("ffmpeg CLI not installed (scripts/setup.sh installs it)")
	}
	p := filepath.Join(t.TempDir(), "clip.mp4")
	out, err := exec.Command(ff, "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=10:duration=6",
		"-g", "10", "-pix_fmt", "yuv420p", p).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	pv, err := PreviewVideo(context.Background(), p, 8, 54)
	if err != nil {
		t.Fatal(err)
	}
	if pv.Info.Duration < 5.9 || pv.Info.Duration > 6.1 {
		t.Errorf("duration %v", pv.Info.Duration)
	}
	// 6 s at 2 fps: the sampler picks 12 frames; the strip shows 8 of them, first and last included.
	if pv.PlanFrames != 12 || len(pv.StripTimes) != 8 || pv.StripTimes[0] > 0.1 || pv.StripTimes[7] < 5.8 ||
		!slices.IsSorted(pv.StripTimes) {
		t.Errorf("plan %d frames, strip %v", pv.PlanFrames, pv.StripTimes)
	}
	for i, f := range pv.StripFrames {
		if f == nil || f.Bounds().Dy() != 54 || f.Bounds().Dx() != 96 {
			t.Fatalf("strip frame %d: %v", i, f)
		}
	}
	if _, err := PreviewVideo(context.Background(), filepath.Join(t.TempDir(), "none.mp4"), 8, 54); err == nil {
		t.Error("missing video previewed")
	}
}

func TestPick(t *testing.T) {
	times := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	for _, tc := range []struct {
		n    int
		want []float64
	}{
		{3, []float64{0, 5, 9}}, // round(4.5)=5 (half away from zero)
		{1, []float64{0}},
		{20, times},
		{0, nil},
	} {
		if got := pick(times, tc.n); !slices.Equal(got, tc.want) {
			t.Errorf("pick(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
}
