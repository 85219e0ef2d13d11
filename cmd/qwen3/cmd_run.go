package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/qwenstudio/qwenstudio/llm"
	"github.com/qwenstudio/qwenstudio/llm/chat"
	"github.com/qwenstudio/qwenstudio/llm/hub"
	"github.com/qwenstudio/qwenstudio/llm/qwen3"
	"github.com/qwenstudio/qwenstudio/llm/sample"
	"github.com/qwenstudio/qwenstudio/llm/tinymodel"
)

// genFlags are the flags run and chat share: the model, the thinking switch and budget, sampling, output.
type genFlags struct {
	model        string
	demo         bool
	nCtx         int
	threads      int
	think        bool
	noThink      bool
	budget       int
	maxTokens    int
	system       string
	hideThinking bool
	samp         sample.Override
	set          map[string]bool // flags given on the command line
	temp, topP   float64
	minP         float64
	presence     float64
	repetition   float64
	topK         int
	seed         uint64
	pull         bool
	q8           bool
	kv           string
}

func (g *genFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&g.model, "m", "", "model: a .gguf file, a Hugging Face folder, or a downloaded model's name (qwen3:0.6b)")
	fs.BoolVar(&g.demo, "demo", false, "use a generated random-weight demo model instead of -m (it answers gibberish)")
	fs.IntVar(&g.nCtx, "ctx", 4096, "context size in tokens (KV cache positions)")
	fs.IntVar(&g.threads, "t", 0, "CPU threads (0: one per CPU)")
	fs.BoolVar(&g.think, "think", false, "thinking on (the template's enable_thinking=true)")
	fs.BoolVar(&g.noThink, "no-think", false, "thinking off (enable_thinking=false)")
	fs.IntVar(&g.budget, "budget", 0, "thinking budget: after N reasoning tokens the model must answer (0: no limit)")
	fs.IntVar(&g.maxTokens, "n", 0, "most tokens to generate (0: until the context is full)")
	fs.StringVar(&g.system, "system", "", "system prompt")
	fs.BoolVar(&g.hideThinking, "hide-thinking", false, "do not print the reasoning")
	fs.Float64Var(&g.temp, "temp", 0, "temperature (0: greedy; default: Qwen's recommendation for the mode)")
	fs.Float64Var(&g.topP, "top-p", 0, "top-p (default 0.95 thinking, 0.8 otherwise)")
	fs.IntVar(&g.topK, "top-k", 0, "top-k (default 20; 0 when given: off)")
	fs.Float64Var(&g.minP, "min-p", 0, "min-p (default 0)")
	fs.Float64Var(&g.presence, "presence-penalty", 0, "presence penalty (default 0; 1.5 helps against repetition)")
	fs.Float64Var(&g.repetition, "repeat-penalty", 0, "repetition penalty (default 1: off)")
	fs.Uint64Var(&g.seed, "seed", 0, "random seed (default: a new one each run)")
	fs.BoolVar(&g.q8, "q8", false, "quantize a Hugging Face folder's BF16/F16 weights to Q8_0 while loading (half the memory)")
	fs.StringVar(&g.kv, "kv", "f16", "KV cache type: f16 or f32")
	fs.BoolVar(&g.pull, "pull", false, "download a catalog model that is not on disk yet without asking")
}

// finish checks the flags after parsing and fills the sampling override with the flags actually given.
func (g *genFlags) finish(fs *flag.FlagSet) error {
	g.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { g.set[f.Name] = true })
	if (g.model == "") == !g.demo {
		return usagef("give -m MODEL or --demo (one of them)")
	}
	if g.think && g.noThink {
		return usagef("--think and --no-think exclude each other")
	}
	if g.kv != "f16" && g.kv != "f32" {
		return usagef("--kv %q: want f16 or f32", g.kv)
	}
	if g.budget < 0 || g.maxTokens < 0 || g.nCtx <= 0 || g.threads < 0 {
		return usagef("--budget, -n and -t must be ≥ 0 and --ctx > 0")
	}
	f32 := func(name string, v float64, dst **float32) {
		if g.set[name] {
			x := float32(v)
			*dst = &x
		}
	}
	f32("temp", g.temp, &g.samp.Temperature)
	f32("top-p", g.topP, &g.samp.TopP)
	f32("min-p", g.minP, &g.samp.MinP)
	f32("presence-penalty", g.presence, &g.samp.PresencePenalty)
	f32("repeat-penalty", g.repetition, &g.samp.RepetitionPenalty)
	if g.set["top-k"] {
		g.samp.TopK = &g.topK
	}
	seed := g.seed
	if !g.set["seed"] {
		seed = uint64(time.Now().UnixNano())
	}
	g.samp.Seed = &seed
	if err := sample.Defaults(true).Apply(g.samp).Validate(); err != nil {
		return usagef("%v", err)
	}
	return nil
}

