package hub

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qwenstudio/qwenstudio/llm/hub/hubtest"
)

func TestPullCatalogModelIntoHFLayout(t *testing.T) {
	fx := newFixture(t, 1<<20)
	res, err := fx.pull(t, "qwen3:tiny")
	if err != nil {
		t.Fatal(err)
	}
	sameContent(t, res.Path, fx.q8)
	repoDir := filepath.Join(fx.opts.CacheDir, "models--test--Tiny-GGUF")
	wantPath := filepath.Join(repoDir, "snapshots", fx.commit, "Tiny-Q8_0.gguf")
	if res.Path != wantPath {
		t.Errorf("path %s, want %s", res.Path, wantPath)
	}
	// huggingface_hub's layout: a relative symlink into blobs/SHA256, and refs/main holding the commit.
	link, err := os.Readlink(wantPath)
	if err != nil {
		t.Fatal(err)
	}
	if link != filepath.Join("..", "..", "blobs", hubtest.SHA256(fx.q8)) {
		t.Errorf("symlink target %q", link)
	}
	if ref, _ := os.ReadFile(filepath.Join(repoDir, "refs", "main")); string(ref) != fx.commit {
		t.Errorf("refs/main = %q, want %q", ref, fx.commit)
	}
	noFileWithSuffix(t, fx.opts.CacheDir, ".incomplete", stateSuffix)
	if last := fx.lastProgress; last.Phase != PhaseDone || last.AllDone != int64(len(fx.q8)) || last.AllTotal != int64(len(fx.q8)) {
		t.Errorf("last progress %+v", last)
	}

	// Resolve finds it without the network; a second pull downloads nothing.
	fx.srv.ResetStats()
	p, err := Resolve(context.Background(), "qwen3:tiny", fx.opts)
	if err != nil || p != wantPath {
		t.Fatalf("Resolve = %q, %v", p, err)
	}
	if _, err := fx.pull(t, "qwen3:tiny"); err != nil {
		t.Fatal(err)
	}
	if st := fx.srv.Stats(); st.DataRequests+st.HeadRequests+st.APIRequests != 0 {
		t.Errorf("second pull contacted the hub: %+v", st)
	}
}

func TestResolveSaysWhatToDownload(t *testing.T) {
	fx := newFixture(t, 1000)
	_, err := Resolve(context.Background(), "qwen3:tiny-q4_k_m", fx.opts)
	var nd *NotDownloadedError
	if !errors.As(err, &nd) || !errors.Is(err, ErrNotDownloaded) {
		t.Fatalf("err = %v, want NotDownloadedError", err)
	}
	if nd.Size != int64(len(fx.q4)) || len(nd.Missing) != 1 || nd.Missing[0] != "Tiny-Q4_K_M.gguf" {
		t.Errorf("got %+v", nd)
	}
	if !strings.Contains(err.Error(), "qwen3 pull qwen3:tiny-q4_k_m") {
		t.Errorf("message %q does not say how to get it", err)
	}
	if st := fx.srv.Stats(); st.DataRequests+st.HeadRequests+st.APIRequests != 0 {
		t.Errorf("Resolve contacted the hub: %+v", st)
	}
}

func TestPullVisionModelFetchesProjector(t *testing.T) {
	fx := newFixture(t, 1000)
	res, err := fx.pull(t, "qwen3-vl:tiny")
	if err != nil {
		t.Fatal(err)
	}
	sameContent(t, res.Path, fx.vl)
	sameContent(t, res.MMProj, fx.mm)
	if fx.lastProgress.Files != 2 || fx.lastProgress.AllDone != int64(len(fx.vl)+len(fx.mm)) {
		t.Errorf("progress %+v", fx.lastProgress)
	}
}

func TestPullResumesAfterDroppedConnection(t *testing.T) {
	fx := newFixture(t, 4<<20)
	fx.opts.Download.Parallel = 1
	size := int64(len(fx.q8))
	fx.srv.SetFaults(hubtest.Faults{Drops: 2, DropAfter: size / 3})
	res, err := fx.pull(t, "qwen3:tiny")
	if err != nil {
		t.Fatal(err)
	}
	sameContent(t, res.Path, fx.q8)
	st := fx.srv.Stats()
	if st.DataRequests != 3 {
		t.Errorf("%d data requests, want 3 (two cut, then the rest)", st.DataRequests)
	}
	if len(st.RangeStarts) != 3 || st.RangeStarts[1] < size/3 || st.RangeStarts[2] < 2*(size/3) {
		t.Errorf("range starts %v: each retry should continue where the last stopped", st.RangeStarts)
	}
	if st.BytesServed > size+size/10 {
		t.Errorf("served %d bytes for a %d-byte file: it started over", st.BytesServed, size)
	}
}

