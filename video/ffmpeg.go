package video

// The few FFmpeg calls go-astiav v0.16.0 does not bind: content probing (to tell "not media" from "corrupt"),
// the frame fields best_effort_timestamp / pkt_duration / colour details, and swscale with the frame's colour
// matrix (astiav's scaler always assumes BT.601, which shifts colours of HD video).

/*
#cgo pkg-config: libavformat libavcodec libavutil libswscale
#include <errno.h>
#include <string.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <libavutil/mem.h>
#include <libswscale/swscale.h>

// vprobe returns the probe score of the best demuxer for buf (which must be followed by
// AVPROBE_PADDING_SIZE zero bytes) and writes the demuxer's short name to *name.
static int vprobe(unsigned char *buf, int size, const char **name) {
	AVProbeData pd;
	memset(&pd, 0, sizeof pd);
	pd.filename = "";
	pd.buf = buf;
	pd.buf_size = size;
	int score = 0;
	const AVInputFormat *f = av_probe_input_format3(&pd, 1, &score);
	*name = f ? f->name : NULL;
	return f ? score : 0;
}

static int64_t vframe_pts(const AVFrame *f) {
	return f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
}

static int64_t vframe_duration(const AVFrame *f) {
#if LIBAVUTIL_VERSION_MAJOR >= 58
	return f->duration;
#else
	return f->pkt_duration;
#endif
}

// vscaler converts decoded frames to packed RGB24 at a given size into its own aligned buffer.
typedef struct vscaler {
	struct SwsContext *sws;
	int sw, sh, sfmt, dw, dh, cs, srange;
	uint8_t *buf;
	int stride, bufsize;
} vscaler;

static int vsws_colorspace(const AVFrame *f) {
	switch (f->colorspace) {
	case AVCOL_SPC_BT709: return SWS_CS_ITU709;
	case AVCOL_SPC_FCC: return SWS_CS_FCC;
	case AVCOL_SPC_SMPTE240M: return SWS_CS_SMPTE240M;
	case AVCOL_SPC_BT2020_NCL:
	case AVCOL_SPC_BT2020_CL: return SWS_CS_BT2020;
	case AVCOL_SPC_BT470BG:
	case AVCOL_SPC_SMPTE170M: return SWS_CS_ITU601;
	default:
		// Untagged: HD material is BT.709 in practice, SD is BT.601 (the guess players make).
		return (f->width >= 1280 || f->height > 576) ? SWS_CS_ITU709 : SWS_CS_ITU601;
	}
}

static int vsws_full_range(const AVFrame *f) {
	switch (f->format) {
	case AV_PIX_FMT_YUVJ420P: case AV_PIX_FMT_YUVJ422P: case AV_PIX_FMT_YUVJ444P:
	case AV_PIX_FMT_YUVJ440P: case AV_PIX_FMT_YUVJ411P:
		return 1;
	}
	return f->color_range == AVCOL_RANGE_JPEG;
}

static int vscale(vscaler *s, const AVFrame *f, int dw, int dh) {
	if (f->width <= 0 || f->height <= 0 || dw <= 0 || dh <= 0) return AVERROR(EINVAL);
	int cs = vsws_colorspace(f), sr = vsws_full_range(f);
	if (!s->sws || s->sw != f->width || s->sh != f->height || s->sfmt != f->format || s->dw != dw || s->dh != dh) {
		sws_freeContext(s->sws);
		s->sws = sws_getContext(f->width, f->height, f->format, dw, dh, AV_PIX_FMT_RGB24,
			SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, NULL, NULL, NULL);
		if (!s->sws) return AVERROR(EINVAL);
		s->sw = f->width; s->sh = f->height; s->sfmt = f->format; s->dw = dw; s->dh = dh;
		s->cs = -1;
	}
	const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
	if (d && !(d->flags & AV_PIX_FMT_FLAG_RGB) && d->nb_components >= 3 && (cs != s->cs || sr != s->srange)) {
		sws_setColorspaceDetails(s->sws, sws_getCoefficients(cs), sr, sws_getCoefficients(SWS_CS_DEFAULT), 1,
			0, 1 << 16, 1 << 16);
		s->cs = cs; s->srange = sr;
	}
	int stride = (dw * 3 + 63) & ~63;
	if (stride * dh > s->bufsize) {
		av_freep(&s->buf);
		s->bufsize = 0;
		s->buf = av_malloc((size_t)stride * dh);
		if (!s->buf) return AVERROR(ENOMEM);
		s->bufsize = stride * dh;
	}
	s->stride = stride;
	uint8_t *dst[4] = {s->buf, NULL, NULL, NULL};
	int dls[4] = {stride, 0, 0, 0};
	int h = sws_scale(s->sws, (const uint8_t * const *)f->data, f->linesize, 0, f->height, dst, dls);
	return h < 0 ? h : (h == dh ? 0 : AVERROR(EINVAL));
}

static void vscaler_free(vscaler *s) {
	sws_freeContext(s->sws);
	av_freep(&s->buf);
	memset(s, 0, sizeof *s);
}
*/
import "C"

import (
	"unsafe"

	"github.com/asticode/go-astiav"
)

// probeScoreRetry is AVPROBE_SCORE_RETRY: below it FFmpeg itself does not trust a content match.
const probeScoreRetry = C.AVPROBE_SCORE_MAX / 4

// probeContent asks FFmpeg's demuxer probes which format the bytes look like (content only, no file name).
func probeContent(head []byte) (name string, score int) {
	buf := make([]byte, len(head)+C.AVPROBE_PADDING_SIZE)
	copy(buf, head)
	var cname *C.char
	s := C.vprobe((*C.uchar)(unsafe.Pointer(&buf[0])), C.int(len(head)), &cname)
	if cname != nil {
		name = C.GoString(cname)
	}
	return name, int(s)
}

// framePTS is the frame's best-effort presentation timestamp in the stream time base (astiav.NoPtsValue if unknown).
func framePTS(f *astiav.Frame) int64 {
	return int64(C.vframe_pts((*C.AVFrame)(f.UnsafePointer())))
}

// frameDuration is the frame's duration in the stream time base (0 if unknown).
func frameDuration(f *astiav.Frame) int64 {
	return int64(C.vframe_duration((*C.AVFrame)(f.UnsafePointer())))
}

// scaler wraps a C vscaler. Its zero value is ready; call free when done.
type scaler struct{ c C.vscaler }

// scale converts f to RGB24 at w×h and returns a view of the result rows (valid until the next call) and
// the row stride in bytes.
func (s *scaler) scale(f *astiav.Frame, w, h int) ([]byte, int, error) {
	if ret := C.vscale(&s.c, (*C.AVFrame)(f.UnsafePointer()), C.int(w), C.int(h)); ret < 0 {
		return nil, 0, astiav.Error(ret)
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(s.c.buf)), int(s.c.stride)*h), int(s.c.stride), nil
}

func (s *scaler) free() { C.vscaler_free(&s.c) }
