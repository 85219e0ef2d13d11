package video

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func testImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 99, 255})
		}
	}
	return img
}

// truncate keeps the first frac of a file.
func truncate(t *testing.T, src, dst string, frac float64) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dst, b[:int(float64(len(b))*frac)])
}

// cutBefore keeps a file up to the first occurrence of marker (e.g. the first media fragment).
func cutBefore(t *testing.T, src, dst string, marker []byte, back int) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, marker)
	if i < back {
		t.Fatalf("%s: marker %q not found", src, marker)
	}
	return writeFile(t, dst, b[:i-back])
}

// TestOpenBadFiles checks that every kind of bad input gets its own clear error, without crash or hang,
// and that sampling whatever does open never crashes either.
func TestOpenBadFiles(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	src := gen{"src.mp4", 160, 96, 25, 100, x264}.make(t, dir)
	mkv := gen{"src.mkv", 160, 96, 25, 100, x264}.make(t, dir)
	avi := gen{"src.avi", 160, 96, 25, 25, []string{"-c:v", "mpeg4", "-q:v", "3"}}.make(t, dir)
	faststart := filepath.Join(dir, "fast.mp4")
	ffmpegRun(t, "-i", src, "-c", "copy", "-movflags", "+faststart", faststart)
	frag := filepath.Join(dir, "frag.mp4")
	ffmpegRun(t, "-i", src, "-c", "copy", "-movflags", "frag_keyframe+empty_moov", frag)
	streamed := filepath.Join(dir, "streamed.mkv")
	{
		out, err := runFFmpegOutput(t, "-i", src, "-c", "copy", "-f", "matroska", "pipe:1")
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, streamed, out)
	}
	audio := filepath.Join(dir, "audio.mp4")
	ffmpegRun(t, "-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac", audio)
	cover := filepath.Join(dir, "cover.m4a")
	ffmpegRun(t, "-f", "lavfi", "-i", "sine=d=1", "-f", "lavfi", "-i", "testsrc2=size=64x64:d=0.04",
		"-map", "0", "-map", "1", "-c:a", "aac", "-c:v", "png", "-disposition:v", "attached_pic", cover)
	var pngBuf, jpgBuf bytes.Buffer
	if err := png.Encode(&pngBuf, testImage()); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&jpgBuf, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	aviBytes, err := os.ReadFile(avi)
	if err != nil {
		t.Fatal(err)
	}
	noise := make([]byte, 100000)
	for i := range noise {
		noise[i] = byte(i*7919>>3 ^ i>>11)
	}

	cases := []struct {
		name string
		path string
		kind error
	}{
		{"zero bytes", writeFile(t, filepath.Join(dir, "empty.mp4"), nil), ErrEmpty},
		{"text", writeFile(t, filepath.Join(dir, "notes.mp4"), []byte(strings.Repeat("hello video\n", 500))), ErrNotMedia},
		{"noise", writeFile(t, filepath.Join(dir, "noise.mp4"), noise), ErrNotMedia},
		{"png renamed", writeFile(t, filepath.Join(dir, "png.mp4"), pngBuf.Bytes()), ErrImage},
		{"jpeg renamed", writeFile(t, filepath.Join(dir, "jpeg.mp4"), jpgBuf.Bytes()), ErrImage},
		{"audio only", audio, ErrNoVideo},
		{"audio with cover art", cover, ErrNoVideo},
		{"truncated mp4", truncate(t, src, filepath.Join(dir, "trunc.mp4"), 0.6), ErrCorrupt},
		{"truncated faststart mp4", truncate(t, faststart, filepath.Join(dir, "trunc-fast.mp4"), 0.5), ErrCorrupt},
		{"truncated mkv", truncate(t, mkv, filepath.Join(dir, "trunc.mkv"), 0.5), ErrCorrupt},
		{"truncated avi", truncate(t, avi, filepath.Join(dir, "trunc.avi"), 0.5), ErrCorrupt},
		{"header only fragmented mp4", cutBefore(t, frag, filepath.Join(dir, "nofrag.mp4"), []byte("moof"), 4), ErrZeroDuration},
		{"header only streamed mkv", cutBefore(t, streamed, filepath.Join(dir, "nocluster.mkv"), []byte{0x1F, 0x43, 0xB6, 0x75}, 0), ErrCorrupt},
		{"unknown codec", writeFile(t, filepath.Join(dir, "fourcc.avi"), bytes.ReplaceAll(aviBytes, []byte("FMP4"), []byte("QQZ9"))), ErrUnsupportedCodec},
		{"directory", dir, ErrNotMedia},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := Open(c.path)
			if err == nil {
				defer v.Close()
				err = sampleAll(t, v)
			}
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, c.kind) {
				t.Fatalf("got %v, want an *Error of kind %q", err, c.kind)
			}
			if e.Path != c.path || !strings.Contains(err.Error(), c.kind.Error()) {
				t.Errorf("message %q does not name the file and the problem", err)
			}
			t.Log(err)
		})
	}
	t.Run("missing", func(t *testing.T) {
		if _, err := Open(filepath.Join(dir, "nope.mp4")); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("got %v, want fs.ErrNotExist", err)
		}
	})
}

