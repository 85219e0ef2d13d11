package video

import (
	"context"
	"errors"
	"iter"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/asticode/go-astiav"
)

// Mode is the accuracy of sampling.
type Mode int

const (
	// Exact returns the frame shown at each requested time: seek to the keyframe before it and decode
	// forward to the last frame whose presentation time is at or before the request.
	Exact Mode = iota
	// Fast returns the keyframe nearest to each requested time, decoding only that keyframe
	// (previews, thumbnails). Nearby requests may get the same keyframe.
	Fast
)

func (m Mode) String() string {
	if m == Fast {
		return "fast"
	}
	return "exact"
}

// Options control Sample. The zero value samples exactly, at display size, one decoder per CPU core.
type Options struct {
	Mode Mode
	// Width and Height are the output size, after rotation; both 0 means DisplayWidth×DisplayHeight.
	// Frames are scaled by swscale (bicubic) to exactly this size.
	Width, Height int
	// Workers is the number of concurrent decoders, each with its own demuxer (0: one per CPU core).
	Workers int
	// Threads is each decoder's thread count (0: cores divided among the workers in use).
	Threads int
	// Progress, if set, is called with (frames done, total) before each frame is handed out, on the
	// goroutine iterating the sequence.
	Progress func(done, total int)
}

// maxSide bounds output sizes; larger requests are mistakes (and would need gigabytes per frame).
const maxSide = 16384

// Sample returns the frames shown at the given times (seconds from the start of the video, 0 to
// Info.Duration). The sequence yields frames in ascending time order, each with the index of its time in
// times, then stops; on failure it yields one error (an *Error, or the context's error) and stops.
//
// Frames are decoded concurrently, but at most a few are held at any moment whatever the number of times,
// so memory stays bounded. Breaking out of the loop or cancelling ctx stops the decoders and releases them.
func (v *Video) Sample(ctx context.Context, times []float64, opt Options) iter.Seq2[*Frame, error] {
	return func(yield func(*Frame, error) bool) {
		p, err := v.prepare(times, opt)
		if err != nil {
			yield(nil, err)
			return
		}
		if len(times) == 0 {
			return
		}
		p.run(ctx, yield)
	}
}

// samplePlan is one Sample call, ready to run.
type samplePlan struct {
	v       *Video
	opt     Options
	w, h    int // output size (display orientation)
	times   []float64
	order   []int   // positions in times, by ascending time
	ts      []int64 // target timestamps in sorted order
	groups  [][]int // runs of sorted positions decoded one after the other by one worker
	workers int
	threads int
}

func (v *Video) prepare(times []float64, opt Options) (*samplePlan, error) {
	p := &samplePlan{v: v, opt: opt, w: opt.Width, h: opt.Height, times: times}
	bad := func(format string, a ...any) error { return newErr(v.Info.Path, ErrBadRequest, nil, format, a...) }
	if p.w == 0 && p.h == 0 {
		p.w, p.h = v.Info.DisplayWidth, v.Info.DisplayHeight
	}
	if p.w <= 0 || p.h <= 0 || p.w > maxSide || p.h > maxSide {
		return nil, bad("output size %dx%d (each side must be 1 to %d)", opt.Width, opt.Height, maxSide)
	}
	if opt.Mode != Exact && opt.Mode != Fast {
		return nil, bad("unknown mode %d", opt.Mode)
	}
	for i, t := range times {
		if math.IsNaN(t) || t < 0 || t > v.Info.Duration+1e-9 {
			return nil, bad("time %d is %gs, outside the video (0 to %.3fs)", i, t, v.Info.Duration)
		}
	}
	p.order = make([]int, len(times))
	for i := range p.order {
		p.order[i] = i
	}
	slices.SortStableFunc(p.order, func(a, b int) int {
		switch {
		case times[a] < times[b]:
			return -1
		case times[a] > times[b]:
			return 1
		}
		return 0
	})
	p.ts = make([]int64, len(times))
	for s, i := range p.order {
		p.ts[s] = v.ticks(times[i])
	}

	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	// Consecutive requests closer than a keyframe interval share a decode run; a run is capped so that
	// the work spreads over the workers.
	maxRun := max(1, (len(times)+workers-1)/workers)
	for s := range p.ts {
		if s == 0 || p.ts[s]-p.ts[s-1] > v.keyGap || len(p.groups[len(p.groups)-1]) >= maxRun || opt.Mode == Fast {
			p.groups = append(p.groups, nil)
		}
		p.groups[len(p.groups)-1] = append(p.groups[len(p.groups)-1], s)
	}
	p.workers = max(1, min(workers, len(p.groups)))
	p.threads = opt.Threads
	if p.threads <= 0 {
		p.threads = max(1, runtime.NumCPU()/p.workers)
	}
	return p, nil
}