// thinkSwitch returns the hard thinking switch the flags ask for (nil: the model's default).
func (g *genFlags) thinkSwitch() *bool {
	switch {
	case g.think:
		return ptrTo(true)
	case g.noThink:
		return ptrTo(false)
	}
	return nil
}

func ptrTo[T any](v T) *T { return &v }

// resolveModel turns -m into a path: a file or folder as given, or a model name of the catalog or the
// Hugging Face cache (qwen3:0.6b, hf://ORG/REPO:QUANT) that qwen3 pull has downloaded.
func resolveModel(ctx context.Context, ref string) (string, error) {
	return hub.Resolve(ctx, ref, hubOptions())
}

// load loads the model (with --demo: generates the demo model first) and opens a session.
func (g *genFlags) load(ctx context.Context, env *cliEnv) (*llm.Engine, *llm.Session, error) {
	path := g.model
	if g.demo {
		dir, err := os.MkdirTemp("", "qwen3-demo-")
		if err != nil {
			return nil, nil, err
		}
		// The model file is memory-mapped once loaded; removing it now frees the disk space at exit (on
		// systems that refuse to remove a mapped file it stays in the temporary directory).
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "demo.gguf")
		if err := tinymodel.WriteGGUF(ctx, path, tinymodel.Demo()); err != nil {
			return nil, nil, fmt.Errorf("generating the demo model: %w", err)
		}
		g.model = "the demo model"
		fmt.Fprintln(env.stderr, "DEMO: this is a random-weight model that Qwen Studio generated itself, to show the engine at work;\n"+
			"its answers are gibberish. For real answers get a real model: qwen3 pull qwen3:0.6b, then qwen3 chat -m qwen3:0.6b")
	}
	if !g.demo {
		var err error
		if path, err = g.resolveOrPull(ctx, env); err != nil {
			return nil, nil, err
		}
	}
	e, err := llm.Load(ctx, path, llm.LoadOptions{Qwen3: qwen3.Options{Threads: g.threads, QuantizeQ8: g.q8, KVF32: g.kv == "f32"}})
	if err != nil {
		return nil, nil, err
	}
	if e.BuiltinTemplate() {
		fmt.Fprintf(env.stderr, "note: %s has no chat template; using the built-in Qwen3 template\n", g.model)
	}
	s, err := e.NewSession(g.nCtx)
	if err != nil {
		e.Close()
		return nil, nil, err
	}
	return e, s, nil
}

func runRun(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "run", "-m MODEL|--demo [--think|--no-think] [--budget N] [--temp T --top-p P --top-k K --min-p M --seed S] [-n MAX] [--system TEXT] [--json] [--hide-thinking] PROMPT")
	var g genFlags
	g.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON event per line")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := g.finish(fs); err != nil {
		return err
	}
	prompt := strings.Join(pos, " ")
	if len(pos) == 0 || prompt == "-" {
		b, err := io.ReadAll(env.stdin)
		if err != nil {
			return err
		}
		prompt = strings.TrimRight(string(b), "\n")
	}
	if strings.TrimSpace(prompt) == "" {
		return usagef("no PROMPT (give it as arguments or on stdin)")
	}
	e, s, err := g.load(ctx, env)
	if err != nil {
		return err
	}
	defer e.Close()
	defer s.Close()

	var msgs []chat.Message
	if g.system != "" {
		msgs = append(msgs, chat.Message{Role: "system", Content: g.system})
	}
	msgs = append(msgs, chat.Message{Role: "user", Content: prompt})
	var out eventWriter
	if *asJSON {
		out = &jsonWriter{w: env.stdout}
	} else {
		out = newTextWriter(env, g.hideThinking)
	}
	st, _, err := generate(ctx, s, msgs, g.options(), out)
	if err != nil {
		return err
	}
	printStats(env.stderr, st)
	if st.Stop == llm.StopCancelled {
		return ctx.Err()
	}
	return nil
}

