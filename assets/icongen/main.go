// Command icongen draws Qwen Studio's app icon (assets/icon.png): a rounded violet square with a white "Q"
// ring whose tail is a spark, the idea of a model thinking. It is plain geometry, supersampled 4×4 for
// smooth edges, so the icon needs no font or drawing tool. Run `go generate ./assets` after changing it.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
)

func main() {
	out := flag.String("o", "icon.png", "output PNG")
	size := flag.Int("size", 512, "side in pixels")
	flag.Parse()
	if err := write(*out, *size); err != nil {
		fmt.Fprintln(os.Stderr, "icongen:", err)
		os.Exit(1)
	}
}

func write(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, Draw(n)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Draw renders the icon at n×n.
func Draw(n int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	const ss = 4
	for y := range n {
		for x := range n {
			var r, g, b, a float64
			for sy := range ss {
				for sx := range ss {
					// Coordinates in [0,1].
					u := (float64(x) + (float64(sx)+0.5)/ss) / float64(n)
					v := (float64(y) + (float64(sy)+0.5)/ss) / float64(n)
					c := sample(u, v)
					r += c[0] * c[3]
					g += c[1] * c[3]
					b += c[2] * c[3]
					a += c[3]
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(x, y, color.NRGBA{uint8(255 * r / a), uint8(255 * g / a), uint8(255 * b / a), uint8(255 * a / (ss * ss))})
		}
	}
	return img
}

// sample is the colour (r, g, b, alpha in 0..1) at (u, v).
func sample(u, v float64) [4]float64 {
	// Rounded square background, inset a little as desktop icons are.
	const inset, radius = 0.04, 0.2
	if !inRoundedSquare(u, v, inset, radius) {
		return [4]float64{}
	}
	// Diagonal gradient from indigo to violet.
	t := (u + v) / 2
	bg := mix([3]float64{0.29, 0.27, 0.85}, [3]float64{0.62, 0.33, 0.93}, t)
	white := [3]float64{1, 1, 1}
	cx, cy := 0.47, 0.46
	dx, dy := u-cx, v-cy
	d := math.Hypot(dx, dy)
	// The ring of the Q.
	if d > 0.2 && d < 0.29 {
		return [4]float64{white[0], white[1], white[2], 1}
	}
	// The tail: a thick stroke from inside the ring to the lower right.
	if segDist(u, v, 0.55, 0.56, 0.72, 0.73) < 0.045 {
		return [4]float64{white[0], white[1], white[2], 1}
	}
	// A four-pointed spark at the end of the tail.
	sx, sy := u-0.76, v-0.77
	if math.Pow(math.Abs(sx), 0.5)+math.Pow(math.Abs(sy), 0.5) < math.Sqrt(0.085) {
		return [4]float64{1, 0.85, 0.35, 1}
	}
	return [4]float64{bg[0], bg[1], bg[2], 1}
}

func inRoundedSquare(u, v, inset, r float64) bool {
	lo, hi := inset+r, 1-inset-r
	cu := math.Max(lo, math.Min(u, hi))
	cv := math.Max(lo, math.Min(v, hi))
	return math.Hypot(u-cu, v-cv) <= r
}

func segDist(px, py, ax, ay, bx, by float64) float64 {
	vx, vy := bx-ax, by-ay
	t := ((px-ax)*vx + (py-ay)*vy) / (vx*vx + vy*vy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(px-(ax+t*vx), py-(ay+t*vy))
}

func mix(a, b [3]float64, t float64) [3]float64 {
	return [3]float64{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t, a[2] + (b[2]-a[2])*t}
}
