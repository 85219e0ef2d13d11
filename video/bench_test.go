package video

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// The long benchmark video: 32 minutes of 1280×720 H.264 at 30 fps (x264 superfast: CABAC, B-frames),
// a keyframe every 8 s, with temporal noise so that it decodes like camera footage (~3 Mbit/s). It takes
// minutes to make, so it is made once and kept in the user cache directory (QWEN_BENCH_DIR overrides).
const (
	longVideoName    = "long-720p-h264-gop8s-v1.mp4"
	longVideoSeconds = 32 * 60
	benchFrames      = 64
)

func longVideo(b *testing.B) string {
	b.Helper()
	needFFmpeg(b)
	dir := os.Getenv("QWEN_BENCH_DIR")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		dir = filepath.Join(cache, "qwenstudio", "bench")
	}
	path := filepath.Join(dir, longVideoName)
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	b.Logf("generating %s (%d minutes of 720p; this takes a while, once)", path, longVideoSeconds/60)
	tmp := path + ".tmp.mp4"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Hour)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-t", strconv.Itoa(longVideoSeconds),
		"-vf", "noise=alls=12:allf=t", "-c:v", "libx264", "-preset", "superfast",
		"-b:v", "3M", "-maxrate", "4M", "-bufsize", "8M",
		"-g", "240", "-keyint_min", "240", "-sc_threshold", "0", "-pix_fmt", "yuv420p", tmp).CombinedOutput()
	if err != nil {
		os.Remove(tmp)
		b.Fatalf("generating the benchmark video: %v\n%s", err, out)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkLongVideo64 samples 64 evenly spaced frames at full size (1280×720 RGB) from the long video in
// three ways in one run: Exact and Fast modes (one Open, one Sample call), and the ffmpeg CLI run once
// per timestamp (`ffmpeg -ss T -i VIDEO -frames:v 1 -f rawvideo -pix_fmt rgb24 -`, accurate seek, what
// most apps do). It reports the wall-clock seconds of each, the ratios cli/exact and cli/fast, and the CPU
// seconds of each (this process for ours, the child processes for the CLI; sturdier on a shared machine).
func BenchmarkLongVideo64(b *testing.B) {
	path := longVideo(b)
	warm, err := os.Open(path) // page cache: every contestant reads a warm file
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, warm)
	warm.Close()

	ctx := context.Background()
	var exact, fast, cli, exactCPU, fastCPU, cliCPU time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		s0, _ := cpuTimes()
		exactTimes := sampleBench(b, ctx, path, Exact)
		t1 := time.Now()
		s1, _ := cpuTimes()
		sampleBench(b, ctx, path, Fast)
		t2 := time.Now()
		s2, c2 := cpuTimes()
		for _, t := range exactTimes {
			cmd := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-ss", strconv.FormatFloat(t, 'f', 6, 64),
				"-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = io.Discard, &stderr
			if err := cmd.Run(); err != nil {
				b.Fatalf("ffmpeg -ss %v: %v\n%s", t, err, stderr.Bytes())
			}
		}
		t3 := time.Now()
		_, c3 := cpuTimes()
		exact += t1.Sub(t0)
		fast += t2.Sub(t1)
		cli += t3.Sub(t2)
		exactCPU += s1 - s0
		fastCPU += s2 - s1
		cliCPU += c3 - c2
	}
	n := float64(b.N)
	b.ReportMetric(exact.Seconds()/n, "exact-s")
	b.ReportMetric(fast.Seconds()/n, "fast-s")
	b.ReportMetric(cli.Seconds()/n, "cli-s")
	b.ReportMetric(cli.Seconds()/exact.Seconds(), "cli/exact")
	b.ReportMetric(cli.Seconds()/fast.Seconds(), "cli/fast")
	if cliCPU > 0 {
		b.ReportMetric(exactCPU.Seconds()/n, "exact-cpu-s")
		b.ReportMetric(fastCPU.Seconds()/n, "fast-cpu-s")
		b.ReportMetric(cliCPU.Seconds()/n, "cli-cpu-s")
	}
	b.Logf("%d CPUs, GOMAXPROCS %d", runtime.NumCPU(), runtime.GOMAXPROCS(0))
}

// sampleBench opens path and samples benchFrames evenly spaced frames; it returns the requested times.
func sampleBench(b *testing.B, ctx context.Context, path string, mode Mode) []float64 {
	v, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	if v.Info.Duration < 30*60 || v.Info.Height != 720 {
		b.Fatalf("benchmark video is %.0fs of %dp", v.Info.Duration, v.Info.Height)
	}
	times := EvenTimes(v.Info, benchFrames)
	n := 0
	for f, err := range v.Sample(ctx, times, Options{Mode: mode}) {
		if err != nil {
			b.Fatal(err)
		}
		if len(f.RGB) != 1280*720*3 {
			b.Fatalf("frame is %dx%d", f.Width, f.Height)
		}
		n++
	}
	if n != benchFrames {
		b.Fatalf("%d frames", n)
	}
	return times
}

func ExampleVideo_Sample() {
	v, err := Open("lecture.mp4")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer v.Close()
	plan, err := DefaultPolicy().Plan(v.Info)
	if err != nil {
		fmt.Println(err)
		return
	}
	for f, err := range v.Sample(context.Background(), plan.Times, Options{Width: plan.Width, Height: plan.Height}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("frame %d at %.2fs: %dx%d\n", f.Index, f.Time, f.Width, f.Height)
	}
}

// BenchmarkLongVideoPolicy samples the long video with Qwen3-VL's default policy (768 frames, the cap, at
// the policy's size), exactly and fast: what asking about a half-hour video costs.
func BenchmarkLongVideoPolicy(b *testing.B) {
	path := longVideo(b)
	ctx := context.Background()
	v, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	plan, err := DefaultPolicy().Plan(v.Info)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("policy: %d frames of %dx%d", len(plan.Times), plan.Width, plan.Height)
	for _, mode := range []Mode{Exact, Fast} {
		b.Run(mode.String(), func(b *testing.B) {
			for range b.N {
				s0, _ := cpuTimes()
				n := 0
				for _, err := range v.Sample(ctx, plan.Times, Options{Mode: mode, Width: plan.Width, Height: plan.Height}) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				s1, _ := cpuTimes()
				if n != len(plan.Times) {
					b.Fatalf("%d frames", n)
				}
				b.ReportMetric((s1 - s0).Seconds(), "cpu-s")
			}
		})
	}
}
