package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/qwenstudio/qwenstudio/llm/gguf"
)

// LocalModel is a model found on disk. Models are referenced where they are, never copied.
type LocalModel struct {
	Name     string // catalog short name when recognised ("qwen3:8b"), else ORG/REPO or the file name
	Ref      string // a reference that resolves to exactly this model: "qwen3:8b-q8_0", "hf://ORG/REPO:FILE", a path
	Path     string // the GGUF file (first part of a split file) or the model folder
	Files    []string
	MMProj   string // vision projector beside it, "" if none
	Size     int64  // bytes of Files
	Format   string // "gguf" or "safetensors"
	Location string // LocHFCache, LocLMStudio, LocLlamaCpp or LocFolder
	Repo     string // hub repository, for models in the HF cache
	Arch     string // general.architecture, or config.json's model_type
	Quant    string // "Q4_K_M", "Q8_0", "BF16", ...
	Params   string // general.size_label ("8B") when the file says
	Context  int    // trained context length, 0 if unknown
	Dims     Dims   // from the header; zero when unknown
	Catalog  *CatalogModel
	Err      error // the file could not be read; the model is listed anyway so that the user sees it
}

// Discover lists the models on disk: the Hugging Face cache (whoever downloaded them), the user's GGUF
// folders (Options.Folders, else $QWEN_STUDIO_MODEL_DIRS), LM Studio's models folders and llama.cpp's
// download cache. Architecture, size and quantization come from each GGUF header. A file reachable from
// several places (a folder added twice, a symlink) is listed once.
func Discover(ctx context.Context, opts Options) ([]LocalModel, error) {
	cat, err := opts.catalog()
	if err != nil {
		return nil, err
	}
	var out []LocalModel
	seen := map[string]bool{}
	add := func(m LocalModel) {
		key := m.Path
		if p, err := filepath.EvalSymlinks(m.Path); err == nil {
			key = p
		}
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, m)
	}

	cache := opts.cache()
	repos, err := cache.Repos()
	if err != nil {
		return nil, err
	}
	for _, repo := range repos {
		snaps := cache.Snapshots(repo)
		// The snapshot main points to first, so that its files win over older copies.
		if main, ok := cache.Commit(repo, "main"); ok {
			sort.SliceStable(snaps, func(i, j int) bool { return snaps[i] == main && snaps[j] != main })
		}
		for _, snap := range snaps {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			dir := filepath.Join(cache.RepoDir(repo), "snapshots", snap)
			for _, m := range modelsIn(dir, listTree(dir), cat) {
				m.Location, m.Repo = LocHFCache, repo
				if m.Catalog == nil {
					if cm, ok := cat.ByRepo(repo); ok {
						m.Catalog = cm
					}
				}
				m.Name, m.Ref = names(m, cat, repo, dir)
				add(m)
			}
		}
	}
	for _, r := range opts.otherRoots() {
		files := walkGGUF(r.dir)
		byDir := map[string][]string{}
		var dirs []string
		for _, f := range files {
			d := filepath.Dir(f)
			if byDir[d] == nil {
				dirs = append(dirs, d)
			}
			byDir[d] = append(byDir[d], filepath.Base(f))
		}
		for _, d := range dirs {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			for _, m := range modelsIn(d, byDir[d], cat) {
				if m.Format != "gguf" {
					continue
				}
				m.Location = r.location
				m.Name, m.Ref = names(m, cat, "", d)
				add(m)
			}
		}
	}
	return out, nil
}

// ReadLocal describes one GGUF file or model folder as Discover would: format, size, and what its header
// (or config.json) says. It does not look for the file's other parts or projector.
func ReadLocal(path string) (LocalModel, error) {
	st, err := os.Stat(path)
	if err != nil {
		return LocalModel{}, fmt.Errorf("hub: %w", err)
	}
	m := LocalModel{Path: path, Files: []string{path}, Location: LocPath}
	if st.IsDir() {
		m.Format = "safetensors"
		m.Size = sizeOf([]string{path}, "")
		readConfig(&m)
	} else {
		m.Format, m.Size = "gguf", st.Size()
		readHeader(&m)
	}
	return m, m.Err
}

