// Command qwen3 is the command-line side of Qwen Studio: it inspects, tokenizes, runs and benchmarks Qwen3
// models, samples video frames and manages the local model store. Run `qwen3 help` for the command list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
)

// command is one subcommand. run receives the arguments after the subcommand name.
type command struct {
	summary string
	run     func(ctx context.Context, env *cliEnv, args []string) error
}

// cliEnv carries the process's standard streams so that commands are testable without a real terminal.
type cliEnv struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// commands lists every subcommand. Each lives in its own cmd_<name>.go file.
func commands() map[string]command {
	return map[string]command{
		// (entries are added as the commands are implemented)
		"inspect": {"show a model's architecture, size, tensor types and memory needs", runInspect},
		"prompt":  {"print the exact prompt a model's chat template makes of a conversation (JSON)", runPrompt},
		"run":     {"answer one prompt, streaming reasoning and answer", runRun},
		"chat":    {"chat interactively (reads stdin line by line; /help for commands)", runChat},
		"bench":   {"measure prompt processing and generation speed (tokens/s) and peak memory", runBench},
		"gen":     {"generate a random-weight Qwen3 / Qwen3-MoE model (GGUF or HF folder) for tests and benchmarks", runGen},
		"pull":    {"download a model (qwen3:8b, hf://ORG/REPO:QUANT) into the Hugging Face cache, resumable and verified", runPull},
		"ls":      {"list the models on disk (HF cache, LM Studio, llama.cpp, your folders) and whether they fit in memory", runLs},
		"rm":      {"remove a downloaded model from the Hugging Face cache", runRm},
		"logits":  {"write the logits of a token sequence as little-endian float32 (parity checks)", runLogits},

		"tokenize": {"print the token ids of a text (or of JSON strings on stdin with --jsonl)", runTokenize},
		"frames":   {"extract video frames (Qwen3-VL sampling, evenly spaced or at given times) as PNG + frames.json", runFrames},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	env := &cliEnv{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	os.Exit(runCLI(ctx, env, os.Args[1:]))
}

// runCLI dispatches to a subcommand and returns the process exit status.
func runCLI(ctx context.Context, env *cliEnv, args []string) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.stderr, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(env.stderr, "qwen3: unknown command %q\n\n", args[0])
		usage(env.stderr, cmds)
		return 2
	}
	if err := c.run(ctx, env, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(env.stderr, "qwen3 %s: %v\n", args[0], err)
			return 2
		}
		fmt.Fprintf(env.stderr, "qwen3 %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// usageError marks a mistake in the command line (exit status 2) as opposed to a failure while working (1).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// newFlagSet returns a flag set that reports errors instead of exiting, writing help to stderr.
func newFlagSet(env *cliEnv, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("qwen3 "+name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "usage: qwen3 %s %s\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: qwen3 COMMAND [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun `qwen3 COMMAND -h` for a command's flags.")
}

// parseArgs parses flags that may appear before, between or after positional arguments
// (`qwen3 frames VIDEO --fps 1`), returning the positional ones in order. "--" ends flag parsing.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" || (len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--") {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
