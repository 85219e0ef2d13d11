package video

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// x264 with B-frames in every gap (b-adapt 0: two of every four frames are non-reference B-frames, as in
// real footage; adaptive placement would pick few for these flickering test frames) and a fixed 1 s
// keyframe spacing (no scene-cut keyframes: every test frame differs).
var x264 = []string{"-c:v", "libx264", "-preset", "veryfast", "-bf", "3", "-g", "25", "-keyint_min", "25",
	"-sc_threshold", "0", "-x264-params", "b-adapt=0", "-pix_fmt", "yuv420p"}

// testVideos covers the containers and codecs users drop on the app.
var testVideos = []struct {
	name  string
	gen   gen
	codec string
}{
	{"h264-mp4", gen{"v.mp4", 160, 96, 25, 75, x264}, "h264"},
	{"h264-ts", gen{"v.ts", 160, 96, 25, 50, x264}, "h264"},
	{"vp9-webm", gen{"v.webm", 160, 96, 25, 50, []string{"-c:v", "libvpx-vp9", "-deadline", "realtime",
		"-cpu-used", "8", "-g", "25", "-keyint_min", "25", "-b:v", "1M", "-pix_fmt", "yuv420p"}}, "vp9"},
	{"mpeg4-avi", gen{"v.avi", 160, 96, 25, 50, []string{"-c:v", "mpeg4", "-q:v", "3", "-g", "12", "-bf", "2"}}, "mpeg4"},
	{"mjpeg-avi", gen{"v.avi", 160, 96, 25, 40, []string{"-c:v", "mjpeg", "-q:v", "3"}}, "mjpeg"},
	{"mjpeg-raw", gen{"v.mjpeg", 160, 96, 25, 30, []string{"-c:v", "mjpeg", "-q:v", "3", "-f", "mjpeg"}}, "mjpeg"},
	{"hevc-mkv", gen{"v.mkv", 160, 96, 25, 50, []string{"-c:v", "libx265", "-preset", "ultrafast",
		"-x265-params", "keyint=25:min-keyint=25:scenecut=0:bframes=3:log-level=error", "-pix_fmt", "yuv420p"}}, "hevc"},
	{"odd-size-h264", gen{"v.mp4", 853, 479, 25, 20, []string{"-c:v", "libx264", "-preset", "ultrafast",
		"-g", "10", "-sc_threshold", "0", "-pix_fmt", "yuv444p"}}, "h264"},
	{"odd-size-vp9", gen{"v.webm", 853, 479, 25, 12, []string{"-c:v", "libvpx-vp9", "-deadline", "realtime",
		"-cpu-used", "8", "-g", "6", "-pix_fmt", "yuv420p"}}, "vp9"},
}