// sampleAll samples a video at ten times, exact then fast, and returns the first error.
func sampleAll(t *testing.T, v *Video) error {
	times := EvenTimes(v.Info, 10)
	for _, m := range []Mode{Exact, Fast} {
		for _, err := range v.Sample(testCtx(t), times, Options{Mode: m, Workers: 2}) {
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// TestCorruptMiddle overwrites part of the data: decoding may conceal the damage or fail, but never crash
// or hang, and failures are *Error.
func TestCorruptMiddle(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	for _, name := range []string{"c.mp4", "c.mkv", "c.avi", "c.webm"} {
		g := gen{name, 160, 96, 25, 75, x264}
		switch filepath.Ext(name) {
		case ".avi":
			g.args = []string{"-c:v", "mpeg4", "-q:v", "3", "-bf", "2"}
		case ".webm":
			g.args = []string{"-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-g", "25"}
		}
		src := g.make(t, dir)
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for i, off := range []float64{0.3, 0.5, 0.7} {
			bad := bytes.Clone(b)
			o := int(float64(len(bad)) * off)
			for j := o; j < min(len(bad), o+3000); j++ {
				bad[j] = byte(j * 31)
			}
			path := writeFile(t, filepath.Join(dir, strconv.Itoa(i)+name), bad)
			v, err := Open(path)
			if err == nil {
				err = sampleAll(t, v)
				v.Close()
			}
			var e *Error
			if err != nil && !errors.As(err, &e) {
				t.Errorf("%s: error %v is not an *Error", path, err)
			}
			t.Logf("%s damaged at %.0f%%: %v", name, off*100, err)
		}
	}
}

func runFFmpegOutput(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	return execOutput("ffmpeg", append([]string{"-hide_banner", "-loglevel", "error", "-y"}, args...)...)
}

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd on this system")
	}
	return len(ents)
}

// TestNoLeakedFiles opens, samples (completely, interrupted, failing) and closes repeatedly, and opens
// broken files: every path must close what it opened.
func TestNoLeakedFiles(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	good := gen{"g.mp4", 160, 96, 25, 50, x264}.make(t, dir)
	trunc := truncate(t, gen{"t.mkv", 160, 96, 25, 50, x264}.make(t, dir), filepath.Join(dir, "tr.mkv"), 0.5)
	before := openFDs(t)
	for range 5 {
		v, err := Open(good)
		if err != nil {
			t.Fatal(err)
		}
		times := EvenTimes(v.Info, 12)
		sampleAll(t, v)
		for range v.Sample(testCtx(t), times, Options{Workers: 3}) {
			break
		}
		for range v.Sample(testCtx(t), []float64{-1}, Options{}) {
		}
		v.Close()
		if _, err := Open(trunc); err == nil {
			t.Fatal("truncated file opened")
		}
	}
	if after := openFDs(t); after != before {
		t.Errorf("%d open files before, %d after", before, after)
	}
}
