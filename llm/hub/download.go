package hub

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Download errors; check with errors.Is.
var (
	ErrChecksum = errors.New("downloaded data does not match the hub's checksum")
	ErrDiskFull = errors.New("not enough free disk space")
	ErrStalled  = errors.New("download stalled")
)

// Internal conditions that change how a download continues.
var (
	errNoRange = errors.New("the server ignored the byte range")
	errChanged = errors.New("the file changed on the hub during the download")
)

// Phase is what a download is doing.
type Phase string

const (
	PhaseWaiting     Phase = "waiting" // for another download of the same file (lock)
	PhaseDownloading Phase = "downloading"
	PhaseVerifying   Phase = "verifying"
	PhaseDone        Phase = "done"
)

// Progress reports a pull. Callbacks come from one goroutine at a time, at most every ProgressEvery and
// once more when each file is done.
type Progress struct {
	Repo, Path  string
	File, Files int // 1-based index of the file, and how many the pull has
	Phase       Phase
	Done, Total int64 // bytes of this file (while verifying: bytes hashed)
	AllDone     int64 // bytes of the whole pull
	AllTotal    int64
	Speed       float64       // bytes per second, smoothed
	ETA         time.Duration // -1 when unknown
}

// Downloader fetches files from a Source into a Cache. The zero value of every knob means its default.
type Downloader struct {
	Client *http.Client
	Cache  *Cache

	Parallel      int           // byte ranges fetched at once for a large file (default 4)
	MinPartSize   int64         // files are split only into parts at least this big (default 32 MiB)
	Retries       int           // failed attempts in a row, without progress, before a part gives up (default 8)
	Backoff       time.Duration // first wait before a retry, doubled each time (default 500 ms)
	MaxBackoff    time.Duration // (default 30 s)
	StallTimeout  time.Duration // no byte for this long restarts the request (default 30 s)
	VerifyRetries int           // full re-downloads after a checksum mismatch (default 1; -1 for none)
	ProgressEvery time.Duration // (default 250 ms)
	LockPoll      time.Duration // how often to retry a held lock (default 250 ms)

	// FreeSpace reports the bytes free for writing in dir; tests replace it. Default: statfs.
	FreeSpace func(dir string) (uint64, error)
	Progress  func(Progress)
	Logger    *slog.Logger
}

func (d *Downloader) defaults() {
	if d.Client == nil {
		d.Client = http.DefaultClient
	}
	def := func(v *time.Duration, x time.Duration) {
		if *v <= 0 {
			*v = x
		}
	}
	def(&d.Backoff, 500*time.Millisecond)
	def(&d.MaxBackoff, 30*time.Second)
	def(&d.StallTimeout, 30*time.Second)
	def(&d.ProgressEvery, 250*time.Millisecond)
	def(&d.LockPoll, 250*time.Millisecond)
	if d.Parallel <= 0 {
		d.Parallel = 4
	}
	if d.MinPartSize <= 0 {
		d.MinPartSize = 32 << 20
	}
	if d.Retries <= 0 {
		d.Retries = 8
	}
	if d.VerifyRetries == 0 {
		d.VerifyRetries = 1
	} else if d.VerifyRetries < 0 {
		d.VerifyRetries = 0
	}
	if d.FreeSpace == nil {
		d.FreeSpace = freeSpace
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
}

// fileJob is one file of a pull.
type fileJob struct {
	src         Source
	repo, rev   string
	path        string
	expect      *CatalogFile // what the catalog says, or nil
	index       int
	count       int
	allTotal    *atomic.Int64 // shared by the pull: estimated bytes of all files
	allDone     *atomic.Int64 // bytes of the files already complete
	fileSizeEst int64         // this file's share of allTotal
}

// fetch downloads one file into the cache (or finds it there) and returns its snapshot path. A checksum
// mismatch, or a file that changed on the hub mid-way, starts over from the hub's current metadata,
// VerifyRetries times.
func (d *Downloader) fetch(ctx context.Context, j *fileJob) (string, error) {
	var err error
	for attempt := 0; attempt <= d.VerifyRetries; attempt++ {
		var p string
		p, err = d.fetchOnce(ctx, j)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, ErrChecksum) && !errors.Is(err, errChanged) {
			return "", err
		}
		d.Logger.Warn("hub: starting the file over", "repo", j.repo, "file", j.path, "err", err)
	}
	return "", err
}

