package hubtest

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// File is a file in a test repository. Files ending in .gguf or .safetensors, and any file over 1 MB, are
// stored as LFS files (sha256, served through the CDN); others are plain git files.
type File struct {
	Path string
	Data []byte
}

func (f File) lfs() bool {
	return strings.HasSuffix(f.Path, ".gguf") || strings.HasSuffix(f.Path, ".safetensors") || len(f.Data) > 1<<20
}

// Faults make the data responses (CDN and direct file downloads, not HEAD or API calls) misbehave. Each
// counter is how many responses get the fault; it counts down as faults are served.
type Faults struct {
	Errors     int   // answer 500 Internal Server Error
	Drops      int   // close the connection after DropAfter bytes of the body
	DropAfter  int64 //
	Stalls     int   // stop sending for StallFor after StallAfter bytes (then carry on)
	StallAfter int64 //
	StallFor   time.Duration
	Corrupts   int    // flip the byte at file offset CorruptAt when the response covers it (-1: always)
	CorruptAt  int64  //
	NoRange    bool   // ignore Range: always 200 with the whole file
	Token      string // require "Authorization: Bearer Token" on the hub (API and resolve)
}

// Stats counts what the servers saw.
type Stats struct {
	DataRequests int     // GETs of file content
	RangeStarts  []int64 // first byte asked for by each ranged GET
	BytesServed  int64   // body bytes sent by data responses
	AuthOnCDN    int     // requests that reached the CDN with an Authorization header (should stay 0)
	APIRequests  int
	HeadRequests int
}

type entry struct {
	data   []byte
	sha256 string // LFS
	oid    string // git blob id
	lfs    bool
}

type repoState struct {
	commits []string                     // oldest first; the last is main
	trees   map[string]map[string]*entry // commit -> path -> entry
}

// Server is a fake hub and its CDN.
type Server struct {
	Hub *httptest.Server
	CDN *httptest.Server

	mu      sync.Mutex
	repos   map[string]*repoState
	renamed map[string]string // old repository name -> new: resolve answers 307 to the new path
	blobs   map[string][]byte // sha256 -> content, kept after files change
	faults  Faults
	stats   Stats
	seq     int
}

// New starts the servers on loopback; they close when the test ends.
func New(t testing.TB) *Server {
	s := &Server{repos: map[string]*repoState{}, blobs: map[string][]byte{}, renamed: map[string]string{}}
	s.CDN = httptest.NewServer(http.HandlerFunc(s.cdn))
	s.Hub = httptest.NewServer(http.HandlerFunc(s.hub))
	t.Cleanup(func() {
		s.Hub.Close()
		s.CDN.Close()
	})
	return s
}

// URL is the hub's endpoint (for HF_ENDPOINT or the ModelScope endpoint).
func (s *Server) URL() string { return s.Hub.URL }

// SHA256 is the LFS checksum of data.
func SHA256(data []byte) string { h := sha256.Sum256(data); return hex.EncodeToString(h[:]) }

// GitOID is the git blob id of data.
func GitOID(data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// AddRepo creates (or replaces) a repository with one commit holding files; it returns the commit.
func (s *Server) AddRepo(repo string, files ...File) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repos[repo] = &repoState{trees: map[string]map[string]*entry{}}
	return s.commitLocked(repo, nil, files)
}

// SetFile commits a new version of one file (added or replaced); it returns the new commit.
func (s *Server) SetFile(repo string, f File) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repos[repo]
	base := r.trees[r.commits[len(r.commits)-1]]
	return s.commitLocked(repo, base, []File{f})
}

func (s *Server) commitLocked(repo string, base map[string]*entry, files []File) string {
	r := s.repos[repo]
	s.seq++
	commit := GitOID([]byte(fmt.Sprintf("%s commit %d", repo, s.seq)))
	tree := map[string]*entry{}
	for k, v := range base {
		tree[k] = v
	}
	for _, f := range files {
		e := &entry{data: f.Data, oid: GitOID(f.Data), lfs: f.lfs()}
		if e.lfs {
			e.sha256 = SHA256(f.Data)
			s.blobs[e.sha256] = f.Data
		}
		tree[f.Path] = e
	}
	r.trees[commit] = tree
	r.commits = append(r.commits, commit)
	return commit
}

// Rename moves a repository: its old name's resolve URLs redirect (307, relative) to the new name, as the
// hub does for renamed repositories.
func (s *Server) Rename(old, new string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repos[new] = s.repos[old]
	delete(s.repos, old)
	s.renamed[old] = new
}

// SetFaults replaces the fault switches.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.RangeStarts = append([]int64(nil), s.stats.RangeStarts...)
	return st
}

// ResetStats zeroes the counters.
func (s *Server) ResetStats() {
	s.mu.Lock()
	s.stats = Stats{}
	s.mu.Unlock()
}

