// Command qwenstudio is Qwen Studio's desktop app: chat with Qwen3 models on your own computer, with
// thinking controls, images and videos, a model manager and conversations kept on disk.
//
// With no real model available it generates a small random-weight demo model and says so in a banner.
//
//	qwenstudio [-model PATH] [-data DIR] [-send TEXT] [IMAGE_OR_VIDEO...]
//
// Files named on the command line are attached to the first message (as "Open with Qwen Studio" does).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/qwenstudio/qwenstudio/app"
	"github.com/qwenstudio/qwenstudio/app/state"
	"github.com/qwenstudio/qwenstudio/app/store"
	"github.com/qwenstudio/qwenstudio/assets"
	"github.com/qwenstudio/qwenstudio/platform"
)

// AppID is the application id (also in FyneApp.toml).
const AppID = "io.qwenstudio.app"

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "qwenstudio:", err)
		os.Exit(1)
	}
}

type options struct {
	model string
	data  string
	send  string
	files []string
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("qwenstudio", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.model, "model", "", "load this GGUF file or Hugging Face folder instead of the saved active model")
	fs.StringVar(&o.data, "data", "", "keep conversations, settings and the demo model in this folder instead of the user's app folders")
	fs.StringVar(&o.send, "send", "", "send this message once the model is loaded")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: qwenstudio [-model PATH] [-data DIR] [-send TEXT] [IMAGE_OR_VIDEO...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	for _, f := range fs.Args() {
		abs, err := filepath.Abs(f)
		if err != nil {
			return o, err
		}
		if _, err := os.Stat(abs); err != nil {
			return o, fmt.Errorf("cannot attach %s: %w", f, err)
		}
		o.files = append(o.files, abs)
	}
	return o, nil
}

// dirsFor returns the app's folders: the platform's, or three under -data.
func dirsFor(data string) (platform.Dirs, error) {
	if data == "" {
		return platform.AppDirs()
	}
	abs, err := filepath.Abs(data)
	if err != nil {
		return platform.Dirs{}, err
	}
	return platform.Dirs{Data: filepath.Join(abs, "data"), Cache: filepath.Join(abs, "cache"), Config: filepath.Join(abs, "config")}, nil
}

func run(args []string, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(log)

	// One root context, cancelled when the window closes or on SIGINT/SIGTERM.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	dirs, err := dirsFor(o.data)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, filepath.Join(dirs.Data, "qwenstudio.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	settings, err := state.LoadSettings(ctx, st)
	if err != nil {
		log.Warn("settings unreadable; using the defaults", "err", err)
	}
	if n, err := st.Conversations(ctx, ""); err == nil {
		log.Info("conversations in the store", "count", len(n), "path", st.Path())
	}
	chat := state.NewChat(st, settings, log)
	models, err := state.NewModels(st, state.HubOptions(settings, ""), log)
	if err != nil {
		return err
	}
	models.Configure(state.HubOptions(settings, ""), settings.ContextLength)

	a := fyneapp.NewWithID(AppID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	w := a.NewWindow("Qwen Studio")
	w.Resize(fyne.NewSize(1280, 820))
	w.SetMaster()

	cjk, _ := app.LoadCJKFont(log)
	ui := app.New(ctx, a, w, app.Deps{Store: st, Chat: chat, Models: models, Settings: settings, Dirs: dirs,
		Load: func(ctx context.Context, path string, lo state.LoadOptions) (state.Engine, error) {
			return state.LoadModel(ctx, path, lo)
		}, CJK: cjk, Log: log})
	ui.LogAnswers()
	if o.send != "" {
		ui.SendWhenReady(o.send)
	}
	if len(o.files) > 0 {
		ui.Attach(o.files)
	}
	ui.Start(o.model)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-sig:
			log.Info("quitting on signal")
			fyne.Do(a.Quit)
		case <-ctx.Done():
		}
	}()
	w.ShowAndRun()

	// The window is closed: stop the answer (it is saved as stopped) and the downloads (they resume at
	// the next start), then close the store.
	cancel()
	if err := chat.Close(); err != nil {
		log.Warn("closing the model", "err", err)
	}
	models.Close()
	log.Info("bye")
	return nil
}
