package video

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/asticode/go-astiav"
)

// newDecoder opens a decoder for stream s. threads is the decoder's own thread count (0 lets FFmpeg pick).
func newDecoder(codec *astiav.Codec, s *astiav.Stream, threads int) (*astiav.CodecContext, error) {
	cc := astiav.AllocCodecContext(codec)
	if cc == nil {
		return nil, errors.New("allocating decoder failed")
	}
	if err := s.CodecParameters().ToCodecContext(cc); err != nil {
		cc.Free()
		return nil, fmt.Errorf("copying codec parameters: %w", err)
	}
	cc.SetTimeBase(s.TimeBase())
	cc.SetThreadCount(threads)
	if err := cc.Open(codec, nil); err != nil {
		cc.Free()
		return nil, err
	}
	return cc, nil
}

// maxBadPackets is how many packets in a row the decoder may reject before the data is called corrupt.
const maxBadPackets = 64

// worker decodes frames at requested timestamps with its own demuxer and decoder.
//
// go-astiav v0.16.0 has no binding for avcodec_flush_buffers, so a decoder cannot be emptied after a seek:
// frames buffered before the seek (B-frame reordering, frame threads) would come out first, and a decoder
// drained to EOF cannot accept packets again. The worker therefore frees the decoder and opens a new one at
// every seek and after every drain; opening costs far less than the decoding it replaces.
type worker struct {
	v       *Video
	d       *demuxer
	codec   *astiav.Codec
	threads int
	sc      scaler

	dec            *astiav.CodecContext // nil: no decoder state, the next request seeks
	cur, next      *astiav.Frame        // cur: last frame at or before the request; next: one decoded past it
	curOK, nextOK  bool
	curPTS         int64
	nextPTS        int64
	decEOF, dmxEOF bool
	skipToKey      bool  // after a seek, feed the decoder from the first keyframe packet on
	seekTs         int64 // where the last seek aimed
	atStart        bool  // the demuxer was (re)opened: reading starts at the first packet of the file
	lastKey        int64 // time of the last keyframe packet read since the seek
	keyGap         int64 // largest keyframe gap known (ticks)
	badPkts        int
	target         int64 // exact mode: the timestamp being decoded to (NoPtsValue: decode everything)
	bestBelow      int64 // largest packet pts at or before target read since the seek
	nalLen         int   // H.264 only: NAL length-prefix size (0: Annex B); -1 for other codecs

	keyPkt   *astiav.Packet // fast mode: the keyframe chosen
	alt      *astiav.Frame  // fast mode: a candidate picture held while another is decoded
	fastKey  [2]int64       // fast mode: the keyframe(s) the picture in cur was chosen from
	fastHeld bool
}

func newWorker(v *Video, threads int) (*worker, error) {
	codec := astiav.FindDecoder(v.codecID)
	if codec == nil {
		return nil, newErr(v.Info.Path, ErrUnsupportedCodec, nil, "no decoder for %s", v.codecID.Name())
	}
	d, err := v.getDemuxer()
	if err != nil {
		return nil, err
	}
	nalLen := -1
	if v.codecID == astiav.CodecIDH264 {
		nalLen = h264NALLength(d.stream().CodecParameters().ExtraData())
	}
	return &worker{
		v: v, d: d, codec: codec, threads: threads, nalLen: nalLen, target: astiav.NoPtsValue,
		cur: astiav.AllocFrame(), next: astiav.AllocFrame(), alt: astiav.AllocFrame(), keyPkt: astiav.AllocPacket(),
		keyGap: v.keyGap, lastKey: astiav.NoPtsValue,
	}, nil
}

// close releases everything; the demuxer goes back to the Video's pool unless it may be in a bad state.
func (w *worker) close(reuse bool) {
	w.dropDecoder()
	w.cur.Free()
	w.next.Free()
	w.alt.Free()
	w.keyPkt.Free()
	w.sc.free()
	if reuse {
		w.v.putDemuxer(w.d)
	} else {
		w.d.close()
	}
}

func (w *worker) dropDecoder() {
	if w.dec != nil {
		w.dec.Free()
		w.dec = nil
	}
	w.cur.Unref()
	w.next.Unref()
	w.curOK, w.nextOK, w.decEOF, w.dmxEOF, w.fastHeld = false, false, false, false, false
}

func (w *worker) errf(kind, cause error, format string, a ...any) error {
	if cause != nil && (errors.Is(cause, context.Canceled) || errors.Is(cause, context.DeadlineExceeded)) {
		return cause
	}
	return newErr(w.v.Info.Path, kind, cause, format, a...)
}

