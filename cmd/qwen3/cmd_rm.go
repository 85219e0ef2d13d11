package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/qwenstudio/qwenstudio/llm/hub"
)

func runRm(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "rm", "REF [-y]\n\n"+
		"Removes a downloaded model from the Hugging Face cache: its files, and the blobs no other model uses.\n"+
		"hf://ORG/REPO without a file removes the whole repository. Files in LM Studio's, llama.cpp's or your\n"+
		"own folders are left alone.")
	yes := fs.Bool("y", false, "do not ask for confirmation")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one REF, got %d arguments", len(pos))
	}
	rm, err := hub.PlanRemove(ctx, pos[0], hubOptions())
	if err != nil {
		return err
	}
	what := "its files"
	if rm.Whole {
		what = "the whole repository folder"
	}
	fmt.Fprintf(env.stdout, "%s: %s from the Hugging Face cache, freeing %s:\n", rm.Ref.String(), what, hub.FormatBytes(rm.Bytes))
	for _, p := range rm.Paths {
		fmt.Fprintf(env.stdout, "  %s\n", tildePath(p))
	}
	if !*yes {
		fmt.Fprint(env.stdout, "Remove? [y/N] ")
		line, _ := bufio.NewReader(env.stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			fmt.Fprintln(env.stdout, "nothing removed")
			return nil
		}
	}
	if err := rm.Apply(); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "removed %s\n", rm.Ref.String())
	return nil
}