func (d *Downloader) fetchOnce(ctx context.Context, j *fileJob) (string, error) {
	var fi *FileInfo
	err := d.retry(ctx, func() error {
		var err error
		fi, err = j.src.Stat(ctx, j.repo, j.rev, j.path)
		return err
	})
	if err != nil {
		return "", err
	}
	sum := fi.SHA256
	if j.expect != nil && j.expect.SHA256 != "" {
		if sum == "" && fi.GitOID == "" {
			sum = j.expect.SHA256 // a mirror that does not pass the etag on: the catalog's checksum stands in
		} else if sum != "" && sum != j.expect.SHA256 {
			d.Logger.Warn("hub: the hub's checksum differs from the catalog's; the file was re-uploaded, using the hub's",
				"repo", j.repo, "file", j.path, "hub", sum, "catalog", j.expect.SHA256)
		}
	}
	etag := sum
	if etag == "" {
		etag = fi.GitOID
	}
	if etag == "" {
		return "", fmt.Errorf("hub: %s: %s: %w (refusing an unverifiable download)", j.repo, j.path, ErrNoChecksum)
	}
	size := fi.Size
	if size < 0 && j.expect != nil && !j.expect.Approx {
		size = j.expect.Size
	}
	if size < 0 {
		return "", fmt.Errorf("hub: %s: %s: the hub did not give the file size", j.repo, j.path)
	}
	commit := fi.Commit
	if commit == "" {
		commit = j.rev
		if commit == "" {
			commit = "main"
		}
	}
	j.setSize(size)
	c := d.Cache
	blob := c.blobPath(j.repo, etag)
	finish := func() (string, error) {
		p, err := c.link(j.repo, commit, j.path, etag)
		if err != nil {
			return "", err
		}
		// ModelScope has no commits to point refs at; its snapshots are named by revision and found by scanning.
		if j.src.Name() == SourceHF {
			if err := c.writeRef(j.repo, j.rev, commit); err != nil {
				return "", err
			}
		}
		j.allDone.Add(size)
		d.report(j, PhaseDone, size, size, 0)
		return p, nil
	}
	if st, err := os.Stat(blob); err == nil && st.Size() == size {
		return finish()
	}

	unlock, err := lockFile(ctx, c.lockPath(j.repo, etag), d.LockPoll, func() { d.report(j, PhaseWaiting, 0, size, 0) })
	if err != nil {
		return "", err
	}
	defer unlock()
	// Whoever held the lock may have finished the file meanwhile.
	if st, err := os.Stat(blob); err == nil && st.Size() == size {
		return finish()
	}
	if err := os.MkdirAll(filepath.Dir(blob), 0o755); err != nil {
		return "", fmt.Errorf("hub: %w", err)
	}
	removeStalePartials(filepath.Dir(blob), j.path, etag)

	if err := d.download(ctx, j, fi.URL, etag, size); err != nil {
		return "", err
	}
	if err := d.verify(ctx, j, blob+".incomplete", sum, fi.GitOID, size); err != nil {
		os.Remove(blob + ".incomplete")
		os.Remove(blob + stateSuffix)
		return "", err
	}
	if err := os.Rename(blob+".incomplete", blob); err != nil {
		return "", fmt.Errorf("hub: %w", err)
	}
	os.Remove(blob + stateSuffix)
	syncDir(filepath.Dir(blob))
	return finish()
}

func (j *fileJob) setSize(size int64) {
	j.allTotal.Add(size - j.fileSizeEst)
	j.fileSizeEst = size
}

// stateSuffix names the sidecar that records which byte ranges of blobs/ETAG.incomplete are written.
const stateSuffix = ".incomplete.parts"

// dlState is the resumable state of a partial file.
type dlState struct {
	Repo  string `json:"repo"`
	Path  string `json:"path"`
	ETag  string `json:"etag"`
	Size  int64  `json:"size"`
	Parts []part `json:"parts"`
}