func (g *genFlags) options() llm.Options {
	return llm.Options{Think: g.thinkSwitch(), Budget: g.budget, MaxTokens: g.maxTokens, Sampling: g.samp}
}

// generate streams one reply to out and returns its statistics and message.
func generate(ctx context.Context, s *llm.Session, msgs []chat.Message, opts llm.Options, out eventWriter) (*llm.Stats, *chat.Message, error) {
	for ev, err := range s.Generate(ctx, msgs, opts) {
		if err != nil {
			out.end()
			return nil, nil, err
		}
		if err := out.event(ev); err != nil {
			return nil, nil, err
		}
		if ev.Kind == llm.EventDone {
			out.end()
			return ev.Stats, ev.Message, nil
		}
	}
	return nil, nil, errors.New("generation ended without a result")
}

// eventWriter prints a generation's events.
type eventWriter interface {
	event(llm.Event) error
	end() // finish the output of one reply (reset the terminal style, end the line)
}

// textWriter prints reasoning (between "Thinking..." and "...done thinking.", dimmed on a terminal), the
// answer, and tool calls as text.
type textWriter struct {
	w         io.Writer
	progress  io.Writer // stderr when it is a terminal: prefill progress
	faint     bool
	hide      bool
	state     llm.EventKind // what was printed last
	lastByte  byte
	wroteText bool
}

const (
	ansiFaint = "\x1b[2m"
	ansiReset = "\x1b[0m"
)

func newTextWriter(env *cliEnv, hide bool) *textWriter {
	t := &textWriter{w: env.stdout, hide: hide, faint: isTerminal(env.stdout) && os.Getenv("NO_COLOR") == ""}
	if isTerminal(env.stderr) {
		t.progress = env.stderr
	}
	return t
}

// isTerminal reports whether w is a character device (a terminal), where styling and progress make sense.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (t *textWriter) write(s string) error {
	if s == "" {
		return nil
	}
	t.lastByte = s[len(s)-1]
	t.wroteText = true
	_, err := io.WriteString(t.w, s)
	return err
}

func (t *textWriter) event(ev llm.Event) error {
	switch ev.Kind {
	case llm.EventPrefill:
		if t.progress != nil && ev.Total > 512 {
			fmt.Fprintf(t.progress, "\rprompt %d/%d", ev.Done, ev.Total)
			if ev.Done == ev.Total {
				fmt.Fprint(t.progress, "\r\x1b[K")
			}
		}
		return nil
	case llm.EventReasoning:
		if t.hide {
			return nil
		}
		if t.state != llm.EventReasoning {
			t.state = llm.EventReasoning
			if t.faint {
				t.write(ansiFaint)
			}
			if err := t.write("Thinking...\n"); err != nil {
				return err
			}
		}
		return t.write(ev.Text)
	case llm.EventAnswer, llm.EventToolCall:
		if err := t.closeReasoning(); err != nil {
			return err
		}
		t.state = ev.Kind
		if ev.Kind == llm.EventAnswer {
			return t.write(ev.Text)
		}
		if t.wroteText && t.lastByte != '\n' {
			t.write("\n")
		}
		return t.write(fmt.Sprintf("[tool call] %s %s\n", ev.ToolCall.Name, ev.ToolCall.Arguments))
	}
	return nil
}

// closeReasoning ends a reasoning block before other output.
func (t *textWriter) closeReasoning() error {
	if t.state != llm.EventReasoning {
		return nil
	}
	t.state = 0
	end := "\n...done thinking.\n\n"
	if t.lastByte == '\n' {
		end = end[1:]
	}
	if err := t.write(end); err != nil {
		return err
	}
	if t.faint {
		return t.write(ansiReset)
	}
	return nil
}

func (t *textWriter) end() {
	t.closeReasoning()
	if t.wroteText && t.lastByte != '\n' {
		t.write("\n")
	}
	t.state, t.wroteText, t.lastByte = 0, false, 0
}

// jsonWriter prints one JSON object per event.
type jsonWriter struct{ w io.Writer }

type jsonEvent struct {
	Type      string          `json:"type"`
	Text      string          `json:"text,omitempty"`
	Name      string          `json:"name,omitempty"`
	Arguments json.RawMessage `json:"arguments,omitempty"`
	Done      int             `json:"done,omitempty"`
	Total     int             `json:"total,omitempty"`
	Stop      llm.StopReason  `json:"stop,omitempty"`
	Stats     *jsonStats      `json:"stats,omitempty"`
	Message   *chat.Message   `json:"message,omitempty"`
}

