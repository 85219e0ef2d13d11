package video

import (
	"errors"
	"io"
	"math"
	"testing"

	"github.com/asticode/go-astiav"
)

// TestH264NonRef decodes a stream with B-frames after dropping every packet h264NonRef calls
// non-reference: the frames left must all decode cleanly (a dropped reference would corrupt those that
// predict from it), and about half the frames must have been dropped (x264: bframes 3, b-pyramid).
func TestH264NonRef(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	for _, g := range []gen{
		{"n.mp4", 160, 96, 25, 100, x264}, // avcC, length-prefixed NAL units
		{"n.ts", 160, 96, 25, 100, x264},  // Annex B start codes
	} {
		path := g.make(t, dir)
		ft, _ := probeFrames(t, path)
		v, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		d, err := openDemuxer(path) // from the first packet (seeking in MPEG-TS is approximate)
		if err != nil {
			t.Fatal(err)
		}
		d.si = v.sidx
		nalLen := h264NALLength(d.stream().CodecParameters().ExtraData())
		if (g.file == "n.mp4") != (nalLen == 4) {
			t.Errorf("%s: NAL length size %d", g.file, nalLen)
		}
		dec, err := newDecoder(astiav.FindDecoder(v.codecID), d.stream(), 1)
		if err != nil {
			t.Fatal(err)
		}
		frame := astiav.AllocFrame()
		w := &worker{v: v}
		dropped, kept := 0, map[int]bool{}
		receive := func() {
			for dec.ReceiveFrame(frame) == nil {
				pts := framePTS(frame)
				f := toFrame(t, w, frame, pts, v)
				got, ok := decodeIndex(f, 0)
				if !ok || math.Abs(ft[got]-f.Time) > 1e-6 {
					t.Errorf("%s: frame at %.2fs decodes as %d (ok=%v)", g.file, f.Time, got, ok)
				}
				kept[got] = true
			}
		}
		for {
			pkt, err := d.readVideo(testCtx(t))
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if h264NonRef(pkt.Data(), nalLen) {
				dropped++
				continue
			}
			if err := dec.SendPacket(pkt); err != nil {
				t.Fatal(err)
			}
			receive()
		}
		dec.SendPacket(nil)
		receive()
		t.Logf("%s: %d of %d frames are non-reference", g.file, dropped, g.frames)
		if dropped+len(kept) != g.frames || dropped < g.frames/3 {
			t.Errorf("%s: %d frames dropped, %d decoded, of %d", g.file, dropped, len(kept), g.frames)
		}
		frame.Free()
		dec.Free()
		w.sc.free()
		d.close()
		v.Close()
	}
	if h264NonRef([]byte{0, 0, 0, 9, 1}, 4) || h264NonRef(nil, 0) || h264NonRef([]byte{0, 0, 1, 0x65}, 0) {
		t.Error("malformed or reference data called non-reference")
	}
	if !h264NonRef([]byte{0, 0, 0, 2, 0x01, 0x9a}, 4) || !h264NonRef([]byte{0, 0, 1, 0x09, 0xf0, 0, 0, 1, 0x01, 0x9a}, 0) {
		t.Error("non-reference slices not recognised")
	}
}
