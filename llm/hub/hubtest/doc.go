// Package hubtest runs a Hugging Face-compatible hub on loopback for tests, with switches that reproduce
// what goes wrong with real downloads.
//
// # Endpoints
//
// The hub server answers the model info API (/api/models/ORG/NAME[/revision/REV]?blobs=true, with siblings
// and LFS sha256), resolve/REV/FILE (a 302 redirect for LFS files to a second server, the "CDN", with
// X-Repo-Commit, X-Linked-Etag and X-Linked-Size; small files served directly with their git blob id as
// ETag), and ModelScope's file listing and resolve paths. Both servers honour Range requests.
//
// # Faults
//
// [Faults] drop the connection part-way through a response, stall it, answer 500, flip a byte, ignore
// Range, or require a token. [Server.SetFile] changes a file (a new commit) between attempts; the CDN keeps
// serving old content by its sha256, as a content-addressed CDN does.
//
// # Test models
//
// [TinyGGUF] builds a small but valid GGUF file with the metadata the model manager reads.
package hubtest
