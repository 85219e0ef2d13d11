package video

import (
	"fmt"
	"math"
	"strconv"
)

// Qwen3-VL video constants (qwen-vl-utils vision_process.py; spec §6.2–6.3).
const (
	Factor         = 32  // resize granularity: patch size 16 × spatial merge 2
	FrameFactor    = 2   // temporal patch size: frames go to the model in pairs
	DefaultFPS     = 2.0 // target sampling rate
	MinFrames      = 4
	MaxFrames      = 768
	VideoMinPixels = 128 * Factor * Factor // per-frame floor (VIDEO_MIN_TOKEN_NUM 128)
	VideoMaxPixels = 768 * Factor * Factor // per-frame cap (VIDEO_MAX_TOKEN_NUM 768)
	ModelSeqLen    = 128000                // MODEL_SEQ_LEN: the total budget is 0.9 of it, in 32×32 blocks
	MaxAspectRatio = 200
)

// Policy is Qwen3-VL's video sampling policy as qwen-vl-utils' fetch_video implements it (spec §6.3, the
// column we follow): sample at FPS, clamp the count to [MinFrames, min(MaxFrames, frames)] and round it
// down to an even number, pick frames evenly spaced over the video, and smart-resize every frame to a
// per-frame pixel budget derived from the total budget.
type Policy struct {
	FPS       float64 // target frames per second (default 2)
	MinFrames int     // default 4 (rounded up to even)
	MaxFrames int     // default 768 (rounded down to even)
	MinPixels int     // per-frame floor, default 128·32²
	// MaxPixels, if > 0, further caps the pixels of a frame (qwen-vl-utils' "max_pixels": it can only
	// lower the computed cap). If it is below MinPixels, MinPixels is lowered to it.
	MaxPixels   int
	TotalPixels int // budget for the whole video, default ModelSeqLen·32²·0.9
}

// DefaultPolicy returns qwen-vl-utils' defaults.
func DefaultPolicy() Policy {
	return Policy{
		FPS:         DefaultFPS,
		MinFrames:   MinFrames,
		MaxFrames:   MaxFrames,
		MinPixels:   VideoMinPixels,
		TotalPixels: ModelSeqLen * Factor * Factor * 9 / 10,
	}
}

// Plan is what to sample: times (seconds, ascending) and the output frame size.
type Plan struct {
	Times         []float64
	Width, Height int
}

// Plan applies the policy to a probed video.
func (p Policy) Plan(in Info) (Plan, error) {
	bad := func(format string, a ...any) (Plan, error) {
		return Plan{}, newErr(in.Path, ErrBadRequest, nil, format, a...)
	}
	if !(p.FPS > 0) || math.IsInf(p.FPS, 0) {
		return bad("sampling rate %g fps", p.FPS)
	}
	total := int(in.FrameCount)
	if total < FrameFactor || in.Duration <= 0 {
		return bad("the video has %d frame(s); Qwen3-VL needs at least %d", total, FrameFactor)
	}
	// nframes = total/native_fps·fps, i.e. duration·fps; with variable frame rate only the duration is right.
	nf := in.Duration * p.FPS
	if !in.VariableFrameRate && in.FrameRate > 0 {
		nf = float64(total) / in.FrameRate * p.FPS
	}
	minF := ceilBy(float64(p.MinFrames), FrameFactor)
	maxF := floorBy(float64(min(p.MaxFrames, total)), FrameFactor)
	n := int(floorBy(math.Min(math.Min(math.Max(nf, minF), maxF), float64(total)), FrameFactor))
	if n < FrameFactor || n > total {
		return bad("the policy gives %d frames for a video of %d frames (min %d, max %d)", n, total, p.MinFrames, p.MaxFrames)
	}

	minPx := float64(p.MinPixels)
	maxPx := math.Max(math.Min(VideoMaxPixels, float64(p.TotalPixels)/float64(n)*FrameFactor), math.Floor(minPx*1.05))
	if p.MaxPixels > 0 {
		maxPx = math.Min(maxPx, float64(p.MaxPixels))
		minPx = math.Min(minPx, maxPx)
	}
	h, w, err := SmartResize(in.DisplayHeight, in.DisplayWidth, Factor, minPx, maxPx)
	if err != nil {
		return Plan{}, newErr(in.Path, ErrBadRequest, err, "resizing %dx%d", in.DisplayWidth, in.DisplayHeight)
	}
	return Plan{Times: EvenTimes(in, n), Width: w, Height: h}, nil
}

