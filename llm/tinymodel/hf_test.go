package tinymodel

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
	"github.com/qwenstudio/qwenstudio/llm/gguf"
	"github.com/qwenstudio/qwenstudio/llm/safetensors"
	"github.com/qwenstudio/qwenstudio/llm/tokenizer"
)

// writeBoth writes o as GGUF (F32) and as an HF folder with the given type, returning the opened pair.
func writeBoth(t *testing.T, o Options, hfType gguf.Type) (*gguf.File, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	o.Type = gguf.TypeF32
	gpath := filepath.Join(dir, "m.gguf")
	if err := WriteGGUF(ctx, gpath, o); err != nil {
		t.Fatal(err)
	}
	g, err := gguf.Open(gpath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	o.Type = hfType
	hdir := filepath.Join(dir, "hf")
	if err := WriteHF(ctx, hdir, o); err != nil {
		t.Fatal(err)
	}
	return g, hdir
}

// The HF folder holds the same weights as the GGUF file of the same seed, under the HF names and shapes of
// spec §7.2 (experts split per expert), and its config.json describes the same model.
func TestHFMatchesGGUF(t *testing.T) {
	for _, arch := range []string{ArchQwen3, ArchQwen3MoE} {
		t.Run(arch, func(t *testing.T) {
			o := Golden(arch)
			o.Untied = true
			g, dir := writeBoth(t, o, gguf.TypeF32)
			ck, err := safetensors.OpenDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer ck.Close()

			cfg, err := safetensors.LoadConfig(dir)
			if err != nil {
				t.Fatal(err)
			}
			p, err := g.LLM()
			if err != nil {
				t.Fatal(err)
			}
			tc := cfg.Text
			if tc.HiddenSize != p.EmbeddingLength || tc.NumHiddenLayers != p.BlockCount || tc.NumAttentionHeads != p.HeadCount ||
				tc.NumKeyValueHeads != p.HeadCountKV || tc.HeadDim != p.KeyLength || tc.MaxPositionEmbeddings != p.ContextLength ||
				tc.NumExperts != p.ExpertCount || tc.NumExpertsPerTok != p.ExpertUsedCount || tc.MoEIntermediateSize != p.ExpertFeedForwardLength ||
				tc.Rope.Theta != p.RopeFreqBase || cfg.TieWordEmbeddings || cfg.DType != "float32" {
				t.Errorf("config.json %+v does not match GGUF %+v", tc, p)
			}
			emb, _ := g.Tensor("token_embd.weight")
			if tc.VocabSize != int(emb.Shape[1]) {
				t.Errorf("vocab_size %d, embedding rows %d", tc.VocabSize, emb.Shape[1])
			}

			n := 0
			for _, s := range specs(fill(t, o), int(emb.Shape[1])) {
				gt, ok := g.Tensor(s.name)
				if !ok {
					t.Fatalf("GGUF lacks %s", s.name)
				}
				for _, part := range s.hf {
					ht, ok := ck.Tensor(part.name)
					if !ok {
						t.Fatalf("HF lacks %s", part.name)
					}
					n++
					if ht.DType != safetensors.F32 || !reflect.DeepEqual(ht.Shape, part.shape) {
						t.Errorf("%s: %s %v", part.name, ht.DType, ht.Shape)
					}
					if !bytes.Equal(ht.Data, gt.Data[part.offset*4:part.offset*4+int64(len(ht.Data))]) {
						t.Errorf("%s holds other values than %s", part.name, s.name)
					}
				}
			}
			if n != len(ck.Tensors()) {
				t.Errorf("HF folder has %d tensors, expected %d", len(ck.Tensors()), n)
			}
			if _, ok := ck.Tensor("lm_head.weight"); !ok {
				t.Error("untied model lacks lm_head.weight")
			}
			if arch == ArchQwen3MoE {
				if _, ok := ck.Tensor("model.layers.1.mlp.experts.7.down_proj.weight"); !ok {
					t.Error("per-expert tensor missing")
				}
			}
		})
	}
}

func fill(t *testing.T, o Options) Options {
	t.Helper()
	o, err := o.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestHFBF16AndGenerationConfig(t *testing.T) {
	o := Golden(ArchQwen3)
	o.Type = gguf.TypeBF16
	dir := t.TempDir()
	if err := WriteHF(context.Background(), dir, o); err != nil {
		t.Fatal(err)
	}
	ck, err := safetensors.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	for _, tn := range ck.Tensors() {
		if tn.DType != safetensors.BF16 {
			t.Errorf("%s is %s", tn.Name, tn.DType)
		}
	}
	if _, ok := ck.Tensor("lm_head.weight"); ok {
		t.Error("tied model has lm_head.weight")
	}
	cfg, err := safetensors.LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.TieWordEmbeddings || cfg.DType != "bfloat16" {
		t.Errorf("tie %v dtype %q", cfg.TieWordEmbeddings, cfg.DType)
	}
	gen, err := safetensors.LoadGenerationConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.FromFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	imEnd, _ := tok.TokenID("<|im_end|>")
	eot, _ := tok.TokenID("<|endoftext|>")
	if len(gen.EOSTokenIDs) != 2 || gen.EOSTokenIDs[0] != int64(imEnd) || gen.EOSTokenIDs[1] != int64(eot) ||
		*gen.Temperature != 0.6 || *gen.TopK != 20 || *gen.TopP != 0.95 {
		t.Errorf("generation config %+v", gen)
	}
	if err := WriteHF(context.Background(), t.TempDir(), Options{Embd: 32, Layers: 1, Heads: 2, FFN: 32, Type: gguf.TypeQ8_0}); err == nil {
		t.Error("Q8_0 HF folder accepted")
	}
}

// With the real tokenizer reduced like the golden "rv" models, the HF folder's tokenizer files and the GGUF
// metadata both tokenize the golden cases exactly as llama.cpp did.
func TestReducedVocabTokenizesLikeGolden(t *testing.T) {
	var cases struct {
		Texts  map[string]json.RawMessage    `json:"texts"`
		Tokens map[string]map[string][]int32 `json:"tokens"`
	}
	b, err := os.ReadFile(filepath.Join(testdata.Dir(t, "golden"), "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	o := Golden(ArchQwen3)
	o.Vocab = realVocab(t, 4096)
	g, dir := writeBoth(t, o, gguf.TypeBF16)
	fromHF, err := tokenizer.FromFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	fromGGUF, err := tokenizer.FromGGUF(g)
	if err != nil {
		t.Fatal(err)
	}
	want := cases.Tokens["qwen3-reduced-4224"]
	for _, c := range []string{"C1", "C2", "C3"} {
		var text string
		if err := json.Unmarshal(cases.Texts[c], &text); err != nil {
			var byTokenizer map[string]string // C3's text depends on the vocabulary
			if err := json.Unmarshal(cases.Texts[c], &byTokenizer); err != nil {
				t.Fatal(err)
			}
			text = byTokenizer["qwen3-reduced-4224"]
		}
		if got := fromHF.Encode(text); !reflect.DeepEqual(got, want[c]) {
			t.Errorf("%s via tokenizer.json: %v, want %v", c, got, want[c])
		}
		if got := fromGGUF.Encode(text); !reflect.DeepEqual(got, want[c]) {
			t.Errorf("%s via GGUF: %v, want %v", c, got, want[c])
		}
	}
	if fromHF.ChatTemplate() == "" || fromHF.ChatTemplate() != fromGGUF.ChatTemplate() {
		t.Error("chat template missing or different between the two formats")
	}
}
