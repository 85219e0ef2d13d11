package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/qwenstudio/qwenstudio/llm/tokenizer"
)

// runTokenize prints the token ids of a text (or, with --jsonl, of each JSON string read from stdin) as the
// model's own tokenizer produces them: added/special tokens in the text are recognised, no BOS is added.
func runTokenize(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "tokenize", "-m MODEL [--jsonl] [TEXT]\n\n"+
		"Prints the token ids of TEXT (or of stdin when TEXT is absent), space-separated.\n"+
		"With --jsonl, reads one JSON string per line on stdin and writes one JSON array of ids per line.")
	model := fs.String("m", "", "model: a GGUF file or a folder with tokenizer.json")
	jsonl := fs.Bool("jsonl", false, "read JSON strings line by line from stdin, write JSON arrays of ids")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *model == "":
		return usagef("-m MODEL is required")
	case len(pos) > 1:
		return usagef("want one TEXT argument (quote it), got %d", len(pos))
	case *jsonl && len(pos) == 1:
		return usagef("--jsonl reads its texts from stdin; drop TEXT")
	}
	tok, err := tokenizer.FromModel(*model)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(env.stdout)
	if !*jsonl {
		var text string
		if len(pos) == 1 {
			text = pos[0]
		} else {
			data, err := io.ReadAll(env.stdin)
			if err != nil {
				return fmt.Errorf("reading stdin: %w", err)
			}
			text = string(data)
		}
		var b []byte
		for i, id := range tok.Encode(text) {
			if i > 0 {
				b = append(b, ' ')
			}
			b = strconv.AppendInt(b, int64(id), 10)
		}
		b = append(b, '\n')
		out.Write(b)
		return out.Flush()
	}
	in := bufio.NewReader(env.stdin)
	for line := 1; ; line++ {
		if err := ctx.Err(); err != nil {
			out.Flush()
			return err
		}
		raw, err := in.ReadBytes('\n')
		if len(raw) == 0 && errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, io.EOF) {
			out.Flush()
			return fmt.Errorf("reading stdin: %w", err)
		}
		var text string
		if jerr := json.Unmarshal(raw, &text); jerr != nil {
			out.Flush()
			return fmt.Errorf("stdin line %d: want a JSON string: %v (%.40q)", line, jerr, strings.TrimSpace(string(raw)))
		}
		ids := tok.Encode(text)
		if ids == nil {
			ids = []int32{}
		}
		b, _ := json.Marshal(ids)
		out.Write(b)
		out.WriteByte('\n')
		if errors.Is(err, io.EOF) {
			break
		}
	}
	return out.Flush()
}
