package tokenizer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
)

const benchSize = 300 << 10 // bytes per corpus

// benchTexts builds the three benchmark corpora (about 300 KB each) from material at hand instead of
// committed files: English prose from the comments of the Go standard library, Go code from its sources,
// and Chinese text sampled from the Han words of the vocabulary (lower ids first, roughly Zipfian).
var benchTexts = sync.OnceValues(func() (map[string]string, error) {
	src := filepath.Join(runtime.GOROOT(), "src", "net", "http")
	files, err := filepath.Glob(filepath.Join(src, "*.go"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no Go sources in %s", src)
	}
	slices.Sort(files)
	var code, prose strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if code.Len() < benchSize {
			code.Write(data)
		}
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if c, ok := strings.CutPrefix(line, "// "); ok && prose.Len() < benchSize && !strings.ContainsAny(c, "{}();=") {
				prose.WriteString(c)
				prose.WriteByte(' ')
				if strings.HasSuffix(c, ".") {
					prose.WriteString("\n")
				}
			}
		}
	}
	if prose.Len() < benchSize/2 {
		return nil, fmt.Errorf("only %d bytes of comments in %s", prose.Len(), src)
	}
	return map[string]string{"english": prose.String(), "gocode": code.String()}, nil
})

func chineseText(tok *Tokenizer) string {
	var words []string
	for id := range int32(151643) {
		w := tok.Decode([]int32{id})
		if w != "" && strings.IndexFunc(w, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) < 0 {
			words = append(words, w)
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	punct := []string{"，", "。", "、", "：", "；", "！", "？", "“", "”", "\n"}
	var sb strings.Builder
	for sb.Len() < benchSize {
		// Squaring a uniform variable favours early (more frequent) vocabulary entries.
		u := rng.Float64()
		sb.WriteString(words[int(u*u*float64(len(words)))])
		if rng.IntN(6) == 0 {
			sb.WriteString(punct[rng.IntN(len(punct))])
		}
	}
	return sb.String()
}

func benchCorpora(b *testing.B, tok *Tokenizer) map[string]string {
	texts, err := benchTexts()
	if err != nil {
		b.Skip(err)
	}
	out := map[string]string{"chinese": chineseText(tok)}
	for k, v := range texts {
		out[k] = v
	}
	return out
}

// BenchmarkEncode measures Encode throughput with a warm word cache, like a long-running process. Besides
// the wall-clock MB/s it reports cpu-MB/s, bytes per second of this process's CPU time, which stays
// meaningful on a machine shared with other work.
func BenchmarkEncode(b *testing.B) {
	benchEncode(b, false)
}

// BenchmarkEncodeCold empties the word cache before each pass: the cost of text never seen before.
func BenchmarkEncodeCold(b *testing.B) {
	benchEncode(b, true)
}

func benchEncode(b *testing.B, cold bool) {
	tok := qwen3(b)
	texts := benchCorpora(b, tok)
	for _, name := range []string{"english", "chinese", "gocode"} {
		text := texts[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			tok.Encode(text)
			cpu0 := processCPU()
			n := 0
			for b.Loop() {
				if cold {
					tok.cache.mu.Lock()
					clear(tok.cache.m)
					tok.cache.mu.Unlock()
				}
				tok.Encode(text)
				n++
			}
			if cpu := processCPU() - cpu0; cpu > 0 {
				b.ReportMetric(float64(n*len(text))/1e6/cpu.Seconds(), "cpu-MB/s")
			}
		})
	}
}

// BenchmarkEncodeReference runs testdata/gen/bench.js on the same texts and reports the reference
// tokenizers' throughput as metrics (js-MB/s: transformers.js, hf-MB/s: Hugging Face tokenizers), so one
// `go test -bench` run gives both sides; it also checks that all three give the same ids for the ~1 MB of
// text. It needs node and `npm install` in testdata/gen (skipped otherwise).
func BenchmarkEncodeReference(b *testing.B) {
	tok := qwen3(b)
	if _, err := exec.LookPath("node"); err != nil {
		b.Skip("node not installed")
	}
	if _, err := os.Stat("testdata/gen/node_modules/tokenizers"); err != nil {
		b.Skip("reference packages not installed: run npm install in testdata/gen")
	}
	texts := benchCorpora(b, tok)
	dir := b.TempDir()
	names := []string{"english", "chinese", "gocode"}
	args := []string{"bench.js"}
	for _, name := range names {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(texts[name]), 0o644); err != nil {
			b.Fatal(err)
		}
		args = append(args, p)
	}
	cmd := exec.Command("node", args...)
	cmd.Dir = "testdata/gen"
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("node bench.js: %v\n%s", err, stderr.String())
	}
	var res map[string]struct {
		Bytes     int     `json:"bytes"`
		JSMBps    float64 `json:"js_mbps"`
		HFMBps    float64 `json:"hf_mbps"`
		JSCPUMBps float64 `json:"js_cpu_mbps"`
		HFCPUMBps float64 `json:"hf_cpu_mbps"`
		JSIDs     []int32 `json:"js_ids"`
		HFIDs     []int32 `json:"hf_ids"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		b.Fatalf("bench.js output %q: %v", out, err)
	}
	for _, name := range names {
		r := res[name]
		if r.Bytes != len(texts[name]) {
			b.Fatalf("%s: bench.js read %d bytes, want %d", name, r.Bytes, len(texts[name]))
		}
		// The comparison is only fair if all three produce the same ids.
		ids := tok.Encode(texts[name])
		if !slices.Equal(ids, r.HFIDs) || !slices.Equal(ids, r.JSIDs) {
			b.Fatalf("%s: ids differ from the references (Go %d ids, HF %d, JS %d)", name, len(ids), len(r.HFIDs), len(r.JSIDs))
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
			}
			b.ReportMetric(r.JSMBps, "js-MB/s")
			b.ReportMetric(r.HFMBps, "hf-MB/s")
			b.ReportMetric(r.JSCPUMBps, "js-cpu-MB/s")
			b.ReportMetric(r.HFCPUMBps, "hf-cpu-MB/s")
		})
	}
}
