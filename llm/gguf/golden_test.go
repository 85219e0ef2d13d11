package gguf

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
)

type goldenManifest struct {
	Models []struct {
		Name  string `json:"name"`
		File  string `json:"file"`
		Size  int64  `json:"size"`
		Arch  string `json:"arch"`
		Shape struct {
			NVocab       int     `json:"n_vocab"`
			NEmbd        int     `json:"n_embd"`
			NLayer       int     `json:"n_layer"`
			NHead        int     `json:"n_head"`
			NHeadKV      int     `json:"n_head_kv"`
			HeadDim      int     `json:"head_dim"`
			NFF          int     `json:"n_ff"`
			RopeFreqBase float64 `json:"rope_freq_base"`
			RMSEps       float64 `json:"rms_eps"`
			NCtxTrain    int     `json:"n_ctx_train"`
			NExpert      int     `json:"n_expert"`
			NExpertUsed  int     `json:"n_expert_used"`
		} `json:"shape"`
		SpecialTokenIDs map[string]int64 `json:"special_token_ids"`
		TensorTypes     map[string]int   `json:"tensor_types"`
		Tensors         [][3]any         `json:"tensors"`
	} `json:"models"`
}

// TestGoldenModels opens every llama.cpp-produced model of the shared test data and checks the tensor table,
// hyperparameters and tokenizer against the manifest written by the generator.
func TestGoldenModels(t *testing.T) {
	dir := testdata.Dir(t, "golden")
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m goldenManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Models) == 0 {
		t.Fatal("manifest lists no models")
	}
	for _, mm := range m.Models {
		t.Run(mm.Name, func(t *testing.T) {
			f, err := Open(filepath.Join(dir, mm.File))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if got := f.Architecture(); got != mm.Arch {
				t.Errorf("architecture %q, manifest %q", got, mm.Arch)
			}
			if len(f.Tensors) != len(mm.Tensors) {
				t.Fatalf("%d tensors, manifest %d", len(f.Tensors), len(mm.Tensors))
			}
			types := map[string]int{}
			var end int64
			for i, want := range mm.Tensors {
				name, typ := want[0].(string), want[1].(string)
				var shape []int64
				for _, d := range want[2].([]any) {
					shape = append(shape, int64(d.(float64)))
				}
				tt := f.Tensors[i]
				if tt.Name != name || tt.Type.String() != typ || !slices.Equal(tt.Shape, shape) {
					t.Errorf("tensor %d: %s %s %v, manifest %s %s %v", i, tt.Name, tt.Type, tt.Shape, name, typ, shape)
				}
				if tp, ok := f.Tensor(name); !ok || tp != &f.Tensors[i] {
					t.Errorf("Tensor(%q) lookup failed", name)
				}
				n, _ := tt.NumBytes()
				if int64(len(tt.Data)) != n || n == 0 {
					t.Errorf("tensor %s: %d data bytes, want %d", name, len(tt.Data), n)
				}
				end = max(end, f.DataOffset+tt.Offset+n)
				types[tt.Type.String()]++
			}
			if !maps_equal(types, mm.TensorTypes) {
				t.Errorf("tensor types %v, manifest %v", types, mm.TensorTypes)
			}
			if end > mm.Size || mm.Size-end >= f.Alignment {
				t.Errorf("tensor data ends at %d, file size %d", end, mm.Size)
			}

			p, err := f.LLM()
			if err != nil {
				t.Fatal(err)
			}
			s := mm.Shape
			got := []int{p.EmbeddingLength, p.BlockCount, p.HeadCount, p.HeadCountKV, p.KeyLength, p.ValueLength, p.ContextLength}
			want := []int{s.NEmbd, s.NLayer, s.NHead, s.NHeadKV, s.HeadDim, s.HeadDim, s.NCtxTrain}
			if !slices.Equal(got, want) {
				t.Errorf("embd/layers/heads/kv/klen/vlen/ctx = %v, manifest %v", got, want)
			}
			if p.Arch == "qwen3moe" {
				if p.ExpertCount != s.NExpert || p.ExpertUsedCount != s.NExpertUsed || p.ExpertCount == 0 {
					t.Errorf("experts %d used %d, manifest %d / %d", p.ExpertCount, p.ExpertUsedCount, s.NExpert, s.NExpertUsed)
				}
			} else if p.FeedForwardLength != s.NFF {
				t.Errorf("feed_forward_length %d, manifest %d", p.FeedForwardLength, s.NFF)
			}
			if p.RopeFreqBase != s.RopeFreqBase || float32(p.RMSNormEps) != float32(s.RMSEps) {
				t.Errorf("rope base %g eps %g, manifest %g %g", p.RopeFreqBase, p.RMSNormEps, s.RopeFreqBase, s.RMSEps)
			}

			tp, err := f.TokenizerParams()
			if err != nil {
				t.Fatal(err)
			}
			if len(tp.Tokens) != s.NVocab || len(tp.TokenTypes) != s.NVocab {
				t.Errorf("%d tokens / %d types, manifest vocab %d", len(tp.Tokens), len(tp.TokenTypes), s.NVocab)
			}
			if tp.Model != "gpt2" || tp.Pre != "qwen2" || len(tp.Merges) == 0 || tp.ChatTemplate == "" {
				t.Errorf("tokenizer model %q pre %q, %d merges, template %d bytes", tp.Model, tp.Pre, len(tp.Merges), len(tp.ChatTemplate))
			}
			ids := mm.SpecialTokenIDs
			if tp.BOS != ids["bos"] || tp.EOS != ids["eos"] || tp.PAD != ids["pad"] {
				t.Errorf("bos/eos/pad %d/%d/%d, manifest %v", tp.BOS, tp.EOS, tp.PAD, ids)
			}
		})
	}
}

