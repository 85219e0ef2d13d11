package state

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strings"

	"github.com/qwenstudio/qwenstudio/llm"
	"github.com/qwenstudio/qwenstudio/llm/chat"
	"github.com/qwenstudio/qwenstudio/llm/qwen3"
	"github.com/qwenstudio/qwenstudio/llm/tinymodel"
	"github.com/qwenstudio/qwenstudio/platform"
)

// Engine is a loaded model as the chat uses it. *LLMEngine (the real engine) satisfies it; tests use fakes.
type Engine interface {
	Info() ModelInfo
	// NewSession makes a KV cache of nCtx positions (0: the model's context length).
	NewSession(nCtx int) (Session, error)
	Close() error
}

// Session is one KV cache. *llm.Session satisfies it.
type Session interface {
	Generate(ctx context.Context, msgs []chat.Message, opts llm.Options) iter.Seq2[llm.Event, error]
	Len() int
	ContextSize() int
	Close() error
}

// ModelInfo describes a loaded model for the UI.
type ModelInfo struct {
	Name          string // display name
	Path          string
	Arch          string // qwen3, qwen3moe, ...
	Vision        bool   // the model can read images and videos
	CanThink      bool   // the template produces reasoning
	ThinkSwitch   bool   // the template has the enable_thinking switch (hybrid models)
	ContextLength int    // trained context
	Backend       string // "cpu, 8 threads"
	Demo          bool   // the random-weight demo model
	Size          int64  // bytes on disk
}

// LLMEngine adapts *llm.Engine to Engine.
type LLMEngine struct {
	E    *llm.Engine
	info ModelInfo
}

// Info describes the model.
func (e *LLMEngine) Info() ModelInfo { return e.info }

// NewSession makes a session.
func (e *LLMEngine) NewSession(nCtx int) (Session, error) { return e.E.NewSession(nCtx) }

// Close releases the model.
func (e *LLMEngine) Close() error { return e.E.Close() }

// LoadOptions configure LoadModel.
type LoadOptions struct {
	Threads int  // CPU threads; 0: one per CPU
	Demo    bool // the file is the generated demo model
}

// LoadModel loads a GGUF file or Hugging Face folder with the real engine.
func LoadModel(ctx context.Context, path string, opts LoadOptions) (*LLMEngine, error) {
	e, err := llm.Load(ctx, path, llm.LoadOptions{Qwen3: qwen3.Options{Threads: opts.Threads}})
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", path, err)
	}
	info := ModelInfo{Path: path, Demo: opts.Demo, CanThink: e.Template().CanThink(),
		ThinkSwitch: e.Template().HasThinkingSwitch(), Name: modelName(path)}
	if q, ok := e.Model().(llm.Qwen3); ok {
		cfg := q.Config()
		info.Arch = cfg.Arch
		info.ContextLength = cfg.ContextLength
		bi := q.Backend().Info()
		info.Backend = bi.Name
		if bi.Threads > 0 {
			info.Backend += fmt.Sprintf(", %d threads", bi.Threads)
		}
	} else {
		info.ContextLength = e.Model().ContextLength()
	}
	if opts.Demo {
		info.Name = "Demo model (random weights)"
	}
	info.Size = diskSize(path)
	return &LLMEngine{E: e, info: info}, nil
}

// modelName makes a display name from a path: the file name without .gguf, or the folder name; for files
// in a Hugging Face cache snapshot, the repository.
func modelName(path string) string {
	base := filepath.Base(path)
	name := strings.TrimSuffix(base, filepath.Ext(base))
	if filepath.Ext(base) != ".gguf" {
		name = base
	}
	// .../models--Qwen--Qwen3-8B/snapshots/<commit>/file
	parts := strings.Split(filepath.ToSlash(path), "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "models--") && i+2 < len(parts) && parts[i+1] == "snapshots" {
			repo := strings.ReplaceAll(strings.TrimPrefix(p, "models--"), "--", "/")
			if strings.HasSuffix(base, ".gguf") {
				return name
			}
			return repo
		}
	}
	return name
}

func diskSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	if !st.IsDir() {
		return st.Size()
	}
	var n int64
	filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			// Stat follows the symlinks of a Hugging Face snapshot to the blobs.
			if fi, err := os.Stat(p); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// DemoModelPath is where the demo model lives in the app's cache folder.
func DemoModelPath(dirs platform.Dirs) string {
	return filepath.Join(dirs.Cache, "demo", "qwen3-demo-random.gguf")
}

// EnsureDemoModel generates the random-weight demo model at path unless it is already there.
func EnsureDemoModel(ctx context.Context, path string) error {
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("demo model: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("demo model: %w", err)
	}
	if err := tinymodel.WriteGGUF(ctx, path, tinymodel.Demo()); err != nil {
		return fmt.Errorf("generating the demo model: %w", err)
	}
	return nil
}
