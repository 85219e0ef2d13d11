package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/qwenstudio/qwenstudio/llm/hub"
	"github.com/qwenstudio/qwenstudio/platform"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func runLs(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "ls", "[--dir DIR]... [--ctx N] [--json] [--catalog]\n\n"+
		"Lists the models on disk: the Hugging Face cache, LM Studio's and llama.cpp's folders, and GGUF folders\n"+
		"from --dir and $QWEN_STUDIO_MODEL_DIRS. FIT compares each model's memory need at --ctx with free memory.")
	var dirs stringList
	fs.Var(&dirs, "dir", "also list GGUF files under this folder (repeatable)")
	nctx := fs.Int("ctx", 8192, "context length for the memory estimate (capped at each model's own)")
	asJSON := fs.Bool("json", false, "print JSON")
	catalog := fs.Bool("catalog", false, "list the models qwen3 pull knows by name instead")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *nctx < 1 {
		return usagef("--ctx %d: must be positive", *nctx)
	}
	mem, memErr := platform.ReadMemory()
	if *catalog {
		return listCatalog(env, *nctx, mem, memErr)
	}
	opts := hubOptions()
	if len(dirs) > 0 {
		opts.Folders = append(envFolders(), dirs...)
	}
	models, err := hub.Discover(ctx, opts)
	if err != nil {
		return err
	}
	type row struct {
		Name     string `json:"name"`
		Ref      string `json:"ref"`
		Quant    string `json:"quant"`
		Arch     string `json:"arch"`
		Size     int64  `json:"size"`
		Location string `json:"location"`
		Path     string `json:"path"`
		MMProj   string `json:"mmproj,omitempty"`
		Fit      string `json:"fit"`
		Need     int64  `json:"need_bytes,omitempty"`
		Error    string `json:"error,omitempty"`
	}
	var rows []row
	for _, m := range models {
		r := row{Name: displayName(m), Ref: m.Ref, Quant: m.Quant, Arch: m.Arch, Size: m.Size, Location: m.Location,
			Path: m.Path, MMProj: m.MMProj, Fit: "?"}
		if m.Err != nil {
			r.Error, r.Fit = m.Err.Error(), "unreadable"
		} else if memErr == nil {
			f := hub.FitLocal(m, min(*nctx, ctxOr(m.Context, *nctx)), mem)
			r.Fit, r.Need = string(f.Verdict), f.Total
		}
		rows = append(rows, r)
	}
	if *asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		if rows == nil {
			rows = []row{}
		}
		return enc.Encode(rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(env.stdout, "no models found; get one with: qwen3 pull qwen3:0.6b (qwen3 ls --catalog lists the names)")
		return nil
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tQUANT\tSIZE\tLOCATION\tFIT")
	for _, r := range rows {
		fit := r.Fit
		if r.Need > 0 {
			fit += fmt.Sprintf(" (%s)", hub.FormatBytes(r.Need))
		}
		loc := r.Location + "  " + tildePath(r.Path)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, orDash(r.Quant), hub.FormatBytes(r.Size), loc, fit)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if memErr == nil {
		fmt.Fprintf(env.stdout, "\nFIT: memory need at up to %d tokens of context vs %s available of %s\n", *nctx,
			hub.FormatBytes(int64(mem.Available)), hub.FormatBytes(int64(mem.Total)))
	}
	for _, r := range rows {
		if r.Error != "" {
			fmt.Fprintf(env.stderr, "qwen3 ls: %s: %s\n", r.Path, r.Error)
		}
	}
	return nil
}

func listCatalog(env *cliEnv, nctx int, mem platform.Memory, memErr error) error {
	cat, err := hub.LoadCatalog()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tQUANTS\tSIZE\tCONTEXT\tFIT\tDESCRIPTION")
	for _, m := range cat.Models {
		q := hub.QuantSafetensors
		if m.GGUF != nil {
			q = m.GGUF.Default
		}
		size, fit := "", "?"
		if f, err := hub.FitFor(m, q, min(nctx, m.ContextLength), mem); err == nil {
			size = hub.FormatBytes(f.Weights + f.Vision)
			if memErr == nil {
				fit = string(f.Verdict)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%dK\t%s\t%s\n", m.Name, strings.ToLower(strings.Join(m.QuantNames(), ",")), size,
			m.ContextLength/1024, fit, m.Description)
	}
	return tw.Flush()
}

func displayName(m hub.LocalModel) string {
	if m.Catalog != nil && strings.HasPrefix(m.Ref, m.Catalog.Name) {
		return m.Ref
	}
	if m.Repo != "" {
		return m.Ref
	}
	return strings.TrimSuffix(filepath.Base(m.Path), filepath.Ext(m.Path))
}

func ctxOr(c, def int) int {
	if c > 0 {
		return c
	}
	return def
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// envFolders are the folders in $QWEN_STUDIO_MODEL_DIRS.
func envFolders() []string {
	var out []string
	for _, p := range filepath.SplitList(os.Getenv(hub.EnvModelDirs)) {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// tildePath writes paths under the home folder as ~/...
func tildePath(p string) string {
	home, err := os.UserHomeDir()
	if err == nil && home != "" && strings.HasPrefix(p, home+string(filepath.Separator)) {
		return "~" + p[len(home):]
	}
	return p
}
