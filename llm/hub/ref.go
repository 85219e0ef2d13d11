package hub

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// RefKind says what a model reference names.
type RefKind int

const (
	RefCatalog RefKind = iota + 1 // a short name from the catalog, "qwen3:8b-q4_k_m"
	RefRepo                       // a hub repository, "hf://Qwen/Qwen3-8B-GGUF:Q8_0"
	RefLocal                      // a file or folder on disk
)

// Ref is a parsed model reference.
type Ref struct {
	Raw  string
	Kind RefKind

	// Catalog references (and repository references to a repository the catalog knows).
	Model *CatalogModel
	Quant string // the chosen quantization, or QuantSafetensors

	// Repository references.
	Source   string // SourceHF, SourceModelScope, or "" for the caller's default
	Repo     string // "ORG/NAME"
	Revision string // branch, tag or commit; "" for the default branch
	Selector string // a file path in the repository, or a quantization name; "" to pick one

	// Local references.
	Path string
}

// ParseRef parses a model reference:
//
//	qwen3:8b, qwen3:8b-q4_k_m, qwen3-vl:4b, qwen3:0.6b-safetensors   catalog short names
//	hf://ORG/REPO[@REV][:FILE_OR_QUANT]                              a Hugging Face repository
//	ms://ORG/REPO[@REV][:FILE_OR_QUANT] (or modelscope://)           a ModelScope repository
//	ORG/REPO[:FILE_OR_QUANT]                                         a repository on the default source
//	/path/model.gguf, ./dir, ~/models/x.gguf                         a local file or folder
func ParseRef(s string, cat *Catalog) (Ref, error) {
	raw := s
	s = strings.TrimSpace(s)
	if s == "" {
		return Ref{}, fmt.Errorf("hub: empty model reference")
	}
	for prefix, source := range map[string]string{"hf://": SourceHF, "ms://": SourceModelScope, "modelscope://": SourceModelScope} {
		if rest, ok := strings.CutPrefix(s, prefix); ok {
			r, err := parseRepoRef(rest, cat)
			if err != nil {
				return Ref{}, fmt.Errorf("hub: %q: %w", raw, err)
			}
			r.Raw, r.Source = raw, source
			return r, nil
		}
	}
	if looksLocal(s) {
		p, err := expandHome(s)
		if err != nil {
			return Ref{}, fmt.Errorf("hub: %q: %w", raw, err)
		}
		return Ref{Raw: raw, Kind: RefLocal, Path: p}, nil
	}
	if cat != nil {
		if m, q, ok := cat.Lookup(s); ok {
			return Ref{Raw: raw, Kind: RefCatalog, Model: m, Quant: q}, nil
		}
	}
	// ORG/REPO without a scheme, when it is not a folder that exists.
	if repo, _, _ := strings.Cut(s, ":"); strings.Count(repo, "/") == 1 && !strings.ContainsAny(repo, `\ `) {
		if _, err := os.Stat(s); err != nil {
			r, err := parseRepoRef(s, cat)
			if err == nil {
				r.Raw = raw
				return r, nil
			}
		}
	}
	if _, err := os.Stat(s); err == nil {
		return Ref{Raw: raw, Kind: RefLocal, Path: s}, nil
	}
	return Ref{}, fmt.Errorf("hub: unknown model %q: not a catalog name (%s), hf://ORG/REPO[:FILE_OR_QUANT] or an existing path",
		raw, strings.Join(shortList(cat), ", "))
}

func parseRepoRef(s string, cat *Catalog) (Ref, error) {
	repo, sel, _ := strings.Cut(s, ":")
	repo, rev, _ := strings.Cut(repo, "@")
	parts := strings.Split(repo, "/")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" || strings.ContainsAny(repo, ` \`) || strings.Contains(repo, "..") {
		return Ref{}, fmt.Errorf("repository must be ORG/NAME, got %q", repo)
	}
	if strings.Contains(sel, "..") || strings.HasPrefix(sel, "/") {
		return Ref{}, fmt.Errorf("bad file %q", sel)
	}
	r := Ref{Kind: RefRepo, Repo: repo, Revision: rev, Selector: sel}
	if cat != nil {
		if m, ok := cat.ByRepo(repo); ok {
			r.Model = m
		}
	}
	return r, nil
}

// looksLocal reports whether s is written as a path rather than a name.
func looksLocal(s string) bool {
	if filepath.IsAbs(s) || filepath.VolumeName(s) != "" {
		return true
	}
	for _, p := range []string{"./", "../", "~/", `.\`, `..\`, `~\`} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return s == "." || s == ".." || s == "~" || strings.HasSuffix(strings.ToLower(s), ".gguf")
}

func expandHome(p string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") && !strings.HasPrefix(p, `~\`) {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, p[1:]), nil
}

// shortList names a few catalog models for error messages.
func shortList(cat *Catalog) []string {
	if cat == nil {
		return []string{"no catalog"}
	}
	var out []string
	for _, m := range cat.Models {
		if len(out) == 6 {
			out = append(out, "...")
			break
		}
		out = append(out, m.Name)
	}
	return out
}

// String gives the reference in its canonical form.
func (r Ref) String() string {
	switch r.Kind {
	case RefCatalog:
		if r.Model.GGUF != nil && strings.EqualFold(r.Quant, r.Model.GGUF.Default) {
			return r.Model.Name
		}
		return r.Model.Name + "-" + strings.ToLower(r.Quant)
	case RefRepo:
		s := "hf://"
		if r.Source == SourceModelScope {
			s = "ms://"
		}
		s += r.Repo
		if r.Revision != "" {
			s += "@" + r.Revision
		}
		if r.Selector != "" {
			s += ":" + r.Selector
		}
		return s
	default:
		return r.Path
	}
}
