package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/qwenstudio/qwenstudio/llm/gguf"
	"github.com/qwenstudio/qwenstudio/llm/safetensors"
)

// inspectInfo is what inspect reports, gathered from a GGUF file or a Hugging Face folder.
type inspectInfo struct {
	path, format   string
	arch, name     string
	params         int64            // sum of tensor elements
	weightBytes    int64            // bytes of tensor data
	fileBytes      int64            // size on disk
	types          map[string]int   // tensor type -> count
	llm            *gguf.LLMParams  // nil for vision-only files
	vocab          int              // 0 when unknown
	tokModel       string           // "gpt2 (pre qwen2)", "" when absent
	chatTemplate   int              // bytes, 0 when absent
	clip           *gguf.CLIPParams // mmproj files
	extra          [][2]string      // format-specific lines
	defaultContext int
}

func runInspect(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "inspect", "MODEL [--ctx N]")
	nctx := fs.Int("ctx", 0, "context length for the memory estimate (default: min(model context, 4096))")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one MODEL (a .gguf file or a Hugging Face folder), got %d arguments", len(pos))
	}
	if *nctx < 0 {
		return usagef("--ctx %d: must be positive", *nctx)
	}
	path := pos[0]
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	var info *inspectInfo
	if st.IsDir() {
		info, err = inspectFolder(path)
	} else {
		info, err = inspectGGUF(path)
	}
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c := *nctx
	if c == 0 {
		c = 4096
		if info.defaultContext > 0 {
			c = min(info.defaultContext, 4096)
		}
	}
	printInspect(env.stdout, info, c)
	return nil
}

func inspectGGUF(path string) (*inspectInfo, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info := &inspectInfo{
		path:   path,
		format: fmt.Sprintf("GGUF v%d (alignment %d, %d tensors, %d metadata keys)", f.Version, f.Alignment, len(f.Tensors), len(f.KVs)),
		arch:   f.Architecture(),
		types:  map[string]int{},
	}
	info.name, _ = f.String("general.name")
	if st, err := os.Stat(path); err == nil {
		info.fileBytes = st.Size()
	}
	for i := range f.Tensors {
		t := &f.Tensors[i]
		info.params += t.NumElements()
		info.weightBytes += int64(len(t.Data))
		info.types[t.Type.String()]++
	}
	if info.arch == "clip" {
		c, err := f.CLIP()
		if err != nil {
			return nil, err
		}
		info.clip = &c
		return info, nil
	}
	p, err := f.LLM()
	if err != nil {
		return nil, err
	}
	info.llm = &p
	info.defaultContext = p.ContextLength
	if tp, err := f.TokenizerParams(); err == nil {
		info.vocab = len(tp.Tokens)
		info.tokModel = tp.Model
		if tp.Pre != "" {
			info.tokModel += " (pre " + tp.Pre + ")"
		}
		info.chatTemplate = len(tp.ChatTemplate)
	} else if _, ok := f.Get("tokenizer.ggml.model"); ok {
		return nil, err // a tokenizer is there but broken: say so rather than report "none"
	}
	if info.vocab == 0 {
		if t, ok := f.Tensor("token_embd.weight"); ok && len(t.Shape) == 2 {
			info.vocab = int(t.Shape[1])
		}
	}
	if ft, err := f.Uint("general.file_type"); err == nil {
		info.extra = append(info.extra, [2]string{"file type", ggufFileTypeName(ft)})
	}
	return info, nil
}

