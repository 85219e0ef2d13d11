package app

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"log/slog"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qwenstudio/qwenstudio/app/state"
	"github.com/qwenstudio/qwenstudio/app/store"
	"github.com/qwenstudio/qwenstudio/llm/hub"
	"github.com/qwenstudio/qwenstudio/platform"
)

// frame is the shortest time between two redraws of streamed text (about 60 per second).
const frame = 16 * time.Millisecond

// Loader loads a model file or folder; state.LoadModel in the app, fakes in tests.
type Loader func(ctx context.Context, path string, opts state.LoadOptions) (state.Engine, error)

// Deps is what the UI works with; cmd/qwenstudio builds them.
type Deps struct {
	Store    *store.Store
	Chat     *state.Chat
	Models   *state.Models
	Settings state.Settings
	Dirs     platform.Dirs
	// HubCacheDir is the Hugging Face cache the manager downloads into ("" for the standard one).
	HubCacheDir string
	Load        Loader
	CJK         CJKFont
	Log         *slog.Logger
}

// UI is the main window's content and its wiring to the state.
type UI struct {
	Deps
	app fyne.App
	win fyne.Window
	ctx context.Context

	chat     *state.Chat
	models   *state.Models
	settings state.Settings
	cjk      CJKFont
	log      *slog.Logger

	loading string // the model being loaded, for the status line
	loadErr string

	banner     *fyne.Container
	bannerBG   *canvas.Rectangle
	bannerT    *widget.Label
	tabs       *container.AppTabs
	chatTab    *container.TabItem
	modelTab   *container.TabItem
	chatView   *chatView
	sidebar    *sidebar
	media      *mediaPanel
	manager    *managerPane
	settingsP  *settingsPane
	status     *widget.Label
	memory     *widget.Label
	answered   func(state.View) // test hook: called after each redraw
	logAnswers bool
	finished   uint64 // answers logged
	sendOnLoad string
}

// LogAnswers makes the app log every finished answer (state, length, speed), e.g. for smoke tests.
func (u *UI) LogAnswers() { u.logAnswers = true }

// SendWhenReady sends text as a message, as if typed and sent, once the model is loaded.
func (u *UI) SendWhenReady(text string) { u.sendOnLoad = text }

// screen is one tab of the window.
type screen struct {
	title string
	icon  fyne.ThemeIconName
	view  func(u *UI) fyne.CanvasObject
}

// screens lists the window's tabs.
var screens = []screen{
	{"Chat", theme.IconNameMailCompose, func(u *UI) fyne.CanvasObject {
		chatAndMedia := container.NewHSplit(u.chatView.obj, container.NewPadded(u.media.obj))
		chatAndMedia.Offset = 0.74
		split := container.NewHSplit(container.NewPadded(u.sidebar.obj), chatAndMedia)
		split.Offset = 0.2
		return split
	}},
	{"Models", theme.IconNameStorage, func(u *UI) fyne.CanvasObject { return u.manager.obj }},
	{"Settings", theme.IconNameSettings, func(u *UI) fyne.CanvasObject { return u.settingsP.obj }},
}

// New builds the window's content. Call Start to begin loading the model and following the state.
func New(ctx context.Context, a fyne.App, w fyne.Window, d Deps) *UI {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	u := &UI{Deps: d, app: a, win: w, ctx: ctx, chat: d.Chat, models: d.Models, settings: d.Settings, cjk: d.CJK, log: d.Log}
	a.Settings().SetTheme(newTheme(d.Settings.Theme, d.CJK))
	u.media = newMediaPanel(u)
	u.chatView = newChatView(u)
	u.sidebar = newSidebar(u)
	u.manager = newManagerPane(u)
	u.settingsP = newSettingsPane(u)

	u.bannerT = widget.NewLabel("")
	u.bannerT.Wrapping = fyne.TextWrapWord
	u.bannerT.TextStyle = fyne.TextStyle{Bold: true}
	toManager := widget.NewButtonWithIcon("Get a real model", theme.DownloadIcon(), u.showManager)
	toManager.Importance = widget.HighImportance
	u.bannerBG = canvas.NewRectangle(withAlpha(theme.Color(theme.ColorNameWarning), 0x40))
	u.banner = container.NewStack(u.bannerBG, container.NewPadded(container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), toManager, u.bannerT)))
	u.banner.Hide()

	u.status = widget.NewLabel("")
	u.status.Truncation = fyne.TextTruncateEllipsis
	u.memory = widget.NewLabel("")
	statusBar := container.NewBorder(widget.NewSeparator(), nil, nil, u.memory, u.status)

	var items []*container.TabItem
	for _, s := range screens {
		items = append(items, container.NewTabItemWithIcon(s.title, theme.Icon(s.icon), s.view(u)))
	}
	u.tabs = container.NewAppTabs(items...)
	u.chatTab, u.modelTab = items[0], items[1]
	u.tabs.OnSelected = func(t *container.TabItem) {
		if t == u.modelTab {
			go func() {
				if err := u.models.Refresh(u.ctx); err != nil {
					u.log.Warn("listing models", "err", err)
				}
			}()
		}
	}
	w.SetContent(container.NewBorder(u.banner, statusBar, nil, nil, u.tabs))
	w.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) {
		var paths []string
		for _, uri := range uris {
			if uri.Scheme() == "file" {
				paths = append(paths, uri.Path())
			}
		}
		if len(paths) > 0 {
			u.tabs.Select(u.chatTab)
			u.attach(paths)
		}
	})
	w.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { u.chat.New(); u.tabs.Select(u.chatTab) })
	w.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyPeriod, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { u.chat.Stop() })
	u.refreshChat()
	u.manager.apply()
	return u
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// Start follows the chat and the model manager, redrawing at most once per frame, and loads the model:
// path when given, else the active model from the settings, else the generated demo model.
func (u *UI) Start(path string) {
	go u.follow(u.chat.Changed(), u.refreshChat)
	go u.follow(u.models.Changed(), u.manager.apply)
	go u.tickMemory()
	go func() {
		if err := u.models.Restore(u.ctx); err != nil {
			u.log.Warn("restoring downloads", "err", err)
		}
		if err := u.models.Refresh(u.ctx); err != nil {
			u.log.Warn("listing models", "err", err)
		}
	}()
	// Reopen the most recent conversation, as the user left it.
	if cs, err := u.chat.Conversations(u.ctx, ""); err == nil && len(cs) > 0 {
		if err := u.chat.Open(u.ctx, cs[0].ID); err != nil {
			u.log.Warn("opening the last conversation", "err", err)
		}
	}
	switch {
	case path != "":
		u.loadModel(path, false)
	case u.settings.ActiveModel != "":
		u.loadModel(u.settings.ActiveModel, false)
	default:
		u.loadDemo()
	}
}