// part is the byte range [Start, End) of which the first Done bytes are written.
type part struct {
	Start int64 `json:"start"`
	End   int64 `json:"end"`
	Done  int64 `json:"done"`

	done atomic.Int64 // live counter while downloading
}

func (s *dlState) done() int64 {
	var n int64
	for i := range s.Parts {
		n += s.Parts[i].done.Load()
	}
	return n
}

// loadState returns the saved state for the partial file, or a fresh plan. A partial file without state (a
// huggingface_hub download, or one of ours cut off before its first save) is a contiguous prefix.
func (d *Downloader) loadState(j *fileJob, partial, etag string, size int64) *dlState {
	var s dlState
	if b, err := os.ReadFile(strings.TrimSuffix(partial, ".incomplete") + stateSuffix); err == nil &&
		json.Unmarshal(b, &s) == nil && s.ETag == etag && s.Size == size && validParts(s.Parts, size) {
		for i := range s.Parts {
			s.Parts[i].done.Store(s.Parts[i].Done)
		}
		return &s
	}
	var prefix int64
	if st, err := os.Stat(partial); err == nil {
		prefix = min(st.Size(), size)
	}
	return d.plan(j, etag, size, prefix)
}

// plan splits [prefix, size) into up to Parallel parts of at least MinPartSize; [0, prefix) is done.
func (d *Downloader) plan(j *fileJob, etag string, size, prefix int64) *dlState {
	s := &dlState{Repo: j.repo, Path: j.path, ETag: etag, Size: size}
	if prefix > 0 {
		s.Parts = append(s.Parts, part{Start: 0, End: prefix, Done: prefix})
	}
	rest := size - prefix
	n := int64(d.Parallel)
	if m := rest / d.MinPartSize; m < n {
		n = max(m, 1)
	}
	for i := int64(0); i < n && rest > 0; i++ {
		a := prefix + rest*i/n
		b := prefix + rest*(i+1)/n
		s.Parts = append(s.Parts, part{Start: a, End: b})
	}
	for i := range s.Parts {
		s.Parts[i].done.Store(s.Parts[i].Done)
	}
	return s
}

func validParts(ps []part, size int64) bool {
	var pos int64
	for i := range ps {
		p := &ps[i]
		if p.Start != pos || p.End < p.Start || p.Done < 0 || p.Done > p.End-p.Start {
			return false
		}
		pos = p.End
	}
	return pos == size
}

func (d *Downloader) saveState(s *dlState, statePath string) {
	for i := range s.Parts {
		s.Parts[i].Done = s.Parts[i].done.Load()
	}
	b, _ := json.Marshal(s)
	_ = writeFileAtomic(statePath, b)
}

// removeStalePartials deletes partial downloads of path whose etag is not the current one: the file
// changed on the hub since they started.
func removeStalePartials(blobs, path, etag string) {
	matches, _ := filepath.Glob(filepath.Join(blobs, "*"+stateSuffix))
	for _, m := range matches {
		var s dlState
		if b, err := os.ReadFile(m); err == nil && json.Unmarshal(b, &s) == nil && s.Path == path && s.ETag != etag {
			os.Remove(strings.TrimSuffix(m, stateSuffix) + ".incomplete")
			os.Remove(m)
		}
	}
}

