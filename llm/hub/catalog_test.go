package hub

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEmbeddedCatalog(t *testing.T) {
	cat, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	// Every model the issue lists is there.
	for _, name := range []string{"qwen3:0.6b", "qwen3:1.7b", "qwen3:4b", "qwen3:8b", "qwen3:14b", "qwen3:32b",
		"qwen3:30b-a3b", "qwen3:235b-a22b", "qwen3:4b-instruct-2507", "qwen3:4b-thinking-2507",
		"qwen3:30b-a3b-instruct-2507", "qwen3:30b-a3b-thinking-2507", "qwen3:235b-a22b-instruct-2507",
		"qwen3:235b-a22b-thinking-2507", "qwen3-vl:2b", "qwen3-vl:4b", "qwen3-vl:8b", "qwen3-vl:32b",
		"qwen3-vl:30b-a3b", "qwen3-vl:2b-thinking", "qwen3-vl:4b-thinking", "qwen3-vl:8b-thinking",
		"qwen3-vl:32b-thinking", "qwen3-vl:30b-a3b-thinking"} {
		m, ok := cat.Model(name)
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		if m.Description == "" || m.ContextLength < 32768 || m.Dims.Layers == 0 || m.Dims.KVHeads == 0 || m.Dims.HeadDim == 0 {
			t.Errorf("%s: incomplete entry %+v", name, m)
		}
		if m.Safetensors == nil || !strings.HasPrefix(m.Safetensors.HF, "Qwen/") {
			t.Errorf("%s: no official safetensors repository", name)
		}
		if m.Vision {
			if _, ok := m.MMProj(""); !ok {
				t.Errorf("%s: vision model without a projector", name)
			}
			if m.GGUF.ModelScope == "" {
				t.Errorf("%s: no ModelScope repository", name)
			}
		}
	}
	// Sizes the catalog calls exact come with the hub's checksum or were read off the hub's listing; the
	// well-known ones are spot-checked here against the published byte counts.
	m, _ := cat.Model("qwen3:8b")
	q, _ := m.Quant("q4_k_m")
	if q.Files[0].Path != "Qwen3-8B-Q4_K_M.gguf" || q.Size() != 5027783488 || q.Approx() || len(q.Files[0].SHA256) != 64 {
		t.Errorf("qwen3:8b Q4_K_M: %+v", q)
	}
	m, _ = cat.Model("qwen3:235b-a22b")
	q, _ = m.Quant("Q4_K_M")
	if len(q.Files) != 5 || !strings.HasPrefix(q.Files[0].Path, "Q4_K_M/") {
		t.Errorf("235B split files: %+v", q.Files)
	}
	for _, m := range cat.Models {
		if m.GGUF == nil {
			continue
		}
		for _, q := range m.GGUF.Quants {
			if got := quantOf(q.Files[0].Path); got != strings.ToUpper(q.Quant) {
				t.Errorf("%s: file %s reads as quantization %q, listed as %q", m.Name, q.Files[0].Path, got, q.Quant)
			}
		}
	}
}

func TestCatalogLookup(t *testing.T) {
	cat, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, model, quant string }{
		{"qwen3:8b", "qwen3:8b", "Q4_K_M"},
		{"QWEN3:8B-Q8_0", "qwen3:8b", "Q8_0"},
		{"qwen3:8b-q4_k_m", "qwen3:8b", "Q4_K_M"},
		{"qwen3:0.6b", "qwen3:0.6b", "Q8_0"},
		{"qwen3:30b-a3b-instruct-2507-q8_0", "qwen3:30b-a3b-instruct-2507", "Q8_0"},
		{"qwen3-vl:4b", "qwen3-vl:4b", "Q4_K_M"},
		{"qwen3-vl:4b-instruct", "qwen3-vl:4b", "Q4_K_M"},
		{"qwen3-vl:8b-thinking-f16", "qwen3-vl:8b-thinking", "F16"},
		{"qwen3:0.6b-safetensors", "qwen3:0.6b", QuantSafetensors},
		{"qwen3:235b-a22b-thinking-2507", "qwen3:235b-a22b-thinking-2507", QuantSafetensors},
	}
	for _, tc := range tests {
		m, q, ok := cat.Lookup(tc.in)
		if !ok || m.Name != tc.model || q != tc.quant {
			t.Errorf("Lookup(%q) = %v %q %v, want %s %s", tc.in, m, q, ok, tc.model, tc.quant)
		}
	}
	for _, bad := range []string{"qwen3:9b", "qwen3:8b-q2_k", "qwen3", "qwen3:8b-", ""} {
		if _, _, ok := cat.Lookup(bad); ok {
			t.Errorf("Lookup(%q) succeeded", bad)
		}
	}
}

