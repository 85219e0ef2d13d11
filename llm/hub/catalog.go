package hub

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/qwenstudio/qwenstudio/assets"
)

// Catalog is the list of models Qwen Studio offers by short name (assets/catalog.json).
type Catalog struct {
	Schema  int             `json:"schema"`
	Checked string          `json:"checked"` // when the repositories and sizes were last checked
	About   string          `json:"about"`
	Models  []*CatalogModel `json:"models"`
}

// CatalogModel is one model: a size and variant of Qwen3 or Qwen3-VL.
type CatalogModel struct {
	Name              string       `json:"name"`    // short name, "qwen3:8b"
	Aliases           []string     `json:"aliases"` // other short names, "qwen3-vl:4b-instruct"
	Display           string       `json:"display"`
	Family            string       `json:"family"` // "qwen3", "qwen3-vl"
	Arch              string       `json:"arch"`   // GGUF general.architecture
	Params            string       `json:"params"`
	ActiveParams      string       `json:"active_params"` // mixture of experts: parameters used per token
	Mode              string       `json:"mode"`          // "hybrid" (thinking switch), "instruct", "thinking"
	Vision            bool         `json:"vision"`
	ContextLength     int          `json:"context_length"`      // native context
	YarnContextLength int          `json:"yarn_context_length"` // with YaRN rope scaling, 0 if not offered
	Dims              Dims         `json:"dims"`
	Description       string       `json:"description"`
	GGUF              *GGUFRepo    `json:"gguf"`
	Safetensors       *WeightsRepo `json:"safetensors"`
}

// Dims are the shapes the memory estimate needs before a file is on disk.
type Dims struct {
	Layers      int `json:"layers"`
	Embd        int `json:"embd"`
	Heads       int `json:"heads"`
	KVHeads     int `json:"kv_heads"`
	HeadDim     int `json:"head_dim"`
	Vocab       int `json:"vocab"`
	FF          int `json:"ff"` // feed-forward width; 0 when not recorded (estimates then use 3×Embd)
	Experts     int `json:"experts"`
	ExpertsUsed int `json:"experts_used"`
}

// GGUFRepo is a repository of GGUF files, one set of files per quantization.
type GGUFRepo struct {
	HF            string  `json:"hf"`         // Hugging Face repository, "Qwen/Qwen3-8B-GGUF"
	ModelScope    string  `json:"modelscope"` // ModelScope repository, "" when there is none
	Official      bool    `json:"official"`   // published by the Qwen team
	Default       string  `json:"default"`    // quantization a bare short name picks
	Quants        []Quant `json:"quants"`
	MMProj        []Quant `json:"mmproj"` // vision tower files (Qwen3-VL)
	MMProjDefault string  `json:"mmproj_default"`
}

// WeightsRepo is the original safetensors repository.
type WeightsRepo struct {
	HF         string `json:"hf"`
	ModelScope string `json:"modelscope"`
	Size       int64  `json:"size"`
	Approx     bool   `json:"approx"`
}

// Quant is one quantization: its file, or the parts of a split GGUF in order.
type Quant struct {
	Quant string        `json:"quant"`
	Files []CatalogFile `json:"files"`
}

// CatalogFile is a file in a repository. Approx marks a size that was not checked against the hub.
type CatalogFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	Approx bool   `json:"approx"`
}

// Size is the total size of the quantization's files.
func (q *Quant) Size() int64 {
	var n int64
	for _, f := range q.Files {
		n += f.Size
	}
	return n
}

// Approx reports whether any file size of q is approximate.
func (q *Quant) Approx() bool {
	for _, f := range q.Files {
		if f.Approx {
			return true
		}
	}
	return false
}

// LoadCatalog parses the embedded catalog.
func LoadCatalog() (*Catalog, error) { return ParseCatalog(assets.CatalogJSON) }

// ParseCatalog parses and checks a catalog: unique names, default quantizations that exist, non-empty files.
func ParseCatalog(data []byte) (*Catalog, error) {
	var c Catalog
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("hub: catalog: %w", err)
	}
	if c.Schema != 1 {
		return nil, fmt.Errorf("hub: catalog: schema %d, want 1", c.Schema)
	}
	seen := map[string]bool{}
	for i, m := range c.Models {
		if m == nil || m.Name == "" || !strings.Contains(m.Name, ":") {
			return nil, fmt.Errorf("hub: catalog: model %d: name must be family:tag", i)
		}
		for _, n := range append([]string{m.Name}, m.Aliases...) {
			n = strings.ToLower(n)
			if seen[n] {
				return nil, fmt.Errorf("hub: catalog: %q: name used twice", n)
			}
			seen[n] = true
		}
		if m.GGUF == nil && m.Safetensors == nil {
			return nil, fmt.Errorf("hub: catalog: %s: no repository", m.Name)
		}
		if g := m.GGUF; g != nil {
			if g.HF == "" && g.ModelScope == "" {
				return nil, fmt.Errorf("hub: catalog: %s: GGUF entry without a repository", m.Name)
			}
			for _, qs := range [][]Quant{g.Quants, g.MMProj} {
				for _, q := range qs {
					if q.Quant == "" || len(q.Files) == 0 {
						return nil, fmt.Errorf("hub: catalog: %s: quantization %q has no files", m.Name, q.Quant)
					}
					for _, f := range q.Files {
						if f.Path == "" || f.Size <= 0 || (f.SHA256 != "" && !isHex(f.SHA256, 64)) {
							return nil, fmt.Errorf("hub: catalog: %s: %s: bad file entry %+v", m.Name, q.Quant, f)
						}
					}
				}
			}
			if _, ok := m.Quant(g.Default); !ok {
				return nil, fmt.Errorf("hub: catalog: %s: default quantization %q is not listed", m.Name, g.Default)
			}
			if m.Vision && len(g.MMProj) == 0 {
				return nil, fmt.Errorf("hub: catalog: %s: vision model without an mmproj file", m.Name)
			}
		}
	}
	return &c, nil
}