// interrupt starts a pull that stalls half-way and cancels it there, leaving a partial file behind.
func interrupt(t *testing.T, fx *fixture, ref string, at int64) { interruptWhen(t, fx, ref, at, at) }

// interruptWhen stalls the first response that goes past byte at of its range, and cancels the pull once
// cancelAt bytes are down.
func interruptWhen(t *testing.T, fx *fixture, ref string, at, cancelAt int64) {
	t.Helper()
	fx.srv.SetFaults(hubtest.Faults{Stalls: 1, StallAfter: at, StallFor: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := fx.opts
	opts.Download.StallTimeout = time.Minute
	opts.Download.Progress = func(p Progress) {
		if p.Phase == PhaseDownloading && p.Done >= cancelAt {
			cancel()
		}
	}
	if _, err := Pull(ctx, ref, opts); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted pull: err = %v, want context.Canceled", err)
	}
	fx.srv.SetFaults(hubtest.Faults{})
}

func TestPullResumesAcrossRestarts(t *testing.T) {
	fx := newFixture(t, 4<<20)
	fx.opts.Download.Parallel = 1
	size := int64(len(fx.q8))
	interrupt(t, fx, "qwen3:tiny", size/2)
	if st, err := os.Stat(fx.blob(fx.q8) + ".incomplete"); err != nil || st.Size() < size/2 {
		t.Fatalf("partial file: %v, %v", st, err)
	}
	if _, err := os.Stat(fx.blob(fx.q8)); err == nil {
		t.Fatal("an unfinished download is under its final name")
	}
	if _, err := Resolve(context.Background(), "qwen3:tiny", fx.opts); !errors.Is(err, ErrNotDownloaded) {
		t.Fatalf("Resolve of a partial model: %v, want ErrNotDownloaded", err)
	}

	fx.srv.ResetStats()
	res, err := fx.pull(t, "qwen3:tiny")
	if err != nil {
		t.Fatal(err)
	}
	sameContent(t, res.Path, fx.q8)
	st := fx.srv.Stats()
	if len(st.RangeStarts) != 1 || st.RangeStarts[0] < size/2 {
		t.Errorf("second run asked for ranges %v, want one from at least byte %d", st.RangeStarts, size/2)
	}
	noFileWithSuffix(t, fx.opts.CacheDir, ".incomplete", stateSuffix)
}

func TestPullResumesParallelPartsAcrossRestarts(t *testing.T) {
	fx := newFixture(t, 4<<20)
	fx.opts.Download.Parallel = 4
	fx.opts.Download.MinPartSize = 256 << 10
	size := int64(len(fx.q8))
	// The stall holds one part an eighth of the way into the file; the three others finish, and all of that
	// is kept for the next run.
	interruptWhen(t, fx, "qwen3:tiny", size/8, 7*size/8-1)
	fx.srv.ResetStats()
	res, err := fx.pull(t, "qwen3:tiny")
	if err != nil {
		t.Fatal(err)
	}
	sameContent(t, res.Path, fx.q8)
	if st := fx.srv.Stats(); st.BytesServed > size/8+1 || len(st.RangeStarts) != 1 {
		t.Errorf("second run downloaded %d of %d bytes: finished parts were not kept", st.BytesServed, size)
	}
}

func TestPullContinuesHuggingFaceHubPartialFile(t *testing.T) {
	fx := newFixture(t, 2<<20)
	// A partial file as huggingface_hub leaves it: blobs/SHA256.incomplete with a prefix of the content.
	k := int64(len(fx.q8) / 3)
	blob := fx.blob(fx.q8)
	os.MkdirAll(filepath.Dir(blob), 0o755)
	if err := os.WriteFile(blob+".incomplete", fx.q8[:k], 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := fx.pull(t, "qwen3:tiny")
	if err != nil {
		t.Fatal(err)
	}
	sameContent(t, res.Path, fx.q8)
	if st := fx.srv.Stats(); st.BytesServed != int64(len(fx.q8))-k || st.RangeStarts[0] != k {
		t.Errorf("served %d bytes from %v; want %d from %d", st.BytesServed, st.RangeStarts, int64(len(fx.q8))-k, k)
	}
}

func TestPullFetchesParallelRanges(t *testing.T) {
	fx := newFixture(t, 4<<20)
	fx.opts.Download.Parallel = 4
	fx.opts.Download.MinPartSize = 256 << 10
	res, err := fx.pull(t, "qwen3:tiny")
	if err != nil {
		t.Fatal(err)
	}
	sameContent(t, res.Path, fx.q8)
	st := fx.srv.Stats()
	seen := map[int64]bool{}
	for _, s := range st.RangeStarts {
		seen[s] = true
	}
	if len(seen) != 4 || !seen[0] {
		t.Errorf("range starts %v, want 4 distinct parts", st.RangeStarts)
	}
}

func TestPullDetectsCorruption(t *testing.T) {
	fx := newFixture(t, 1<<20)
	fx.srv.SetFaults(hubtest.Faults{Corrupts: -1, CorruptAt: 12345})
	_, err := fx.pull(t, "qwen3:tiny")
	if !errors.Is(err, ErrChecksum) {
		t.Fatalf("err = %v, want ErrChecksum", err)
	}
	if !strings.Contains(err.Error(), hubtest.SHA256(fx.q8)) {
		t.Errorf("error %q does not name the expected checksum", err)
	}
	// Nothing that looks complete, and no partial file to resume from bad bytes.
	if _, err := os.Stat(fx.blob(fx.q8)); err == nil {
		t.Error("corrupt data was stored under the blob name")
	}
	if _, err := os.Stat(filepath.Join(fx.opts.CacheDir, "models--test--Tiny-GGUF", "snapshots", fx.commit, "Tiny-Q8_0.gguf")); err == nil {
		t.Error("a snapshot entry exists for corrupt data")
	}
	noFileWithSuffix(t, fx.opts.CacheDir, ".incomplete", stateSuffix)
	if _, err := Resolve(context.Background(), "qwen3:tiny", fx.opts); !errors.Is(err, ErrNotDownloaded) {
		t.Errorf("Resolve after a failed pull: %v", err)
	}

	// A byte corrupted once (a flaky proxy) costs one re-download, then the file is right.
	fx.srv.SetFaults(hubtest.Faults{Corrupts: 1, CorruptAt: 12345})
	res, err := fx.pull(t, "qwen3:tiny")
	if err != nil {
		t.Fatal(err)
	}
	sameContent(t, res.Path, fx.q8)
}

func TestPullRetriesStalledTransfer(t *testing.T) {
	fx := newFixture(t, 1<<20)
	fx.opts.Download.StallTimeout = 100 * time.Millisecond
	fx.opts.Download.Parallel = 1
	fx.srv.SetFaults(hubtest.Faults{Stalls: 2, StallAfter: 100 << 10, StallFor: time.Minute})
	start := time.Now()
	res, err := fx.pull(t, "qwen3:tiny")
	if err != nil {
		t.Fatal(err)
	}
	sameContent(t, res.Path, fx.q8)
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v: the stall was waited out instead of detected", d)
	}
	if st := fx.srv.Stats(); st.DataRequests != 3 {
		t.Errorf("%d data requests, want 3", st.DataRequests)
	}
}

func TestPullRetriesServerErrors(t *testing.T) {
	fx := newFixture(t, 1000)
	fx.srv.SetFaults(hubtest.Faults{Errors: 3})
	res, err := fx.pull(t, "qwen3:tiny")
	if err != nil {
		t.Fatal(err)
	}
	sameContent(t, res.Path, fx.q8)

	fx = newFixture(t, 1000)
	fx.opts.Download.Retries = 2
	fx.srv.SetFaults(hubtest.Faults{Errors: 1000})
	_, err = fx.pull(t, "qwen3:tiny")
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("err = %v, want a 500 after the retries", err)
	}
	if st := fx.srv.Stats(); st.DataRequests != 3 {
		t.Errorf("%d attempts, want 3 (1 + 2 retries)", st.DataRequests)
	}
}