// EvenTimes returns n times spread evenly over the video's frames, first frame to last. For constant
// frame rate they select frames round(linspace(0, frames-1, n)) (round half to even), exactly the indices
// qwen-vl-utils and HF pick: each time is the middle of that frame's display interval, so that a frame rate
// known only approximately still selects it (sampled frames carry their own, exact, times). For variable
// frame rate the spacing is even in time instead.
func EvenTimes(in Info, n int) []float64 {
	if n <= 0 {
		return nil
	}
	times := make([]float64, n)
	total := in.FrameCount
	cfr := !in.VariableFrameRate && in.FrameRate > 0 && total > 0
	span := in.Duration - in.FirstFrameTime
	if in.FrameRate > 0 {
		span -= 1 / in.FrameRate // the last frame starts one frame before the end
	}
	span = max(span, 0)
	for k := range n {
		frac := 0.0
		if n > 1 {
			frac = float64(k) / float64(n-1)
		}
		var t float64
		if cfr {
			idx := math.RoundToEven(frac * float64(total-1))
			t = in.FirstFrameTime + (idx+0.5)/in.FrameRate
		} else {
			t = in.FirstFrameTime + frac*span
		}
		times[k] = math.Min(math.Max(t, 0), in.Duration)
	}
	return times
}

// SmartResize is Qwen's smart_resize (spec §6.2 step 2): the size closest to height×width whose sides are
// multiples of factor and whose area lies within [minPixels, maxPixels]. It returns (height, width).
func SmartResize(height, width, factor int, minPixels, maxPixels float64) (int, int, error) {
	if height <= 0 || width <= 0 || factor <= 0 {
		return 0, 0, fmt.Errorf("smart resize: size %dx%d, factor %d", width, height, factor)
	}
	if maxPixels < minPixels {
		return 0, 0, fmt.Errorf("smart resize: max pixels %g below min pixels %g", maxPixels, minPixels)
	}
	h, w, f := float64(height), float64(width), float64(factor)
	if math.Max(h, w)/math.Min(h, w) > MaxAspectRatio {
		return 0, 0, fmt.Errorf("smart resize: aspect ratio of %dx%d exceeds %d", width, height, MaxAspectRatio)
	}
	hb := math.Max(f, math.RoundToEven(h/f)*f)
	wb := math.Max(f, math.RoundToEven(w/f)*f)
	if hb*wb > maxPixels {
		beta := math.Sqrt(h * w / maxPixels)
		hb = math.Max(f, floorBy(h/beta, factor))
		wb = math.Max(f, floorBy(w/beta, factor))
	} else if hb*wb < minPixels {
		beta := math.Sqrt(minPixels / (h * w))
		hb = ceilBy(h*beta, factor)
		wb = ceilBy(w*beta, factor)
	}
	return int(hb), int(wb), nil
}

// TemporalTimestamps returns the timestamp of each temporal group of frames (pairs, in order): the mean of
// the pair's times, the last time repeated when there is an odd number (spec §6.3 "Timestamps").
func TemporalTimestamps(times []float64) []float64 {
	if len(times) == 0 {
		return nil
	}
	if len(times)%2 == 1 {
		times = append(times[:len(times):len(times)], times[len(times)-1])
	}
	out := make([]float64, len(times)/2)
	for g := range out {
		out[g] = (times[2*g] + times[2*g+1]) / 2
	}
	return out
}

// FormatTimestamp renders a temporal-group timestamp as the prompt text Qwen3-VL was trained on,
// e.g. "<2.4 seconds>".
func FormatTimestamp(t float64) string {
	return "<" + strconv.FormatFloat(t, 'f', 1, 64) + " seconds>"
}

func floorBy(x float64, f int) float64 { return math.Floor(x/float64(f)) * float64(f) }
func ceilBy(x float64, f int) float64  { return math.Ceil(x/float64(f)) * float64(f) }