// download fills blobs/ETAG.incomplete, resuming what is there.
func (d *Downloader) download(ctx context.Context, j *fileJob, url, etag string, size int64) error {
	blob := d.Cache.blobPath(j.repo, etag)
	partial, statePath := blob+".incomplete", blob+stateSuffix
	s := d.loadState(j, partial, etag, size)
	need := size - s.done()
	if free, err := d.FreeSpace(filepath.Dir(blob)); err == nil && free < uint64(need) {
		return fmt.Errorf("hub: %s: %s: need %s more, %s free in %s: %w",
			j.repo, j.path, FormatBytes(need), FormatBytes(int64(free)), filepath.Dir(blob), ErrDiskFull)
	}
	f, err := os.OpenFile(partial, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	defer f.Close()
	if need > 0 {
		d.Logger.Info("hub: downloading", "repo", j.repo, "file", j.path, "size", size, "have", size-need, "parts", len(s.Parts))
	}
	err = d.runParts(ctx, j, f, url, s, statePath, sum256(etag))
	if errors.Is(err, errNoRange) {
		// The server sends whole files only: start over as one sequential stream.
		d.Logger.Info("hub: server ignores byte ranges; downloading sequentially", "repo", j.repo, "file", j.path)
		if err := f.Truncate(0); err != nil {
			return fmt.Errorf("hub: %w", err)
		}
		p := *d
		p.Parallel = 1
		s = p.plan(j, etag, size, 0)
		err = d.runParts(ctx, j, f, url, s, statePath, sum256(etag))
	}
	if err != nil {
		d.saveState(s, statePath)
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	return nil
}

func sum256(etag string) string {
	if len(etag) == 64 {
		return etag
	}
	return ""
}

// runParts downloads every unfinished part at once, saving the state every second and reporting progress.
func (d *Downloader) runParts(ctx context.Context, j *fileJob, f *os.File, url string, s *dlState, statePath, sha string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, len(s.Parts))
	for i := range s.Parts {
		p := &s.Parts[i]
		if p.done.Load() >= p.End-p.Start {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.runPart(ctx, j, f, url, p, s.Size, sha); err != nil {
				errs <- err
				cancel() // one part failing for good fails the file; the others stop and keep their bytes
			}
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()

	tick := time.NewTicker(d.ProgressEvery)
	defer tick.Stop()
	lastSave := time.Now()
	meter := newSpeedMeter(s.done())
	for {
		select {
		case <-finished:
			close(errs)
			var first error
			for err := range errs {
				// Prefer the cause over the cancellations it triggered in the other parts.
				if first == nil || errors.Is(first, context.Canceled) {
					first = err
				}
			}
			if first == nil && ctx.Err() != nil {
				first = ctx.Err()
			}
			if first != nil {
				return first
			}
			done := s.done()
			d.report(j, PhaseDownloading, done, s.Size, meter.update(done))
			return nil
		case <-tick.C:
			done := s.done()
			d.report(j, PhaseDownloading, done, s.Size, meter.update(done))
			if time.Since(lastSave) >= time.Second {
				// Flush the data before recording it as written, so the state never claims bytes a crash lost.
				_ = f.Sync()
				d.saveState(s, statePath)
				lastSave = time.Now()
			}
		}
	}
}

// runPart fetches the rest of one part, retrying transient failures with exponential backoff. The retry
// budget is for failures in a row: any progress resets it, so a long download over a flaky link goes on.
func (d *Downloader) runPart(ctx context.Context, j *fileJob, f *os.File, url string, p *part, size int64, sha string) error {
	failures := 0
	for p.done.Load() < p.End-p.Start {
		before := p.done.Load()
		err := d.getRange(ctx, j, f, url, p, size, sha)
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if permanent(err) {
			return err
		}
		if p.done.Load() > before {
			failures = 0
		}
		failures++
		if failures > d.Retries {
			return fmt.Errorf("hub: %s: %s: giving up after %d failed attempts: %w", j.repo, j.path, failures, err)
		}
		d.Logger.Debug("hub: retrying a byte range", "file", j.path, "offset", p.Start+p.done.Load(), "attempt", failures, "err", err)
		if err := sleepCtx(ctx, d.backoff(failures)); err != nil {
			return err
		}
	}
	return nil
}

func (d *Downloader) backoff(n int) time.Duration {
	b := d.Backoff << min(n-1, 20)
	if b > d.MaxBackoff || b <= 0 {
		b = d.MaxBackoff
	}
	// Up to 25% jitter so that parallel parts do not retry in lock step.
	return b - time.Duration(rand.Int64N(int64(b)/4+1))
}

// getRange sends one GET for the unfinished bytes of p and writes what arrives.
func (d *Downloader) getRange(ctx context.Context, j *fileJob, f *os.File, url string, p *part, size int64, sha string) error {
	start := p.Start + p.done.Load()
	end := p.End // exclusive
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, url, nil)
	if err != nil {
		return permanentErr(err)
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", start, end-1))
	req.Header.Set("Accept-Encoding", "identity")
	j.src.authorize(req)

	var stalled atomic.Bool
	timer := time.AfterFunc(d.StallTimeout, func() { stalled.Store(true); cancel() })
	defer timer.Stop()
	resp, err := d.Client.Do(req)
	if err != nil {
		if stalled.Load() {
			return fmt.Errorf("no response in %v: %w", d.StallTimeout, ErrStalled)
		}
		return err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusPartialContent:
		cs, ce, total, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || cs != start {
			return fmt.Errorf("hub: %s: asked for bytes %d-, got Content-Range %q: %w", j.path, start, resp.Header.Get("Content-Range"), errNoRange)
		}
		if total >= 0 && total != size {
			return fmt.Errorf("hub: %s: size is now %d, was %d: %w", j.path, total, size, errChanged)
		}
		if ce+1 < end {
			end = ce + 1 // a server may send less than asked; the next request continues
		}
	case http.StatusOK:
		if start != 0 {
			return errNoRange
		}
		if resp.ContentLength >= 0 && resp.ContentLength != size {
			return fmt.Errorf("hub: %s: size is now %d, was %d: %w", j.path, resp.ContentLength, size, errChanged)
		}
	case http.StatusRequestedRangeNotSatisfiable:
		return fmt.Errorf("hub: %s: range %d- not satisfiable: %w", j.path, start, errChanged)
	default:
		if err := statusError(resp); err != nil {
			return fmt.Errorf("hub: %s: %w", j.path, err)
		}
		return fmt.Errorf("hub: %s: unexpected HTTP %s", j.path, resp.Status)
	}
	if sha != "" {
		for _, h := range []string{"X-Linked-Etag", "ETag"} {
			if e := normalizeETag(resp.Header.Get(h)); isHex(e, 64) && e != sha {
				return fmt.Errorf("hub: %s: served %s, expected %s: %w", j.path, e, sha, errChanged)
			}
		}
	}

	buf := make([]byte, 256<<10)
	pos := start
	for pos < end {
		n, rerr := resp.Body.Read(buf[:min(int64(len(buf)), end-pos)])
		if n > 0 {
			timer.Reset(d.StallTimeout)
			if _, werr := f.WriteAt(buf[:n], pos); werr != nil {
				if errors.Is(werr, syscall.ENOSPC) {
					return permanentErr(fmt.Errorf("hub: %s: %w: %v", f.Name(), ErrDiskFull, werr))
				}
				return permanentErr(fmt.Errorf("hub: %w", werr))
			}
			pos += int64(n)
			p.done.Add(int64(n))
		}
		if rerr != nil {
			if pos >= end {
				break
			}
			if stalled.Load() {
				return fmt.Errorf("hub: %s: no data for %v at byte %d: %w", j.path, d.StallTimeout, pos, ErrStalled)
			}
			if rerr == io.EOF {
				return fmt.Errorf("hub: %s: connection ended at byte %d: %w", j.path, pos, io.ErrUnexpectedEOF)
			}
			return fmt.Errorf("hub: %s: at byte %d: %w", j.path, pos, rerr)
		}
	}
	return nil
}

// parseContentRange parses "bytes START-END/TOTAL" (TOTAL may be "*", reported as -1).
func parseContentRange(s string) (start, end, total int64, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(s), "bytes ")
	if !found {
		return 0, 0, 0, false
	}
	rng, tot, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, 0, false
	}
	a, b, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, 0, false
	}
	var err1, err2 error
	start, err1 = strconv.ParseInt(a, 10, 64)
	end, err2 = strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || end < start {
		return 0, 0, 0, false
	}
	total = -1
	if tot != "*" {
		t, err := strconv.ParseInt(tot, 10, 64)
		if err != nil {
			return 0, 0, 0, false
		}
		total = t
	}
	return start, end, total, true
}

