package video

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// FuzzOpen feeds damaged containers to Open and Sample: they must return nil or an *Error, never crash
// or hang.
func FuzzOpen(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("RIFF\x00\x00\x00\x00AVI LIST"))
	f.Add([]byte("\x1aE\xdf\xa3 matroska"))
	if _, err := exec.LookPath("ffmpeg"); err == nil {
		dir := f.TempDir()
		for _, g := range []gen{
			{"s.mp4", 32, 32, 10, 6, []string{"-c:v", "libx264", "-preset", "ultrafast", "-g", "3", "-pix_fmt", "yuv420p"}},
			{"s.webm", 32, 32, 10, 4, []string{"-c:v", "libvpx-vp9", "-deadline", "realtime", "-g", "2"}},
			{"s.avi", 32, 32, 10, 4, []string{"-c:v", "mpeg4", "-g", "2", "-bf", "1"}},
		} {
			data, err := os.ReadFile(g.make(f, dir))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "in.mp4")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		v, err := Open(path)
		if err == nil {
			times := EvenTimes(v.Info, 3)
			for _, m := range []Mode{Exact, Fast} {
				for fr, err2 := range v.Sample(testCtx(t), times, Options{Mode: m, Width: 16, Height: 16, Workers: 1}) {
					if err2 != nil {
						err = err2
						break
					}
					if len(fr.RGB) != 16*16*3 {
						t.Fatalf("frame of %d bytes", len(fr.RGB))
					}
				}
			}
			v.Close()
		}
		var e *Error
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("error %v (%T) is not an *Error", err, err)
		}
	})
}
