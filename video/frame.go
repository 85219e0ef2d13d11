package video

import (
	"image"
)

// Frame is one sampled picture.
type Frame struct {
	Index    int     // position of the requested time in the times slice given to Sample
	Target   float64 // the requested time, seconds
	Time     float64 // presentation time of this frame, seconds from the start of the video
	Keyframe bool    // the frame is a keyframe (always true in Fast mode)
	Width    int
	Height   int
	RGB      []byte // Width×Height pixels, 3 bytes each (R, G, B), rows top to bottom, no padding
}

// Image returns a copy of the frame as an *image.NRGBA (opaque), e.g. for image/png.
func (f *Frame) Image() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, f.Width, f.Height))
	for i, j := 0, 0; i+2 < len(f.RGB); i, j = i+3, j+4 {
		img.Pix[j], img.Pix[j+1], img.Pix[j+2], img.Pix[j+3] = f.RGB[i], f.RGB[i+1], f.RGB[i+2], 255
	}
	return img
}

// rotateRGB copies a w×h RGB24 picture with row stride srcStride into dst (packed), rotated clockwise by
// rot degrees (0, 90, 180, 270). For 90 and 270 the result is h wide and w high.
func rotateRGB(dst, src []byte, srcStride, w, h, rot int) {
	switch rot {
	case 90: // source (x, y) goes to (h-1-y, x)
		dw := h
		for y := range h {
			row := src[y*srcStride:]
			dx := h - 1 - y
			for x := range w {
				o := (x*dw + dx) * 3
				dst[o], dst[o+1], dst[o+2] = row[3*x], row[3*x+1], row[3*x+2]
			}
		}
	case 180: // source (x, y) goes to (w-1-x, h-1-y)
		for y := range h {
			row := src[y*srcStride:]
			out := dst[(h-1-y)*w*3:]
			for x := range w {
				o := (w - 1 - x) * 3
				out[o], out[o+1], out[o+2] = row[3*x], row[3*x+1], row[3*x+2]
			}
		}
	case 270: // source (x, y) goes to (y, w-1-x)
		dw := h
		for y := range h {
			row := src[y*srcStride:]
			for x := range w {
				o := ((w-1-x)*dw + y) * 3
				dst[o], dst[o+1], dst[o+2] = row[3*x], row[3*x+1], row[3*x+2]
			}
		}
	default:
		for y := range h {
			copy(dst[y*w*3:(y+1)*w*3], src[y*srcStride:])
		}
	}
}