// seekDemuxer positions the demuxer at the keyframe at or before ts, leaving decoder state alone.
func (w *worker) seekDemuxer(ts int64) error {
	w.seekTs, w.atStart = ts, false
	w.lastKey = astiav.NoPtsValue
	if err := w.d.seek(ts); err != nil {
		return w.reopen() // some streams (raw elementary streams, broken indexes) cannot seek
	}
	return nil
}

// reopen opens the file again, which is the one sure way to the very first packet: containers without an
// index (MPEG-TS, AVI without idx1) seek by bisection and may land after the first keyframe.
func (w *worker) reopen() error {
	d, err := openDemuxer(w.v.Info.Path)
	if err != nil {
		return w.errf(ErrCorrupt, err, "reopening to read from the start")
	}
	d.si = w.d.si
	w.d.close()
	w.d = d
	w.seekTs, w.atStart = w.v.startTs, true
	w.lastKey = astiav.NoPtsValue
	return nil
}

// seekTo positions the demuxer at the keyframe at or before ts and starts a fresh decoder there.
func (w *worker) seekTo(ts int64, threads int) error {
	w.dropDecoder()
	if err := w.seekDemuxer(ts); err != nil {
		return err
	}
	return w.openDecoder(threads)
}

// seekEarlier is called when a seek for ts landed past it (coarse or missing index, or a keyframe whose
// decode time precedes its presentation time). It aims *backoff earlier (doubling it each time) and, once
// at the start of the stream, reads from the top of the file.
func (w *worker) seekEarlier(ts int64, backoff *int64, threads int) error {
	if w.seekTs > w.v.startTs {
		err := w.seekTo(max(w.v.startTs, ts-*backoff), threads)
		*backoff *= 2
		return err
	}
	w.dropDecoder()
	if err := w.reopen(); err != nil {
		return err
	}
	return w.openDecoder(threads)
}

func (w *worker) openDecoder(threads int) error {
	dec, err := newDecoder(w.codec, w.d.stream(), threads)
	if err != nil {
		return w.errf(ErrUnsupportedCodec, err, "opening decoder %q", w.codec.Name())
	}
	w.dec = dec
	w.skipToKey = w.v.keyFlagged
	w.badPkts = 0
	w.bestBelow = astiav.NoPtsValue
	return nil
}

// needSeek decides between seeking and decoding forward to reach ts.
func (w *worker) needSeek(ts int64) bool {
	if w.dec == nil || w.fastHeld {
		return true
	}
	switch {
	case w.curOK:
		if ts < w.curPTS {
			return true // backwards
		}
		// Forward: a gap longer than the keyframe interval contains a keyframe closer to ts than we are.
		return !w.decEOF && ts-w.curPTS > w.keyGap
	case w.nextOK:
		// Nothing at or before the previous request: it was before the first frame of the stream.
		return !w.atStart || ts < w.nextPTS || ts-w.nextPTS > w.keyGap
	}
	return true
}

// exactAt returns the frame shown at sec: the last frame whose presentation time is at or before it (the
// first frame if sec precedes it), and that frame's timestamp. The frame stays valid until the next call.
func (w *worker) exactAt(ctx context.Context, sec float64) (*astiav.Frame, int64, error) {
	ts := w.v.ticks(sec)
	if w.needSeek(ts) {
		if err := w.seekTo(ts, w.threads); err != nil {
			return nil, 0, err
		}
	}
	w.target = ts
	defer func() { w.target = astiav.NoPtsValue }()
	backoff := max(1, int64(1/w.v.tbSec)) // one second
	for {
		if w.nextOK {
			if w.nextPTS <= ts {
				w.cur.Unref()
				w.cur.MoveRef(w.next)
				w.curOK, w.curPTS, w.nextOK = true, w.nextPTS, false
				continue
			}
			if w.curOK {
				return w.cur, w.curPTS, nil
			}
			if w.atStart {
				return w.next, w.nextPTS, nil // sec is before the first frame
			}
			if err := w.seekEarlier(ts, &backoff, w.threads); err != nil {
				return nil, 0, err
			}
			continue
		}
		if w.decEOF {
			if !w.curOK {
				if w.atStart {
					return nil, 0, w.errf(ErrCorrupt, nil, "no frame could be decoded")
				}
				if err := w.seekEarlier(ts, &backoff, w.threads); err != nil {
					return nil, 0, err
				}
				continue
			}
			// The end of the data: fine if ts is within the last frame's display time, else data is missing.
			end := w.curPTS + max(frameDuration(w.cur), w.v.frameTicks)
			if w.seconds(ts)-w.seconds(end) > 1 {
				return nil, 0, w.errf(ErrCorrupt, nil, "the video data ends at %.3fs, before %.3fs (truncated?)",
					w.seconds(end), w.seconds(ts))
			}
			return w.cur, w.curPTS, nil
		}
		if err := w.decodeNext(ctx); err != nil && err != io.EOF {
			return nil, 0, err
		}
	}
}

