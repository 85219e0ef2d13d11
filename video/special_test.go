package video

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asticode/go-astiav"
)

func TestVariableFrameRate(t *testing.T) {
	needFFmpeg(t)
	// 20 frames at 25 fps, then 20 frames at 5 fps.
	g := gen{"vfr.mp4", 160, 96, 25, 40, append([]string{"-vf", "setpts='if(lt(N,20),N*0.04,0.8+(N-20)*0.2)/TB'",
		"-fps_mode", "vfr", "-video_track_timescale", "1000"}, x264...)}
	path := g.make(t, t.TempDir())
	ft, _ := probeFrames(t, path)
	for i, s := range ft {
		want := float64(i) * 0.04
		if i >= 20 {
			want = 0.8 + float64(i-20)*0.2
		}
		if math.Abs(s-want) > 1e-6 {
			t.Fatalf("generated frame %d at %.4f, want %.4f", i, s, want)
		}
	}
	v, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if !v.Info.VariableFrameRate || v.Info.FrameCount != 40 || math.Abs(v.Info.Duration-4.8) > 0.21 {
		t.Errorf("info: vfr %v, %d frames, %.3fs; want vfr, 40 frames, 4.8s", v.Info.VariableFrameRate,
			v.Info.FrameCount, v.Info.Duration)
	}
	var times []float64
	for tt := 0.0; tt <= v.Info.Duration; tt += 0.07 {
		times = append(times, tt)
	}
	checkExact(t, collect(t, v, times, Options{Workers: 2}), times, ft, 0)

	// The policy spaces frames evenly in time, not in frame numbers.
	plan, err := DefaultPolicy().Plan(v.Info)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Times) != 8 { // 4.8s × 2 fps = 9.6, rounded down to even
		t.Errorf("policy picked %d frames, want 8", len(plan.Times))
	}
	for k := 1; k < len(plan.Times); k++ {
		if d := plan.Times[k] - plan.Times[k-1]; math.Abs(d-plan.Times[1]) > 1e-9 {
			t.Errorf("policy times %v are not evenly spaced", plan.Times)
			break
		}
	}
}