func (s *Server) tree(repo, rev string) (string, map[string]*entry, bool) {
	r, ok := s.repos[repo]
	if !ok {
		return "", nil, false
	}
	if rev == "" || rev == "main" || rev == "master" {
		c := r.commits[len(r.commits)-1]
		return c, r.trees[c], true
	}
	t, ok := r.trees[rev]
	return rev, t, ok
}

func (s *Server) authorized(r *http.Request) bool {
	s.mu.Lock()
	tok := s.faults.Token
	s.mu.Unlock()
	return tok == "" || r.Header.Get("Authorization") == "Bearer "+tok
}

// hub routes: /api/models/..., /api/v1/models/... (ModelScope), /models/ORG/NAME/resolve/... (ModelScope),
// /ORG/NAME/resolve/REV/PATH (HF).
func (s *Server) hub(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		http.Error(w, "gated repository", http.StatusUnauthorized)
		return
	}
	p := strings.TrimPrefix(r.URL.Path, "/")
	switch {
	case strings.HasPrefix(p, "api/v1/models/"):
		s.msFiles(w, r, strings.TrimPrefix(p, "api/v1/models/"))
	case strings.HasPrefix(p, "api/models/"):
		s.hfInfo(w, strings.TrimPrefix(p, "api/models/"))
	case strings.HasPrefix(p, "models/"):
		seg := strings.SplitN(strings.TrimPrefix(p, "models/"), "/", 5)
		if len(seg) < 5 || seg[2] != "resolve" {
			http.NotFound(w, r)
			return
		}
		s.mu.Lock()
		_, tree, ok := s.tree(seg[0]+"/"+seg[1], seg[3])
		var e *entry
		if ok {
			e = tree[seg[4]]
		}
		s.mu.Unlock()
		if e == nil {
			http.NotFound(w, r)
			return
		}
		s.serveData(w, r, e.data, "")
	default:
		seg := strings.SplitN(p, "/", 5)
		if len(seg) < 5 || seg[2] != "resolve" {
			http.NotFound(w, r)
			return
		}
		s.hfResolve(w, r, seg[0]+"/"+seg[1], seg[3], seg[4])
	}
}

func (s *Server) hfInfo(w http.ResponseWriter, p string) {
	repo, rev := p, ""
	if i := strings.Index(p, "/revision/"); i >= 0 {
		repo, rev = p[:i], p[i+len("/revision/"):]
	}
	s.mu.Lock()
	s.stats.APIRequests++
	commit, tree, ok := s.tree(repo, rev)
	type lfs struct {
		SHA256      string `json:"sha256"`
		Size        int    `json:"size"`
		PointerSize int    `json:"pointerSize"`
	}
	type sibling struct {
		RFilename string `json:"rfilename"`
		Size      int    `json:"size"`
		BlobID    string `json:"blobId"`
		LFS       *lfs   `json:"lfs,omitempty"`
	}
	var sibs []sibling
	for path, e := range tree {
		sb := sibling{RFilename: path, Size: len(e.data), BlobID: e.oid}
		if e.lfs {
			sb.LFS = &lfs{SHA256: e.sha256, Size: len(e.data), PointerSize: 134}
		}
		sibs = append(sibs, sb)
	}
	s.mu.Unlock()
	if !ok {
		http.Error(w, `{"error":"Repository not found"}`, http.StatusNotFound)
		return
	}
	sort.Slice(sibs, func(i, j int) bool { return sibs[i].RFilename < sibs[j].RFilename })
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"id": repo, "sha": commit, "siblings": sibs})
}

func (s *Server) hfResolve(w http.ResponseWriter, r *http.Request, repo, rev, path string) {
	s.mu.Lock()
	if to, ok := s.renamed[repo]; ok {
		s.mu.Unlock()
		w.Header().Set("Location", "/"+to+"/resolve/"+rev+"/"+path)
		w.WriteHeader(http.StatusTemporaryRedirect)
		return
	}
	if r.Method == http.MethodHead {
		s.stats.HeadRequests++
	}
	commit, tree, ok := s.tree(repo, rev)
	var e *entry
	if ok {
		e = tree[path]
	}
	s.mu.Unlock()
	if e == nil {
		w.Header().Set("X-Error-Code", "EntryNotFound")
		http.Error(w, "Entry not found", http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("X-Repo-Commit", commit)
	if e.lfs {
		h.Set("X-Linked-Etag", `"`+e.sha256+`"`)
		h.Set("X-Linked-Size", strconv.Itoa(len(e.data)))
		h.Set("ETag", `"`+e.sha256+`"`)
		h.Set("Location", s.CDN.URL+"/blobs/"+e.sha256+"?repo="+repo)
		w.WriteHeader(http.StatusFound)
		return
	}
	h.Set("ETag", `"`+e.oid+`"`)
	if r.Method == http.MethodHead {
		h.Set("Content-Length", strconv.Itoa(len(e.data)))
		w.WriteHeader(http.StatusOK)
		return
	}
	s.serveData(w, r, e.data, "")
}

func (s *Server) msFiles(w http.ResponseWriter, r *http.Request, p string) {
	repo, ok := strings.CutSuffix(p, "/repo/files")
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	s.stats.APIRequests++
	_, tree, found := s.tree(repo, r.URL.Query().Get("Revision"))
	type file struct {
		Name, Path, Type, Sha256, Revision string
		Size                               int
	}
	var files []file
	for path, e := range tree {
		files = append(files, file{Name: path[strings.LastIndex(path, "/")+1:], Path: path, Type: "blob",
			Sha256: SHA256(e.data), Size: len(e.data), Revision: "master"})
	}
	s.mu.Unlock()
	if !found {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"Code": 10010205, "Message": "model not found", "Success": false})
		return
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"Code": 200, "Data": map[string]any{"Files": files}, "Success": true})
}