type result struct {
	f   *Frame
	err error
}

func (p *samplePlan) run(parent context.Context, yield func(*Frame, error) bool) {
	ctx, cancel := context.WithCancel(parent)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()

	n := len(p.ts)
	// Position s may be decoded once position s-window has been handed out: at most window finished frames
	// wait at any time. The worker holding the lowest unfinished position never waits, so this cannot
	// deadlock.
	window := max(4, 2*p.workers)
	tickets := make([]chan struct{}, n)
	for s := range tickets {
		tickets[s] = make(chan struct{})
		if s < window {
			close(tickets[s])
		}
	}
	results := make([]chan result, n)
	for s := range results {
		results[s] = make(chan result, 1)
	}
	jobs := make(chan []int, len(p.groups))
	for _, g := range p.groups {
		jobs <- g
	}
	close(jobs)

	var errOnce sync.Once
	var firstErr error
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err })
		cancel()
	}
	for range p.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p.work(ctx, jobs, tickets, results); err != nil {
				fail(err)
			}
		}()
	}

	for s := range n {
		var r result
		if err := ctx.Err(); err != nil { // a cancelled caller gets no more frames, even ready ones
			r.err = err
		} else {
			select {
			case r = <-results[s]:
			case <-ctx.Done():
				r.err = ctx.Err()
			}
		}
		if r.err != nil {
			cancel()
			wg.Wait()
			if firstErr != nil && !errors.Is(firstErr, context.Canceled) {
				r.err = firstErr
			} else if parent.Err() != nil {
				r.err = parent.Err()
			}
			yield(nil, r.err)
			return
		}
		if s+window < n {
			close(tickets[s+window])
		}
		if p.opt.Progress != nil {
			p.opt.Progress(s+1, n)
		}
		if !yield(r.f, nil) {
			return
		}
	}
}

// work runs one worker: it takes runs of positions from jobs until none are left.
func (p *samplePlan) work(ctx context.Context, jobs <-chan []int, tickets []chan struct{}, results []chan result) (err error) {
	w, err := newWorker(p.v, p.threads)
	if err != nil {
		return err
	}
	defer func() { w.close(err == nil) }()
	for g := range jobs {
		for _, s := range g {
			select {
			case <-tickets[s]:
			case <-ctx.Done():
				return ctx.Err()
			}
			var f *astiav.Frame
			var pts int64
			sec := p.times[p.order[s]]
			if p.opt.Mode == Fast {
				f, pts, err = w.fastAt(ctx, sec)
			} else {
				f, pts, err = w.exactAt(ctx, sec)
			}
			if err != nil {
				return err
			}
			out, err := p.convert(w, f, pts)
			if err != nil {
				return err
			}
			i := p.order[s]
			out.Index = i
			out.Target = p.times[i]
			results[s] <- result{f: out}
		}
	}
	return nil
}

// convert scales f with swscale to the output size (pre-rotation orientation) and rotates it in Go, which
// for multiples of 90 degrees is an exact pixel permutation.
func (p *samplePlan) convert(w *worker, f *astiav.Frame, pts int64) (*Frame, error) {
	rot := p.v.Info.Rotation
	sw, sh := p.w, p.h
	if rot == 90 || rot == 270 {
		sw, sh = p.h, p.w
	}
	src, stride, err := w.sc.scale(f, sw, sh)
	if err != nil {
		return nil, w.errf(ErrCorrupt, err, "converting a %dx%d %s frame to RGB", f.Width(), f.Height(), f.PixelFormat())
	}
	out := &Frame{
		Time:     float64(pts-p.v.startTs) * p.v.tbSec,
		Keyframe: f.KeyFrame(),
		Width:    p.w,
		Height:   p.h,
		RGB:      make([]byte, p.w*p.h*3),
	}
	rotateRGB(out.RGB, src, stride, sw, sh, rot)
	return out, nil
}