// modelsIn groups the files of one folder into models: each GGUF (all parts of a split one) with the
// folder's vision projector, or the folder itself when it holds safetensors weights.
func modelsIn(dir string, files []string, cat *Catalog) []LocalModel {
	var ggufs, mm []string
	hasST := false
	for _, f := range files {
		switch {
		case isGGUF(f) && isMMProj(f):
			mm = append(mm, f)
		case isGGUF(f):
			ggufs = append(ggufs, f)
		case strings.HasSuffix(f, ".safetensors") && !strings.Contains(f, "/"):
			hasST = true
		}
	}
	sort.Strings(ggufs)
	var out []LocalModel
	done := map[string]bool{}
	for _, f := range ggufs {
		key, part, _ := splitKey(f)
		if done[key] {
			continue
		}
		done[key] = true
		group := []string{f}
		if part > 0 {
			group = groupOf(ggufs, f)
		}
		m := LocalModel{Format: "gguf"}
		for _, g := range group {
			m.Files = append(m.Files, filepath.Join(dir, filepath.FromSlash(g)))
		}
		m.Path = m.Files[0]
		m.Size = sizeOf(m.Files, "")
		if len(mm) > 0 {
			m.MMProj = filepath.Join(dir, filepath.FromSlash(pickMMProj(mm, nil)))
		}
		readHeader(&m)
		if cm, q, ok := cat.ByFile(f); ok {
			m.Catalog = cm
			if m.Quant == "" {
				m.Quant = q
			}
		}
		out = append(out, m)
	}
	if len(ggufs) == 0 && hasST {
		m := LocalModel{Format: "safetensors", Path: dir}
		for _, f := range files {
			if folderFile(f) {
				m.Files = append(m.Files, filepath.Join(dir, filepath.FromSlash(f)))
			}
		}
		m.Size = sizeOf(m.Files, "")
		readConfig(&m)
		out = append(out, m)
	}
	return out
}

// names gives a model its display name and a reference that resolves back to it.
func names(m LocalModel, cat *Catalog, repo, dir string) (name, ref string) {
	if cm := m.Catalog; cm != nil {
		q := m.Quant
		if m.Format == "safetensors" {
			q = QuantSafetensors
		}
		if _, ok := cm.Quant(q); ok || q == QuantSafetensors {
			r := Ref{Kind: RefCatalog, Model: cm, Quant: q}
			if res, _, ok := cat.Lookup(r.String()); ok && res == cm {
				return cm.Name, r.String()
			}
		}
	}
	if repo != "" {
		rel, err := filepath.Rel(dir, m.Path)
		if err != nil || m.Format == "safetensors" {
			return repo, "hf://" + repo
		}
		return repo, "hf://" + repo + ":" + filepath.ToSlash(rel)
	}
	return strings.TrimSuffix(filepath.Base(m.Path), filepath.Ext(m.Path)), m.Path
}

// fileTypeNames maps general.file_type (llama.cpp's llama_ftype) to the quantization name.
var fileTypeNames = map[uint64]string{
	0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S",
	12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K",
	19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL",
	26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16",
	36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4_MOE",
}