// decodeNext decodes the next frame into w.next, or returns io.EOF once the decoder is drained.
func (w *worker) decodeNext(ctx context.Context) error {
	for {
		err := w.dec.ReceiveFrame(w.next)
		if err == nil {
			pts := framePTS(w.next)
			if pts == astiav.NoPtsValue { // no timestamps at all: count frames from the last known one
				switch {
				case w.curOK:
					pts = w.curPTS + w.v.frameTicks
				default:
					pts = w.seekTs
				}
			}
			w.nextOK, w.nextPTS = true, pts
			return nil
		}
		if errors.Is(err, astiav.ErrEof) {
			w.decEOF = true
			return io.EOF
		}
		if !errors.Is(err, astiav.ErrEagain) {
			if w.badPkts++; w.badPkts > maxBadPackets {
				return w.errf(ErrCorrupt, err, "decoding")
			}
			continue
		}
		if w.dmxEOF {
			w.decEOF = true
			return io.EOF
		}
		pkt, err := w.d.readVideo(ctx)
		if err == io.EOF {
			w.dmxEOF = true
			_ = w.dec.SendPacket(nil) // start draining
			continue
		}
		if err != nil {
			return w.errf(ErrCorrupt, err, "reading packets")
		}
		key := isKey(pkt)
		if t := packetTime(pkt); key && t != astiav.NoPtsValue {
			if w.lastKey != astiav.NoPtsValue && t > w.lastKey {
				w.keyGap = max(w.keyGap, t-w.lastKey)
			}
			w.lastKey = t
		}
		if w.skipToKey {
			if !key {
				continue
			}
			w.skipToKey = false
		}
		if w.target != astiav.NoPtsValue && w.nalLen >= 0 {
			if pts := pkt.Pts(); pts != astiav.NoPtsValue && pts <= w.target {
				// A non-reference picture shown before a frame already read that is still at or before
				// the target is never the answer and nothing depends on it: skip its decoding.
				if w.bestBelow != astiav.NoPtsValue && pts < w.bestBelow && h264NonRef(pkt.Data(), w.nalLen) {
					continue
				}
				if w.bestBelow == astiav.NoPtsValue || pts > w.bestBelow {
					w.bestBelow = pts
				}
			}
		}
		if err := w.dec.SendPacket(pkt); err != nil {
			// A damaged packet: decoders conceal what they can; skip it unless damage goes on and on.
			if w.badPkts++; w.badPkts > maxBadPackets {
				return w.errf(ErrCorrupt, err, "decoding")
			}
			continue
		}
		w.badPkts = 0
	}
}

// fastAt returns the keyframe nearest to sec (the earlier one on a tie) and its timestamp. Only that
// keyframe is decoded. The frame stays valid until the next call.
func (w *worker) fastAt(ctx context.Context, sec float64) (*astiav.Frame, int64, error) {
	ts := w.v.ticks(sec)
	backoff := max(1, int64(1/w.v.tbSec))
	var k1 int64
	if err := w.seekDemuxer(ts); err != nil {
		return nil, 0, err
	}
	for {
		w.keyPkt.Unref()
		found := false
		for !found {
			pkt, err := w.d.readVideo(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, 0, w.errf(ErrCorrupt, err, "reading packets")
			}
			if (w.v.keyFlagged && !isKey(pkt)) || packetTime(pkt) == astiav.NoPtsValue {
				continue
			}
			if err := w.keyPkt.Ref(pkt); err != nil {
				return nil, 0, w.errf(ErrCorrupt, err, "referencing packet")
			}
			k1, found = packetTime(pkt), true
		}
		if found && (k1 <= ts || w.atStart) {
			break
		}
		if !found && w.atStart {
			return nil, 0, w.errf(ErrCorrupt, nil, "no keyframe found")
		}
		var err error
		if w.seekTs > w.v.startTs {
			err = w.seekDemuxer(max(w.v.startTs, ts-backoff))
			backoff *= 2
		} else {
			err = w.reopen()
		}
		if err != nil {
			return nil, 0, err
		}
	}
	if w.keyPkt.Pts() == astiav.NoPtsValue {
		return w.fastDTSOnly(ctx, sec, k1)
	}
	// A keyframe after sec may be nearer. Packets are only demuxed here, not decoded, and only up to the
	// distance of the keyframe already found.
	chosen := k1
	if d1 := sec - w.seconds(k1); d1 > 0 {
		for {
			pkt, err := w.d.readVideo(ctx)
			if err != nil {
				if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
					return nil, 0, err
				}
				break // end of data: the earlier keyframe stands
			}
			t := packetTime(pkt)
			if t == astiav.NoPtsValue {
				continue
			}
			dts := pkt.Dts()
			if dts == astiav.NoPtsValue {
				dts = t
			}
			if w.seconds(dts)-sec > d1 {
				break
			}
			if isKey(pkt) && t > k1 {
				if w.seconds(t)-sec < d1 {
					w.keyPkt.Unref()
					if err := w.keyPkt.Ref(pkt); err != nil {
						return nil, 0, w.errf(ErrCorrupt, err, "referencing packet")
					}
					chosen = t
				}
				break // later keyframes are farther still
			}
		}
	}
	if w.fastHeld && w.fastKey == [2]int64{chosen, astiav.NoPtsValue} {
		return w.cur, w.curPTS, nil // the same keyframe as the previous request
	}
	// Decode the lone keyframe: send it, drain the decoder, keep the first picture.
	w.dropDecoder()
	if err := w.openDecoder(1); err != nil {
		return nil, 0, err
	}
	if err := w.dec.SendPacket(w.keyPkt); err != nil {
		return nil, 0, w.errf(ErrCorrupt, err, "decoding keyframe at %.3fs", w.seconds(chosen))
	}
	_ = w.dec.SendPacket(nil)
	if err := w.dec.ReceiveFrame(w.next); err != nil {
		if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
			// The keyframe does not decode on its own (e.g. an open-GOP picture): decode up to it instead.
			w.dropDecoder()
			return w.exactAt(ctx, w.seconds(chosen))
		}
		return nil, 0, w.errf(ErrCorrupt, err, "decoding keyframe at %.3fs", w.seconds(chosen))
	}
	pts := framePTS(w.next)
	if pts == astiav.NoPtsValue {
		pts = chosen
	}
	return w.holdFast(w.next, pts, [2]int64{chosen, astiav.NoPtsValue}), pts, nil
}