func TestPullReportsDiskFull(t *testing.T) {
	fx := newFixture(t, 1<<20)
	fx.opts.Download.FreeSpace = func(string) (uint64, error) { return 1000, nil }
	_, err := fx.pull(t, "qwen3:tiny")
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("err = %v, want ErrDiskFull", err)
	}
	for _, want := range []string{"need 1.", "1.00 kB free"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if st := fx.srv.Stats(); st.DataRequests != 0 {
		t.Errorf("%d data requests before the space check failed", st.DataRequests)
	}
}

func TestConcurrentPullsOfOneFile(t *testing.T) {
	fx := newFixture(t, 2<<20)
	fx.opts.Download.Parallel = 1
	// The first download pauses half-way so that the second arrives while it runs.
	fx.srv.SetFaults(hubtest.Faults{Stalls: 1, StallAfter: int64(len(fx.q8) / 2), StallFor: 300 * time.Millisecond})
	fx.opts.Download.Progress = nil
	var wg sync.WaitGroup
	paths := make([]string, 3)
	errs := make([]error, 3)
	for i := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := Pull(context.Background(), "qwen3:tiny", fx.opts)
			errs[i] = err
			if err == nil {
				paths[i] = res.Path
			}
		}()
		time.Sleep(50 * time.Millisecond)
	}
	wg.Wait()
	for i := range paths {
		if errs[i] != nil {
			t.Fatalf("pull %d: %v", i, errs[i])
		}
		sameContent(t, paths[i], fx.q8)
	}
	if st := fx.srv.Stats(); st.BytesServed != int64(len(fx.q8)) {
		t.Errorf("served %d bytes for three pulls of a %d-byte file; want one download", st.BytesServed, len(fx.q8))
	}
}