func (s *Server) cdn(w http.ResponseWriter, r *http.Request) {
	sha := strings.TrimPrefix(r.URL.Path, "/blobs/")
	s.mu.Lock()
	if r.Header.Get("Authorization") != "" {
		s.stats.AuthOnCDN++
	}
	data, ok := s.blobs[sha]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.serveData(w, r, data, sha)
}

// serveData answers a content request with Range support and whatever faults are switched on.
func (s *Server) serveData(w http.ResponseWriter, r *http.Request, data []byte, etag string) {
	s.mu.Lock()
	f := &s.faults
	s.stats.DataRequests++
	fail := f.Errors > 0
	if fail {
		f.Errors--
	}
	noRange := f.NoRange
	s.mu.Unlock()
	if etag != "" {
		w.Header().Set("ETag", `"`+etag+`"`)
	}
	if fail {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	start, end := int64(0), int64(len(data))
	status := http.StatusOK
	if rg := r.Header.Get("Range"); rg != "" && !noRange {
		a, b, ok := parseRange(rg, int64(len(data)))
		if !ok {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", len(data)))
			http.Error(w, "range not satisfiable", http.StatusRequestedRangeNotSatisfiable)
			return
		}
		start, end, status = a, b, http.StatusPartialContent
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", a, b-1, len(data)))
		s.mu.Lock()
		s.stats.RangeStarts = append(s.stats.RangeStarts, a)
		s.mu.Unlock()
	}
	body := data[start:end]

	s.mu.Lock()
	drop, dropAfter := false, f.DropAfter
	if f.Drops > 0 && int64(len(body)) > dropAfter {
		drop = true
		f.Drops--
	}
	stall, stallAfter, stallFor := false, f.StallAfter, f.StallFor
	if f.Stalls > 0 && int64(len(body)) > stallAfter {
		stall = true
		f.Stalls--
	}
	if f.Corrupts != 0 && f.CorruptAt >= start && f.CorruptAt < end {
		body = append([]byte(nil), body...)
		body[f.CorruptAt-start] ^= 0xff
		if f.Corrupts > 0 {
			f.Corrupts--
		}
	}
	s.mu.Unlock()

	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Accept-Ranges", "bytes")
	w.WriteHeader(status)
	fl, _ := w.(http.Flusher)
	write := func(b []byte) {
		n, _ := w.Write(b)
		s.mu.Lock()
		s.stats.BytesServed += int64(n) // counted as sent, so a later ResetStats is not polluted
		s.mu.Unlock()
		if fl != nil {
			fl.Flush()
		}
	}
	if drop {
		write(body[:dropAfter])
		panic(http.ErrAbortHandler) // closes the connection mid-body
	}
	if stall {
		write(body[:stallAfter])
		select {
		case <-time.After(stallFor):
		case <-r.Context().Done():
			return
		}
		body = body[stallAfter:]
	}
	// Send in pieces so that clients see progress and can be cancelled part-way.
	for len(body) > 0 {
		n := min(len(body), 64<<10)
		write(body[:n])
		body = body[n:]
		if r.Context().Err() != nil {
			return
		}
	}
}

// parseRange parses a single "bytes=A-B", "bytes=A-" or "bytes=-N" range into [start, end).
func parseRange(h string, size int64) (int64, int64, bool) {
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return 0, 0, false
	}
	a, b, ok := strings.Cut(spec, "-")
	if !ok {
		return 0, 0, false
	}
	if a == "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			return 0, 0, false
		}
		return max(size-n, 0), size, true
	}
	start, err := strconv.ParseInt(a, 10, 64)
	if err != nil || start >= size {
		return 0, 0, false
	}
	end := size
	if b != "" {
		e, err := strconv.ParseInt(b, 10, 64)
		if err != nil || e < start {
			return 0, 0, false
		}
		end = min(e+1, size)
	}
	return start, end, true
}
