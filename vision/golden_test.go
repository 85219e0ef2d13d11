package vision

import (
	"encoding/binary"
	"encoding/json"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

var goldenImages = []string{"I1", "I2", "I3", "I4", "I5"}

// goldenRun is the part of V1/<I>.json the tests use.
type goldenRun struct {
	OriginalWH     [2]int        `json:"original_wh"`
	PreprocessedWH [2]int        `json:"preprocessed_wh"`
	MergedGridWH   [2]int        `json:"merged_grid_wh"`
	NImageTokens   int           `json:"n_image_tokens"`
	NImagePos      int           `json:"n_image_pos"`
	NEmbdInp       int           `json:"n_embd_inp"`
	NextPos        int           `json:"next_pos"`
	MropePos       [][4]int      `json:"mrope_pos_thwe"`
	Chunks         []goldenChunk `json:"chunks"`
}

type goldenChunk struct {
	Type    string  `json:"type"`
	Pos0    int     `json:"pos0"`
	Tokens  []int32 `json:"tokens"`
	NTokens int     `json:"n_tokens"`
	NPos    int     `json:"n_pos"`
	Grid    [2]int  `json:"grid_merged_wh"`
}

func goldenDir(t *testing.T) string {
	t.Helper()
	return testdata.Dir(t, "golden-vl")
}

func readF32(t *testing.T, path string) []float32 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b)%4 != 0 {
		t.Fatalf("%s: %d bytes is not a float32 array", path, len(b))
	}
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[i*4:]))
	}
	return out
}

func readRun(t *testing.T, dir, name string) goldenRun {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "V1", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var r goldenRun
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s.json: %v", name, err)
	}
	return r
}

func openMmproj(t *testing.T, dir string) *gguf.File {
	t.Helper()
	f, err := gguf.Open(filepath.Join(dir, "models", "V1-mmproj-f32.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func loadPNGPixels(t *testing.T, dir, name string, o PreprocessOptions) *Pixels {
	t.Helper()
	fh, err := os.Open(filepath.Join(dir, "images", name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		t.Fatalf("%s.png: %v", name, err)
	}
	px, err := Preprocess(img, o)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return px
}

// TestPreprocessGolden checks that Preprocess reproduces llama.cpp's encoder input bit for bit, including the
// three images that llama.cpp resizes (I3 upscaled, I4 with a half-way rounding, I5 letterboxed).
func TestPreprocessGolden(t *testing.T) {
	dir := goldenDir(t)
	clip, err := openMmproj(t, dir).CLIP()
	if err != nil {
		t.Fatal(err)
	}
	o := DefaultPreprocessOptions(clip)
	for _, name := range goldenImages {
		t.Run(name, func(t *testing.T) {
			run := readRun(t, dir, name)
			px := loadPNGPixels(t, dir, name, o)
			if px.W != run.PreprocessedWH[0] || px.H != run.PreprocessedWH[1] {
				t.Fatalf("size %d×%d, llama.cpp %d×%d", px.W, px.H, run.PreprocessedWH[0], run.PreprocessedWH[1])
			}
			want := readF32(t, filepath.Join(dir, "pixels", name+".f32"))
			if len(want) != len(px.Data) {
				t.Fatalf("%d values, llama.cpp %d", len(px.Data), len(want))
			}
			bad := 0
			for i := range want {
				if math.Float32bits(want[i]) != math.Float32bits(px.Data[i]) {
					if bad < 5 {
						c, y, x := i/(px.W*px.H), i/px.W%px.H, i%px.W
						t.Errorf("pixel c%d y%d x%d = %v, llama.cpp %v", c, y, x, px.Data[i], want[i])
					}
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d values differ", bad, len(want))
			}
		})
	}
}
