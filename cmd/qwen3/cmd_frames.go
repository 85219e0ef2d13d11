package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/qwenstudio/qwenstudio/video"
)

// frameRecord is one entry of frames.json.
type frameRecord struct {
	Index  int     `json:"index"`
	Time   float64 `json:"time"` // presentation time of the frame, seconds from the start of the video
	Width  int     `json:"width"`
	Height int     `json:"height"`
}

func runFrames(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "frames", "VIDEO [--fps F | --frames N | --at T1,T2,...] [--max-pixels P | --size WxH] [--fast] -o DIR\n\n"+
		"Samples frames from VIDEO and writes DIR/frame_00000.png ... and DIR/frames.json\n"+
		"([{\"index\":0,\"time\":0.5,\"width\":W,\"height\":H}, ...], time in seconds, in time order).\n"+
		"Default: Qwen3-VL's policy (2 fps, 4 to 768 frames, an even count, pixel budget, sides multiples of 32).")
	fps := fs.Float64("fps", video.DefaultFPS, "Qwen3-VL policy with this target sampling rate")
	nFrames := fs.Int("frames", 0, "N frames evenly spaced over the video instead of the policy")
	at := fs.String("at", "", "frames shown at these times (seconds, comma-separated) instead of the policy")
	maxPixels := fs.Int("max-pixels", 0, "cap on the pixels of a frame (smart-resized to multiples of 32)")
	size := fs.String("size", "", "exact output size WxH (after rotation)")
	fast := fs.Bool("fast", false, "nearest keyframes only (quick previews; times are the keyframes' own)")
	outDir := fs.String("o", "", "output directory (created if missing)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	modes := 0
	for _, m := range []string{"fps", "frames", "at"} {
		if set[m] {
			modes++
		}
	}
	switch {
	case len(pos) != 1:
		return usagef("want one VIDEO argument, got %d", len(pos))
	case *outDir == "":
		return usagef("-o DIR is required")
	case modes > 1:
		return usagef("--fps, --frames and --at are alternatives; give one")
	case set["max-pixels"] && set["size"]:
		return usagef("--max-pixels and --size are alternatives; give one")
	case set["fps"] && !(*fps > 0):
		return usagef("--fps must be positive")
	case set["frames"] && *nFrames <= 0:
		return usagef("--frames must be positive")
	case set["max-pixels"] && *maxPixels <= 0:
		return usagef("--max-pixels must be positive")
	}
	var times []float64
	if set["at"] {
		for _, s := range strings.Split(*at, ",") {
			t, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil || t < 0 {
				return usagef("--at: %q is not a time in seconds", s)
			}
			times = append(times, t)
		}
	}
	var w, h int
	if set["size"] {
		if _, err := fmt.Sscanf(*size, "%dx%d", &w, &h); err != nil || w <= 0 || h <= 0 ||
			fmt.Sprintf("%dx%d", w, h) != *size {
			return usagef("--size: want WxH such as 448x256, got %q", *size)
		}
	}

	video.LogTo(nil) // FFmpeg's own chatter about damaged data; the errors returned here say what matters
	start := time.Now()
	v, err := video.Open(pos[0])
	if err != nil {
		return err
	}
	defer v.Close()
	in := v.Info
	switch {
	case set["frames"]:
		times = video.EvenTimes(in, *nFrames)
	case set["at"]:
	default:
		p := video.DefaultPolicy()
		p.FPS = *fps
		p.MaxPixels = *maxPixels
		plan, err := p.Plan(in)
		if err != nil {
			return err
		}
		times = plan.Times
		if w == 0 {
			w, h = plan.Width, plan.Height
		}
	}
	if w == 0 && *maxPixels > 0 {
		h, w, err = video.SmartResize(in.DisplayHeight, in.DisplayWidth, video.Factor,
			float64(min(video.VideoMinPixels, *maxPixels)), float64(*maxPixels))
		if err != nil {
			return fmt.Errorf("--max-pixels %d: %w", *maxPixels, err)
		}
	}

	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return err
	}
	opt := video.Options{Width: w, Height: h}
	if *fast {
		opt.Mode = video.Fast
	}
	records := []frameRecord{}
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	for f, err := range v.Sample(ctx, times, opt) {
		if err != nil {
			return err
		}
		k := len(records)
		if err := writePNG(filepath.Join(*outDir, fmt.Sprintf("frame_%05d.png", k)), &enc, f); err != nil {
			return err
		}
		records = append(records, frameRecord{Index: k, Time: f.Time, Width: f.Width, Height: f.Height})
	}
	js, err := json.MarshalIndent(records, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*outDir, "frames.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}

	out := bufio.NewWriter(env.stdout)
	fmt.Fprintf(out, "%s: %s, %.3fs, %s %dx%d", in.Path, in.Format, in.Duration, in.Codec, in.Width, in.Height)
	if in.Rotation != 0 {
		fmt.Fprintf(out, " rotated %d°", in.Rotation)
	}
	rate := "constant"
	if in.VariableFrameRate {
		rate = "variable"
	}
	fmt.Fprintf(out, ", %.3f fps (%s), %d frames", in.FrameRate, rate, in.FrameCount)
	if in.HasAudio {
		fmt.Fprint(out, ", with audio")
	}
	fmt.Fprintf(out, "\nwrote %d frames (%s", len(records), opt.Mode)
	if len(records) > 0 {
		fmt.Fprintf(out, ", %dx%d", records[0].Width, records[0].Height)
	}
	fmt.Fprintf(out, ") and frames.json to %s in %.2fs\n", *outDir, time.Since(start).Seconds())
	return out.Flush()
}

func writePNG(path string, enc *png.Encoder, f *video.Frame) error {
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(file)
	if err := enc.Encode(bw, f.Image()); err != nil {
		file.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		file.Close()
		return err
	}
	return file.Close()
}
