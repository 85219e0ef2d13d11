package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Sources a model can be downloaded from.
const (
	SourceHF         = "hf"
	SourceModelScope = "modelscope"
)

// Default endpoints; HF_ENDPOINT and MODELSCOPE_ENDPOINT override them, as do Options.Endpoint.
const (
	DefaultHFEndpoint         = "https://huggingface.co"
	DefaultModelScopeEndpoint = "https://www.modelscope.cn"
)

// Errors a source reports; check with errors.Is.
var (
	ErrNotFound     = errors.New("not found on the hub")
	ErrUnauthorized = errors.New("the hub refused access (gated or private repository: set HF_TOKEN)")
	ErrNoChecksum   = errors.New("the hub published no checksum for the file")
)

// RepoInfo is a repository listing at one revision.
type RepoInfo struct {
	Repo   string
	Commit string // the commit the revision resolved to ("" when the hub does not say)
	Files  []RemoteFile
}

// RemoteFile is a file in a repository listing.
type RemoteFile struct {
	Path   string
	Size   int64
	SHA256 string // LFS files: the sha256 of the content
	GitOID string // other files: the git blob id (sha1 of "blob <size>\0" + content)
}

// FileInfo is what the hub says about one file right before it is downloaded.
type FileInfo struct {
	RemoteFile
	Commit string // commit the revision resolved to
	URL    string // where the bytes come from (after the hub's redirect)
}

// Source is a model hub.
type Source interface {
	Name() string
	// List returns the files of repo at rev ("" for the default branch).
	List(ctx context.Context, repo, rev string) (*RepoInfo, error)
	// Stat returns the size, checksum and download URL of one file.
	Stat(ctx context.Context, repo, rev, path string) (*FileInfo, error)
	// authorize adds credentials to a request for u, only when u is on the hub itself.
	authorize(req *http.Request)
}

// HF is the Hugging Face hub (or a mirror with the same API).
type HF struct {
	Endpoint string // "https://huggingface.co"
	Token    string // sent only to Endpoint's host
	Client   *http.Client
}

func (h *HF) Name() string { return SourceHF }

func (h *HF) authorize(req *http.Request) {
	if h.Token != "" && sameHost(req.URL, h.Endpoint) {
		req.Header.Set("Authorization", "Bearer "+h.Token)
	}
}

// List calls the model info API (/api/models/REPO[/revision/REV]?blobs=true), which lists every file with
// its size and, for LFS files, the sha256.
func (h *HF) List(ctx context.Context, repo, rev string) (*RepoInfo, error) {
	u := strings.TrimRight(h.Endpoint, "/") + "/api/models/" + escapePath(repo)
	if rev != "" {
		u += "/revision/" + url.PathEscape(rev)
	}
	u += "?blobs=true"
	var body struct {
		ID       string `json:"id"`
		SHA      string `json:"sha"`
		Siblings []struct {
			RFilename string `json:"rfilename"`
			Size      int64  `json:"size"`
			BlobID    string `json:"blobId"`
			LFS       *struct {
				SHA256 string `json:"sha256"`
				Size   int64  `json:"size"`
			} `json:"lfs"`
		} `json:"siblings"`
	}
	if err := getJSON(ctx, h.Client, h, u, &body); err != nil {
		return nil, fmt.Errorf("hub: %s: list %s: %w", h.Endpoint, repo, err)
	}
	info := &RepoInfo{Repo: repo, Commit: body.SHA}
	for _, s := range body.Siblings {
		f := RemoteFile{Path: s.RFilename, Size: s.Size, GitOID: s.BlobID}
		if s.LFS != nil {
			f.SHA256, f.Size, f.GitOID = strings.ToLower(s.LFS.SHA256), s.LFS.Size, ""
		}
		info.Files = append(info.Files, f)
	}
	return info, nil
}

