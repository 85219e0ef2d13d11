package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func framesCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	code = runCLI(ctx, env, append([]string{"frames"}, args...))
	return out.String(), errb.String(), code
}

func readFramesJSON(t *testing.T, dir string) []frameRecord {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "frames.json"))
	if err != nil {
		t.Fatal(err)
	}
	var recs []frameRecord
	if err := json.Unmarshal(b, &recs); err != nil {
		t.Fatalf("frames.json: %v", err)
	}
	for _, r := range recs {
		f, err := os.Open(filepath.Join(dir, fmt.Sprintf("frame_%05d.png", r.Index)))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width != r.Width || cfg.Height != r.Height {
			t.Errorf("frame %d: png %dx%d (%v), frames.json says %dx%d", r.Index, cfg.Width, cfg.Height, err, r.Width, r.Height)
		}
	}
	return recs
}

func TestFramesCLI(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ffmpeg not found: needed to generate a test video")
		}
		t.Skip("ffmpeg not found: needed to generate a test video")
	}
	dir := t.TempDir()
	clip := filepath.Join(dir, "clip.mp4")
	if out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
		"testsrc2=size=320x180:rate=25:duration=3", "-c:v", "libx264", "-g", "25", "-pix_fmt", "yuv420p", clip).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}

	// Default: Qwen3-VL's policy, 3 s × 2 fps = 6 frames, sides multiples of 32.
	out1 := filepath.Join(dir, "policy")
	stdout, stderr, code := framesCLI(t, clip, "-o", out1)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs := readFramesJSON(t, out1)
	if len(recs) != 6 || !strings.Contains(stdout, "h264 320x180") || !strings.Contains(stdout, "wrote 6 frames (exact") {
		t.Errorf("%d frames; stdout %q", len(recs), stdout)
	}
	for k, r := range recs {
		if r.Index != k || r.Width%32 != 0 || r.Height%32 != 0 || (k > 0 && r.Time <= recs[k-1].Time) {
			t.Errorf("record %d: %+v", k, r)
		}
	}
	if recs[0].Time != 0 || math.Abs(recs[5].Time-2.96) > 1e-9 {
		t.Errorf("policy times run %.3f..%.3f, want 0..2.96 (first to last frame)", recs[0].Time, recs[5].Time)
	}

	// Given times, exact size; frames flag after the positional argument.
	out2 := filepath.Join(dir, "at")
	if _, stderr, code := framesCLI(t, clip, "--at", "0.5, 1.01,2", "--size", "64x48", "-o", out2); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs = readFramesJSON(t, out2)
	want := []float64{0.48, 1.0, 2.0} // at 25 fps, 0.5 s shows the frame that started at 0.48 s
	if len(recs) != 3 {
		t.Fatalf("%d frames, want 3", len(recs))
	}
	for k, r := range recs {
		if math.Abs(r.Time-want[k]) > 1e-9 || r.Width != 64 || r.Height != 48 {
			t.Errorf("record %d: %+v, want time %.2f 64x48", k, r, want[k])
		}
	}

	// N evenly spaced, fast mode (keyframes every second), pixel cap.
	out3 := filepath.Join(dir, "fast")
	if _, stderr, code := framesCLI(t, "--frames", "4", "--fast", "--max-pixels", "20000", "-o", out3, clip); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs = readFramesJSON(t, out3)
	if len(recs) != 4 {
		t.Fatalf("%d frames, want 4", len(recs))
	}
	for _, r := range recs {
		if r.Time != math.Round(r.Time) || r.Width*r.Height > 20000 || r.Width%32 != 0 {
			t.Errorf("fast record %+v: want a keyframe (whole second), at most 20000 pixels", r)
		}
	}
}

func TestFramesCLIErrors(t *testing.T) {
	dir := t.TempDir()
	notVideo := filepath.Join(dir, "notes.mp4")
	if err := os.WriteFile(notVideo, []byte(strings.Repeat("not a video\n", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{notVideo}, 2, "-o DIR is required"},
		{[]string{"-o", out}, 2, "want one VIDEO"},
		{[]string{notVideo, "-o", out, "--fps", "1", "--at", "1"}, 2, "alternatives"},
		{[]string{notVideo, "-o", out, "--size", "64x48", "--max-pixels", "9999"}, 2, "alternatives"},
		{[]string{notVideo, "-o", out, "--size", "64by48"}, 2, "--size"},
		{[]string{notVideo, "-o", out, "--at", "1,x"}, 2, "--at"},
		{[]string{notVideo, "-o", out}, 1, "not a media file"},
		{[]string{filepath.Join(dir, "missing.mp4"), "-o", out}, 1, "no such file"},
	} {
		_, stderr, code := framesCLI(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
}
