package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/qwenstudio/qwenstudio/llm/hub"
	"github.com/qwenstudio/qwenstudio/platform"
)

func runPull(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "pull", "REF [--source hf|modelscope] [--endpoint URL]\n\n"+
		"REF is a catalog name (qwen3:8b, qwen3:8b-q8_0, qwen3-vl:4b), hf://ORG/REPO[:FILE_OR_QUANT] or ms://ORG/REPO[...].\n"+
		"Files go to the Hugging Face cache ($HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub); an interrupted\n"+
		"pull continues where it stopped. Models already on disk (also LM Studio's and llama.cpp's) are not downloaded again.")
	source := fs.String("source", "", "where to download from: hf or modelscope (default $QWEN_STUDIO_SOURCE, else hf)")
	endpoint := fs.String("endpoint", "", "hub URL, for mirrors (default $HF_ENDPOINT or $MODELSCOPE_ENDPOINT)")
	parallel := fs.Int("parallel", 4, "byte ranges of a large file fetched at once")
	retries := fs.Int("retries", 8, "failed attempts in a row before giving up on a file")
	stall := fs.Duration("stall-timeout", 30*time.Second, "restart a request that receives nothing for this long")
	nctx := fs.Int("ctx", 8192, "context length for the memory estimate")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one REF, got %d arguments", len(pos))
	}
	if *parallel < 1 || *retries < 1 || *stall <= 0 || *nctx < 1 {
		return usagef("--parallel, --retries, --stall-timeout and --ctx must be positive")
	}
	if *source != "" && *source != hub.SourceHF && *source != hub.SourceModelScope && *source != "ms" {
		return usagef("--source %q: want hf or modelscope", *source)
	}
	opts := hubOptions()
	opts.Source, opts.Endpoint = *source, *endpoint
	ref := pos[0]

	if res, err := hub.ResolveModel(ctx, ref, opts); err == nil {
		fmt.Fprintf(env.stdout, "%s is already on disk (%s): %s\n", res.Ref.String(), locationLabel(res.Location), res.Path)
		printFit(env.stdout, res, *nctx)
		return nil
	} else if !errors.Is(err, hub.ErrNotDownloaded) {
		return err
	}

	bar := newProgressPrinter(env.stderr)
	opts.Download = hub.Downloader{Parallel: *parallel, Retries: *retries, StallTimeout: *stall, Progress: bar.update,
		ProgressEvery: bar.every()}
	res, err := hub.Pull(ctx, ref, opts)
	bar.finish()
	if err != nil {
		return explainPullError(err)
	}
	fmt.Fprintf(env.stdout, "%s: %s (%s)\n", res.Ref.String(), res.Path, hub.FormatBytes(res.Size))
	if res.MMProj != "" {
		fmt.Fprintf(env.stdout, "vision projector: %s\n", res.MMProj)
	}
	printFit(env.stdout, res, *nctx)
	return nil
}

// hubOptions are the model-manager settings every command shares: the environment, plus the app's model
// folders in $QWEN_STUDIO_MODEL_DIRS.
func hubOptions() hub.Options { return hub.Options{} }

// explainPullError adds what to do about the errors a user can act on.
func explainPullError(err error) error {
	switch {
	case errors.Is(err, hub.ErrDiskFull):
		return fmt.Errorf("%w\nfree some space (qwen3 ls shows what is on disk, qwen3 rm removes it) or set HF_HUB_CACHE to a bigger disk", err)
	case errors.Is(err, hub.ErrUnauthorized):
		return fmt.Errorf("%w\naccept the model's terms on its hub page and set HF_TOKEN to an access token", err)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("interrupted; run the same pull again to continue where it stopped")
	}
	return err
}

// printFit prints the memory estimate for a model on disk at nctx positions of context.
func printFit(w io.Writer, res *hub.Resolved, nctx int) {
	mem, err := platform.ReadMemory()
	if err != nil {
		return
	}
	m, err := hub.ReadLocal(res.Path)
	if err != nil {
		return
	}
	m.Size, m.MMProj = res.Size-fileSize(res.MMProj), res.MMProj
	if m.Dims.Layers == 0 && res.Ref.Model != nil {
		m.Dims = res.Ref.Model.Dims
	}
	fmt.Fprintf(w, "memory at %d tokens of context: %s\n", nctx, hub.FitLocal(m, nctx, mem))
}