// ggufFileTypeName names llama.cpp's general.file_type (enum llama_ftype).
func ggufFileTypeName(ft uint64) string {
	names := map[uint64]string{0: "ALL_F32", 1: "MOSTLY_F16", 2: "MOSTLY_Q4_0", 3: "MOSTLY_Q4_1", 7: "MOSTLY_Q8_0",
		8: "MOSTLY_Q5_0", 9: "MOSTLY_Q5_1", 10: "MOSTLY_Q2_K", 11: "MOSTLY_Q3_K_S", 12: "MOSTLY_Q3_K_M",
		13: "MOSTLY_Q3_K_L", 14: "MOSTLY_Q4_K_S", 15: "MOSTLY_Q4_K_M", 16: "MOSTLY_Q5_K_S", 17: "MOSTLY_Q5_K_M",
		18: "MOSTLY_Q6_K", 19: "MOSTLY_IQ2_XXS", 20: "MOSTLY_IQ2_XS", 21: "MOSTLY_Q2_K_S", 22: "MOSTLY_IQ3_XS",
		23: "MOSTLY_IQ3_XXS", 24: "MOSTLY_IQ1_S", 25: "MOSTLY_IQ4_NL", 26: "MOSTLY_IQ3_S", 27: "MOSTLY_IQ3_M",
		28: "MOSTLY_IQ2_S", 29: "MOSTLY_IQ2_M", 30: "MOSTLY_IQ4_XS", 31: "MOSTLY_IQ1_M", 32: "MOSTLY_BF16",
		36: "MOSTLY_TQ1_0", 37: "MOSTLY_TQ2_0", 38: "MOSTLY_MXFP4_MOE"}
	if n, ok := names[ft]; ok {
		return fmt.Sprintf("%s (%d)", n, ft)
	}
	return fmt.Sprintf("%d", ft)
}

func inspectFolder(dir string) (*inspectInfo, error) {
	if _, err := os.Stat(filepath.Join(dir, "config.json")); err != nil {
		return nil, fmt.Errorf("%s: a folder must be a Hugging Face model folder with config.json: %w", dir, err)
	}
	cfg, err := safetensors.LoadConfig(dir)
	if err != nil {
		return nil, err
	}
	ck, err := safetensors.OpenDir(dir)
	if err != nil {
		return nil, err
	}
	defer ck.Close()
	info := &inspectInfo{
		path:  dir,
		arch:  cfg.ModelType,
		types: map[string]int{},
	}
	tensors := ck.Tensors()
	for _, t := range tensors {
		info.params += t.NumElements()
		info.weightBytes += int64(len(t.Data))
		info.types[string(t.DType)]++
	}
	for _, f := range ck.Files {
		if st, err := os.Stat(f.Path); err == nil {
			info.fileBytes += st.Size()
		}
	}
	info.format = fmt.Sprintf("Hugging Face safetensors (%d files, %d tensors, dtype %s)", len(ck.Files), len(tensors), cfg.DType)
	if len(cfg.Architectures) > 0 {
		info.name = strings.Join(cfg.Architectures, ", ")
	}
	t := cfg.Text
	p := gguf.LLMParams{
		Arch: ggufArchOf(cfg.ModelType), ContextLength: t.MaxPositionEmbeddings, EmbeddingLength: t.HiddenSize,
		BlockCount: t.NumHiddenLayers, FeedForwardLength: t.IntermediateSize, HeadCount: t.NumAttentionHeads,
		HeadCountKV: t.NumKeyValueHeads, KeyLength: t.HeadDim, ValueLength: t.HeadDim, ExpertCount: t.NumExperts,
		ExpertUsedCount: t.NumExpertsPerTok, ExpertFeedForwardLength: t.MoEIntermediateSize,
		RopeOrigContext: t.Rope.OriginalMaxPositionEmbeddings, RopeFreqBase: t.Rope.Theta, RMSNormEps: t.RMSNormEps,
		RopeScaleFactor: t.Rope.Factor, RopeDimSections: t.Rope.MRoPESection, ExpertWeightsNorm: t.NormTopKProb,
	}
	if t.Rope.Type != "default" {
		p.RopeScalingType = t.Rope.Type
	}
	if v := cfg.Vision; v != nil {
		p.DeepstackLayers = len(v.DeepstackVisualIndexes)
		c := gguf.CLIPParams{ProjectorType: "qwen3vl_merger (in the same folder)", HasVisionEncoder: true,
			PatchSize: v.PatchSize, EmbeddingLength: v.HiddenSize, FeedForwardLength: v.IntermediateSize,
			ProjectionDim: v.OutHiddenSize, BlockCount: v.Depth, HeadCount: v.NumHeads, SpatialMergeSize: v.SpatialMergeSize,
			DeepstackLayers: make([]bool, v.Depth)}
		// The learned position table is a square grid of patches; its side times the patch size is the native size.
		side := 0
		for side*side < v.NumPositionEmbeddings {
			side++
		}
		c.ImageSize = side * v.PatchSize
		for _, i := range v.DeepstackVisualIndexes {
			c.DeepstackLayers[i] = true
		}
		info.clip = &c
	}
	info.llm = &p
	info.defaultContext = p.ContextLength
	info.vocab = t.VocabSize
	if tok, err := hfTokenizerModel(filepath.Join(dir, "tokenizer.json")); err == nil {
		info.tokModel = "tokenizer.json " + tok
	} else if !errors.Is(err, iofs.ErrNotExist) {
		return nil, err
	}
	info.chatTemplate, err = hfChatTemplateLen(dir)
	if err != nil {
		return nil, err
	}
	return info, nil
}