func hasEncoder(name string) bool {
	out, err := exec.Command("ffmpeg", "-hide_banner", "-encoders").Output()
	return err == nil && strings.Contains(string(out), " "+name+" ")
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// collect runs Sample and returns the frames in the order the sequence yields them.
func collect(t *testing.T, v *Video, times []float64, opt Options) []*Frame {
	t.Helper()
	var out []*Frame
	for f, err := range v.Sample(testCtx(t), times, opt) {
		if err != nil {
			t.Fatalf("Sample: %v", err)
		}
		out = append(out, f)
	}
	if len(out) != len(times) {
		t.Fatalf("got %d frames for %d times", len(out), len(times))
	}
	return out
}

// shownAt is the index of the frame shown at t for frames starting at times ft (ascending).
func shownAt(ft []float64, t float64) int {
	i := 0
	for j, s := range ft {
		if s <= t+1e-9 {
			i = j
		}
	}
	return i
}

func TestContainersExact(t *testing.T) {
	needFFmpeg(t)
	for _, tv := range testVideos {
		t.Run(tv.name, func(t *testing.T) {
			if tv.codec == "hevc" && !hasEncoder("libx265") {
				t.Skip("ffmpeg has no libx265 encoder: HEVC not covered")
			}
			path := tv.gen.make(t, t.TempDir())
			v, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			in := v.Info
			fps := float64(tv.gen.fps)
			n := tv.gen.frames
			if in.Codec != tv.codec || in.Width != tv.gen.w || in.Height != tv.gen.h || in.Rotation != 0 {
				t.Errorf("info: codec %q %dx%d rot %d, want %q %dx%d rot 0", in.Codec, in.Width, in.Height, in.Rotation,
					tv.codec, tv.gen.w, tv.gen.h)
			}
			if math.Abs(in.FrameRate-fps) > 0.01 || in.VariableFrameRate {
				t.Errorf("frame rate %.3f vfr=%v, want %v constant", in.FrameRate, in.VariableFrameRate, fps)
			}
			if math.Abs(in.Duration-float64(n)/fps) > 1.01/fps {
				t.Errorf("duration %.3f, want %.3f", in.Duration, float64(n)/fps)
			}
			if in.FrameCount != int64(n) {
				t.Errorf("frame count %d (exact %v), want %d", in.FrameCount, in.FrameCountExact, n)
			}
			ft, _ := probeFrames(t, path)
			if len(ft) != n {
				t.Fatalf("ffprobe sees %d frames, want %d", len(ft), n)
			}
			if math.Abs(in.FirstFrameTime-ft[0]) > 1e-6 {
				t.Errorf("first frame at %.4f, ffprobe says %.4f", in.FirstFrameTime, ft[0])
			}

			// Times on frames, between frames, the very start and end; shuffled to check Index.
			var times []float64
			for i := 0; i < n; i += 3 {
				times = append(times, float64(i)/fps, (float64(i)+0.6)/fps)
			}
			times = append(times, 0, in.Duration, float64(n-1)/fps)
			rand.New(rand.NewPCG(1, 2)).Shuffle(len(times), func(i, j int) { times[i], times[j] = times[j], times[i] })
			frames := collect(t, v, times, Options{Workers: 2})
			checkExact(t, frames, times, ft, 0)
		})
	}
}

// checkExact verifies that each frame is the one shown at its requested time and carries that frame's time.
func checkExact(t *testing.T, frames []*Frame, times, ft []float64, rot int) {
	t.Helper()
	prev := -1.0
	for k, f := range frames {
		if f.Time < prev {
			t.Errorf("frame %d: time %.4f after %.4f: not in time order", k, f.Time, prev)
		}
		prev = f.Time
		if f.Target != times[f.Index] {
			t.Errorf("frame %d: target %.4f but times[%d] = %.4f", k, f.Target, f.Index, times[f.Index])
		}
		want := shownAt(ft, f.Target)
		got, ok := decodeIndex(f, rot)
		if !ok || got != want {
			t.Errorf("at %.4fs: got frame %d (markers ok=%v), want %d", f.Target, got, ok, want)
			continue
		}
		if math.Abs(f.Time-ft[want]) > 1e-6 {
			t.Errorf("at %.4fs: frame %d has time %.6f, want %.6f", f.Target, got, f.Time, ft[want])
		}
	}
}

func TestContainersFast(t *testing.T) {
	needFFmpeg(t)
	for _, tv := range testVideos {
		if strings.HasPrefix(tv.name, "odd-size") {
			continue // sizes are TestContainersExact's business
		}
		t.Run(tv.name, func(t *testing.T) {
			if tv.codec == "hevc" && !hasEncoder("libx265") {
				t.Skip("ffmpeg has no libx265 encoder: HEVC not covered")
			}
			path := tv.gen.make(t, t.TempDir())
			ft, keys := probeFrames(t, path)
			v, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			var times []float64
			for tt := 0.0; tt < v.Info.Duration; tt += 0.23 {
				times = append(times, tt)
			}
			for _, f := range collect(t, v, times, Options{Mode: Fast, Workers: 2}) {
				got, ok := decodeIndex(f, 0)
				if !ok || got >= len(ft) || math.Abs(ft[got]-f.Time) > 1e-6 {
					t.Errorf("at %.3fs: frame content %d (ok=%v) does not match its time %.4f", f.Target, got, ok, f.Time)
				}
				best := math.Inf(1)
				for _, k := range keys {
					best = min(best, math.Abs(k-f.Target))
				}
				isKey := slices.ContainsFunc(keys, func(k float64) bool { return math.Abs(k-f.Time) < 1e-6 })
				if !isKey || math.Abs(math.Abs(f.Time-f.Target)-best) > 1e-6 {
					t.Errorf("at %.3fs: got %.4f (keyframe %v), nearest keyframe is %.4f away; keyframes %v",
						f.Target, f.Time, isKey, best, keys)
				}
			}
		})
	}
}

func TestErrorsIsKind(t *testing.T) {
	e := &Error{Path: "x", Kind: ErrCorrupt, Cause: context.Canceled}
	if !errors.Is(e, ErrCorrupt) || !errors.Is(e, context.Canceled) || errors.Is(e, ErrEmpty) {
		t.Fatal("errors.Is does not see kind and cause")
	}
}