func maps_equal(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestGoldenVL checks the Qwen3-VL pair: the text model's MRoPE/DeepStack keys and the mmproj's clip.* keys.
func TestGoldenVL(t *testing.T) {
	dir := testdata.Dir(t, "golden-vl")
	text, err := Open(filepath.Join(dir, "models", "V1-text-f32.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer text.Close()
	p, err := text.LLM()
	if err != nil {
		t.Fatal(err)
	}
	if p.Arch != "qwen3vl" || p.EmbeddingLength != 64 || p.BlockCount != 2 || p.DeepstackLayers != 1 ||
		!slices.Equal(p.RopeDimSections, []int{4, 2, 2, 0}) || p.HeadDim() != 16 {
		t.Errorf("qwen3vl params %+v", p)
	}
	if len(text.Tensors) != 24 {
		t.Errorf("%d text tensors, want 24", len(text.Tensors))
	}

	mm, err := Open(filepath.Join(dir, "models", "V1-mmproj-f32.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer mm.Close()
	c, err := mm.CLIP()
	if err != nil {
		t.Fatal(err)
	}
	// Values from the generator command in golden-vl/manifest.json.
	if c.ProjectorType != "qwen3vl_merger" || !c.HasVisionEncoder || !c.UseGELU || c.EmbeddingLength != 64 ||
		c.BlockCount != 3 || c.HeadCount != 4 || c.FeedForwardLength != 128 || c.PatchSize != 16 ||
		c.ImageSize != 256 || c.ProjectionDim != 64 || c.SpatialMergeSize != 2 ||
		!slices.Equal(c.DeepstackIndexes(), []int{0}) || !slices.Equal(c.ImageMean, []float32{0.5, 0.5, 0.5}) {
		t.Errorf("clip params %+v", c)
	}
	if _, err := mm.LLM(); err == nil {
		t.Error("LLM() on an mmproj file succeeded")
	}
	if _, err := mm.TokenizerParams(); err == nil {
		t.Error("TokenizerParams() on an mmproj file succeeded")
	}
	if _, ok := mm.Tensor("v.deepstack.0.fc1.weight"); !ok {
		t.Error("mmproj lacks v.deepstack.0.fc1.weight")
	}
}

// TestWriterReproducesGolden re-encodes every golden model (written by llama.cpp's gguf-py) with the Writer:
// the output must be byte-identical, which shows the Writer's layout (KV encoding, alignment padding, tensor
// offsets) is the one llama.cpp reads.
func TestWriterReproducesGolden(t *testing.T) {
	var paths []string
	for _, sub := range []string{"golden", "golden-vl"} {
		m, _ := filepath.Glob(filepath.Join(testdata.Dir(t, sub), "models", "*.gguf"))
		paths = append(paths, m...)
	}
	if len(paths) == 0 {
		t.Fatal("no golden models found")
	}
	for _, p := range paths {
		f, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		w := NewWriter()
		for _, kv := range f.KVs {
			w.SetKV(kv.Key, kv.Value)
		}
		for _, tt := range f.Tensors {
			if err := w.AddTensor(tt.Name, tt.Type, tt.Shape, tt.Data); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if _, err := w.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		f.Close()
		orig, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), orig) {
			n := 0
			for n < len(orig) && n < buf.Len() && orig[n] == buf.Bytes()[n] {
				n++
			}
			t.Errorf("%s: re-encoded file differs from the original at byte %d (sizes %d vs %d)", filepath.Base(p), n, buf.Len(), len(orig))
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	p := filepath.Join(testdata.Dir(b, "golden"), "models", "a1-qwen3-e32-f32.gguf") // 151936-token vocabulary
	for b.Loop() {
		f, err := Open(p)
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}
