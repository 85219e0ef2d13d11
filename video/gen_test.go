package video

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Test videos are made with the ffmpeg CLI from frames drawn here, so that every frame says which it is:
// 12 vertical bands, red, then the frame index in 10 bits (white = 1, most significant first), then blue.
const (
	bands    = 12
	bitBands = 10
)

// needFFmpeg skips the test when the ffmpeg CLI is missing (it is a test-only dependency), except on CI.
func needFFmpeg(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not found: it is needed to generate test videos", tool)
			}
			t.Skipf("%s not found: it is needed to generate test videos", tool)
		}
	}
}

// drawFrame draws frame i as packed RGB24.
func drawFrame(buf []byte, w, h, i int) {
	for x := range w {
		b := x * bands / w
		var r, g, bl byte
		switch {
		case b == 0:
			r = 220
		case b == bands-1:
			bl = 220
		default:
			if i>>(bitBands-b)&1 == 1 {
				r, g, bl = 235, 235, 235
			} else {
				r, g, bl = 16, 16, 16
			}
		}
		for y := range h {
			o := (y*w + x) * 3
			buf[o], buf[o+1], buf[o+2] = r, g, bl
		}
	}
}

// gen describes one generated video.
type gen struct {
	file   string   // output name; its extension picks the container
	w, h   int      // frame size
	fps    int      // input frame rate
	frames int      // number of frames
	args   []string // ffmpeg output arguments (codec, options)
}

// make writes the video into dir and returns its path.
func (g gen) make(t testing.TB, dir string) string {
	t.Helper()
	needFFmpeg(t)
	out := filepath.Join(dir, g.file)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := []string{"-hide_banner", "-loglevel", "error", "-y",
		"-f", "rawvideo", "-pix_fmt", "rgb24", "-s", fmt.Sprintf("%dx%d", g.w, g.h),
		"-framerate", strconv.Itoa(g.fps), "-i", "-"}
	args = append(append(args, g.args...), out)
	cmd := exec.CommandContext(ctx, "ffmpeg", args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriterSize(stdin, 1<<20)
	buf := make([]byte, g.w*g.h*3)
	for i := range g.frames {
		drawFrame(buf, g.w, g.h, i)
		if _, err := bw.Write(buf); err != nil {
			break // ffmpeg failed; its stderr says why
		}
	}
	bw.Flush()
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("ffmpeg %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// ffmpegRun runs the ffmpeg CLI with args (for remuxing and other derived files).
func ffmpegRun(t testing.TB, args ...string) {
	t.Helper()
	needFFmpeg(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ffmpeg", append([]string{"-hide_banner", "-loglevel", "error", "-y"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// probeFrames returns, as ffprobe (FFmpeg's own tools) reports them, the presentation time of every frame
// in display order and of the keyframes, in seconds from the container's start time.
func probeFrames(t testing.TB, path string) (frames, keys []float64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-select_streams", "v:0",
		"-show_entries", "frame=best_effort_timestamp_time,key_frame:format=start_time", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var r struct {
		Frames []struct {
			Time string `json:"best_effort_timestamp_time"`
			Key  int    `json:"key_frame"`
		}
		Format struct {
			Start string `json:"start_time"`
		}
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	start, _ := strconv.ParseFloat(r.Format.Start, 64)
	for i, f := range r.Frames {
		v, err := strconv.ParseFloat(f.Time, 64)
		if err != nil {
			// FFmpeg has no time for a frame drained at the end of an AVI with B-frames: one frame on.
			if i < 2 {
				t.Fatalf("ffprobe %s: frame %d time %q", path, i, f.Time)
			}
			v = 2*frames[i-1] - frames[i-2] + start
		}
		frames = append(frames, v-start)
		if f.Key == 1 {
			keys = append(keys, v-start)
		}
	}
	return frames, keys
}

// decodeIndex reads the frame index drawn by drawFrame from f, whose picture was rotated clockwise by rot
// degrees for display. ok is false if the red and blue marker bands are not where they must be.
func decodeIndex(f *Frame, rot int) (idx int, ok bool) {
	// at samples the output at source-normalized coordinates (sx, sy), averaging a small box.
	at := func(sx, sy float64) (r, g, b int) {
		var ox, oy float64
		switch rot {
		case 90:
			ox, oy = 1-sy, sx
		case 180:
			ox, oy = 1-sx, 1-sy
		case 270:
			ox, oy = sy, 1-sx
		default:
			ox, oy = sx, sy
		}
		cx, cy := int(ox*float64(f.Width)), int(oy*float64(f.Height))
		n := 0
		for y := max(0, cy-1); y <= min(f.Height-1, cy+1); y++ {
			for x := max(0, cx-1); x <= min(f.Width-1, cx+1); x++ {
				o := (y*f.Width + x) * 3
				r += int(f.RGB[o])
				g += int(f.RGB[o+1])
				b += int(f.RGB[o+2])
				n++
			}
		}
		return r / n, g / n, b / n
	}
	band := func(b int) (int, int, int) { return at((float64(b)+0.5)/bands, 0.5) }
	if r, g, b := band(0); r < 150 || g > 90 || b > 90 {
		return 0, false
	}
	if r, g, b := band(bands - 1); b < 150 || r > 90 || g > 90 {
		return 0, false
	}
	for b := 1; b <= bitBands; b++ {
		r, g, bl := band(b)
		idx <<= 1
		if (r+g+bl)/3 > 128 {
			idx |= 1
		}
	}
	return idx, true
}

func execOutput(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return exec.CommandContext(ctx, name, args...).Output()
}
