package video

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/asticode/go-astiav"
)

// Info describes a video file as Open found it.
type Info struct {
	Path           string
	Format         string  // demuxer short name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi"
	FormatLongName string  // e.g. "QuickTime / MOV"
	Duration       float64 // seconds from the start of the video to the end of its last frame
	StartTime      float64 // container timestamp, in seconds, of time 0 (non-zero for e.g. MPEG-TS)

	Codec       string // decoder name, e.g. "h264", "vp9", "hevc", "mpeg4", "mjpeg"
	PixelFormat string // decoded pixel format, e.g. "yuv420p"
	Width       int    // stored frame size, before rotation
	Height      int
	// Rotation is the clockwise rotation, in degrees (0, 90, 180 or 270), a player applies for display
	// (from the display matrix, e.g. of phone videos). Frames are returned rotated.
	Rotation      int
	DisplayWidth  int // Width and Height after Rotation
	DisplayHeight int

	FrameRate         float64 // average frames per second
	FrameCount        int64   // number of frames: exact if FrameCountExact, else Duration × FrameRate
	FrameCountExact   bool
	VariableFrameRate bool    // frame durations differ (seen in the first seconds or against the file's average)
	KeyframeInterval  float64 // largest gap between keyframes seen in the first seconds; 0 when only one was seen
	FirstFrameTime    float64 // presentation time of the first frame (usually 0)
	HasAudio          bool
}

// Video is an opened, probed video file. Sample may be called concurrently; Close releases it.
type Video struct {
	Info Info

	tb         astiav.Rational
	tbSec      float64 // seconds per time-base tick
	startTs    int64   // stream timestamp of time 0
	frameTicks int64   // nominal frame duration in ticks (>= 1)
	keyGap     int64   // largest keyframe gap seen, or the span scanned when only one keyframe was seen
	keyFlagged bool    // the container flags keyframe packets (so decoding may start at one)
	codecID    astiav.CodecID
	sidx       int // index of the video stream

	mu     sync.Mutex
	idle   []*demuxer // opened demuxers kept for the next Sample call
	closed bool
}

// Limits of the probe scans Open does (the first seconds, and the last ones to detect truncation).
const (
	scanSeconds    = 12
	scanMaxPackets = 1000
	scanMaxBytes   = 16 << 20
	endScanBytes   = 64 << 20
	endScanPackets = 20000
	probeHeadBytes = 256 << 10
)