type jsonStats struct {
	PromptTokens       int     `json:"prompt_tokens"`
	CachedTokens       int     `json:"cached_tokens"`
	GeneratedTokens    int     `json:"generated_tokens"`
	ReasoningTokens    int     `json:"reasoning_tokens"`
	BudgetReached      bool    `json:"budget_reached"`
	PrefillTokensPerS  float64 `json:"prefill_tokens_per_s"`
	DecodeTokensPerS   float64 `json:"decode_tokens_per_s"`
	TimeToFirstTokenMS float64 `json:"time_to_first_token_ms"`
	Thinking           bool    `json:"thinking"`
	Sampling           string  `json:"sampling"`
}

func (j *jsonWriter) event(ev llm.Event) error {
	e := jsonEvent{Type: ev.Kind.String(), Text: ev.Text}
	switch ev.Kind {
	case llm.EventPrefill:
		e.Done, e.Total = ev.Done, ev.Total
	case llm.EventToolCall:
		e.Name, e.Arguments = ev.ToolCall.Name, ev.ToolCall.Arguments
		if !json.Valid(e.Arguments) {
			e.Arguments = nil
		}
	case llm.EventDone:
		st := ev.Stats
		e.Stop, e.Message = st.Stop, ev.Message
		e.Stats = &jsonStats{PromptTokens: st.PromptTokens, CachedTokens: st.CachedTokens,
			GeneratedTokens: st.GeneratedTokens, ReasoningTokens: st.ReasoningTokens, BudgetReached: st.BudgetReached,
			PrefillTokensPerS: st.PrefillTokensPerSecond(), DecodeTokensPerS: st.DecodeTokensPerSecond(),
			TimeToFirstTokenMS: float64(st.TimeToFirstToken.Microseconds()) / 1000, Thinking: st.Thinking,
			Sampling: st.Sampling.String()}
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = j.w.Write(append(b, '\n'))
	return err
}

func (j *jsonWriter) end() {}

// printStats writes the one-line summary of a reply.
func printStats(w io.Writer, st *llm.Stats) {
	fmt.Fprintf(w, "prompt %d tokens (%d cached) %.1f tok/s | %d generated", st.PromptTokens, st.CachedTokens,
		st.PrefillTokensPerSecond(), st.GeneratedTokens)
	if st.ReasoningTokens > 0 {
		fmt.Fprintf(w, " (%d reasoning", st.ReasoningTokens)
		if st.BudgetReached {
			fmt.Fprint(w, ", budget reached")
		}
		fmt.Fprint(w, ")")
	}
	fmt.Fprintf(w, " %.1f tok/s | first token %s | stop: %s\n", st.DecodeTokensPerSecond(),
		st.TimeToFirstToken.Round(time.Millisecond), st.Stop)
	switch st.Stop {
	case llm.StopContextFull:
		fmt.Fprintln(w, "the context is full: use a larger --ctx (or /reset in chat)")
	case llm.StopMaxTokens:
		fmt.Fprintln(w, "stopped at the -n limit")
	}
}

// resolveOrPull resolves -m and, when it names a catalog model that is not downloaded yet, downloads it:
// at once with --pull, after asking when stdin is a terminal, and otherwise fails with the pull command to run.
func (g *genFlags) resolveOrPull(ctx context.Context, env *cliEnv) (string, error) {
	path, err := resolveModel(ctx, g.model)
	var nd *hub.NotDownloadedError
	if !errors.As(err, &nd) {
		return path, err
	}
	if !g.pull {
		if !isTerminal(env.stdin) {
			return "", fmt.Errorf("%w (or add --pull to download it now)", err)
		}
		fmt.Fprintf(env.stderr, "%v.\nDownload it now? [y/N] ", err)
		answer, _ := bufio.NewReader(env.stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			return "", errors.New("not downloaded; nothing to run")
		}
	}
	opts := hubOptions()
	bar := newProgressPrinter(env.stderr)
	opts.Download.Progress, opts.Download.ProgressEvery = bar.update, bar.every()
	res, err := hub.Pull(ctx, g.model, opts)
	bar.finish()
	if err != nil {
		return "", explainPullError(err)
	}
	fmt.Fprintf(env.stderr, "downloaded %s: %s\n", res.Ref.String(), res.Path)
	return res.Path, nil
}
