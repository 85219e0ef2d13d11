package vision

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// clipFile builds an in-memory mmproj with the given projector type and only the patch-embedding weight, so
// Load must fail with a clear error rather than panic.
func clipFile(t *testing.T, projector string) *gguf.File {
	t.Helper()
	w := gguf.NewWriter()
	w.SetKV("general.architecture", "clip")
	w.SetKV("clip.projector_type", projector)
	w.SetKV("clip.vision.image_size", uint32(32))
	w.SetKV("clip.vision.patch_size", uint32(16))
	w.SetKV("clip.vision.embedding_length", uint32(8))
	w.SetKV("clip.vision.feed_forward_length", uint32(16))
	w.SetKV("clip.vision.block_count", uint32(1))
	w.SetKV("clip.vision.attention.head_count", uint32(2))
	w.SetKV("clip.vision.projection_dim", uint32(8))
	if err := w.AddTensor("v.patch_embd.weight", gguf.TypeF32, []int64{16, 16, 3, 8}, make([]byte, 16*16*3*8*4)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load(clipFile(t, "mlp"), Options{}); err == nil || !strings.Contains(err.Error(), "projector type") {
		t.Errorf("unsupported projector: err = %v", err)
	}
	if _, err := Load(clipFile(t, "qwen3vl_merger"), Options{}); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing tensors: err = %v", err)
	}
}

func TestEncodeRejectsBadInput(t *testing.T) {
	dir := goldenDir(t)
	enc, err := Load(openMmproj(t, dir), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, px := range []*Pixels{
		nil,
		{W: 48, H: 32, Data: make([]float32, 3*48*32)}, // not a multiple of 2·patch
		{W: 32, H: 32, Data: make([]float32, 10)},      // wrong length
		{W: 0, H: 32},
	} {
		if _, err := enc.Encode(ctx, px); err == nil {
			t.Errorf("Encode(%+v) accepted bad input", px)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := enc.Encode(cancelled, &Pixels{W: 32, H: 32, Data: make([]float32, 3*32*32)}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v", err)
	}
}

// TestEncodeFromPNG goes from the PNG file to the image tokens (I4: resized and letterboxed text image) and
// checks the result against llama.cpp, i.e. the whole vision path a user runs.
func TestEncodeFromPNG(t *testing.T) {
	dir := goldenDir(t)
	f := openMmproj(t, dir)
	clip, err := f.CLIP()
	if err != nil {
		t.Fatal(err)
	}
	enc, err := Load(f, Options{Numerics: NumericsLlamaCPP})
	if err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open(filepath.Join(dir, "images", "I4.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		t.Fatal(err)
	}
	px, err := Preprocess(img, DefaultPreprocessOptions(clip))
	if err != nil {
		t.Fatal(err)
	}
	got, err := enc.Encode(context.Background(), px)
	if err != nil {
		t.Fatal(err)
	}
	want := readF32(t, filepath.Join(dir, "V1", "I4.embd.f32"))
	if got.Rows() != 39 || len(got.Data) != len(want) || got.Deepstack != 1 {
		t.Fatalf("%d rows, %d values, %d DeepStack parts; want 39 rows, %d values, 1 part", got.Rows(), len(got.Data), got.Deepstack, len(want))
	}
	// Row 7's DeepStack part is columns 64…127 of llama.cpp's row 7.
	if ds := got.Part(7, 1); len(ds) != 64 || ds[0] != got.Data[7*128+64] || ds[63] != got.Data[7*128+127] {
		t.Errorf("Part(7, 1) is not columns 64…127 of row 7")
	}
	for i := range want {
		if d := got.Data[i] - want[i]; d > 5e-5 || d < -5e-5 {
			t.Fatalf("value %d (row %d) = %v, llama.cpp %v", i, i/got.Width, got.Data[i], want[i])
		}
	}
}

// TestEncodeThreadsIdentical checks that splitting the work over goroutines does not change a single bit.
func TestEncodeThreadsIdentical(t *testing.T) {
	dir := goldenDir(t)
	f := openMmproj(t, dir)
	run := readRun(t, dir, "I2")
	px := &Pixels{W: run.PreprocessedWH[0], H: run.PreprocessedWH[1], Data: readF32(t, filepath.Join(dir, "pixels", "I2.f32"))}
	var outs [][]float32
	for _, threads := range []int{1, 3} {
		enc, err := Load(f, Options{Numerics: NumericsLlamaCPP, Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		got, err := enc.Encode(context.Background(), px)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, got.Data)
	}
	for i := range outs[0] {
		if math.Float32bits(outs[0][i]) != math.Float32bits(outs[1][i]) {
			t.Fatalf("value %d: 1 thread %v, 3 threads %v", i, outs[0][i], outs[1][i])
		}
	}
}

// BenchmarkEncode encodes I5 (992×288, 1116 patches, 279 image tokens) with the V1 tower.
func BenchmarkEncode(b *testing.B) {
	dir := testdata.Dir(b, "golden-vl")
	f, err := gguf.Open(filepath.Join(dir, "models", "V1-mmproj-f32.gguf"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	raw, err := os.ReadFile(filepath.Join(dir, "pixels", "I5.f32"))
	if err != nil {
		b.Fatal(err)
	}
	px := &Pixels{W: 992, H: 288, Data: make([]float32, len(raw)/4)}
	for i := range px.Data {
		px.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[i*4:]))
	}
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			enc, err := Load(f, Options{Threads: threads})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := enc.Encode(context.Background(), px); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