// Open probes path: container, video stream, timing, rotation, audio presence. It decodes the first frame
// and looks at the end of the file, so truncated and undecodable files are reported here rather than midway
// through sampling. Problems with the content are *Error values (see the Err* kinds); file-system errors are
// returned wrapped.
func Open(path string) (v *Video, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("video: %w", err)
	}
	if st.IsDir() {
		return nil, newErr(path, ErrNotMedia, nil, "is a directory")
	}
	if st.Size() == 0 {
		return nil, newErr(path, ErrEmpty, nil, "0 bytes")
	}
	head, err := readHead(path, probeHeadBytes)
	if err != nil {
		return nil, fmt.Errorf("video: %w", err)
	}
	_, score := probeContent(head)

	d, err := openDemuxer(path)
	if err != nil {
		var sie *streamInfoError
		switch {
		case errors.As(err, &sie):
			return nil, newErr(path, ErrCorrupt, err, "")
		case score < probeScoreRetry:
			return nil, newErr(path, ErrNotMedia, err, "no known container or stream format")
		case errors.Is(err, astiav.ErrEof):
			name, _ := probeContent(head)
			return nil, newErr(path, ErrCorrupt, nil, "looks like %s but ends inside its header", name)
		default:
			name, _ := probeContent(head)
			return nil, newErr(path, ErrCorrupt, err, "looks like %s but cannot be opened", name)
		}
	}
	defer func() {
		if err != nil {
			d.close()
		}
	}()

	v = &Video{Info: Info{Path: path}}
	in := &v.Info
	if f := d.fc.InputFormat(); f != nil {
		in.Format, in.FormatLongName = f.Name(), f.LongName()
	}
	if isImageDemuxer(in.Format) {
		return nil, newErr(path, ErrImage, nil, "read by FFmpeg's %q image reader", in.Format)
	}

	// Pick the video stream: the first that is not a still-image codec (cover art), else the first at all.
	still := -1
	for _, s := range d.fc.Streams() {
		cp := s.CodecParameters()
		switch cp.MediaType() {
		case astiav.MediaTypeAudio:
			in.HasAudio = true
		case astiav.MediaTypeVideo:
			if isStillCodec(cp.CodecID()) {
				if still < 0 {
					still = s.Index()
				}
			} else if d.si < 0 {
				d.si = s.Index()
			}
		}
	}
	if d.si < 0 {
		d.si = still
	}
	if d.si < 0 {
		if score < probeScoreRetry {
			return nil, newErr(path, ErrNotMedia, nil, "FFmpeg guessed %q from weak evidence and found no video", in.Format)
		}
		if in.HasAudio {
			return nil, newErr(path, ErrNoVideo, nil, "audio only")
		}
		return nil, newErr(path, ErrNoVideo, nil, "%s file with %d streams, none of them video", in.Format, d.fc.NbStreams())
	}

	s := d.stream()
	cp := s.CodecParameters()
	v.codecID = cp.CodecID()
	codec := astiav.FindDecoder(v.codecID)
	if codec == nil {
		name := v.codecID.Name()
		if name == "" || name == "none" {
			name = "unknown, tag " + strconv.Quote(fourCC(uint32(cp.CodecTag())))
		}
		return nil, newErr(path, ErrUnsupportedCodec, nil, "no decoder for video codec %s", name)
	}
	in.Codec = codec.Name()
	in.Width, in.Height = cp.Width(), cp.Height()

	v.tb = s.TimeBase()
	if v.tb.Num() <= 0 || v.tb.Den() <= 0 {
		return nil, newErr(path, ErrCorrupt, nil, "video stream has time base %s", v.tb)
	}
	v.tbSec = v.tb.Float64()
	v.startTs = 0
	if fs := d.fc.StartTime(); fs != astiav.NoPtsValue {
		v.startTs = astiav.RescaleQ(fs, astiav.TimeBaseQ, v.tb)
		if ss := s.StartTime(); ss != astiav.NoPtsValue && astiav.RescaleQ(ss, v.tb, astiav.TimeBaseQ) == fs {
			v.startTs = ss // exact, no rounding through microseconds
		}
	} else if ss := s.StartTime(); ss != astiav.NoPtsValue {
		v.startTs = ss
	}
	in.StartTime = float64(v.startTs) * v.tbSec

	fps := 0.0
	if r := s.AvgFrameRate(); r.Num() > 0 && r.Den() > 0 {
		fps = r.Float64()
	} else if r := s.RFrameRate(); r.Num() > 0 && r.Den() > 0 && r.Float64() < 1000 {
		fps = r.Float64()
	}
	in.Rotation = streamRotation(s)

	sc, err := v.scanStart(d, codec, fps)
	if err != nil {
		return nil, err
	}
	if isStillCodec(v.codecID) && sc.eof && sc.packets <= 1 {
		if in.HasAudio {
			return nil, newErr(path, ErrNoVideo, nil, "audio with a still picture (%s cover art)", in.Codec)
		}
		return nil, newErr(path, ErrImage, nil, "a single %s picture in a %s container", in.Codec, in.Format)
	}

	// Duration: measured from packets when a scan reached the end of the file, else from the headers.
	headerEnd := int64(astiav.NoPtsValue)
	if sd := s.Duration(); sd > 0 && sd != astiav.NoPtsValue {
		base := v.startTs
		if ss := s.StartTime(); ss != astiav.NoPtsValue {
			base = ss
		}
		headerEnd = base + sd
	} else if fd := d.fc.Duration(); fd > 0 && fd != astiav.NoPtsValue {
		headerEnd = v.startTs + astiav.RescaleQ(fd, astiav.TimeBaseQ, v.tb)
	}
	end := int64(astiav.NoPtsValue)
	if sc.eof {
		end = sc.videoEnd
		if err := v.checkEnd(headerEnd, sc.videoEnd, sc.anyEnd); err != nil {
			return nil, err
		}
	} else if end, err = v.scanEnd(d, headerEnd); err != nil {
		return nil, err
	}
	if end == astiav.NoPtsValue {
		end = headerEnd
	}
	if end == astiav.NoPtsValue || end <= v.startTs {
		return nil, newErr(path, ErrZeroDuration, nil, "the container gives no duration and the video has no timed frames")
	}
	in.Duration = float64(end-v.startTs) * v.tbSec

	v.finishTiming(s, sc, fps)
	v.sidx = d.si
	v.putDemuxer(d)
	return v, nil
}

