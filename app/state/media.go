package state

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/disintegration/imaging"

	"github.com/qwenstudio/qwenstudio/app/store"
	"github.com/qwenstudio/qwenstudio/video"
)

// File extensions the media panel accepts.
var (
	imageExts = []string{".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"}
	videoExts = []string{".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts", ".flv", ".wmv", ".3gp", ".ogv"}
)

// MediaKind tells an image from a video by the file name; ok is false for anything else.
func MediaKind(path string) (kind string, ok bool) {
	ext := strings.ToLower(filepath.Ext(path))
	switch {
	case slices.Contains(imageExts, ext):
		return store.KindImage, true
	case slices.Contains(videoExts, ext):
		return store.KindVideo, true
	}
	return "", false
}

// Attach hashes the files and adds them to the next message. Files that are not images or videos, or cannot
// be read, are skipped and named in the returned error; the others are attached. Hashing a large video takes
// a moment: call it off the UI goroutine.
func (c *Chat) Attach(paths ...string) error {
	var errs []error
	var add []store.Attachment
	for _, p := range paths {
		kind, ok := MediaKind(p)
		if !ok {
			errs = append(errs, fmt.Errorf("%s is not an image or a video", filepath.Base(p)))
			continue
		}
		sum, size, err := store.HashFile(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("cannot read %s: %w", filepath.Base(p), errors.Unwrap(err)))
			continue
		}
		add = append(add, store.Attachment{Kind: kind, Path: p, SHA256: sum, Size: size, Name: filepath.Base(p)})
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range add {
		if !slices.ContainsFunc(c.pending, func(b store.Attachment) bool { return b.SHA256 == a.SHA256 }) {
			c.pending = append(c.pending, a)
		}
	}
	err := errors.Join(errs...)
	if err != nil {
		c.notice = err.Error()
	}
	c.bumpLocked()
	return err
}

// RemovePending drops the i-th pending attachment.
func (c *Chat) RemovePending(i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i >= 0 && i < len(c.pending) {
		c.pending = slices.Delete(c.pending, i, i+1)
		c.bumpLocked()
	}
}

// CanSee reports whether the loaded model reads images and videos.
func (c *Chat) CanSee() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.engine != nil && c.engine.Info().Vision
}

// Thumbnail decodes an image (EXIF orientation applied) and scales it to fit in size×size.
func Thumbnail(path string, size int) (image.Image, error) {
	img, err := imaging.Open(path, imaging.AutoOrientation(true))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return imaging.Fit(img, size, size, imaging.Linear), nil
}

// VideoPreview is what the media panel shows of a video: its length and a strip of frames at times the
// Qwen3-VL sampler would pick.
type VideoPreview struct {
	Info        video.Info
	PlanFrames  int       // frames the sampler picks for the model
	PlanFPS     float64   // the sampler's rate
	StripTimes  []float64 // times of the strip frames, seconds
	StripFrames []image.Image
}

// PreviewVideo probes a video and decodes up to strip frames (keyframes, fast mode) of height h, chosen evenly
// among the times of the sampler's plan.
func PreviewVideo(ctx context.Context, path string, strip, h int) (*VideoPreview, error) {
	v, err := video.Open(path)
	if err != nil {
		return nil, err
	}
	defer v.Close()
	pol := video.DefaultPolicy()
	plan, err := pol.Plan(v.Info)
	if err != nil {
		return nil, err
	}
	p := &VideoPreview{Info: v.Info, PlanFrames: len(plan.Times), PlanFPS: pol.FPS}
	p.StripTimes = pick(plan.Times, strip)
	dw, dh := v.Info.DisplayWidth, v.Info.DisplayHeight
	if dw <= 0 || dh <= 0 || h <= 0 {
		return p, nil
	}
	w := max(2, int(math.Round(float64(h)*float64(dw)/float64(dh)))&^1)
	p.StripFrames = make([]image.Image, len(p.StripTimes))
	for f, err := range v.Sample(ctx, p.StripTimes, video.Options{Mode: video.Fast, Width: w, Height: h, Workers: 2}) {
		if err != nil {
			return p, err
		}
		p.StripFrames[f.Index] = f.Image()
	}
	return p, nil
}

// pick returns n values spread evenly over times (all of them when there are no more than n), the first
// and last included.
func pick(times []float64, n int) []float64 {
	if n <= 0 || len(times) == 0 {
		return nil
	}
	if len(times) <= n {
		return slices.Clone(times)
	}
	out := make([]float64, n)
	for k := range n {
		i := 0
		if n > 1 {
			i = int(math.Round(float64(k) * float64(len(times)-1) / float64(n-1)))
		}
		out[k] = times[i]
	}
	return out
}