func TestRotation(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	src := gen{"src.mp4", 160, 96, 25, 25, x264}.make(t, dir)
	// The "rotate" tag makes ffmpeg 5.1's muxer write a display matrix; ffmpeg -i then shows the video
	// rotated, and so must we.
	for _, tag := range []string{"90", "180", "270"} {
		t.Run(tag, func(t *testing.T) {
			path := filepath.Join(dir, "rot"+tag+".mp4")
			ffmpegRun(t, "-i", src, "-c", "copy", "-metadata:s:v:0", "rotate="+tag, path)
			v, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			in := v.Info
			wantW, wantH := 96, 160
			if in.Rotation == 180 {
				wantW, wantH = 160, 96
			}
			if in.Rotation == 0 || in.DisplayWidth != wantW || in.DisplayHeight != wantH {
				t.Fatalf("rotation %d, display %dx%d", in.Rotation, in.DisplayWidth, in.DisplayHeight)
			}
			// What ffmpeg shows (it applies the display matrix itself).
			ref, err := runFFmpegOutput(t, "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1")
			if err != nil {
				t.Fatal(err)
			}
			frames := collect(t, v, []float64{0, 0.5}, Options{})
			f := frames[0]
			if len(ref) != len(f.RGB) {
				t.Fatalf("ffmpeg gives %d bytes, we give %dx%d", len(ref), f.Width, f.Height)
			}
			diff := 0
			for i := range ref {
				diff += abs(int(ref[i]) - int(f.RGB[i]))
			}
			if mean := float64(diff) / float64(len(ref)); mean > 4 {
				t.Errorf("frame differs from ffmpeg's rotated picture: mean abs difference %.1f", mean)
			}
			ft, _ := probeFrames(t, path)
			checkExact(t, frames, []float64{0, 0.5}, ft, in.Rotation)
			// Scaled output keeps the orientation.
			small := collect(t, v, []float64{0.5}, Options{Width: wantW / 2, Height: wantH / 2})
			checkExact(t, small, []float64{0.5}, ft, in.Rotation)
		})
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func TestNonZeroStart(t *testing.T) {
	needFFmpeg(t)
	g := gen{"offset.mp4", 160, 96, 25, 50, append([]string{"-output_ts_offset", "10"}, x264...)}
	path := g.make(t, t.TempDir())
	v, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	in := v.Info
	if math.Abs(in.StartTime-10) > 1e-6 || math.Abs(in.FirstFrameTime) > 1e-6 || math.Abs(in.Duration-2) > 0.041 {
		t.Errorf("start %.3f, first frame %.3f, duration %.3f; want 10, 0, 2", in.StartTime, in.FirstFrameTime, in.Duration)
	}
	ft, _ := probeFrames(t, path)
	if ft[0] != 0 {
		t.Fatalf("ffprobe: first frame at %.3f after the start", ft[0])
	}
	times := []float64{0, 0.02, 0.5, 1.0, 1.33, 1.96, 2.0}
	checkExact(t, collect(t, v, times, Options{Workers: 2}), times, ft, 0)
}

func TestScaledOddSize(t *testing.T) {
	needFFmpeg(t)
	path := gen{"odd.mp4", 853, 479, 25, 10, []string{"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p"}}.make(t, t.TempDir())
	v, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	ft, _ := probeFrames(t, path)
	for _, size := range [][2]int{{853, 479}, {448, 256}, {97, 31}, {1707, 959}} {
		times := []float64{0.1, 0.3}
		frames := collect(t, v, times, Options{Width: size[0], Height: size[1]})
		for _, f := range frames {
			if f.Width != size[0] || f.Height != size[1] || len(f.RGB) != size[0]*size[1]*3 {
				t.Fatalf("asked %v, got %dx%d with %d bytes", size, f.Width, f.Height, len(f.RGB))
			}
		}
		checkExact(t, frames, times, ft, 0)
	}
}

// TestDecoderRecreatedAfterSeek drives one worker back and forth across keyframes on streams with
// B-frames and frame threads. A decoder kept across a seek would hand out frames buffered before it; with
// presentation timestamps these are recognisable (and skipped at a cost), but in AVI, which stores decode
// times only, they come out under the wrong time.
func TestDecoderRecreatedAfterSeek(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	for _, g := range []gen{
		{"bf.mp4", 160, 96, 25, 150, x264},
		{"bf.avi", 160, 96, 25, 150, []string{"-c:v", "mpeg4", "-q:v", "3", "-g", "25", "-bf", "2"}},
	} {
		path := g.make(t, dir)
		ft, keys := probeFrames(t, path)
		v, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, mode := range []Mode{Exact, Fast} {
			w, err := newWorker(v, 4)
			if err != nil {
				t.Fatal(err)
			}
			for _, sec := range []float64{4.5, 0.5, 5.9, 2.2, 2.3, 0, 3.96, 1.0, 5.0, 0.04} {
				get := w.exactAt
				if mode == Fast {
					get = w.fastAt
				}
				af, pts, err := get(testCtx(t), sec)
				if err != nil {
					t.Fatal(err)
				}
				f := toFrame(t, w, af, pts, v)
				got, ok := decodeIndex(f, 0)
				if !ok || math.Abs(ft[got]-f.Time) > 1e-6 {
					t.Errorf("%s %v at %.2fs: picture of frame %d has time %.3f", g.file, mode, sec, got, f.Time)
				}
				if mode == Exact && got != shownAt(ft, sec) {
					t.Errorf("%s exact at %.2fs: got frame %d, want %d", g.file, sec, got, shownAt(ft, sec))
				}
				if mode == Fast && !slices.Contains(keys, f.Time) {
					t.Errorf("%s fast at %.2fs: got frame %d at %.3f, not a keyframe (%v)", g.file, sec, got, f.Time, keys)
				}
			}
			w.close(true)
		}
		v.Close()
	}
}

func toFrame(t *testing.T, w *worker, f *astiav.Frame, pts int64, v *Video) *Frame {
	t.Helper()
	p := &samplePlan{v: v, w: v.Info.DisplayWidth, h: v.Info.DisplayHeight}
	out, err := p.convert(w, f, pts)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCancelAndProgress(t *testing.T) {
	needFFmpeg(t)
	path := gen{"c.mp4", 160, 96, 25, 150, x264}.make(t, t.TempDir())
	v, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	times := EvenTimes(v.Info, 40)

	t.Run("progress", func(t *testing.T) {
		var calls []int
		opt := Options{Workers: 3, Progress: func(done, total int) {
			if total != len(times) {
				t.Errorf("total %d, want %d", total, len(times))
			}
			calls = append(calls, done)
		}}
		collect(t, v, times, opt)
		if len(calls) != len(times) || calls[0] != 1 || calls[len(calls)-1] != len(times) {
			t.Errorf("progress calls %v", calls)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(testCtx(t))
		defer cancel()
		n := 0
		var last error
		start := time.Now()
		for f, err := range v.Sample(ctx, times, Options{Workers: 2}) {
			if err != nil {
				last = err
				break
			}
			if f != nil {
				n++
			}
			if n == 3 {
				cancel()
			}
		}
		if !errors.Is(last, context.Canceled) || n != 3 {
			t.Errorf("after cancelling at frame 3: %d frames, error %v", n, last)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("cancellation took %v", d)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
		defer cancel()
		<-ctx.Done()
		for _, err := range v.Sample(ctx, times, Options{}) {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("got %v, want context.DeadlineExceeded", err)
			}
		}
	})
	t.Run("break", func(t *testing.T) {
		var handed atomic.Int32
		for range v.Sample(testCtx(t), times, Options{Workers: 2, Progress: func(int, int) { handed.Add(1) }}) {
			break
		}
		if handed.Load() != 1 {
			t.Errorf("progress reported %d frames handed out after a break at the first", handed.Load())
		}
		// The sequence returns only after its decoders stopped; sampling again must work.
		if got := len(collect(t, v, times[:5], Options{Workers: 2})); got != 5 {
			t.Errorf("after break: %d frames", got)
		}
	})
	t.Run("bad request", func(t *testing.T) {
		for _, c := range []struct {
			times []float64
			opt   Options
		}{
			{[]float64{-1}, Options{}},
			{[]float64{v.Info.Duration + 1}, Options{}},
			{[]float64{math.NaN()}, Options{}},
			{[]float64{1}, Options{Width: 10}},
			{[]float64{1}, Options{Width: 100000, Height: 10}},
			{[]float64{1}, Options{Mode: Mode(7)}},
		} {
			for _, err := range v.Sample(testCtx(t), c.times, c.opt) {
				if !errors.Is(err, ErrBadRequest) {
					t.Errorf("%v %+v: got %v, want ErrBadRequest", c.times, c.opt, err)
				}
			}
		}
	})
}