// ggufArchOf maps a config.json model_type to the GGUF architecture name of the same model.
func ggufArchOf(modelType string) string {
	switch modelType {
	case safetensors.ModelQwen3MoE:
		return "qwen3moe"
	case safetensors.ModelQwen3VL:
		return "qwen3vl"
	case safetensors.ModelQwen3VLMoE:
		return "qwen3vlmoe"
	}
	return modelType
}

// hfTokenizerModel returns the model type of a tokenizer.json ("BPE" for Qwen3).
func hfTokenizerModel(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var tj struct {
		Model struct {
			Type string `json:"type"`
		} `json:"model"`
	}
	if err := json.Unmarshal(b, &tj); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	if tj.Model.Type == "" {
		return "(model type not stated)", nil
	}
	return "(" + tj.Model.Type + ")", nil
}

// hfChatTemplateLen finds the chat template of a folder: chat_template.jinja (newer transformers), or the
// chat_template string of tokenizer_config.json. It returns its length, 0 when there is none.
func hfChatTemplateLen(dir string) (int, error) {
	if b, err := os.ReadFile(filepath.Join(dir, "chat_template.jinja")); err == nil {
		return len(b), nil
	}
	p := filepath.Join(dir, "tokenizer_config.json")
	b, err := os.ReadFile(p)
	if errors.Is(err, iofs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var tc struct {
		ChatTemplate json.RawMessage `json:"chat_template"`
	}
	if err := json.Unmarshal(b, &tc); err != nil {
		return 0, fmt.Errorf("%s: %w", p, err)
	}
	var s string
	if json.Unmarshal(tc.ChatTemplate, &s) == nil {
		return len(s), nil
	}
	// Older files may hold a list of named templates; count them all.
	var named []struct {
		Template string `json:"template"`
	}
	if json.Unmarshal(tc.ChatTemplate, &named) == nil {
		n := 0
		for _, t := range named {
			n += len(t.Template)
		}
		return n, nil
	}
	return 0, nil
}

// inspectMemory returns the bytes needed to run the model at nctx positions: weights, F16 KV cache and a
// rough compute-buffer figure.
func inspectMemory(info *inspectInfo, nctx int) (weights, kv, compute int64) {
	weights = info.weightBytes
	p := info.llm
	if p == nil {
		// Vision encoder: activations of one image at the encoder's native resolution (patch tokens × width,
		// a few live copies, plus the attention matrix of one head group).
		if c := info.clip; c != nil && c.PatchSize > 0 {
			n := int64(c.ImageSize/c.PatchSize) * int64(c.ImageSize/c.PatchSize)
			compute = 4 * n * (6*int64(c.EmbeddingLength) + 2*int64(c.FeedForwardLength) + int64(c.HeadCount)*n)
		}
		return weights, 0, compute
	}
	L, ctx := int64(p.BlockCount), int64(nctx)
	kv = L * ctx * int64(p.HeadCountKV) * int64(p.KeyLength+p.ValueLength) * 2
	// One prompt batch of up to 512 tokens in float32: a handful of hidden-state copies, the widest FFN
	// intermediate (gate, up, activation) and the attention scores of all heads against the whole context,
	// plus one row of logits. Rough, but of the order llama.cpp reports for its compute buffer.
	batch := min(ctx, 512)
	ff := int64(max(p.FeedForwardLength, p.ExpertFeedForwardLength*max(p.ExpertUsedCount, 1)))
	compute = 4 * (int64(info.vocab) + batch*(6*int64(p.EmbeddingLength)+3*ff+int64(p.HeadCount)*ctx))
	return weights, kv, compute
}

func printInspect(w io.Writer, info *inspectInfo, nctx int) {
	line := func(k, format string, a ...any) { fmt.Fprintf(w, "%-15s %s\n", k+":", fmt.Sprintf(format, a...)) }
	line("file", "%s", info.path)
	line("format", "%s", info.format)
	line("architecture", "%s", info.arch)
	if info.name != "" {
		line("name", "%s", info.name)
	}
	line("parameters", "%s (%d)", inspectCount(info.params), info.params)
	if p := info.llm; p != nil {
		line("layers", "%d", p.BlockCount)
		line("heads", "%d", p.HeadCount)
		line("kv heads", "%d", p.HeadCountKV)
		line("head dim", "%d", p.KeyLength)
		line("embedding", "%d", p.EmbeddingLength)
		line("feed-forward", "%d", p.FeedForwardLength)
		if p.ExpertCount > 0 {
			line("experts", "%d (%d used per token, expert feed-forward %d)", p.ExpertCount, p.ExpertUsedCount, p.ExpertFeedForwardLength)
		} else {
			line("experts", "none (dense)")
		}
		if p.DeepstackLayers > 0 || len(p.RopeDimSections) > 0 {
			line("vision input", "DeepStack layers %d, MRoPE sections %v", p.DeepstackLayers, p.RopeDimSections)
		}
		line("context", "%d", p.ContextLength)
		line("rope", "base %g%s", p.RopeFreqBase, inspectRope(p))
	}
	if c := info.clip; c != nil {
		line("projector", "%s", c.ProjectorType)
		line("vision blocks", "%d", c.BlockCount)
		line("vision heads", "%d", c.HeadCount)
		line("vision width", "%d (feed-forward %d, projects to %d)", c.EmbeddingLength, c.FeedForwardLength, c.ProjectionDim)
		line("patches", "%d px, image size %d, spatial merge %d", c.PatchSize, c.ImageSize, c.SpatialMergeSize)
		if idx := c.DeepstackIndexes(); len(idx) > 0 {
			line("deepstack", "vision blocks %v", idx)
		}
	}
	line("tensor types", "%s", inspectTypeCounts(info.types))
	for _, e := range info.extra {
		line(e[0], "%s", e[1])
	}
	if info.llm != nil {
		if info.tokModel != "" {
			line("tokenizer", "%s, vocab %d", info.tokModel, info.vocab)
		} else {
			line("tokenizer", "none embedded (vocab %d)", info.vocab)
		}
		if info.chatTemplate > 0 {
			line("chat template", "present (%d bytes)", info.chatTemplate)
		} else {
			line("chat template", "absent")
		}
	}
	line("file size", "%s (%d bytes)", inspectBytes(info.fileBytes), info.fileBytes)
	wts, kv, comp := inspectMemory(info, nctx)
	if info.llm != nil {
		line("memory", "~%s at ctx %d: weights %s + KV cache %s (F16) + compute %s",
			inspectBytes(wts+kv+comp), nctx, inspectBytes(wts), inspectBytes(kv), inspectBytes(comp))
	} else {
		line("memory", "~%s: weights %s + compute %s (one image)", inspectBytes(wts+comp), inspectBytes(wts), inspectBytes(comp))
	}
}

func inspectRope(p *gguf.LLMParams) string {
	if p.RopeScalingType == "" || p.RopeScalingType == "none" {
		return ""
	}
	return fmt.Sprintf(", scaling %s ×%g (original context %d)", p.RopeScalingType, p.RopeScaleFactor, p.RopeOrigContext)
}

// inspectTypeCounts renders "Q4_K 12, Q6_K 3, F32 9": most frequent first, then by name.
func inspectTypeCounts(m map[string]int) string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if m[names[i]] != m[names[j]] {
			return m[names[i]] > m[names[j]]
		}
		return names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %d", n, m[n])
	}
	return strings.Join(parts, ", ")
}

func inspectBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n), 0
	for v >= unit && i < 4 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTP"[i-1])
}

func inspectCount(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2fB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.2fM", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1fK", float64(n)/1e3)
	}
	return fmt.Sprintf("%d", n)
}