// Model returns the model with that short name or alias (case-insensitive), "qwen3:8b".
func (c *Catalog) Model(name string) (*CatalogModel, bool) {
	name = strings.ToLower(name)
	for _, m := range c.Models {
		if strings.ToLower(m.Name) == name {
			return m, true
		}
		for _, a := range m.Aliases {
			if strings.ToLower(a) == name {
				return m, true
			}
		}
	}
	return nil, false
}

// Lookup resolves a short name with an optional quantization suffix: "qwen3:8b" gives the model and its
// default quantization, "qwen3:8b-q4_k_m" the model and "Q4_K_M", "qwen3:0.6b-safetensors" the model and
// QuantSafetensors.
func (c *Catalog) Lookup(name string) (m *CatalogModel, quant string, ok bool) {
	if m, ok := c.Model(name); ok {
		if m.GGUF != nil {
			return m, m.GGUF.Default, true
		}
		return m, QuantSafetensors, true
	}
	// Try every split point from the right: "qwen3:30b-a3b-instruct-2507-q8_0".
	for i := len(name) - 1; i > 0; i-- {
		if name[i] != '-' {
			continue
		}
		m, ok := c.Model(name[:i])
		if !ok {
			continue
		}
		suffix := name[i+1:]
		if strings.EqualFold(suffix, QuantSafetensors) && m.Safetensors != nil {
			return m, QuantSafetensors, true
		}
		if q, ok := m.Quant(suffix); ok {
			return m, q.Quant, true
		}
	}
	return nil, "", false
}

// QuantSafetensors selects a model's original safetensors repository instead of a GGUF quantization.
const QuantSafetensors = "safetensors"

// Quant returns the GGUF quantization named q (case-insensitive).
func (m *CatalogModel) Quant(q string) (*Quant, bool) {
	if m.GGUF == nil {
		return nil, false
	}
	for i := range m.GGUF.Quants {
		if strings.EqualFold(m.GGUF.Quants[i].Quant, q) {
			return &m.GGUF.Quants[i], true
		}
	}
	return nil, false
}

// MMProj returns the vision projector to use with the model: the one named q, or the default.
func (m *CatalogModel) MMProj(q string) (*Quant, bool) {
	if m.GGUF == nil || len(m.GGUF.MMProj) == 0 {
		return nil, false
	}
	if q == "" {
		q = m.GGUF.MMProjDefault
	}
	for i := range m.GGUF.MMProj {
		if strings.EqualFold(m.GGUF.MMProj[i].Quant, q) {
			return &m.GGUF.MMProj[i], true
		}
	}
	return &m.GGUF.MMProj[0], true
}

// QuantNames lists the quantizations of m in catalog order, plus "safetensors" when it has that repository.
func (m *CatalogModel) QuantNames() []string {
	var out []string
	if m.GGUF != nil {
		for _, q := range m.GGUF.Quants {
			out = append(out, q.Quant)
		}
	}
	if m.Safetensors != nil {
		out = append(out, QuantSafetensors)
	}
	return out
}

// ByRepo finds the catalog model a GGUF or safetensors repository belongs to (case-insensitive).
func (c *Catalog) ByRepo(repo string) (*CatalogModel, bool) {
	for _, m := range c.Models {
		for _, r := range m.repos() {
			if r != "" && strings.EqualFold(r, repo) {
				return m, true
			}
		}
	}
	return nil, false
}

func (m *CatalogModel) repos() []string {
	var r []string
	if m.GGUF != nil {
		r = append(r, m.GGUF.HF, m.GGUF.ModelScope)
	}
	if m.Safetensors != nil {
		r = append(r, m.Safetensors.HF, m.Safetensors.ModelScope)
	}
	return r
}

// ByFile finds the catalog model and quantization a GGUF file name belongs to, matching the base name
// (case-insensitive) so that copies of the official files in other tools' folders are recognised, also
// under llama.cpp's ORG_REPO_FILE names.
func (c *Catalog) ByFile(name string) (m *CatalogModel, quant string, ok bool) {
	name = strings.ToLower(baseName(name))
	for _, m := range c.Models {
		if m.GGUF == nil {
			continue
		}
		for _, q := range m.GGUF.Quants {
			for _, f := range q.Files {
				if b := strings.ToLower(baseName(f.Path)); b == name || strings.HasSuffix(name, "_"+b) {
					return m, q.Quant, true
				}
			}
		}
	}
	return nil, "", false
}

// Names returns every short name in the catalog, sorted.
func (c *Catalog) Names() []string {
	var out []string
	for _, m := range c.Models {
		out = append(out, m.Name)
	}
	sort.Strings(out)
	return out
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