// scan is what Open learns from the first seconds of the video stream.
type scan struct {
	packets  int     // video packets read
	anyEnd   float64 // end of the last packet of any stream, seconds (container clock), -Inf if none
	pts      []int64 // packet presentation times, decode order
	keys     []int64 // keyframe packet times
	videoEnd int64   // largest pts+duration seen
	eof      bool    // the scan reached the end of the file
}

// scanStart reads the first seconds of the file, decodes the first frame and records packet timing.
func (v *Video) scanStart(d *demuxer, codec *astiav.Codec, fps float64) (*scan, error) {
	path, in := v.Info.Path, &v.Info
	sc := &scan{videoEnd: astiav.NoPtsValue, anyEnd: math.Inf(-1)}
	v.frameTicks = 1
	if fps > 0 {
		v.frameTicks = max(1, int64(math.Round(1/(fps*v.tbSec))))
	}
	dec, err := newDecoder(codec, d.stream(), 1)
	if err != nil {
		return nil, newErr(path, ErrUnsupportedCodec, err, "opening decoder %q", codec.Name())
	}
	defer dec.Free()
	frame := astiav.AllocFrame()
	defer frame.Free()
	gotFrame := false
	var decErr error
	receive := func() {
		for !gotFrame {
			if err := dec.ReceiveFrame(frame); err != nil {
				if !errors.Is(err, astiav.ErrEagain) && !errors.Is(err, astiav.ErrEof) {
					decErr = err
				}
				return
			}
			gotFrame = true
			in.PixelFormat = frame.PixelFormat().Name()
			in.Width, in.Height = frame.Width(), frame.Height()
			if pts := framePTS(frame); pts != astiav.NoPtsValue {
				in.FirstFrameTime = float64(pts-v.startTs) * v.tbSec
			}
		}
	}
	var bytes int
	first := int64(astiav.NoPtsValue)
	for len(sc.pts) < scanMaxPackets && bytes < scanMaxBytes {
		pkt, err := d.readAny()
		if err == io.EOF {
			sc.eof = true
			break
		}
		if err != nil {
			return nil, newErr(path, ErrCorrupt, err, "reading packets at the start")
		}
		bytes += pkt.Size()
		sc.anyEnd = max(sc.anyEnd, packetEnd(d, pkt))
		if pkt.StreamIndex() != d.si {
			continue
		}
		sc.packets++
		t := packetTime(pkt)
		if t != astiav.NoPtsValue {
			sc.pts = append(sc.pts, t)
			dur := pkt.Duration()
			if dur <= 0 {
				dur = v.frameTicks
			}
			if sc.videoEnd == astiav.NoPtsValue || t+dur > sc.videoEnd {
				sc.videoEnd = t + dur
			}
			if isKey(pkt) {
				sc.keys = append(sc.keys, t)
				v.keyFlagged = true
			}
			if first == astiav.NoPtsValue {
				first = t
			}
		}
		if !gotFrame {
			if err := dec.SendPacket(pkt); err != nil && !errors.Is(err, astiav.ErrEagain) {
				decErr = err
			}
			receive()
		}
		if gotFrame && t != astiav.NoPtsValue && float64(t-first)*v.tbSec > scanSeconds {
			break
		}
	}
	if sc.packets == 0 && sc.eof {
		return nil, newErr(path, ErrZeroDuration, nil, "the video stream has no frames")
	}
	if !gotFrame {
		_ = dec.SendPacket(nil) // drain: a decoder may hold back the only frame of a short stream
		receive()
	}
	if !gotFrame {
		return nil, newErr(path, ErrCorrupt, decErr, "decoder %q produced no picture from %d packets", codec.Name(), len(sc.pts))
	}
	if in.Width <= 0 || in.Height <= 0 {
		return nil, newErr(path, ErrCorrupt, nil, "decoded frame has size %dx%d", in.Width, in.Height)
	}
	return sc, nil
}

