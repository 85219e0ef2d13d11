package vision

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestMRoPEPositionsGolden rebuilds llama.cpp's positions from libmtmd's chunk layout and from the Hugging
// Face token sequence with image pads, for all five images.
func TestMRoPEPositionsGolden(t *testing.T) {
	dir := goldenDir(t)
	for _, name := range goldenImages {
		t.Run(name, func(t *testing.T) {
			run := readRun(t, dir, name)
			var spans []Span
			for _, c := range run.Chunks {
				if c.Type == "image" {
					spans = append(spans, Span{GridW: c.Grid[0], GridH: c.Grid[1]})
				} else {
					spans = append(spans, Span{Text: len(c.Tokens)})
				}
			}
			check := func(how string, spans []Span) {
				pos, next, err := MRoPEPositions(spans, 0)
				if err != nil {
					t.Fatalf("%s: %v", how, err)
				}
				if next != run.NextPos || len(pos) != len(run.MropePos) {
					t.Fatalf("%s: %d positions, next %d; llama.cpp %d, next %d", how, len(pos), next, len(run.MropePos), run.NextPos)
				}
				for i, p := range pos {
					w := run.MropePos[i]
					if p != (Position{int32(w[0]), int32(w[1]), int32(w[2]), int32(w[3])}) {
						t.Fatalf("%s: token %d at %v, llama.cpp %v", how, i, p, w)
					}
				}
			}
			check("chunks", spans)

			var ids struct {
				IDs []int32 `json:"token_ids_with_image_pad"`
				Pad int32   `json:"image_pad_id"`
			}
			b, err := os.ReadFile(filepath.Join(dir, "V1", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &ids); err != nil {
				t.Fatal(err)
			}
			fromTokens, err := SpansFromTokens(ids.IDs, ids.Pad, [][2]int{run.MergedGridWH})
			if err != nil {
				t.Fatal(err)
			}
			check("tokens", fromTokens)
		})
	}
}

func TestMRoPEPositionsErrors(t *testing.T) {
	if _, _, err := MRoPEPositions([]Span{{Text: 1, GridW: 2, GridH: 2}}, 0); err == nil {
		t.Error("span with text and grid accepted")
	}
	if _, _, err := MRoPEPositions([]Span{{GridW: 2}}, 0); err == nil {
		t.Error("image with zero height accepted")
	}
	if _, _, err := MRoPEPositions(nil, -1); err == nil {
		t.Error("negative start accepted")
	}
	// A tall image advances by its height: 2×3 grid starting at 5 → next 8.
	pos, next, err := MRoPEPositions([]Span{{GridW: 2, GridH: 3}, {Text: 1}}, 5)
	if err != nil || next != 9 || pos[5] != (Position{5, 7, 6, 0}) || pos[6] != (Position{8, 8, 8, 0}) {
		t.Errorf("tall image: %v next %d err %v", pos, next, err)
	}
	pad := int32(9)
	if _, err := SpansFromTokens([]int32{1, 9, 9, 9, 2}, pad, [][2]int{{2, 2}}); err == nil {
		t.Error("3 pads for a 2×2 grid accepted")
	}
	if _, err := SpansFromTokens([]int32{1, 9, 2}, pad, nil); err == nil {
		t.Error("image without a grid accepted")
	}
	if _, err := SpansFromTokens([]int32{1, 2}, pad, [][2]int{{1, 1}}); err == nil {
		t.Error("grid without an image accepted")
	}
}