// verify hashes the finished partial file and compares it with the hub's checksum: the LFS sha256, or for
// small files the git blob id.
func (d *Downloader) verify(ctx context.Context, j *fileJob, partial, sha, gitOID string, size int64) error {
	fh, err := os.Open(partial)
	if err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return fmt.Errorf("hub: %w", err)
	}
	if st.Size() != size {
		return fmt.Errorf("hub: %s: %s: %d bytes on disk, want %d: %w", j.repo, j.path, st.Size(), size, ErrChecksum)
	}
	d.report(j, PhaseVerifying, 0, size, 0)
	var h hash.Hash
	want := sha
	if sha != "" {
		h = sha256.New()
	} else {
		h = sha1.New()
		fmt.Fprintf(h, "blob %d\x00", size)
		want = gitOID
	}
	buf := make([]byte, 1<<20)
	var n int64
	last := time.Now()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		k, rerr := fh.Read(buf)
		h.Write(buf[:k])
		n += int64(k)
		if time.Since(last) >= d.ProgressEvery {
			d.report(j, PhaseVerifying, n, size, 0)
			last = time.Now()
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return fmt.Errorf("hub: %w", rerr)
		}
	}
	got := hex.EncodeToString(h.Sum(nil))
	if got != want {
		return fmt.Errorf("hub: %s: %s: got %s, the hub says %s; the partial file was deleted: %w", j.repo, j.path, got, want, ErrChecksum)
	}
	return nil
}