func fileSize(p string) int64 {
	if p == "" {
		return 0
	}
	st, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return st.Size()
}

func locationLabel(loc string) string {
	switch loc {
	case hub.LocHFCache:
		return "Hugging Face cache"
	case hub.LocLMStudio:
		return "LM Studio"
	case hub.LocLlamaCpp:
		return "llama.cpp cache"
	case hub.LocFolder:
		return "model folder"
	}
	return loc
}

// progressPrinter shows download progress: a bar redrawn in place on a terminal, plain lines every 10%
// otherwise (logs, pipes, tests).
type progressPrinter struct {
	w        io.Writer
	tty      bool
	lastFile string
	lastPct  int
	drawn    bool
}

func newProgressPrinter(w io.Writer) *progressPrinter {
	return &progressPrinter{w: w, tty: isTTY(w), lastPct: -1}
}

func (p *progressPrinter) every() time.Duration {
	if p.tty {
		return 200 * time.Millisecond
	}
	return time.Second
}

func (p *progressPrinter) update(pr hub.Progress) {
	name := pr.Repo + "/" + pr.Path
	if name != p.lastFile {
		if p.drawn {
			fmt.Fprintln(p.w)
			p.drawn = false
		}
		p.lastFile, p.lastPct = name, -1
		if !p.tty && pr.Phase != hub.PhaseDone {
			fmt.Fprintf(p.w, "[%d/%d] %s (%s)\n", pr.File, pr.Files, name, hub.FormatBytes(pr.Total))
		}
	}
	pct := 0
	if pr.Total > 0 {
		pct = int(pr.Done * 100 / pr.Total)
	}
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K[%d/%d] %-28s %s %3d%% %s", pr.File, pr.Files, shorten(filepath.Base(pr.Path), 28), bar(pct, 24), pct, p.detail(pr))
		p.drawn = true
		if pr.Phase == hub.PhaseDone {
			fmt.Fprintln(p.w)
			p.drawn = false
		}
		return
	}
	switch pr.Phase {
	case hub.PhaseWaiting:
		if p.lastPct < 0 {
			fmt.Fprintln(p.w, "  waiting for another download of the same file")
			p.lastPct = 0
		}
	case hub.PhaseDownloading:
		if pct/10 > p.lastPct/10 || p.lastPct < 0 {
			fmt.Fprintf(p.w, "  %3d%% %s\n", pct, p.detail(pr))
			p.lastPct = pct
		}
	case hub.PhaseVerifying:
		if p.lastPct != 1000 {
			fmt.Fprintln(p.w, "  verifying sha256")
			p.lastPct = 1000
		}
	case hub.PhaseDone:
		fmt.Fprintf(p.w, "  done: %s\n", hub.FormatBytes(pr.Total))
	}
}

func (p *progressPrinter) detail(pr hub.Progress) string {
	switch pr.Phase {
	case hub.PhaseWaiting:
		return "waiting for another download of this file"
	case hub.PhaseVerifying:
		return "verifying " + hub.FormatBytes(pr.Done) + " of " + hub.FormatBytes(pr.Total)
	case hub.PhaseDone:
		return hub.FormatBytes(pr.Total) + " verified"
	}
	s := hub.FormatBytes(pr.Done) + " of " + hub.FormatBytes(pr.Total)
	if pr.Speed > 0 {
		s += ", " + hub.FormatBytes(int64(pr.Speed)) + "/s"
	}
	if pr.ETA >= 0 {
		s += ", " + pr.ETA.Round(time.Second).String() + " left"
	}
	return s
}

func (p *progressPrinter) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

func bar(pct, width int) string {
	n := min(max(pct, 0), 100) * width / 100
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

// isTTY reports whether w is a terminal (a character device), not a file, pipe or buffer.
func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