// fastDTSOnly handles containers that store decode times only (AVI): a keyframe's presentation time is
// then known only by decoding in sequence from it (the reordering delay varies), so the keyframe at or
// before sec (by decode time, k1) and the next one are both decoded and the nearer picture is kept.
func (w *worker) fastDTSOnly(ctx context.Context, sec float64, k1 int64) (*astiav.Frame, int64, error) {
	k2 := int64(astiav.NoPtsValue)
	for {
		pkt, err := w.d.readVideo(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return nil, 0, err
			}
			break
		}
		if t := packetTime(pkt); isKey(pkt) && t != astiav.NoPtsValue && t > k1 {
			k2 = t
			break
		}
	}
	key := [2]int64{k1, k2}
	if w.fastHeld && w.fastKey == key {
		return w.cur, w.curPTS, nil
	}
	// decodeFrom decodes from the keyframe packet at k until its picture comes out (into w.next).
	decodeFrom := func(k int64) (int64, error) {
		if err := w.seekTo(k, 1); err != nil {
			return 0, err
		}
		if err := w.decodeNext(ctx); err != nil {
			if err == io.EOF {
				return 0, w.errf(ErrCorrupt, nil, "no frame decoded from the keyframe at %.3fs", w.seconds(k))
			}
			return 0, err
		}
		return w.nextPTS, nil
	}
	t1, err := decodeFrom(k1)
	if err != nil {
		return nil, 0, err
	}
	if k2 == astiav.NoPtsValue || w.seconds(t1) >= sec {
		return w.holdFast(w.next, t1, key), t1, nil
	}
	w.alt.Unref()
	w.alt.MoveRef(w.next)
	t2, err := decodeFrom(k2)
	if err != nil {
		return nil, 0, err
	}
	if w.seconds(t2)-sec < sec-w.seconds(t1) {
		return w.holdFast(w.next, t2, key), t2, nil
	}
	return w.holdFast(w.alt, t1, key), t1, nil
}

// holdFast keeps a fast-mode picture in cur for a repeated request of the same keyframe and drops the
// decoder: it has been drained or has run ahead, and go-astiav cannot flush it for reuse.
func (w *worker) holdFast(f *astiav.Frame, pts int64, key [2]int64) *astiav.Frame {
	w.cur.Unref()
	w.cur.MoveRef(f)
	if w.dec != nil {
		w.dec.Free()
		w.dec = nil
	}
	w.next.Unref()
	w.alt.Unref()
	w.nextOK = false
	w.curOK, w.curPTS = true, pts
	w.fastKey, w.fastHeld = key, true
	return w.cur
}

func (w *worker) seconds(ts int64) float64 { return float64(ts-w.v.startTs) * w.v.tbSec }

// ticks converts seconds from the start of the video to a stream timestamp, rounding down (with a hair of
// slack so that a time computed as pts·timebase maps back to that pts).
func (v *Video) ticks(sec float64) int64 { return v.startTs + int64(math.Floor(sec/v.tbSec+1e-3)) }