// follow redraws on the UI goroutine after each change, at most once per frame: a fast model's tokens
// are drawn in batches.
func (u *UI) follow(changed <-chan struct{}, redraw func()) {
	for {
		select {
		case <-u.ctx.Done():
			return
		case <-changed:
		}
		fyne.DoAndWait(redraw)
		select {
		case <-u.ctx.Done():
			return
		case <-time.After(frame):
		}
	}
}

func (u *UI) tickMemory() {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		s := memoryLine()
		fyne.Do(func() {
			if u.memory.Text != s {
				u.memory.SetText(s)
			}
		})
		select {
		case <-u.ctx.Done():
			return
		case <-t.C:
		}
	}
}

func memoryLine() string {
	var parts []string
	if m, err := platform.ReadMemory(); err == nil {
		parts = append(parts, fmt.Sprintf("%s free of %s", hub.FormatBytes(int64(m.Available)), hub.FormatBytes(int64(m.Total))))
	}
	if rss, err := platform.PeakRSS(); err == nil && rss > 0 {
		parts = append(parts, "app peak "+hub.FormatBytes(int64(rss)))
	}
	return "Memory: " + strings.Join(parts, " · ")
}

// refreshChat redraws everything that follows the chat state.
func (u *UI) refreshChat() {
	v := u.chat.View()
	u.chatView.apply(v)
	u.sidebar.apply(v)
	u.media.apply(v)
	u.manager.applyChat(v)
	u.applyBanner(v)
	u.applyStatus(v)
	if u.logAnswers && v.Finished > u.finished && len(v.Messages) > 0 {
		m := v.Messages[len(v.Messages)-1]
		args := []any{"status", m.Status, "chars", len(m.Content), "reasoning_chars", len(m.Reasoning)}
		if m.Stats != nil {
			args = append(args, "tokens", m.Stats.GeneratedTokens, "tok_per_s", fmt.Sprintf("%.1f", m.Stats.DecodePerSecond))
		}
		u.log.Info("answer finished", args...)
	}
	u.finished = v.Finished
	if u.answered != nil {
		u.answered(v)
	}
}

func (u *UI) applyBanner(v state.View) {
	switch {
	case v.HasModel && v.Model.Demo:
		u.bannerT.SetText("Demo mode: answers come from a random-weight demo model and are gibberish. Download or pick a real Qwen3 model to chat for real.")
		u.banner.Show()
	case u.loadErr != "":
		u.bannerT.SetText(u.loadErr)
		u.banner.Show()
	default:
		u.banner.Hide()
	}
}

// applyStatus writes the status line: model, backend and CPU features, context used, speed.
func (u *UI) applyStatus(v state.View) {
	var parts []string
	switch {
	case u.loading != "":
		parts = append(parts, "Loading "+u.loading+"…")
	case v.HasModel:
		parts = append(parts, v.Model.Name)
		if v.Model.Backend != "" {
			parts = append(parts, v.Model.Backend+" ("+strings.Join(cpuFeatures(), " ")+")")
		}
	default:
		parts = append(parts, "No model")
	}
	if v.ContextSize > 0 {
		parts = append(parts, fmt.Sprintf("context %d / %d", v.ContextUsed, v.ContextSize))
	}
	if st := v.LastStats; st != nil && st.DecodePerSecond > 0 {
		parts = append(parts, fmt.Sprintf("last answer %.1f tok/s", st.DecodePerSecond))
	}
	if v.Generating {
		if v.LiveRate > 0 {
			parts = append(parts, fmt.Sprintf("writing at %.1f tok/s", v.LiveRate))
		} else {
			parts = append(parts, "writing…")
		}
	}
	s := strings.Join(parts, " · ")
	if u.status.Text != s {
		u.status.SetText(s)
	}
}

