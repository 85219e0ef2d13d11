package hub

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
)

// selection is the set of repository files that make up one model.
type selection struct {
	files  []string // GGUF: the model file, or the parts of a split file in order; safetensors: every needed file
	mmproj string   // vision projector (GGUF), "" if none
	folder bool     // the files form a Hugging Face model folder (safetensors)
}

var (
	splitRE = regexp.MustCompile(`(?i)(-split)?-(\d{5})-of-(\d{5})$`)
	quantRE = regexp.MustCompile(`(?i)^(I?Q\d\w*|TQ\d_\d|BF16|F16|F32|MXFP4\w*)$`)
)

// quantOf extracts the quantization from a GGUF file name: "Qwen3-8B-Q4_K_M.gguf" -> "Q4_K_M",
// "Q4_K_M/Qwen3-235B-A22B-Q4_K_M-00001-of-00005.gguf" -> "Q4_K_M". "" when the name does not say.
func quantOf(name string) string {
	stem := splitRE.ReplaceAllString(strings.TrimSuffix(baseName(name), path.Ext(name)), "")
	i := strings.LastIndexAny(stem, "-.")
	if i < 0 {
		return ""
	}
	q := strings.ToUpper(stem[i+1:])
	if !quantRE.MatchString(q) {
		return ""
	}
	return q
}

// splitKey identifies the file a split part belongs to, and the part number (0 when not split).
func splitKey(name string) (key string, part, of int) {
	stem := strings.TrimSuffix(name, path.Ext(name))
	m := splitRE.FindStringSubmatchIndex(stem)
	if m == nil {
		return name, 0, 0
	}
	fmt.Sscan(stem[m[4]:m[5]], &part)
	fmt.Sscan(stem[m[6]:m[7]], &of)
	return stem[:m[0]], part, of
}

func isMMProj(name string) bool { return strings.Contains(strings.ToLower(baseName(name)), "mmproj") }

func isGGUF(name string) bool { return strings.EqualFold(path.Ext(name), ".gguf") }

// folderFile reports whether a file belongs in a safetensors model folder: weights, configs, tokenizer.
func folderFile(name string) bool {
	b := strings.ToLower(baseName(name))
	switch {
	case strings.HasSuffix(b, ".safetensors"), strings.HasSuffix(b, ".safetensors.index.json"):
		return !strings.Contains(name, "/") // sub-folders hold other formats (onnx/, original/)
	case b == "config.json", b == "generation_config.json", b == "tokenizer.json", b == "tokenizer_config.json",
		b == "vocab.json", b == "merges.txt", b == "special_tokens_map.json", b == "added_tokens.json",
		b == "preprocessor_config.json", b == "video_preprocessor_config.json", b == "chat_template.json",
		b == "chat_template.jinja":
		return !strings.Contains(name, "/")
	}
	return false
}

// selectFiles picks a model's files from a repository listing. sel is a file path, a quantization, or ""
// (the catalog's default quantization, else Q4_K_M, Q8_0 or the only GGUF, else the safetensors folder).
func selectFiles(files []string, sel string, m *CatalogModel) (selection, error) {
	sort.Strings(files)
	var models, mm []string
	hasWeights := false
	for _, f := range files {
		switch {
		case isGGUF(f) && isMMProj(f):
			mm = append(mm, f)
		case isGGUF(f):
			models = append(models, f)
		case strings.HasSuffix(strings.ToLower(f), ".safetensors"):
			hasWeights = true
		}
	}
	var s selection
	switch {
	case strings.EqualFold(sel, QuantSafetensors) || (sel == "" && len(models) == 0 && hasWeights):
		if !hasWeights {
			return s, fmt.Errorf("no safetensors files")
		}
		for _, f := range files {
			if folderFile(f) {
				s.files = append(s.files, f)
			}
		}
		s.folder = true
		return s, nil
	case isGGUF(sel) || strings.Contains(sel, "/"):
		found := false
		for _, f := range files {
			found = found || f == sel
		}
		if !found {
			return s, fmt.Errorf("no file %q (GGUF files: %s)", sel, strings.Join(models, ", "))
		}
		s.files = groupOf(models, sel)
		if len(s.files) == 0 {
			s.files = []string{sel}
		}
	default:
		q := sel
		if q == "" && m != nil && m.GGUF != nil {
			q = m.GGUF.Default
		}
		groups := map[string][]string{}
		var keys []string
		pick := func(q string) {
			for _, f := range models {
				if strings.EqualFold(quantOf(f), q) {
					k, _, _ := splitKey(f)
					if groups[k] == nil {
						keys = append(keys, k)
					}
					groups[k] = append(groups[k], f)
				}
			}
		}
		if q != "" {
			pick(q)
		} else {
			for _, pref := range []string{"Q4_K_M", "Q8_0"} {
				if pick(pref); len(keys) > 0 {
					break
				}
			}
			if len(keys) == 0 { // neither: take the repository's only GGUF, whole
				for _, f := range models {
					k, _, _ := splitKey(f)
					if groups[k] == nil {
						keys = append(keys, k)
					}
					groups[k] = append(groups[k], f)
				}
				if len(keys) > 1 {
					return s, fmt.Errorf("the repository has several GGUF files (%s); add :QUANT or :FILE", strings.Join(quants(models), ", "))
				}
			}
		}
		switch len(keys) {
		case 0:
			if len(models) == 0 {
				return s, fmt.Errorf("no GGUF files in the repository")
			}
			return s, fmt.Errorf("no %s file; available: %s", orAny(q), strings.Join(quants(models), ", "))
		case 1:
			s.files = groups[keys[0]]
		default:
			return s, fmt.Errorf("%s matches several files: %s; name one", orAny(q), strings.Join(keys, ", "))
		}
	}
	if len(mm) > 0 {
		s.mmproj = pickMMProj(mm, m)
	}
	return s, nil
}

func orAny(q string) string {
	if q == "" {
		return "a default"
	}
	return q
}

// groupOf returns every part of the split file f belongs to, in order; just f when it is not split.
func groupOf(models []string, f string) []string {
	key, part, _ := splitKey(f)
	if part == 0 {
		return []string{f}
	}
	var out []string
	for _, g := range models {
		if k, p, _ := splitKey(g); k == key && p > 0 {
			out = append(out, g)
		}
	}
	sort.Strings(out)
	return out
}

func quants(models []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range models {
		q := quantOf(f)
		if q == "" {
			q = baseName(f)
		}
		if !seen[q] {
			seen[q] = true
			out = append(out, q)
		}
	}
	sort.Strings(out)
	return out
}

// pickMMProj chooses the vision projector: the catalog's default, else F16 (the precision the projector
// is published in), else the first.
func pickMMProj(mm []string, m *CatalogModel) string {
	if m != nil {
		if q, ok := m.MMProj(""); ok {
			for _, f := range mm {
				if f == q.Files[0].Path {
					return f
				}
			}
		}
	}
	for _, f := range mm {
		if strings.Contains(strings.ToUpper(baseName(f)), "F16") && !strings.Contains(strings.ToUpper(baseName(f)), "BF16") {
			return f
		}
	}
	return mm[0]
}

// splitComplete checks that parts hold every part 1..N of a split file.
func splitComplete(parts []string) error {
	if len(parts) < 2 {
		return nil
	}
	_, part, of := splitKey(parts[0])
	if part > 0 && of != len(parts) {
		return fmt.Errorf("split GGUF %s has %d of %d parts", parts[0], len(parts), of)
	}
	return nil
}