func TestPullAfterFileChangedOnHub(t *testing.T) {
	fx := newFixture(t, 2<<20)
	fx.opts.Download.Parallel = 1
	interrupt(t, fx, "qwen3:tiny", int64(len(fx.q8)/2))
	// A new upload replaces the file between the two attempts.
	v2 := hubtest.TinyGGUF(hubtest.Model{Name: "Tiny v2", FileType: 7, Padding: 2 << 20})
	commit2 := fx.srv.SetFile(tinyRepo, hubtest.File{Path: "Tiny-Q8_0.gguf", Data: v2})
	res, err := fx.pull(t, "qwen3:tiny")
	if err != nil {
		t.Fatal(err)
	}
	sameContent(t, res.Path, v2)
	if !strings.Contains(res.Path, commit2) {
		t.Errorf("path %s is not in the new commit's snapshot %s", res.Path, commit2)
	}
	// The old partial download is gone rather than left to rot.
	if _, err := os.Stat(fx.blob(fx.q8) + ".incomplete"); err == nil {
		t.Error("the stale partial file of the old version is still there")
	}
}

func TestPullFromServerWithoutRanges(t *testing.T) {
	fx := newFixture(t, 2<<20)
	fx.opts.Download.Parallel = 4
	fx.opts.Download.MinPartSize = 256 << 10
	fx.srv.SetFaults(hubtest.Faults{NoRange: true})
	res, err := fx.pull(t, "qwen3:tiny")
	if err != nil {
		t.Fatal(err)
	}
	sameContent(t, res.Path, fx.q8)
}

func TestGatedRepositoryNeedsToken(t *testing.T) {
	fx := newFixture(t, 1000)
	fx.srv.SetFaults(hubtest.Faults{Token: "hf_secret"})
	_, err := fx.pull(t, "qwen3:tiny")
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "HF_TOKEN") {
		t.Fatalf("err = %v, want ErrUnauthorized mentioning HF_TOKEN", err)
	}
	fx.opts.Token = "hf_secret"
	res, err := fx.pull(t, "qwen3:tiny")
	if err != nil {
		t.Fatal(err)
	}
	sameContent(t, res.Path, fx.q8)
	if st := fx.srv.Stats(); st.AuthOnCDN != 0 {
		t.Errorf("the token was sent to the CDN host %d times", st.AuthOnCDN)
	}
}

func TestPullFromModelScope(t *testing.T) {
	fx := newFixture(t, 1000)
	fx.opts.Source = SourceModelScope
	res, err := fx.pull(t, "qwen3:tiny-q4_k_m")
	if err != nil {
		t.Fatal(err)
	}
	sameContent(t, res.Path, fx.q4)
	if !strings.Contains(res.Path, filepath.Join("snapshots", "master")) {
		t.Errorf("path %s", res.Path)
	}
	if _, err := os.Stat(filepath.Join(fx.opts.CacheDir, "models--test--Tiny-GGUF", "refs", "main")); err == nil {
		t.Error("a ModelScope pull wrote refs/main, which belongs to Hugging Face commits")
	}
	// The catalog has no ModelScope repository for the vision model: a clear error, not a guess.
	if _, err := fx.pull(t, "qwen3-vl:tiny"); err == nil || !strings.Contains(err.Error(), "no modelscope repository") {
		t.Errorf("err = %v", err)
	}
}

