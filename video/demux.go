package video

import (
	"context"
	"errors"
	"io"

	"github.com/asticode/go-astiav"
)

// demuxer is one opened container with its selected video stream. It is not safe for concurrent use; every
// sampling worker owns one.
type demuxer struct {
	path string
	fc   *astiav.FormatContext
	pkt  *astiav.Packet
	si   int // video stream index, -1 until chosen
}

// openDemuxer opens path and reads stream information. The returned error is FFmpeg's, unclassified.
func openDemuxer(path string) (*demuxer, error) {
	fc := astiav.AllocFormatContext()
	if fc == nil {
		return nil, errors.New("allocating format context failed")
	}
	if err := fc.OpenInput(path, nil, nil); err != nil {
		fc.Free() // avformat_open_input has freed and cleared the context; this only unregisters it
		return nil, err
	}
	if err := fc.FindStreamInfo(nil); err != nil {
		fc.CloseInput()
		return nil, &streamInfoError{err}
	}
	pkt := astiav.AllocPacket()
	if pkt == nil {
		fc.CloseInput()
		return nil, errors.New("allocating packet failed")
	}
	return &demuxer{path: path, fc: fc, pkt: pkt, si: -1}, nil
}

// streamInfoError marks a failure of avformat_find_stream_info (the header parsed, the data did not).
type streamInfoError struct{ err error }

func (e *streamInfoError) Error() string { return "reading stream information: " + e.err.Error() }
func (e *streamInfoError) Unwrap() error { return e.err }

func (d *demuxer) close() {
	if d == nil {
		return
	}
	if d.pkt != nil {
		d.pkt.Free()
		d.pkt = nil
	}
	if d.fc != nil {
		d.fc.CloseInput()
		d.fc = nil
	}
}

func (d *demuxer) stream() *astiav.Stream { return d.fc.Streams()[d.si] }

// readVideo returns the next packet of the video stream (valid until the next call), io.EOF at the end.
// Packets of other streams are dropped. ctx is checked between packets.
func (d *demuxer) readVideo(ctx context.Context) (*astiav.Packet, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		d.pkt.Unref()
		if err := d.fc.ReadFrame(d.pkt); err != nil {
			if errors.Is(err, astiav.ErrEof) {
				return nil, io.EOF
			}
			return nil, err
		}
		if d.pkt.StreamIndex() == d.si {
			return d.pkt, nil
		}
	}
}

// readAny returns the next packet of any stream, io.EOF at the end.
func (d *demuxer) readAny() (*astiav.Packet, error) {
	d.pkt.Unref()
	if err := d.fc.ReadFrame(d.pkt); err != nil {
		if errors.Is(err, astiav.ErrEof) {
			return nil, io.EOF
		}
		return nil, err
	}
	return d.pkt, nil
}

// seek positions the demuxer at the last keyframe at or before ts (video stream time base), as far as the
// container's index allows; callers verify where they landed.
func (d *demuxer) seek(ts int64) error {
	d.pkt.Unref()
	return d.fc.SeekFrame(d.si, ts, astiav.NewSeekFlags(astiav.SeekFlagBackward))
}

// packetTime is the packet's presentation timestamp, or its decoding timestamp when the container stores
// only that (AVI), or astiav.NoPtsValue.
func packetTime(p *astiav.Packet) int64 {
	if pts := p.Pts(); pts != astiav.NoPtsValue {
		return pts
	}
	return p.Dts()
}

func isKey(p *astiav.Packet) bool { return p.Flags().Has(astiav.PacketFlagKey) }
