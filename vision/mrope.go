package vision

import (
	"errors"
	"fmt"
)

// Position is the M-RoPE position of one prompt token as llama.cpp feeds it: (t, h, w, e). The first three
// are Hugging Face's (t, h, w); e is always 0 here. llama.cpp rotates the frequency pairs assigned to the
// 4th section (pair 7 of the 16-dim V1 heads, pairs 61 and 62 of the real 128-dim heads) by e, so they are
// never rotated, where Hugging Face uses t for them (qwen3-spec.md §6.7, §10.x).
type Position [4]int32

// Span is a run of prompt tokens: Text tokens when GridW is 0, otherwise one image whose merged grid is
// GridW×GridH (GridW·GridH image tokens in raster order).
type Span struct {
	Text         int
	GridW, GridH int
}

// MRoPEPositions returns the position of every token of spans laid out from position start, and the
// position of the token that follows. A text token at position p gets (p, p, p, 0); image token i of an
// image starting at s gets (s, s + i/GridW, s + i mod GridW, 0), and the text after it continues at
// s + max(GridW, GridH).
func MRoPEPositions(spans []Span, start int) (pos []Position, next int, err error) {
	if start < 0 {
		return nil, 0, fmt.Errorf("vision: m-rope: negative start position %d", start)
	}
	next = start
	for k, s := range spans {
		switch {
		case s.GridW == 0 && s.GridH == 0:
			if s.Text < 0 {
				return nil, 0, fmt.Errorf("vision: m-rope: span %d: %d text tokens", k, s.Text)
			}
			for range s.Text {
				p := int32(next)
				pos = append(pos, Position{p, p, p, 0})
				next++
			}
		case s.GridW > 0 && s.GridH > 0 && s.Text == 0:
			p := int32(next)
			for r := range s.GridH {
				for c := range s.GridW {
					pos = append(pos, Position{p, p + int32(r), p + int32(c), 0})
				}
			}
			next += max(s.GridW, s.GridH)
		default:
			return nil, 0, fmt.Errorf("vision: m-rope: span %d: invalid (text %d, grid %d×%d)", k, s.Text, s.GridW, s.GridH)
		}
		if next > 1<<30 {
			return nil, 0, errors.New("vision: m-rope: positions overflow")
		}
	}
	return pos, next, nil
}

// SpansFromTokens splits a Hugging Face style token sequence, in which every image is a run of padID
// tokens (one per image token), into spans; grids gives the merged grid (W, H) of each image in order. A
// run must have exactly W·H tokens; images must be separated by text (as <|vision_end|><|vision_start|>
// always separate them in Qwen3-VL prompts).
func SpansFromTokens(ids []int32, padID int32, grids [][2]int) ([]Span, error) {
	var spans []Span
	img := 0
	for i := 0; i < len(ids); {
		j := i
		for j < len(ids) && (ids[j] == padID) == (ids[i] == padID) {
			j++
		}
		if ids[i] != padID {
			spans = append(spans, Span{Text: j - i})
			i = j
			continue
		}
		if img >= len(grids) {
			return nil, fmt.Errorf("vision: m-rope: image placeholder run at token %d but only %d grids given", i, len(grids))
		}
		g := grids[img]
		if g[0] <= 0 || g[1] <= 0 || g[0]*g[1] != j-i {
			return nil, fmt.Errorf("vision: m-rope: image %d: %d placeholder tokens for a %d×%d grid", img, j-i, g[0], g[1])
		}
		spans = append(spans, Span{GridW: g[0], GridH: g[1]})
		img++
		i = j
	}
	if img != len(grids) {
		return nil, fmt.Errorf("vision: m-rope: %d images in the tokens, %d grids given", img, len(grids))
	}
	return spans, nil
}