// readHeader fills in what the GGUF header says. Only the metadata is read (the file is mapped, and the
// tensor data is never touched).
func readHeader(m *LocalModel) {
	f, err := gguf.Open(m.Path)
	if err != nil {
		m.Err = err
		m.Quant = quantOf(m.Path)
		return
	}
	defer f.Close()
	m.Arch = f.Architecture()
	if v, err := f.Uint("general.file_type"); err == nil {
		m.Quant = fileTypeNames[v]
	}
	if m.Quant == "" {
		m.Quant = quantOf(m.Path)
	}
	if s, err := f.String("general.size_label"); err == nil {
		m.Params = s
	}
	u := func(key string) int {
		v, err := f.Uint(m.Arch + "." + key)
		if err != nil {
			return 0
		}
		return int(v)
	}
	m.Context = u("context_length")
	d := Dims{Layers: u("block_count"), Embd: u("embedding_length"), Heads: u("attention.head_count"),
		KVHeads: u("attention.head_count_kv"), HeadDim: u("attention.key_length"), FF: u("feed_forward_length"),
		Experts: u("expert_count"), ExpertsUsed: u("expert_used_count")}
	if d.KVHeads == 0 {
		d.KVHeads = d.Heads
	}
	if d.HeadDim == 0 && d.Heads > 0 {
		d.HeadDim = d.Embd / d.Heads
	}
	if toks, ok := f.Get("tokenizer.ggml.tokens"); ok {
		if a, ok := toks.(gguf.Array); ok {
			if s, ok := a.Values.([]string); ok {
				d.Vocab = len(s)
			}
		}
	}
	m.Dims = d
}

// readConfig fills in a safetensors folder's architecture and shapes from config.json.
func readConfig(m *LocalModel) {
	b, err := os.ReadFile(filepath.Join(m.Path, "config.json"))
	if err != nil {
		m.Err = err
		return
	}
	type textConfig struct {
		Layers  int `json:"num_hidden_layers"`
		Hidden  int `json:"hidden_size"`
		Heads   int `json:"num_attention_heads"`
		KVHeads int `json:"num_key_value_heads"`
		HeadDim int `json:"head_dim"`
		FF      int `json:"intermediate_size"`
		Vocab   int `json:"vocab_size"`
		Ctx     int `json:"max_position_embeddings"`
		Experts int `json:"num_experts"`
		Used    int `json:"num_experts_per_tok"`
	}
	var c struct {
		ModelType  string      `json:"model_type"`
		TorchDType string      `json:"torch_dtype"`
		DType      string      `json:"dtype"`
		Layers     int         `json:"num_hidden_layers"`
		Hidden     int         `json:"hidden_size"`
		Heads      int         `json:"num_attention_heads"`
		KVHeads    int         `json:"num_key_value_heads"`
		HeadDim    int         `json:"head_dim"`
		FF         int         `json:"intermediate_size"`
		Vocab      int         `json:"vocab_size"`
		Ctx        int         `json:"max_position_embeddings"`
		Experts    int         `json:"num_experts"`
		Used       int         `json:"num_experts_per_tok"`
		Text       *textConfig `json:"text_config"` // Qwen3-VL keeps the language model's shape here
	}
	if err := json.Unmarshal(b, &c); err != nil {
		m.Err = fmt.Errorf("hub: %s: config.json: %w", m.Path, err)
		return
	}
	if t := c.Text; t != nil && c.Layers == 0 {
		c.Layers, c.Hidden, c.Heads, c.KVHeads, c.HeadDim = t.Layers, t.Hidden, t.Heads, t.KVHeads, t.HeadDim
		c.FF, c.Vocab, c.Ctx, c.Experts, c.Used = t.FF, t.Vocab, t.Ctx, t.Experts, t.Used
	}
	m.Arch = c.ModelType
	m.Quant = strings.ToUpper(strings.TrimPrefix(firstNonEmpty(c.DType, c.TorchDType), "torch."))
	if m.Quant == "BFLOAT16" {
		m.Quant = "BF16"
	} else if m.Quant == "FLOAT16" {
		m.Quant = "F16"
	}
	m.Context = c.Ctx
	m.Dims = Dims{Layers: c.Layers, Embd: c.Hidden, Heads: c.Heads, KVHeads: c.KVHeads, HeadDim: c.HeadDim,
		FF: c.FF, Vocab: c.Vocab, Experts: c.Experts, ExpertsUsed: c.Used}
	if m.Dims.HeadDim == 0 && c.Heads > 0 {
		m.Dims.HeadDim = c.Hidden / c.Heads
	}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
