package vision

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"

	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// PreprocessOptions are the resize bounds and normalisation of Preprocess.
type PreprocessOptions struct {
	// Align is the side multiple of the resized image: patch size × spatial merge size (16·2 = 32).
	Align int
	// MinPixels and MaxPixels bound the resized area. llama.cpp hard-codes 8 and 4096 merged tokens for
	// qwen3vl_merger (8·32² and 4096·32² pixels); the mmproj metadata does not change them.
	MinPixels, MaxPixels int
	// Mean and Std normalise each channel after scaling to [0, 1]: x = (u/255 − Mean)/Std.
	Mean, Std [3]float32
}

// DefaultPreprocessOptions returns llama.cpp's preprocessing settings for an mmproj with parameters p:
// align = patch·merge, 8…4096 tokens, and the mmproj's image_mean / image_std (0.5 when absent).
func DefaultPreprocessOptions(p gguf.CLIPParams) PreprocessOptions {
	merge := p.SpatialMergeSize
	if merge <= 0 {
		merge = 2
	}
	align := p.PatchSize * merge
	if align <= 0 {
		align = 32
	}
	o := PreprocessOptions{
		Align:     align,
		MinPixels: 8 * align * align,
		MaxPixels: 4096 * align * align,
		Mean:      [3]float32{0.5, 0.5, 0.5},
		Std:       [3]float32{0.5, 0.5, 0.5},
	}
	if len(p.ImageMean) == 3 {
		copy(o.Mean[:], p.ImageMean)
	}
	if len(p.ImageStd) == 3 {
		copy(o.Std[:], p.ImageStd)
	}
	return o
}

// Pixels is the preprocessed encoder input: planar float32 [3][H][W] (R, G, B planes, rows top to bottom).
type Pixels struct {
	W, H int
	Data []float32
}

// TargetSize returns the size llama.cpp resizes a w×h image to (calc_size_preserved_ratio): each side
// rounded to a multiple of Align with halves away from zero, then scaled down or up (keeping the aspect
// ratio) when the area is outside [MinPixels, MaxPixels]. All arithmetic is float32, as in llama.cpp.
//
// Hugging Face's smart_resize differs: Python's round (halves to even, so 400×80 gives 384×64 rather than
// 416×96) and default bounds of 64…16384 tokens (100×60 gives 352×224 rather than 128×96).
func TargetSize(w, h int, o PreprocessOptions) (tw, th int, err error) {
	if w <= 0 || h <= 0 {
		return 0, 0, fmt.Errorf("vision: image size %d×%d is empty", w, h)
	}
	if o.Align <= 0 || o.MinPixels < 0 || o.MaxPixels <= 0 || o.MinPixels > o.MaxPixels {
		return 0, 0, fmt.Errorf("vision: invalid preprocess options (align %d, pixels %d…%d)", o.Align, o.MinPixels, o.MaxPixels)
	}
	fa := float32(o.Align)
	rnd := func(x float32) int { return int(math.Round(float64(x/fa))) * o.Align }
	flo := func(x float32) int { return int(math.Floor(float64(x/fa))) * o.Align }
	cei := func(x float32) int { return int(math.Ceil(float64(x/fa))) * o.Align }
	fw, fh := float32(w), float32(h)
	tw, th = max(o.Align, rnd(fw)), max(o.Align, rnd(fh))
	switch {
	case tw*th > o.MaxPixels:
		beta := float32(math.Sqrt(float64(fh * fw / float32(o.MaxPixels))))
		th, tw = max(o.Align, flo(fh/beta)), max(o.Align, flo(fw/beta))
	case tw*th < o.MinPixels:
		beta := float32(math.Sqrt(float64(float32(o.MinPixels) / (fh * fw))))
		th, tw = cei(fh*beta), cei(fw*beta)
	}
	return tw, th, nil
}

// maxSide bounds the decoded image so that sizes and buffers stay far from overflow.
const maxSide = 1 << 15

