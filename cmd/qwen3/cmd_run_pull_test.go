package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/qwenstudio/qwenstudio/llm/hub/hubtest"
	"github.com/qwenstudio/qwenstudio/llm/tinymodel"
)

// A catalog name that is not on disk: without a terminal, run explains how to get it; with --pull it
// downloads the model from the hub and answers with it.
func TestRunPullsCatalogModelOnFirstUse(t *testing.T) {
	h := newHubEnv(t)
	var model bytes.Buffer
	if err := tinymodel.EncodeGGUF(context.Background(), &model, tinymodel.Demo()); err != nil {
		t.Fatal(err)
	}
	h.commit = h.srv.AddRepo("Qwen/Qwen3-0.6B-GGUF", hubtest.File{Path: "Qwen3-0.6B-Q8_0.gguf", Data: model.Bytes()})

	_, errOut, code := q3(t, "", "run", "-m", "qwen3:0.6b", "-n", "3", "--no-think", "hello")
	if code != 1 || !strings.Contains(errOut, "not downloaded") || !strings.Contains(errOut, "--pull") {
		t.Fatalf("without --pull: exit %d, stderr:\n%s", code, errOut)
	}
	out, errOut, code := q3(t, "", "run", "-m", "qwen3:0.6b", "--pull", "-n", "3", "--no-think", "--seed", "1", "hello")
	if code != 0 {
		t.Fatalf("with --pull: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "downloaded qwen3:0.6b") || !strings.Contains(errOut, "3 generated") {
		t.Errorf("stderr does not report the download and the generation:\n%s", errOut)
	}
	// Second run: on disk now, no download.
	_, errOut, code = q3(t, "", "run", "-m", "qwen3:0.6b", "-n", "2", "--no-think", "hello")
	if code != 0 || strings.Contains(errOut, "downloaded") {
		t.Errorf("second run: exit %d\n%s", code, errOut)
	}
}