func TestPullHubReferences(t *testing.T) {
	fx := newFixture(t, 1000)
	parts := [][]byte{[]byte(strings.Repeat("a", 3000)), []byte(strings.Repeat("b", 2000)), []byte(strings.Repeat("c", 1000))}
	fx.srv.AddRepo("test/Big-GGUF",
		hubtest.File{Path: "Q4_K_M/Big-Q4_K_M-00001-of-00003.gguf", Data: parts[0]},
		hubtest.File{Path: "Q4_K_M/Big-Q4_K_M-00002-of-00003.gguf", Data: parts[1]},
		hubtest.File{Path: "Q4_K_M/Big-Q4_K_M-00003-of-00003.gguf", Data: parts[2]},
		hubtest.File{Path: "Big-Q8_0.gguf", Data: fx.q8},
		hubtest.File{Path: "Big-F16.gguf", Data: fx.q4})
	tests := []struct {
		ref  string
		want [][]byte
		err  string
	}{
		{"hf://test/Tiny-GGUF:Q4_K_M", [][]byte{fx.q4}, ""},
		{"hf://test/Tiny-GGUF:Tiny-Q4_K_M.gguf", [][]byte{fx.q4}, ""},
		{"hf://test/Tiny-GGUF", [][]byte{fx.q8}, ""}, // the catalog's default for a repository it knows
		{"test/Tiny-GGUF:q8_0", [][]byte{fx.q8}, ""},
		{"hf://test/Big-GGUF", parts, ""}, // Q4_K_M preferred, all parts of the split file
		{"hf://test/Big-GGUF:Q4_K_M/Big-Q4_K_M-00002-of-00003.gguf", parts, ""},
		{"hf://test/Big-GGUF:IQ2_XS", nil, "available: F16, Q4_K_M, Q8_0"},
		{"hf://test/Nope-GGUF", nil, "not found"},
	}
	for _, tc := range tests {
		res, err := fx.pull(t, tc.ref)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.ref, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.ref, err)
			continue
		}
		if len(res.Files) != len(tc.want) {
			t.Errorf("%s: files %v", tc.ref, res.Files)
			continue
		}
		for i := range tc.want {
			sameContent(t, res.Files[i], tc.want[i])
		}
	}
}

func TestPullSafetensorsFolder(t *testing.T) {
	fx := newFixture(t, 1000)
	config := []byte(`{"architectures":["Qwen3ForCausalLM"]}`)
	fx.srv.AddRepo("test/Tiny",
		hubtest.File{Path: "config.json", Data: config},
		hubtest.File{Path: "model.safetensors", Data: []byte("weights")},
		hubtest.File{Path: "tokenizer.json", Data: []byte(`{}`)},
		hubtest.File{Path: "README.md", Data: []byte("readme")},
		hubtest.File{Path: "onnx/model.onnx", Data: []byte("onnx")})
	res, err := fx.pull(t, "qwen3:tiny-safetensors")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(res.Path); err != nil || !st.IsDir() {
		t.Fatalf("path %s is not a folder: %v", res.Path, err)
	}
	sameContent(t, filepath.Join(res.Path, "config.json"), config)
	for _, skipped := range []string{"README.md", "onnx"} {
		if _, err := os.Stat(filepath.Join(res.Path, skipped)); err == nil {
			t.Errorf("%s was downloaded", skipped)
		}
	}
	// config.json is a plain git file: its blob is named, and checked, by the git blob id.
	blob := filepath.Join(fx.opts.CacheDir, "models--test--Tiny", "blobs", hubtest.GitOID(config))
	sameContent(t, blob, config)
	if p, err := Resolve(context.Background(), "qwen3:tiny-safetensors", fx.opts); err != nil || p != res.Path {
		t.Errorf("Resolve = %q, %v; want %q", p, err, res.Path)
	}
	if p, err := Resolve(context.Background(), "hf://test/Tiny", fx.opts); err != nil || p != res.Path {
		t.Errorf("Resolve(hf://test/Tiny) = %q, %v", p, err)
	}
}

func TestPullFollowsRenamedRepository(t *testing.T) {
	fx := newFixture(t, 1000)
	fx.srv.Rename(tinyRepo, "test/Renamed-GGUF")
	res, err := fx.pull(t, "qwen3:tiny")
	if err != nil {
		t.Fatal(err)
	}
	sameContent(t, res.Path, fx.q8)
}