// Stat sends a HEAD to resolve/REV/PATH without following the redirect, as huggingface_hub does: the hub
// answers with the commit (X-Repo-Commit), the LFS sha256 (X-Linked-Etag, or ETag for files served
// directly, which is then the git blob id), the size (X-Linked-Size) and the download location.
func (h *HF) Stat(ctx context.Context, repo, rev, path string) (*FileInfo, error) {
	if rev == "" {
		rev = "main"
	}
	u := strings.TrimRight(h.Endpoint, "/") + "/" + escapePath(repo) + "/resolve/" + url.PathEscape(rev) + "/" + escapePath(path)
	c := noRedirect(h.Client)
	var resp *http.Response
	var req *http.Request
	// Redirects within the hub (a renamed repository) are followed; the first one elsewhere (the CDN) is
	// where the bytes are, as huggingface_hub does.
	for hops := 0; ; hops++ {
		var err error
		req, err = http.NewRequestWithContext(ctx, http.MethodHead, u, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept-Encoding", "identity")
		h.authorize(req)
		resp, err = c.Do(req)
		if err != nil {
			return nil, fmt.Errorf("hub: %s: %w", u, err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode/100 != 3 || loc == "" || resp.Header.Get("X-Linked-Etag") != "" || hops == 5 {
			break
		}
		next, err := req.URL.Parse(loc)
		if err != nil || !strings.EqualFold(next.Host, req.URL.Host) {
			break
		}
		u = next.String()
	}
	if err := statusError(resp); err != nil {
		return nil, fmt.Errorf("hub: %s: %s: %w", repo, path, err)
	}
	fi := &FileInfo{RemoteFile: RemoteFile{Path: path}, Commit: resp.Header.Get("X-Repo-Commit"), URL: u}
	etag := resp.Header.Get("X-Linked-Etag")
	if etag == "" {
		etag = resp.Header.Get("ETag")
	}
	etag = normalizeETag(etag)
	switch {
	case isHex(etag, 64):
		fi.SHA256 = etag
	case isHex(etag, 40):
		fi.GitOID = etag
	}
	size := resp.Header.Get("X-Linked-Size")
	if size == "" {
		size = resp.Header.Get("Content-Length")
	}
	if n, err := strconv.ParseInt(size, 10, 64); err == nil && n >= 0 {
		fi.Size = n
	} else {
		fi.Size = -1
	}
	if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode/100 == 3 {
		l, err := req.URL.Parse(loc)
		if err != nil {
			return nil, fmt.Errorf("hub: %s: bad redirect %q: %w", u, loc, err)
		}
		fi.URL = l.String()
	}
	return fi, nil
}

// ModelScope is the ModelScope hub (modelscope.cn), which lists files with their sha256.
type ModelScope struct {
	Endpoint string // "https://www.modelscope.cn"
	Token    string
	Client   *http.Client
}

func (m *ModelScope) Name() string { return SourceModelScope }

func (m *ModelScope) authorize(req *http.Request) {
	if m.Token != "" && sameHost(req.URL, m.Endpoint) {
		req.Header.Set("Authorization", "Bearer "+m.Token)
	}
}

// List calls /api/v1/models/REPO/repo/files?Revision=REV&Recursive=true.
func (m *ModelScope) List(ctx context.Context, repo, rev string) (*RepoInfo, error) {
	if rev == "" {
		rev = "master"
	}
	u := strings.TrimRight(m.Endpoint, "/") + "/api/v1/models/" + escapePath(repo) + "/repo/files?Revision=" +
		url.QueryEscape(rev) + "&Recursive=true"
	var body struct {
		Code    int    `json:"Code"`
		Message string `json:"Message"`
		Data    struct {
			Files []struct {
				Path     string `json:"Path"`
				Type     string `json:"Type"`
				Size     int64  `json:"Size"`
				Sha256   string `json:"Sha256"`
				Revision string `json:"Revision"`
			} `json:"Files"`
		} `json:"Data"`
	}
	if err := getJSON(ctx, m.Client, m, u, &body); err != nil {
		return nil, fmt.Errorf("hub: %s: list %s: %w", m.Endpoint, repo, err)
	}
	if body.Code != 0 && body.Code != 200 {
		return nil, fmt.Errorf("hub: %s: list %s: code %d: %s", m.Endpoint, repo, body.Code, body.Message)
	}
	// ModelScope has no commit-addressed snapshot names in its listing; the revision name stands in.
	info := &RepoInfo{Repo: repo, Commit: rev}
	for _, f := range body.Data.Files {
		if f.Type == "tree" {
			continue
		}
		info.Files = append(info.Files, RemoteFile{Path: f.Path, Size: f.Size, SHA256: strings.ToLower(f.Sha256)})
	}
	return info, nil
}

// Stat finds the file in the listing; the bytes come from /models/REPO/resolve/REV/PATH.
func (m *ModelScope) Stat(ctx context.Context, repo, rev, path string) (*FileInfo, error) {
	info, err := m.List(ctx, repo, rev)
	if err != nil {
		return nil, err
	}
	if rev == "" {
		rev = "master"
	}
	for _, f := range info.Files {
		if f.Path == path {
			u := strings.TrimRight(m.Endpoint, "/") + "/models/" + escapePath(repo) + "/resolve/" + url.PathEscape(rev) + "/" + escapePath(path)
			return &FileInfo{RemoteFile: f, Commit: info.Commit, URL: u}, nil
		}
	}
	return nil, fmt.Errorf("hub: %s: %s: %s: %w", m.Endpoint, repo, path, ErrNotFound)
}

func getJSON(ctx context.Context, c *http.Client, src Source, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	src.authorize(req)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := statusError(resp); err != nil {
		return err
	}
	// Listings of big repositories are a few hundred KB; 32 MB bounds a broken or hostile server.
	if err := json.NewDecoder(io.LimitReader(resp.Body, 32<<20)).Decode(v); err != nil {
		return fmt.Errorf("bad JSON: %w", err)
	}
	return nil
}

// httpStatusError is an unexpected HTTP status; 5xx and 429 are worth retrying.
type httpStatusError struct {
	Code   int
	Status string
}

func (e *httpStatusError) Error() string { return "HTTP " + e.Status }

func (e *httpStatusError) temporary() bool {
	return e.Code >= 500 || e.Code == http.StatusTooManyRequests
}

func statusError(resp *http.Response) error {
	switch {
	case resp.StatusCode < 400:
		return nil
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("HTTP %s: %w", resp.Status, ErrUnauthorized)
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("HTTP %s: %w", resp.Status, ErrNotFound)
	}
	return &httpStatusError{Code: resp.StatusCode, Status: resp.Status}
}

func noRedirect(c *http.Client) *http.Client {
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cc
}

func sameHost(u *url.URL, endpoint string) bool {
	e, err := url.Parse(endpoint)
	return err == nil && strings.EqualFold(e.Host, u.Host)
}

// normalizeETag strips the weak marker and quotes: W/"abc" -> abc.
func normalizeETag(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "W/")
	return strings.ToLower(strings.Trim(s, `"`))
}

// escapePath escapes each segment of a slash-separated path.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
