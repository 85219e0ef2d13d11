package main

import (
	"bytes"
	"image/png"
	"os"
	"testing"
)

func TestDraw(t *testing.T) {
	img := Draw(128)
	if a := img.NRGBAAt(0, 0).A; a != 0 {
		t.Errorf("corner alpha %d, want transparent", a)
	}
	// A point on the Q's ring is white, the middle of the ring is the violet background.
	if c := img.NRGBAAt(60, 27); c.R < 250 || c.G < 250 || c.B < 250 {
		t.Errorf("ring %v, want white", c)
	}
	if c := img.NRGBAAt(60, 59); c.B < 180 || c.R > 200 || c.A != 255 {
		t.Errorf("centre %v, want opaque violet", c)
	}
}

// The committed icon is what the generator draws.
func TestCommittedIconIsCurrent(t *testing.T) {
	want, err := os.ReadFile("../icon.png")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	png.Encode(&buf, Draw(512))
	if !bytes.Equal(buf.Bytes(), want) {
		t.Error("assets/icon.png is stale: run go generate ./assets")
	}
}