// scanEnd seeks close to the end given by the headers and reads to the end of the file. It returns the end
// of the last video frame (NoPtsValue if it could not tell) and an error if the data stops well short of
// what the headers promise, which is what a truncated download or copy looks like.
func (v *Video) scanEnd(d *demuxer, headerEnd int64) (int64, error) {
	if headerEnd == astiav.NoPtsValue {
		return astiav.NoPtsValue, nil
	}
	target := headerEnd - int64(3/v.tbSec)
	if target < v.startTs {
		target = v.startTs
	}
	if err := d.seek(target); err != nil {
		return astiav.NoPtsValue, nil // unseekable: sampling will decode forward and tell
	}
	videoEnd, anyEnd := int64(astiav.NoPtsValue), math.Inf(-1)
	bytes, n := 0, 0
	for ; n < endScanPackets && bytes < endScanBytes; n++ {
		pkt, err := d.readAny()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, newErr(v.Info.Path, ErrCorrupt, err, "reading packets near the end")
		}
		bytes += pkt.Size()
		anyEnd = max(anyEnd, packetEnd(d, pkt))
		if t := packetTime(pkt); pkt.StreamIndex() == d.si && t != astiav.NoPtsValue {
			dur := pkt.Duration()
			if dur <= 0 {
				dur = v.frameTicks
			}
			videoEnd = max(videoEnd, t+dur)
		}
	}
	if n >= endScanPackets || bytes >= endScanBytes {
		return astiav.NoPtsValue, nil // the last keyframe is far back; no verdict
	}
	return videoEnd, v.checkEnd(headerEnd, videoEnd, anyEnd)
}

// checkEnd compares where the data ends (the video stream's last frame, any stream's last packet in
// seconds) with the end the headers promise: a truncated download or copy stops well short of it.
func (v *Video) checkEnd(headerEnd, videoEnd int64, anyEnd float64) error {
	if headerEnd == astiav.NoPtsValue {
		return nil
	}
	want := float64(headerEnd) * v.tbSec
	// Headers and packets disagree by a frame or two (last frame duration, edit lists, audio priming).
	tol := 3*float64(v.frameTicks)*v.tbSec + min(1, 0.05*(want-v.Info.StartTime))
	if videoEnd != astiav.NoPtsValue && anyEnd >= want-tol {
		return nil
	}
	got := "there is no video data"
	if !math.IsInf(anyEnd, -1) {
		got = fmt.Sprintf("the data ends at %.2fs", anyEnd-v.Info.StartTime)
	}
	return newErr(v.Info.Path, ErrCorrupt, nil, "%s but the headers say the video lasts %.2fs (truncated?)",
		got, want-v.Info.StartTime)
}

// packetEnd is the end time of a packet of any stream in seconds on the container clock (-Inf if untimed).
func packetEnd(d *demuxer, p *astiav.Packet) float64 {
	t := packetTime(p)
	if t == astiav.NoPtsValue {
		return math.Inf(-1)
	}
	tb := d.fc.Streams()[p.StreamIndex()].TimeBase()
	return float64(t+max(p.Duration(), 0)) * tb.Float64()
}

// finishTiming fills frame rate, frame count, variable-frame-rate and keyframe-interval fields.
func (v *Video) finishTiming(s *astiav.Stream, sc *scan, fps float64) {
	in := &v.Info
	pts := slices.Clone(sc.pts)
	slices.Sort(pts)
	pts = slices.Compact(pts)
	if !sc.eof && len(pts) > 16 {
		pts = pts[:len(pts)-8] // frames reordered past the cut may still be missing at the tail
	}
	var deltas []int64
	for i := 1; i < len(pts); i++ {
		deltas = append(deltas, pts[i]-pts[i-1])
	}
	median := int64(0)
	if len(deltas) > 0 {
		ds := slices.Clone(deltas)
		slices.Sort(ds)
		median = ds[len(ds)/2]
	}
	if fps <= 0 && median > 0 {
		fps = 1 / (float64(median) * v.tbSec)
	}
	if nb := s.NbFrames(); nb > 0 {
		in.FrameCount, in.FrameCountExact = nb, true
	} else if sc.eof {
		in.FrameCount, in.FrameCountExact = int64(len(pts)), true
	} else if fps > 0 {
		in.FrameCount = int64(math.Round(in.Duration * fps))
	}
	if in.FrameCountExact && in.Duration > 0 {
		fps = float64(in.FrameCount) / in.Duration
	}
	for _, d := range deltas {
		if diff := d - median; diff < 0 && -diff > max(1, median/10) || diff > max(1, median/10) {
			in.VariableFrameRate = true
		}
	}
	if in.FrameCountExact && median > 0 && in.FrameCount > int64(len(pts))+1 {
		// The average over the whole file against the rate of the first seconds.
		early := 1 / (float64(median) * v.tbSec)
		if math.Abs(fps-early) > 0.05*early {
			in.VariableFrameRate = true
		}
	}
	in.FrameRate = fps
	if fps > 0 {
		v.frameTicks = max(1, int64(math.Round(1/(fps*v.tbSec))))
	}
	keys := slices.Clone(sc.keys)
	slices.Sort(keys)
	for i := 1; i < len(keys); i++ {
		v.keyGap = max(v.keyGap, keys[i]-keys[i-1])
	}
	in.KeyframeInterval = float64(v.keyGap) * v.tbSec
	if len(keys) < 2 && len(pts) > 0 {
		v.keyGap = pts[len(pts)-1] - pts[0] // only a lower bound: no second keyframe in the scanned span
	}
	in.DisplayWidth, in.DisplayHeight = in.Width, in.Height
	if in.Rotation == 90 || in.Rotation == 270 {
		in.DisplayWidth, in.DisplayHeight = in.Height, in.Width
	}
}

