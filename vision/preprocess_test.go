package vision

import (
	"image"
	"image/color"
	"testing"
)

func TestTargetSize(t *testing.T) {
	o := PreprocessOptions{Align: 32, MinPixels: 8 * 1024, MaxPixels: 4096 * 1024}
	cases := []struct{ w, h, tw, th int }{
		{256, 256, 256, 256},
		{100, 60, 128, 96}, // below 8 tokens: scaled up with ceil
		{400, 80, 416, 96}, // 12.5 and 2.5 round away from zero (Hugging Face: 384×64)
		{1000, 300, 992, 288},
		{10, 10, 96, 96},         // tiny image grows to the minimum
		{4096, 4096, 2048, 2048}, // above 4096 tokens: scaled down with floor
	}
	for _, c := range cases {
		tw, th, err := TargetSize(c.w, c.h, o)
		if err != nil || tw != c.tw || th != c.th {
			t.Errorf("TargetSize(%d, %d) = %d×%d, %v; want %d×%d", c.w, c.h, tw, th, err, c.tw, c.th)
		}
		if tw*th > o.MaxPixels || tw%32 != 0 || th%32 != 0 {
			t.Errorf("TargetSize(%d, %d) = %d×%d breaks the bounds", c.w, c.h, tw, th)
		}
	}
	if _, _, err := TargetSize(0, 5, o); err == nil {
		t.Error("empty image accepted")
	}
	if _, _, err := TargetSize(5, 5, PreprocessOptions{}); err == nil {
		t.Error("zero options accepted")
	}
}

// TestPreprocessAlphaDropped checks that a translucent pixel keeps its colour (llama.cpp drops alpha) and
// that normalisation maps 0 and 255 to -1 and 1.
func TestPreprocessAlphaDropped(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 64, 128))
	for y := range 128 {
		for x := range 64 {
			img.SetNRGBA(x, y, color.NRGBA{255, 0, 255, 10})
		}
	}
	o := PreprocessOptions{Align: 32, MinPixels: 8 * 1024, MaxPixels: 4096 * 1024,
		Mean: [3]float32{0.5, 0.5, 0.5}, Std: [3]float32{0.5, 0.5, 0.5}}
	px, err := Preprocess(img, o)
	if err != nil {
		t.Fatal(err)
	}
	if px.W != 64 || px.H != 128 {
		t.Fatalf("size %d×%d, want 64×128", px.W, px.H)
	}
	plane := px.W * px.H
	if px.Data[0] != 1 || px.Data[plane] != -1 || px.Data[2*plane] != 1 {
		t.Errorf("pixel (0,0) = %v %v %v, want 1 -1 1", px.Data[0], px.Data[plane], px.Data[2*plane])
	}
	// The same pixel through the premultiplied *image.RGBA path.
	rgba := image.NewRGBA(img.Bounds())
	for y := range 128 {
		for x := range 64 {
			rgba.Set(x, y, img.At(x, y))
		}
	}
	px2, err := Preprocess(rgba, o)
	if err != nil {
		t.Fatal(err)
	}
	if px2.Data[0] != 1 || px2.Data[plane] != -1 || px2.Data[2*plane] != 1 {
		t.Errorf("RGBA pixel (0,0) = %v %v %v, want 1 -1 1", px2.Data[0], px2.Data[plane], px2.Data[2*plane])
	}
}

func TestPreprocessLetterbox(t *testing.T) {
	// 1000×300 → 992×288 keeps the aspect ratio: content 960×288, 16 black columns on each side.
	img := image.NewRGBA(image.Rect(0, 0, 1000, 300))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	o := PreprocessOptions{Align: 32, MinPixels: 8 * 1024, MaxPixels: 4096 * 1024,
		Mean: [3]float32{0.5, 0.5, 0.5}, Std: [3]float32{0.5, 0.5, 0.5}}
	px, err := Preprocess(img, o)
	if err != nil {
		t.Fatal(err)
	}
	if px.W != 992 || px.H != 288 {
		t.Fatalf("size %d×%d", px.W, px.H)
	}
	for _, x := range []int{0, 15, 976, 991} {
		if v := px.Data[100*px.W+x]; v != -1 {
			t.Errorf("column %d = %v, want black (-1)", x, v)
		}
	}
	for _, x := range []int{16, 500, 975} {
		if v := px.Data[100*px.W+x]; v != 1 {
			t.Errorf("column %d = %v, want white (1)", x, v)
		}
	}
}
