package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/qwenstudio/qwenstudio/llm"
	"github.com/qwenstudio/qwenstudio/llm/chat"
)

const chatHelp = `commands:
  /think        thinking on for the next messages (enable_thinking=true)
  /no_think     thinking off (enable_thinking=false)
  /budget N     cap the reasoning at N tokens (0: no cap)
  /reset        forget the conversation
  /quit         leave (so does end of input)
Writing /think or /no_think inside a message passes it to the model as a soft switch.
`

// runChat is an interactive chat: one user message per input line, replies streamed, history kept.
func runChat(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "chat", "-m MODEL|--demo [--think|--no-think] [--budget N] [sampling flags] [--system TEXT] [--ctx N]")
	var g genFlags
	g.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("unexpected arguments %q", pos)
	}
	if err := g.finish(fs); err != nil {
		return err
	}
	e, s, err := g.load(ctx, env)
	if err != nil {
		return err
	}
	defer e.Close()
	defer s.Close()

	interactive := isTerminal(env.stdin)
	if interactive {
		fmt.Fprintf(env.stdout, "chatting with %s (/help for commands)\n", g.model)
	}
	var history []chat.Message
	reset := func() {
		history = history[:0]
		if g.system != "" {
			history = append(history, chat.Message{Role: "system", Content: g.system})
		}
	}
	reset()
	out := newTextWriter(env, g.hideThinking)
	opts := g.options()
	in := bufio.NewScanner(env.stdin)
	in.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for {
		if interactive {
			fmt.Fprint(env.stdout, ">>> ")
		}
		if !in.Scan() {
			if err := in.Err(); err != nil {
				return fmt.Errorf("reading input: %w", err)
			}
			return nil
		}
		line := strings.TrimSpace(in.Text())
		if line == "" {
			continue
		}
		if cmd, arg, ok := chatCommand(line); ok {
			switch cmd {
			case "/quit", "/exit", "/bye":
				return nil
			case "/help":
				fmt.Fprint(env.stdout, chatHelp)
			case "/think":
				opts.Think = ptrTo(true)
				fmt.Fprintln(env.stdout, "thinking on")
			case "/no_think":
				opts.Think = ptrTo(false)
				fmt.Fprintln(env.stdout, "thinking off")
			case "/budget":
				n, err := strconv.Atoi(arg)
				if err != nil || n < 0 {
					fmt.Fprintf(env.stdout, "/budget wants a number of tokens ≥ 0, not %q\n", arg)
					continue
				}
				opts.Budget = n
				if n == 0 {
					fmt.Fprintln(env.stdout, "thinking budget off")
				} else {
					fmt.Fprintf(env.stdout, "thinking budget %d tokens\n", n)
				}
			case "/reset":
				reset()
				if err := s.Reset(); err != nil {
					return err
				}
				fmt.Fprintln(env.stdout, "conversation cleared")
			}
			continue
		}
		history = append(history, chat.Message{Role: "user", Content: line})
		st, msg, err := generate(ctx, s, history, opts, out)
		if errors.Is(err, llm.ErrContextFull) {
			fmt.Fprintf(env.stderr, "%v\n", err)
			history = history[:len(history)-1]
			continue
		}
		if err != nil {
			return err
		}
		printStats(env.stderr, st)
		switch st.Stop {
		case llm.StopCancelled:
			return ctx.Err()
		case llm.StopContextFull:
			// The reply did not fit; drop the turn so the next message starts from a conversation that does.
			history = history[:len(history)-1]
			continue
		}
		history = append(history, *msg)
	}
}

// chatCommand recognises a command line: one of the known commands, alone or (for /budget) with an argument.
// Anything else, including text that merely starts with a slash, is a message.
func chatCommand(line string) (cmd, arg string, ok bool) {
	cmd, arg, _ = strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch cmd {
	case "/budget":
		return cmd, arg, true
	case "/quit", "/exit", "/bye", "/help", "/think", "/no_think", "/reset":
		return cmd, "", arg == ""
	}
	return "", "", false
}