func cpuFeatures() []string {
	c := platform.CPUInfo()
	// The few that matter for speed; the full list is long.
	var out []string
	for _, f := range c.Features {
		switch f {
		case "avx2", "fma", "f16c", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "neon", "dotprod", "i8mm":
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		out = append(out, c.Arch)
	}
	return out
}

// loadDemo generates (once) and loads the random-weight demo model.
func (u *UI) loadDemo() {
	path := state.DemoModelPath(u.Dirs)
	u.setLoading("the demo model")
	go func() {
		if err := state.EnsureDemoModel(u.ctx, path); err != nil {
			fyne.Do(func() { u.loadFailed(path, err) })
			return
		}
		u.finishLoad(path, true)
	}()
}

// loadModel loads a model in the background and makes it the active one.
func (u *UI) loadModel(path string, demo bool) {
	u.setLoading(shortName(path))
	u.tabs.Select(u.chatTab)
	go u.finishLoad(path, demo)
}

func (u *UI) setLoading(name string) {
	u.loading = name
	u.loadErr = ""
	u.refreshChat()
}

func (u *UI) finishLoad(path string, demo bool) {
	e, err := u.Load(u.ctx, path, state.LoadOptions{Threads: u.settings.Threads, Demo: demo})
	if err != nil {
		fyne.Do(func() { u.loadFailed(path, err) })
		return
	}
	u.chat.SetEngine(e)
	u.log.Info("model loaded", "path", path, "demo", demo)
	fyne.Do(func() {
		u.loading = ""
		if u.sendOnLoad != "" {
			u.chatView.input.SetText(u.sendOnLoad)
			u.sendOnLoad = ""
			u.chatView.submit()
		}
		if !demo && u.settings.ActiveModel != path {
			s := u.settings
			s.ActiveModel = path
			if err := u.applySettings(s); err != nil {
				u.log.Warn("saving the active model", "err", err)
			}
		}
		u.refreshChat()
	})
}

func (u *UI) loadFailed(path string, err error) {
	u.loading = ""
	u.loadErr = fmt.Sprintf("Could not load %s: %v", shortName(path), err)
	u.log.Error("loading a model", "path", path, "err", err)
	u.refreshChat()
	dialog.ShowError(errors.New(u.loadErr), u.win)
	if u.chat.View().HasModel {
		return
	}
	if !strings.Contains(path, "demo") {
		// Without any model the app is useless: fall back to the demo model.
		u.loadDemo()
	}
}

func shortName(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[i+1:]
	}
	return path
}

// applySettings validates, saves and applies new settings.
func (u *UI) applySettings(s state.Settings) error {
	if err := state.SaveSettings(u.ctx, u.Store, s); err != nil {
		return err
	}
	old := u.settings
	u.settings = s
	u.chat.ApplySettings(s)
	if s.Theme != old.Theme {
		u.app.Settings().SetTheme(newTheme(s.Theme, u.cjk))
		u.retheme()
	}
	if s.Source != old.Source || s.Endpoint != old.Endpoint || strings.Join(s.ExtraFolders, "\n") != strings.Join(old.ExtraFolders, "\n") ||
		s.ContextLength != old.ContextLength {
		u.models.Configure(state.HubOptions(s, u.HubCacheDir), s.ContextLength)
		go func() {
			if err := u.models.Refresh(u.ctx); err != nil {
				u.log.Warn("listing models", "err", err)
			}
		}()
	}
	return nil
}

// retheme redraws what was drawn with colours of the previous theme (card and bubble backgrounds).
func (u *UI) retheme() {
	u.bannerBG.FillColor = withAlpha(theme.Color(theme.ColorNameWarning), 0x40)
	u.bannerBG.Refresh()
	u.chatView.reset()
	u.media.key = "-"
	u.manager.localKey = "-"
	u.refreshChat()
	u.manager.apply()
}

// saveChatPrefs remembers the Think switch, budget and mode for the next start.
func (u *UI) saveChatPrefs() {
	v := u.chat.View()
	s := u.settings
	s.Think, s.Budget, s.Mode = v.Think, v.Budget, v.Mode
	if err := u.applySettings(s); err != nil {
		u.log.Warn("saving chat preferences", "err", err)
	}
}

func (u *UI) copyText(s string) {
	u.app.Clipboard().SetContent(s)
}

func (u *UI) showError(err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	dialog.ShowError(err, u.win)
}

func (u *UI) showManager() { u.tabs.Select(u.modelTab) }

func (u *UI) visionModels() []*hub.CatalogModel { return u.models.VisionModels() }

func listableURI(path string) (fyne.ListableURI, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	return storage.ListerForURI(storage.NewFileURI(path))
}