// Preprocess turns an image into the encoder input exactly as llama.cpp's mtmd does for Qwen3-VL:
//
//  1. 8-bit RGB; an alpha channel is dropped (not composited onto white as Hugging Face does).
//  2. Target size from TargetSize.
//  3. If the size changes, the image is fitted, not stretched: scale s = min(tw/w, th/h), content size
//     ceil(w·s)×ceil(h·s), bilinear with corner-aligned sampling, values truncated to uint8, pasted centred
//     on a black canvas. Hugging Face instead stretches to the target with an antialiased bicubic filter.
//  4. x = (u/255 − mean)/std per channel in float32, planar [3][H][W].
func Preprocess(img image.Image, o PreprocessOptions) (*Pixels, error) {
	if img == nil {
		return nil, errors.New("vision: nil image")
	}
	for c := range 3 {
		if o.Std[c] == 0 || math.IsNaN(float64(o.Std[c])) {
			return nil, fmt.Errorf("vision: image std[%d] is %v", c, o.Std[c])
		}
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > maxSide || h > maxSide {
		return nil, fmt.Errorf("vision: image %d×%d is larger than %d pixels on a side", w, h, maxSide)
	}
	tw, th, err := TargetSize(w, h, o)
	if err != nil {
		return nil, err
	}
	src := toRGB(img)
	dst := src
	if tw != w || th != h {
		sc := min(float32(tw)/float32(w), float32(th)/float32(h))
		nw := min(int(math.Ceil(float64(float32(w)*sc))), tw)
		nh := min(int(math.Ceil(float64(float32(h)*sc))), th)
		dst = make([]uint8, tw*th*3) // black canvas
		fit := bilinear(src, w, h, nw, nh)
		ox, oy := (tw-nw)/2, (th-nh)/2
		for y := range nh {
			copy(dst[((oy+y)*tw+ox)*3:], fit[y*nw*3:(y+1)*nw*3])
		}
	}
	px := &Pixels{W: tw, H: th, Data: make([]float32, 3*tw*th)}
	var lut [3][256]float32
	for c := range 3 {
		for u := range 256 {
			lut[c][u] = (float32(u)/255 - o.Mean[c]) / o.Std[c]
		}
	}
	plane := tw * th
	for i := range plane {
		for c := range 3 {
			px.Data[c*plane+i] = lut[c][dst[i*3+c]]
		}
	}
	return px, nil
}

// toRGB returns the image as packed 8-bit RGB rows, dropping alpha (stb_image's behaviour when llama.cpp asks
// for 3 channels: the colour values are kept un-premultiplied).
func toRGB(img image.Image) []uint8 {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := make([]uint8, w*h*3)
	switch m := img.(type) {
	case *image.RGBA:
		for y := range h {
			row := m.Pix[(y)*m.Stride:]
			for x := range w {
				p := row[x*4:]
				// Premultiplied storage: undo it so a translucent pixel keeps its colour, as stb keeps it.
				if a := p[3]; a != 255 {
					c := color.NRGBAModel.Convert(color.RGBA{p[0], p[1], p[2], a}).(color.NRGBA)
					out[(y*w+x)*3], out[(y*w+x)*3+1], out[(y*w+x)*3+2] = c.R, c.G, c.B
					continue
				}
				copy(out[(y*w+x)*3:], p[:3])
			}
		}
	case *image.NRGBA:
		for y := range h {
			row := m.Pix[y*m.Stride:]
			for x := range w {
				copy(out[(y*w+x)*3:], row[x*4:x*4+3])
			}
		}
	default:
		for y := range h {
			for x := range w {
				c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
				out[(y*w+x)*3], out[(y*w+x)*3+1], out[(y*w+x)*3+2] = c.R, c.G, c.B
			}
		}
	}
	return out
}

// bilinear resamples packed RGB src (sw×sh) to nw×nh as llama.cpp's resize_bilinear does: corner-aligned
// sample positions in float32, horizontal then vertical a + (b − a)·t, result truncated to uint8.
// llama.cpp is built with FMA, so each lerp is one rounding of the exact value; float64 holds (b − a)·t
// exactly (a product of two float32), which reproduces that rounding.
func bilinear(src []uint8, sw, sh, nw, nh int) []uint8 {
	var xr, yr float32
	if nw > 1 {
		xr = float32(sw-1) / float32(nw-1)
	}
	if nh > 1 {
		yr = float32(sh-1) / float32(nh-1)
	}
	lerp := func(a, b, t float32) float32 { return float32(float64(a) + float64(b-a)*float64(t)) }
	out := make([]uint8, nw*nh*3)
	for y := range nh {
		py := float32(y) * yr
		y0 := min(int(py), sh-1)
		y1 := min(y0+1, sh-1)
		yf := py - float32(y0)
		for x := range nw {
			px := float32(x) * xr
			x0 := min(int(px), sw-1)
			x1 := min(x0+1, sw-1)
			xf := px - float32(x0)
			for c := range 3 {
				p00 := float32(src[(y0*sw+x0)*3+c])
				p10 := float32(src[(y0*sw+x1)*3+c])
				p01 := float32(src[(y1*sw+x0)*3+c])
				p11 := float32(src[(y1*sw+x1)*3+c])
				v := lerp(lerp(p00, p10, xf), lerp(p01, p11, xf), yf)
				out[(y*nw+x)*3+c] = uint8(v) // truncation; v is in [0, 255]
			}
		}
	}
	return out
}
