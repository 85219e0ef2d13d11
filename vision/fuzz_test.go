package vision

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// FuzzPreprocess decodes arbitrary PNG bytes and preprocesses the result: any decodable image must give a
// valid encoder input (sides multiples of 32, finite values in [-1, 1]) without panicking.
func FuzzPreprocess(f *testing.F) {
	for _, img := range []image.Image{
		image.NewGray(image.Rect(0, 0, 3, 7)),
		image.NewNRGBA64(image.Rect(0, 0, 33, 1)),
		image.NewPaletted(image.Rect(0, 0, 5, 5), color.Palette{color.Black, color.White}),
		image.NewRGBA(image.Rect(0, 0, 64, 32)),
	} {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	o := PreprocessOptions{Align: 32, MinPixels: 8 * 1024, MaxPixels: 64 * 1024,
		Mean: [3]float32{0.5, 0.5, 0.5}, Std: [3]float32{0.5, 0.5, 0.5}}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := png.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width*cfg.Height > 1<<20 {
			return
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			return
		}
		px, err := Preprocess(img, o)
		if err != nil {
			return // e.g. a side beyond maxSide
		}
		if px.W%32 != 0 || px.H%32 != 0 || px.W*px.H > o.MaxPixels || len(px.Data) != 3*px.W*px.H {
			t.Fatalf("bad output %d×%d (%d values) for a %d×%d image", px.W, px.H, len(px.Data), cfg.Width, cfg.Height)
		}
		for _, v := range px.Data {
			if !(v >= -1 && v <= 1) {
				t.Fatalf("value %v outside [-1, 1]", v)
			}
		}
	})
}

// TestPreprocessSubImage checks that an image whose bounds do not start at the origin is read from its own
// bounds.
func TestPreprocessSubImage(t *testing.T) {
	full := image.NewRGBA(image.Rect(0, 0, 96, 96))
	for y := range 96 {
		for x := range 96 {
			c := uint8(0)
			if x >= 32 && y >= 32 {
				c = 255
			}
			full.SetRGBA(x, y, color.RGBA{c, c, c, 255})
		}
	}
	sub := full.SubImage(image.Rect(32, 32, 96, 96))
	o := PreprocessOptions{Align: 32, MinPixels: 1024, MaxPixels: 64 * 1024,
		Mean: [3]float32{0.5, 0.5, 0.5}, Std: [3]float32{0.5, 0.5, 0.5}}
	for _, img := range []image.Image{sub, grayOf(sub)} {
		px, err := Preprocess(img, o)
		if err != nil {
			t.Fatal(err)
		}
		if px.W != 64 || px.H != 64 {
			t.Fatalf("%T: size %d×%d", img, px.W, px.H)
		}
		for i, v := range px.Data {
			if v != 1 {
				t.Fatalf("%T: value %d = %v, want 1 (white)", img, i, v)
			}
		}
	}
}

func grayOf(img image.Image) image.Image {
	g := image.NewGray(img.Bounds())
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			g.Set(x, y, img.At(x, y))
		}
	}
	return g
}
