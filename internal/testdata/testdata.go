// Package testdata locates the shared test data (real Qwen3 tokenizer files, llama.cpp golden outputs) that
// lives beside the repository in ../shared/testdata, so tests read it in place instead of copying it.
//
// Tests call Dir(t, "golden"). When the data is absent (someone cloned only the repository) the test is
// skipped with a message saying what is missing; under CI=true it fails instead, because CI must run it.
package testdata

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvVar overrides the location of the shared test data directory.
const EnvVar = "QWEN_TESTDATA"

// Root returns the shared test data directory, or "" when it cannot be found.
func Root() string {
	if d := os.Getenv(EnvVar); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	// Walk up to the module root (the directory holding go.mod), then look beside it.
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			cand := filepath.Join(filepath.Dir(dir), "shared", "testdata")
			if st, err := os.Stat(cand); err == nil && st.IsDir() {
				return cand
			}
			return ""
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
	}
}

// Dir returns Root()/sub, skipping the test (failing it under CI=true) when that path does not exist.
func Dir(t testing.TB, sub string) string {
	t.Helper()
	root := Root()
	p := filepath.Join(root, sub)
	if root == "" {
		missing(t, "../shared/testdata (set "+EnvVar+" to its location)")
		return ""
	}
	if _, err := os.Stat(p); err != nil {
		missing(t, p)
		return ""
	}
	return p
}

func missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("shared test data missing: %s", what)
	}
	t.Skipf("shared test data missing: %s", what)
}