// report sends a progress callback.
func (d *Downloader) report(j *fileJob, ph Phase, done, total int64, speed float64) {
	if d.Progress == nil {
		return
	}
	eta := time.Duration(-1)
	if speed > 0 && ph == PhaseDownloading {
		eta = time.Duration(float64(total-done) / speed * float64(time.Second))
	}
	all := j.allDone.Load()
	if ph == PhaseDownloading || ph == PhaseVerifying {
		all += done
	}
	d.Progress(Progress{Repo: j.repo, Path: j.path, File: j.index, Files: j.count, Phase: ph, Done: done, Total: total,
		AllDone: all, AllTotal: j.allTotal.Load(), Speed: speed, ETA: eta})
}

// speedMeter smooths the download rate with an exponential moving average over ~3 seconds.
type speedMeter struct {
	last  time.Time
	bytes int64
	rate  float64
}

func newSpeedMeter(start int64) *speedMeter { return &speedMeter{last: time.Now(), bytes: start} }

func (m *speedMeter) update(bytes int64) float64 {
	now := time.Now()
	dt := now.Sub(m.last).Seconds()
	if dt <= 0 {
		return m.rate
	}
	inst := float64(bytes-m.bytes) / dt
	alpha := min(dt/3, 1)
	if m.rate == 0 {
		m.rate = inst
	} else {
		m.rate += alpha * (inst - m.rate)
	}
	m.last, m.bytes = now, bytes
	return m.rate
}

// retry runs fn until it succeeds, fails permanently, or fails Retries times.
func (d *Downloader) retry(ctx context.Context, fn func() error) error {
	for n := 1; ; n++ {
		err := fn()
		if err == nil || permanent(err) || ctx.Err() != nil || n > d.Retries {
			return err
		}
		if err := sleepCtx(ctx, d.backoff(n)); err != nil {
			return err
		}
	}
}

// permanentError marks an error that retrying will not fix.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

func permanentErr(err error) error { return permanentError{err} }

func permanent(err error) bool {
	var pe permanentError
	var se *httpStatusError
	switch {
	case errors.As(err, &pe), errors.Is(err, ErrUnauthorized), errors.Is(err, ErrNotFound), errors.Is(err, ErrDiskFull),
		errors.Is(err, errNoRange), errors.Is(err, errChanged), errors.Is(err, ErrNoChecksum),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.Is(err, fs.ErrPermission):
		return true
	case errors.As(err, &se):
		return !se.temporary()
	}
	return false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		_ = f.Sync()
		f.Close()
	}
}

// FormatBytes writes a size for people: "5.03 GB" (decimal units, as the hubs show them).
func FormatBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f := float64(n)
	for _, u := range []string{"kB", "MB", "GB", "TB"} {
		f /= unit
		if f < unit || u == "TB" {
			if f < 10 {
				return fmt.Sprintf("%.2f %s", f, u)
			}
			return fmt.Sprintf("%.1f %s", f, u)
		}
	}
	return ""
}
