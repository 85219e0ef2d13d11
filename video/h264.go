package video

import "encoding/binary"

// H.264 non-reference pictures (nal_ref_idc 0: with x264's defaults half of all frames, the B-frames no
// other frame predicts from) can be left undecoded on the way to a target, as long as some later-shown
// frame at or before the target exists. Exact mode uses this to cut the decoding between a keyframe and
// the target (see worker.decodeNext).

// h264NALLength returns the NAL length-prefix size for avcC extradata (MP4, MKV), or 0 for Annex B
// streams (MPEG-TS, raw), which use start codes.
func h264NALLength(extradata []byte) int {
	if len(extradata) >= 7 && extradata[0] == 1 {
		return int(extradata[4]&3) + 1
	}
	return 0
}

// h264NonRef reports whether an H.264 packet holds only slices with nal_ref_idc 0 (and at least one
// slice). nalLen is from h264NALLength. Malformed data reports false (decode it, to be safe).
func h264NonRef(pkt []byte, nalLen int) bool {
	slices := 0
	check := func(nal []byte) bool {
		if len(nal) == 0 {
			return true
		}
		switch nal[0] & 0x1f {
		case 1, 5: // coded slice (non-IDR, IDR)
			slices++
			return nal[0]&0x60 == 0
		case 2, 3, 4, 20, 21: // data partitions, extension slices: not worth the risk
			return false
		}
		return true
	}
	if nalLen > 0 {
		for len(pkt) > 0 {
			if len(pkt) < nalLen {
				return false
			}
			var n uint64
			switch nalLen {
			case 1:
				n = uint64(pkt[0])
			case 2:
				n = uint64(binary.BigEndian.Uint16(pkt))
			case 3:
				n = uint64(pkt[0])<<16 | uint64(pkt[1])<<8 | uint64(pkt[2])
			case 4:
				n = uint64(binary.BigEndian.Uint32(pkt))
			}
			pkt = pkt[nalLen:]
			if n > uint64(len(pkt)) {
				return false
			}
			if !check(pkt[:n]) {
				return false
			}
			pkt = pkt[n:]
		}
		return slices > 0
	}
	// Annex B: NAL units follow 00 00 01 start codes.
	start := -1
	for i := 0; i+2 < len(pkt); i++ {
		if pkt[i] == 0 && pkt[i+1] == 0 && pkt[i+2] == 1 {
			if start >= 0 && !check(pkt[start:i]) {
				return false
			}
			start = i + 3
			i += 2
		}
	}
	if start < 0 {
		return false
	}
	return check(pkt[start:]) && slices > 0
}