// Close releases the demuxers kept open. Sampling calls in progress finish with their own.
func (v *Video) Close() error {
	v.mu.Lock()
	idle := v.idle
	v.idle, v.closed = nil, true
	v.mu.Unlock()
	for _, d := range idle {
		d.close()
	}
	return nil
}

// getDemuxer returns an idle opened demuxer or opens a new one.
func (v *Video) getDemuxer() (*demuxer, error) {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return nil, fmt.Errorf("video: %s: sampling a closed Video", v.Info.Path)
	}
	if n := len(v.idle); n > 0 {
		d := v.idle[n-1]
		v.idle = v.idle[:n-1]
		v.mu.Unlock()
		return d, nil
	}
	v.mu.Unlock()
	d, err := openDemuxer(v.Info.Path)
	if err != nil {
		return nil, newErr(v.Info.Path, ErrCorrupt, err, "reopening")
	}
	if v.sidx < d.fc.NbStreams() && d.fc.Streams()[v.sidx].CodecParameters().CodecID() == v.codecID {
		d.si = v.sidx
	} else {
		d.close()
		return nil, newErr(v.Info.Path, ErrCorrupt, nil, "video stream missing on reopening (file changed?)")
	}
	return d, nil
}

// putDemuxer keeps d for later calls (up to a few), or closes it.
func (v *Video) putDemuxer(d *demuxer) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed || len(v.idle) >= maxIdleDemuxers {
		d.close()
		return
	}
	v.idle = append(v.idle, d)
}

const maxIdleDemuxers = 16

func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, n)
	m, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	return buf[:m], nil
}

// isImageDemuxer reports FFmpeg demuxers that read single pictures (PNG, JPEG, WebP ... renamed or not).
func isImageDemuxer(name string) bool {
	return name == "image2" || strings.HasSuffix(name, "_pipe")
}

// isStillCodec reports picture codecs that appear as "video" streams for cover art or single images.
func isStillCodec(id astiav.CodecID) bool {
	switch id.Name() {
	case "mjpeg", "png", "bmp", "tiff", "webp", "gif", "jpeg2000", "jpegls", "targa", "ppm", "pgm", "pbm",
		"pam", "qoi", "jpegxl", "sgi", "xbm", "xwd", "apng":
		return true
	}
	return false
}

// streamRotation returns the clockwise display rotation: from the display matrix side data (which
// go-astiav exposes on the stream), else from a legacy "rotate" tag; rounded to a multiple of 90.
func streamRotation(s *astiav.Stream) int {
	deg := 0.0
	if sd := s.SideData(astiav.PacketSideDataTypeDisplaymatrix); len(sd) >= 36 {
		m, err := astiav.NewDisplayMatrixFromBytes(sd)
		if err != nil {
			return 0
		}
		deg = m.Rotation() // clockwise (go-astiav negates av_display_rotation_get, which is counter-clockwise)
	} else if md := s.Metadata(); md == nil {
		return 0
	} else if e := md.Get("rotate", nil, astiav.NewDictionaryFlags()); e != nil {
		f, err := strconv.ParseFloat(strings.TrimSpace(e.Value()), 64)
		if err != nil {
			return 0
		}
		deg = f // the legacy tag is clockwise
	}
	if math.IsNaN(deg) || math.IsInf(deg, 0) {
		return 0
	}
	r := int(math.Round(deg/90)) * 90 % 360
	if r < 0 {
		r += 360
	}
	return r
}

func fourCC(tag uint32) string {
	b := []byte{byte(tag), byte(tag >> 8), byte(tag >> 16), byte(tag >> 24)}
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			b[i] = '?'
		}
	}
	return string(b)
}