func TestParseCatalogRejectsBadEntries(t *testing.T) {
	for name, js := range map[string]string{
		"schema":        `{"schema":2,"models":[]}`,
		"no colon":      `{"schema":1,"models":[{"name":"qwen3","safetensors":{"hf":"a/b"}}]}`,
		"duplicate":     `{"schema":1,"models":[{"name":"a:b","safetensors":{"hf":"a/b"}},{"name":"a:c","aliases":["A:B"],"safetensors":{"hf":"a/b"}}]}`,
		"no repository": `{"schema":1,"models":[{"name":"a:b"}]}`,
		"bad default":   `{"schema":1,"models":[{"name":"a:b","gguf":{"hf":"a/b","default":"Q8_0","quants":[{"quant":"Q4_K_M","files":[{"path":"x.gguf","size":1}]}]}}]}`,
		"bad sha":       `{"schema":1,"models":[{"name":"a:b","gguf":{"hf":"a/b","default":"Q8_0","quants":[{"quant":"Q8_0","files":[{"path":"x.gguf","size":1,"sha256":"xyz"}]}]}}]}`,
		"vision no mm":  `{"schema":1,"models":[{"name":"a:b","vision":true,"gguf":{"hf":"a/b","default":"Q8_0","quants":[{"quant":"Q8_0","files":[{"path":"x.gguf","size":1}]}]}}]}`,
		"not json":      `{"schema":1,`,
	} {
		if _, err := ParseCatalog([]byte(js)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseRef(t *testing.T) {
	cat, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	local := filepath.Join(dir, "m.gguf")
	os.WriteFile(local, []byte("x"), 0o644)
	tests := []struct {
		in   string
		want Ref
	}{
		{"qwen3:8b-q8_0", Ref{Kind: RefCatalog, Quant: "Q8_0"}},
		{"hf://Qwen/Qwen3-8B-GGUF", Ref{Kind: RefRepo, Source: SourceHF, Repo: "Qwen/Qwen3-8B-GGUF"}},
		{"hf://Qwen/Qwen3-8B-GGUF:Q5_K_M", Ref{Kind: RefRepo, Source: SourceHF, Repo: "Qwen/Qwen3-8B-GGUF", Selector: "Q5_K_M"}},
		{"hf://a/b@v1.0:dir/f.gguf", Ref{Kind: RefRepo, Source: SourceHF, Repo: "a/b", Revision: "v1.0", Selector: "dir/f.gguf"}},
		{"ms://Qwen/Qwen3-8B-GGUF", Ref{Kind: RefRepo, Source: SourceModelScope, Repo: "Qwen/Qwen3-8B-GGUF"}},
		{"modelscope://a/b", Ref{Kind: RefRepo, Source: SourceModelScope, Repo: "a/b"}},
		{"bartowski/Qwen_Qwen3-8B-GGUF:Q4_K_M", Ref{Kind: RefRepo, Repo: "bartowski/Qwen_Qwen3-8B-GGUF", Selector: "Q4_K_M"}},
		{local, Ref{Kind: RefLocal, Path: local}},
		{"./models/x.gguf", Ref{Kind: RefLocal, Path: "./models/x.gguf"}},
	}
	for _, tc := range tests {
		r, err := ParseRef(tc.in, cat)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		r.Raw, r.Model = "", nil
		if r != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.in, r, tc.want)
		}
	}
	if r, _ := ParseRef("hf://Qwen/Qwen3-8B-GGUF", cat); r.Model == nil || r.Model.Name != "qwen3:8b" {
		t.Error("a catalog repository is not connected to its catalog model")
	}
	for _, bad := range []string{"", "qwen3:9b", "hf://just-one", "hf://a/b/c", "hf://a/b:../x", "hf:// /b"} {
		if _, err := ParseRef(bad, cat); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
	_, err = ParseRef("qwen3:9b", cat)
	if err == nil || !strings.Contains(err.Error(), "qwen3:0.6b") {
		t.Errorf("unknown name error %q does not suggest names", err)
	}
}

func TestRefStringRoundTrips(t *testing.T) {
	cat, _ := LoadCatalog()
	for _, s := range []string{"qwen3:8b", "qwen3:8b-q8_0", "qwen3-vl:4b-thinking", "hf://a/b@main:x.gguf", "ms://a/b", "qwen3:0.6b-safetensors"} {
		r, err := ParseRef(s, cat)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.String(); got != s {
			t.Errorf("%s -> %s", s, got)
		}
	}
}

func TestQuantAndSplitNames(t *testing.T) {
	for name, want := range map[string]string{
		"Qwen3-8B-Q4_K_M.gguf": "Q4_K_M", "qwen2.5-7b-instruct-q4_k_m.gguf": "Q4_K_M", "Qwen3VL-8B-Instruct-F16.gguf": "F16",
		"Q4_K_M/Qwen3-235B-A22B-Q4_K_M-00001-of-00005.gguf": "Q4_K_M", "Qwen3VL-32B-Instruct-F16-split-00001-of-00002.gguf": "F16",
		"Qwen-1_8B.IQ4_XS.gguf": "IQ4_XS", "model.gguf": "", "Qwen3-8B-UD-Q4_K_XL.gguf": "Q4_K_XL", "x-BF16.gguf": "BF16",
	} {
		if got := quantOf(name); got != want {
			t.Errorf("quantOf(%s) = %q, want %q", name, got, want)
		}
	}
	key, part, of := splitKey("Q4_K_M/Big-Q4_K_M-00002-of-00005.gguf")
	if key != "Q4_K_M/Big-Q4_K_M" || part != 2 || of != 5 {
		t.Errorf("splitKey = %s %d %d", key, part, of)
	}
	if err := splitComplete([]string{"a-00001-of-00003.gguf", "a-00002-of-00003.gguf"}); err == nil {
		t.Error("a split file with a part missing counted as complete")
	}
}

func FuzzParseRef(f *testing.F) {
	cat, err := LoadCatalog()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"qwen3:8b", "hf://Qwen/Qwen3-8B-GGUF:Q8_0", "ms://a/b@rev:c/d.gguf", "./x.gguf", "a/b:c", "qwen3-vl:4b-thinking-f16", "hf://a/b@:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRef(s, cat)
		if err != nil {
			return
		}
		switch r.Kind {
		case RefCatalog:
			if r.Model == nil || r.Quant == "" {
				t.Fatalf("%q: catalog ref without model or quant: %+v", s, r)
			}
			// The canonical form parses back to the same model and quantization.
			r2, err := ParseRef(r.String(), cat)
			if err != nil || r2.Model != r.Model || !strings.EqualFold(r2.Quant, r.Quant) {
				t.Fatalf("%q -> %q -> %+v, %v", s, r.String(), r2, err)
			}
		case RefRepo:
			if strings.Count(r.Repo, "/") != 1 || strings.Contains(r.Selector, "..") {
				t.Fatalf("%q: bad repo ref %+v", s, r)
			}
		case RefLocal:
			if r.Path == "" {
				t.Fatalf("%q: empty path", s)
			}
		default:
			t.Fatalf("%q: kind %d", s, r.Kind)
		}
	})
}

func FuzzParseCatalog(f *testing.F) {
	cat, err := os.ReadFile(filepath.Join("..", "..", "assets", "catalog.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(cat)
	f.Add([]byte(`{"schema":1,"models":[{"name":"a:b","gguf":{"hf":"a/b","default":"Q8_0","quants":[{"quant":"Q8_0","files":[{"path":"x.gguf","size":1}]}]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCatalog(data)
		if err != nil {
			return
		}
		for _, m := range c.Models {
			if _, _, ok := c.Lookup(m.Name); !ok {
				t.Fatalf("%s does not look itself up", m.Name)
			}
		}
	})
}

func FuzzContentRange(f *testing.F) {
	for _, s := range []string{"bytes 0-9/10", "bytes 5-9/*", "bytes 9-5/10", "bytes -1-2/3", "bytes 1-2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, b, total, ok := parseContentRange(s)
		if ok && (a < 0 || b < a || (total != -1 && total < 0)) {
			t.Fatalf("%q -> %d %d %d", s, a, b, total)
		}
	})
}
