package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/qwenstudio/qwenstudio/llm"
	"github.com/qwenstudio/qwenstudio/llm/chat"
	"github.com/qwenstudio/qwenstudio/llm/tokenizer"
)

// runPrompt prints, byte for byte, the prompt a model's chat template makes of a conversation.
func runPrompt(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "prompt", "-m MODEL --messages FILE.json [--template FILE.jinja] [--ids]")
	model := fs.String("m", "", "model whose chat template to use: a .gguf file, a Hugging Face folder, or a downloaded model's name")
	messages := fs.String("messages", "", `JSON file (- for stdin): {"messages": [...], "tools": [...], "add_generation_prompt": true, "enable_thinking": false, ...}; every key is a template variable`)
	tmplFile := fs.String("template", "", "Jinja chat template file to use instead of the model's")
	ids := fs.Bool("ids", false, "print the prompt's token ids (needs -m for the tokenizer) instead of its text")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("unexpected arguments %q", pos)
	}
	if *messages == "" {
		return usagef("--messages FILE.json is required")
	}
	if *model == "" && (*tmplFile == "" || *ids) {
		return usagef("-m MODEL is required (or --template FILE without --ids)")
	}
	var data []byte
	if *messages == "-" {
		data, err = io.ReadAll(env.stdin)
	} else {
		data, err = os.ReadFile(*messages)
	}
	if err != nil {
		return err
	}

	path := *model
	if path != "" {
		if path, err = resolveModel(ctx, path); err != nil {
			return err
		}
	}
	var src string
	switch {
	case *tmplFile != "":
		b, err := os.ReadFile(*tmplFile)
		if err != nil {
			return err
		}
		src = string(b)
	default:
		if src, err = llm.ReadChatTemplate(path); err != nil {
			return err
		}
	}
	var tmpl *chat.Template
	if src == "" {
		fmt.Fprintf(env.stderr, "qwen3 prompt: %s has no chat template; using the built-in Qwen3 template\n", *model)
		tmpl, err = chat.Builtin()
	} else {
		tmpl, err = chat.NewTemplate(src)
	}
	if err != nil {
		return err
	}
	prompt, err := tmpl.RenderJSON(data)
	if err != nil {
		return fmt.Errorf("%s: %w", *messages, err)
	}
	if !*ids {
		_, err = io.WriteString(env.stdout, prompt)
		return err
	}
	tok, err := tokenizer.FromModel(path)
	if err != nil {
		return err
	}
	toks := tok.Encode(prompt)
	var b strings.Builder
	for i, id := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(int(id)))
	}
	b.WriteByte('\n')
	_, err = io.WriteString(env.stdout, b.String())
	return err
}
