package tinymodel

import (
	"context"
	"testing"
	"time"
)

func TestBuiltinVocabQuick(t *testing.T) {
	start := time.Now()
	v, err := BuiltinVocab(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d BPE tokens, %d merges, %d rows in %v", len(v.BPE), len(v.Merges), v.Rows, time.Since(start))
	t.Logf("last merges: %q", v.Merges[len(v.Merges)-20:])
	t.Logf("some tokens: %q", v.BPE[256:300])
}
