package app

import (
	"context"
	"encoding/json"
	"image/png"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qwenstudio/qwenstudio/app/state"
	"github.com/qwenstudio/qwenstudio/app/store"
	"github.com/qwenstudio/qwenstudio/llm"
	"github.com/qwenstudio/qwenstudio/llm/chat"
	"github.com/qwenstudio/qwenstudio/llm/hub"
	"github.com/qwenstudio/qwenstudio/llm/hub/hubtest"
	"github.com/qwenstudio/qwenstudio/platform"
)

// fakeEngine streams a scripted answer; with a gate, each event waits for a value on it.
type fakeEngine struct {
	info   state.ModelInfo
	events []llm.Event
	gate   chan struct{}
	mu     sync.Mutex
	calls  []llm.Options
}

func (e *fakeEngine) Info() state.ModelInfo { return e.info }
func (e *fakeEngine) Close() error          { return nil }
func (e *fakeEngine) NewSession(n int) (state.Session, error) {
	return &fakeSession{e: e, size: n}, nil
}

type fakeSession struct {
	e    *fakeEngine
	n    int
	size int
}

func (s *fakeSession) Len() int         { return s.n }
func (s *fakeSession) ContextSize() int { return s.size }
func (s *fakeSession) Close() error     { return nil }
func (s *fakeSession) Generate(ctx context.Context, msgs []chat.Message, opts llm.Options) iter.Seq2[llm.Event, error] {
	return func(yield func(llm.Event, error) bool) {
		s.e.mu.Lock()
		s.e.calls = append(s.e.calls, opts)
		s.e.mu.Unlock()
		st := &llm.Stats{PromptTokens: 12, Stop: llm.StopEOS, Decode: time.Second, TimeToFirstToken: 300 * time.Millisecond}
		if !yield(llm.Event{Kind: llm.EventPrefill, Done: 6, Total: 12}, nil) {
			return
		}
		for _, ev := range s.e.events {
			if s.e.gate != nil {
				select {
				case <-s.e.gate:
				case <-ctx.Done():
				}
			}
			if ctx.Err() != nil {
				st.Stop = llm.StopCancelled
				break
			}
			st.GeneratedTokens++
			s.n++
			if !yield(ev, nil) {
				return
			}
		}
		yield(llm.Event{Kind: llm.EventDone, Stats: st, Message: &chat.Message{Role: "assistant"}}, nil)
	}
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{
		info: state.ModelInfo{Name: "Qwen3-0.6B-Q8_0", CanThink: true, ThinkSwitch: true, ContextLength: 40960,
			Backend: "cpu, 2 threads", Path: "/models/Qwen3-0.6B-Q8_0.gguf"},
		events: []llm.Event{
			{Kind: llm.EventReasoning, Text: "The user greets me. "},
			{Kind: llm.EventReasoning, Text: "I should answer kindly."},
			{Kind: llm.EventAnswer, Text: "\n\n# Hello\n\nHere is code:\n\n```go\nfmt.Println(\"hi\")\n"},
			{Kind: llm.EventAnswer, Text: "```\n\n| Model | Size |\n|---|---|\n| 0.6B | 639 MB |\n\n你好，世界！"},
		},
	}
}

type testUI struct {
	*UI
	st     *store.Store
	eng    *fakeEngine
	w      fyne.Window
	dir    string
	loaded chan string // paths the UI loaded
}

func testCatalog(t *testing.T) *hub.Catalog {
	t.Helper()
	dims := map[string]any{"layers": 28, "embd": 1024, "heads": 16, "kv_heads": 8, "head_dim": 128, "vocab": 151936}
	cj, _ := json.Marshal(map[string]any{"schema": 1, "models": []any{
		map[string]any{"name": "qwen3:0.6b", "display": "Qwen3 0.6B", "family": "qwen3", "arch": "qwen3", "params": "0.6B",
			"context_length": 32768, "dims": dims, "description": "Smallest Qwen3.",
			"gguf": map[string]any{"hf": "test/Qwen3-0.6B-GGUF", "default": "Q8_0", "quants": []any{
				map[string]any{"quant": "Q8_0", "files": []any{map[string]any{"path": "Qwen3-0.6B-Q8_0.gguf", "size": 639446688}}}}}},
		map[string]any{"name": "qwen3-vl:4b", "display": "Qwen3-VL 4B", "family": "qwen3-vl", "arch": "qwen3vl", "params": "4B",
			"vision": true, "context_length": 32768, "dims": dims, "description": "Sees images and video.",
			"gguf": map[string]any{"hf": "test/Qwen3-VL-4B-GGUF", "default": "Q4_K_M", "quants": []any{
				map[string]any{"quant": "Q4_K_M", "files": []any{map[string]any{"path": "Qwen3-VL-4B-Q4_K_M.gguf", "size": 2500000000}}}},
				"mmproj":         []any{map[string]any{"quant": "F16", "files": []any{map[string]any{"path": "mmproj-F16.gguf", "size": 800000000}}}},
				"mmproj_default": "F16"}},
	}})
	cat, err := hub.ParseCatalog(cj)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func newTestUI(t *testing.T) *testUI {
	t.Helper()
	t.Setenv("LLAMA_CACHE", t.TempDir())
	a := test.NewTempApp(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	settings := state.DefaultSettings()
	c := state.NewChat(st, settings, nil)
	models, err := state.NewModels(st, hub.Options{Catalog: testCatalog(t), CacheDir: filepath.Join(dir, "hub"),
		Folders: []string{}, Home: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	eng := newFakeEngine()
	loaded := make(chan string, 10)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1280, 820))
	u := New(ctx, a, w, Deps{Store: st, Chat: c, Models: models, Settings: settings,
		Dirs: platform.Dirs{Data: dir, Cache: dir, Config: dir},
		Load: func(_ context.Context, path string, _ state.LoadOptions) (state.Engine, error) {
			loaded <- path
			return eng, nil
		}})
	t.Cleanup(func() {
		c.Close()
		models.Close()
		st.Close()
	})
	c.SetEngine(eng)
	u.refreshChat()
	return &testUI{UI: u, st: st, eng: eng, w: w, dir: dir, loaded: loaded}
}

// sendAndWait types text, presses Enter, waits for the answer and redraws.
func (tu *testUI) sendAndWait(t *testing.T, text string) {
	t.Helper()
	tu.w.Canvas().Focus(tu.chatView.input)
	test.Type(tu.chatView.input, text)
	tu.chatView.input.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	tu.chat.Wait()
	tu.refreshChat()
}

// capture saves the window to $QS_SCREENSHOT_DIR/name.png when set, for looking at the layout.
func (tu *testUI) capture(t *testing.T, name string) {
	dir := os.Getenv("QS_SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	png.Encode(f, tu.w.Canvas().Capture())
}

// richText gathers the text of every RichText and Label under o.
func richText(o fyne.CanvasObject) string {
	var sb strings.Builder
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.RichText:
			sb.WriteString(w.String())
			sb.WriteString("\n")
		case *widget.Label:
			sb.WriteString(w.Text)
			sb.WriteString("\n")
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		case *container.Scroll:
			walk(w.Content)
		case *widget.Accordion:
			for _, it := range w.Items {
				sb.WriteString(it.Title + "\n")
				if it.Open {
					walk(it.Detail)
				}
			}
		}
	}
	walk(o)
	return sb.String()
}

func TestTypeAndSend(t *testing.T) {
	tu := newTestUI(t)
	tu.capture(t, "empty")
	tu.sendAndWait(t, "Hi there")
	if tu.chatView.input.Text != "" {
		t.Errorf("input not cleared: %q", tu.chatView.input.Text)
	}
	if len(tu.chatView.views) != 2 {
		t.Fatalf("%d message views", len(tu.chatView.views))
	}
	if got := tu.chatView.views[0].plain.Text; got != "Hi there" {
		t.Errorf("user message shows %q", got)
	}
	a := tu.chatView.views[1]
	body := richText(a.body.box)
	for _, want := range []string{"Hello", "Here is code:", `fmt.Println("hi")`, "0.6B", "639 MB", "你好，世界！"} {
		if !strings.Contains(body, want) {
			t.Errorf("answer view lacks %q:\n%s", want, body)
		}
	}
	if !strings.Contains(a.footer.Text, "4 tokens") || !strings.Contains(a.footer.Text, "300 ms to first token") {
		t.Errorf("footer %q", a.footer.Text)
	}
	if !a.regen.Visible() {
		t.Error("no Regenerate on the last answer")
	}
	// The conversation appears in the list with its title.
	if len(tu.sidebar.convs) != 1 || tu.sidebar.convs[0].Title != "Hi there" {
		t.Errorf("sidebar %+v", tu.sidebar.convs)
	}
	if !strings.Contains(tu.status.Text, "Qwen3-0.6B-Q8_0") || !strings.Contains(tu.status.Text, "context 4 / 8192") {
		t.Errorf("status %q", tu.status.Text)
	}
	tu.capture(t, "answered")
}

func TestEnterSendsShiftEnterAddsLine(t *testing.T) {
	tu := newTestUI(t)
	in := tu.chatView.input
	tu.w.Canvas().Focus(in)
	test.Type(in, "line one")
	in.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	in.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	in.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	test.Type(in, "line two")
	if in.Text != "line one\nline two" {
		t.Fatalf("Shift+Enter: %q", in.Text)
	}
	if v := tu.chat.View(); len(v.Messages) != 0 {
		t.Fatal("Shift+Enter sent the message")
	}
	in.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnter})
	tu.chat.Wait()
	if v := tu.chat.View(); len(v.Messages) != 2 || v.Messages[0].Content != "line one\nline two" {
		t.Fatalf("Enter did not send: %+v", v.Messages)
	}
	// An empty box does not send.
	in.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if v := tu.chat.View(); len(v.Messages) != 2 || v.Notice == "" {
		t.Errorf("empty send: %d messages, notice %q", len(v.Messages), v.Notice)
	}
}

func TestStreamingThinkingCollapses(t *testing.T) {
	tu := newTestUI(t)
	tu.eng.gate = make(chan struct{})
	test.Type(tu.chatView.input, "Hello")
	test.Tap(tu.chatView.send)
	step := func() {
		tu.eng.gate <- struct{}{}
		time.Sleep(20 * time.Millisecond) // let the event land
		tu.refreshChat()
	}
	time.Sleep(20 * time.Millisecond) // the prefill event (6 of 12 tokens) lands
	tu.refreshChat()
	if !tu.chatView.stop.Visible() || tu.chatView.send.Visible() {
		t.Error("Stop should replace Send while an answer is written")
	}
	if !tu.chatView.prefillBox.Visible() || tu.chatView.prefill.Value != 0.5 {
		t.Errorf("prefill progress visible=%v value=%v", tu.chatView.prefillBox.Visible(), tu.chatView.prefill.Value)
	}
	step()
	step()
	a := tu.chatView.views[1]
	item := a.thinking.Items[0]
	if tu.chatView.prefillBox.Visible() {
		t.Error("prefill progress still shown while the answer streams")
	}
	if !a.thinking.Visible() || !item.Open || !strings.HasPrefix(item.Title, "Thinking…") {
		t.Fatalf("while thinking: visible=%v open=%v title=%q", a.thinking.Visible(), item.Open, item.Title)
	}
	if a.thinkText.Text != "The user greets me. I should answer kindly." {
		t.Errorf("reasoning shown %q", a.thinkText.Text)
	}
	tu.capture(t, "thinking")
	step() // the answer starts: the reasoning folds to one line
	if item.Open || !strings.HasPrefix(item.Title, "Thought for ") {
		t.Errorf("after thinking: open=%v title=%q", item.Open, item.Title)
	}
	if !strings.Contains(richText(a.body.box), "Hello") {
		t.Error("answer not streamed into the view")
	}
	codeBefore := a.body.views[1].obj
	step()
	tu.chat.Wait()
	tu.refreshChat()
	if a.body.views[1].obj != codeBefore {
		t.Error("the code block was rebuilt instead of updated in place")
	}
	if tu.chatView.stop.Visible() || !tu.chatView.send.Visible() {
		t.Error("Send not back after the answer")
	}
	// Expanding it again sticks across redraws.
	tu.eng.gate = nil
	a.thinking.Open(0)
	tu.refreshChat()
	tu.sendAndWait(t, "more")
	if !a.thinking.Items[0].Open {
		t.Error("the user's expanded reasoning folded again")
	}
	tu.capture(t, "collapsed")
}

func TestStopButton(t *testing.T) {
	tu := newTestUI(t)
	tu.eng.gate = make(chan struct{})
	test.Type(tu.chatView.input, "Hello")
	test.Tap(tu.chatView.send)
	tu.eng.gate <- struct{}{}
	tu.refreshChat()
	test.Tap(tu.chatView.stop)
	tu.chat.Wait()
	tu.refreshChat()
	a := tu.chatView.views[1]
	if !strings.HasPrefix(a.footer.Text, "Stopped") {
		t.Errorf("footer after stop %q", a.footer.Text)
	}
	if got := tu.chat.View().Messages[1].Status; got != store.StatusStopped {
		t.Errorf("status %s", got)
	}
}

func TestThinkToggleAndBudget(t *testing.T) {
	tu := newTestUI(t)
	cv := tu.chatView
	if !cv.think.Checked || cv.budget.Disabled() {
		t.Fatal("Think should start on with the budget enabled")
	}
	test.Tap(cv.think)
	tu.refreshChat()
	if tu.chat.View().Think || !cv.budget.Disabled() {
		t.Error("Think off: state or budget control wrong")
	}
	test.Tap(cv.think)
	cv.budget.SetSelected("1024")
	tu.refreshChat()
	tu.sendAndWait(t, "q")
	o := tu.eng.calls[len(tu.eng.calls)-1]
	if o.Think == nil || !*o.Think || o.Budget != 1024 {
		t.Errorf("engine options think=%v budget=%d", o.Think, o.Budget)
	}
	// The choice is remembered for the next start.
	s, _ := state.LoadSettings(context.Background(), tu.st)
	if !s.Think || s.Budget != 1024 {
		t.Errorf("saved settings think=%v budget=%d", s.Think, s.Budget)
	}
	cv.mode.SetSelected("OCR")
	if tu.chat.View().Mode != state.ModeOCR {
		t.Error("mode not set")
	}
	// A model without reasoning disables the switch.
	e := newFakeEngine()
	e.info.CanThink, e.info.ThinkSwitch = false, false
	tu.chat.SetEngine(e)
	tu.refreshChat()
	if !cv.think.Disabled() || !cv.budget.Disabled() {
		t.Error("Think enabled for a model that cannot think")
	}
}

func TestRegenerateButton(t *testing.T) {
	tu := newTestUI(t)
	tu.sendAndWait(t, "q")
	first := tu.chat.View().Messages[1].ID
	test.Tap(tu.chatView.views[1].regen)
	tu.chat.Wait()
	tu.refreshChat()
	v := tu.chat.View()
	if len(v.Messages) != 2 || v.Messages[1].ID == first || len(tu.chatView.views) != 2 {
		t.Errorf("after regenerate: %d messages, views %d", len(v.Messages), len(tu.chatView.views))
	}
}

func TestCodeBlockCopyAndTable(t *testing.T) {
	tu := newTestUI(t)
	var copied string
	v := newMDView(func(s string) { copied = s })
	v.SetText("Intro\n\n```sh\necho hi\n```\n\n| a | b | c |\n|---|---|---|\n| 1 | 2 | 3 |\n| 4 | 5 | 6 |\n")
	if len(v.views) != 3 {
		t.Fatalf("%d blocks", len(v.views))
	}
	var copyBtn *widget.Button
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Button:
			if w.Text == "Copy" {
				copyBtn = w
			}
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		case *container.Scroll:
			walk(w.Content)
		}
	}
	walk(v.views[1].obj)
	if copyBtn == nil {
		t.Fatal("code block has no Copy button")
	}
	test.Tap(copyBtn)
	if copied != "echo hi" {
		t.Errorf("copied %q", copied)
	}
	grid := v.views[2].obj.(*fyne.Container).Objects[1].(*fyne.Container)
	if len(grid.Objects) != 9 {
		t.Errorf("table grid has %d cells, want 9", len(grid.Objects))
	}
	// Message Copy puts the answer on the app clipboard.
	tu.sendAndWait(t, "q")
	tu.copyText("answer text")
	if got := tu.app.Clipboard().Content(); got != "answer text" {
		t.Errorf("clipboard %q", got)
	}
}

func TestDemoBannerOpensManager(t *testing.T) {
	tu := newTestUI(t)
	if tu.banner.Visible() {
		t.Error("banner shown for a real model")
	}
	e := newFakeEngine()
	e.info.Demo, e.info.Name = true, "Demo model (random weights)"
	tu.chat.SetEngine(e)
	tu.refreshChat()
	if !tu.banner.Visible() || !strings.Contains(tu.bannerT.Text, "random-weight demo model") {
		t.Fatalf("banner visible=%v text=%q", tu.banner.Visible(), tu.bannerT.Text)
	}
	tu.capture(t, "demo")
	btn := tu.banner.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container).Objects[2].(*widget.Button)
	test.Tap(btn)
	if tu.tabs.Selected() != tu.modelTab {
		t.Error("the banner button did not open the model manager")
	}
}

func TestAttachShowsCannotSee(t *testing.T) {
	tu := newTestUI(t)
	dir := t.TempDir()
	img := filepath.Join(dir, "cat.png")
	f, _ := os.Create(img)
	png.Encode(f, tu.w.Canvas().Capture())
	f.Close()
	if err := tu.chat.Attach(img); err != nil {
		t.Fatal(err)
	}
	tu.refreshChat()
	if !tu.media.hintB.Visible() || !strings.Contains(tu.media.hint.Text, "cannot see images or videos") ||
		!strings.Contains(tu.media.hint.Text, "Qwen3-VL 4B") {
		t.Errorf("hint visible=%v %q", tu.media.hintB.Visible(), tu.media.hint.Text)
	}
	if len(tu.media.items.Objects) != 1 {
		t.Fatalf("%d pending cards", len(tu.media.items.Objects))
	}
	// Sending is refused with the reason shown above the input.
	test.Type(tu.chatView.input, "what is this?")
	tu.chatView.input.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	tu.refreshChat()
	if !tu.chatView.noticeBox.Visible() || !strings.Contains(tu.chatView.notice.Text, "reads text only") {
		t.Errorf("notice %q", tu.chatView.notice.Text)
	}
	if tu.chatView.input.Text != "what is this?" {
		t.Error("the refused text was cleared")
	}
	// The thumbnail is decoded in the background.
	deadline := time.Now().Add(5 * time.Second)
	for {
		tu.media.mu.Lock()
		done := len(tu.media.thumbs) == 1
		for _, th := range tu.media.thumbs {
			done = done && th.done && th.img != nil
		}
		tu.media.mu.Unlock()
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("thumbnail not made")
		}
		time.Sleep(10 * time.Millisecond)
	}
	tu.capture(t, "attached")
}

func TestSidebarSearchAndOpen(t *testing.T) {
	tu := newTestUI(t)
	tu.sendAndWait(t, "About cats")
	test.Tap(tu.sidebar.obj.(*fyne.Container).Objects[1].(*fyne.Container).Objects[0].(*widget.Button)) // New chat
	tu.refreshChat()
	tu.sendAndWait(t, "About dogs")
	if len(tu.sidebar.convs) != 2 || tu.sidebar.convs[0].Title != "About dogs" {
		t.Fatalf("list %+v", tu.sidebar.convs)
	}
	test.Type(tu.sidebar.search, "cats")
	if len(tu.sidebar.convs) != 1 || tu.sidebar.convs[0].Title != "About cats" {
		t.Fatalf("search %+v", tu.sidebar.convs)
	}
	tu.sidebar.list.Select(0)
	tu.refreshChat()
	if v := tu.chat.View(); v.Conversation.Title != "About cats" || len(tu.chatView.views) != 2 ||
		tu.chatView.views[0].plain.Text != "About cats" {
		t.Errorf("opened %q with %d views", v.Conversation.Title, len(tu.chatView.views))
	}
}

func TestManagerPane(t *testing.T) {
	tu := newTestUI(t)
	if err := tu.models.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	tu.manager.apply()
	tu.tabs.Select(tu.modelTab)
	text := richText(tu.manager.catalog)
	for _, want := range []string{"Qwen3 0.6B", "Q8_0 · 639.4 MB", "Qwen3-VL 4B  · sees images and video", "fits"} {
		if !strings.Contains(text, want) {
			t.Errorf("catalog lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(richText(tu.manager.local), "No models found") {
		t.Error("empty local list not explained")
	}
	if !strings.Contains(tu.manager.active.Text, "Qwen3-0.6B-Q8_0") {
		t.Errorf("active model %q", tu.manager.active.Text)
	}
	tu.capture(t, "models")
	tu.tabs.SelectIndex(2)
	tu.capture(t, "settings")
}

func TestSettingsSave(t *testing.T) {
	tu := newTestUI(t)
	p := tu.settingsP
	p.threads.SetText("3")
	p.ctxLen.SetText("16384")
	p.themeSel.SetSelected("Dark")
	p.custom.SetChecked(true)
	p.temp.SetText("0.2")
	p.save()
	if p.status.Importance != widget.SuccessImportance {
		t.Fatalf("save: %q", p.status.Text)
	}
	s, _ := state.LoadSettings(context.Background(), tu.st)
	if s.Threads != 3 || s.ContextLength != 16384 || s.Theme != state.ThemeDark || !s.Sampling[state.ModeChat].Custom ||
		s.Sampling[state.ModeChat].Temperature != 0.2 {
		t.Errorf("saved %+v", s)
	}
	tu.sendAndWait(t, "q")
	if v := tu.chat.View(); v.ContextSize != 16384 {
		t.Errorf("context size %d after settings", v.ContextSize)
	}
	p.ctxLen.SetText("lots")
	p.save()
	if p.status.Importance != widget.DangerImportance || !strings.Contains(p.status.Text, "whole number") {
		t.Errorf("bad input: %q", p.status.Text)
	}
	p.ctxLen.SetText("0")
	p.source.SetSelected("Custom mirror")
	p.endpoint.SetText("not a url")
	p.save()
	if !strings.Contains(p.status.Text, "not an http(s) URL") {
		t.Errorf("bad endpoint: %q", p.status.Text)
	}
}

// TestManagerDownloadAndLoad downloads a model from a test hub through the manager pane and loads it.
func TestManagerDownloadAndLoad(t *testing.T) {
	tu := newTestUI(t)
	srv := hubtest.New(t)
	data := hubtest.TinyGGUF(hubtest.Model{Name: "Tiny", FileType: 7, Padding: 256 << 10})
	srv.AddRepo("test/Tiny-GGUF", hubtest.File{Path: "Tiny-Q8_0.gguf", Data: data})
	tu.models.Configure(hub.Options{CacheDir: filepath.Join(tu.dir, "hub"), Source: hub.SourceHF, Endpoint: srv.URL(),
		Folders: []string{}, Home: tu.dir, Download: hub.Downloader{ProgressEvery: time.Millisecond,
			FreeSpace: func(string) (uint64, error) { return 1 << 40, nil }}}, 0)
	tu.tabs.Select(tu.modelTab)
	test.Type(tu.manager.ref, "hf://test/Tiny-GGUF:Q8_0")
	tu.manager.ref.OnSubmitted(tu.manager.ref.Text)
	deadline := time.Now().Add(20 * time.Second)
	var d state.DownloadView
	for {
		ds := tu.models.Downloads()
		if len(ds) == 1 && ds[0].State != store.DownloadActive {
			d = ds[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("download did not finish: %+v", ds)
		}
		time.Sleep(10 * time.Millisecond)
	}
	tu.models.Wait()
	if d.State != store.DownloadCompleted {
		t.Fatalf("download %+v", d)
	}
	tu.manager.apply()
	row := tu.manager.dlRows[d.Ref]
	if row == nil || row.bar.Value != 1 || !strings.Contains(row.detail.Text, "Downloaded to") {
		t.Fatalf("download row %+v", row)
	}
	if !strings.Contains(richText(tu.manager.local), "Tiny") {
		t.Errorf("downloaded model not listed on this computer:\n%s", richText(tu.manager.local))
	}
	tu.capture(t, "downloaded")
	var load *widget.Button
	for _, o := range row.obj.(*fyne.Container).Objects[0].(*fyne.Container).Objects[1].(*fyne.Container).Objects {
		if b, ok := o.(*widget.Button); ok && b.Text == "Load" {
			load = b
		}
	}
	if load == nil {
		t.Fatal("no Load button on the finished download")
	}
	test.Tap(load)
	select {
	case p := <-tu.loaded:
		if p != d.Path {
			t.Errorf("loaded %q, want %q", p, d.Path)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Load did not load")
	}
	if tu.tabs.Selected() != tu.chatTab {
		t.Error("loading a model should return to the chat")
	}
	// The active model is remembered for the next start.
	deadline = time.Now().Add(5 * time.Second)
	for {
		s, _ := state.LoadSettings(context.Background(), tu.st)
		if s.ActiveModel == d.Path {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("active model saved as %q", s.ActiveModel)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestThemeSwitch(t *testing.T) {
	tu := newTestUI(t)
	bg := func() uint32 {
		r, g, b, _ := tu.app.Settings().Theme().Color(theme.ColorNameBackground, theme.VariantDark).RGBA()
		return (r + g + b) / 3 >> 8
	}
	for _, tc := range []struct {
		name  string
		light bool
	}{{state.ThemeLight, true}, {state.ThemeDark, false}} {
		s := tu.settings
		s.Theme = tc.name
		if err := tu.applySettings(s); err != nil {
			t.Fatal(err)
		}
		if got := bg() > 128; got != tc.light {
			t.Errorf("%s theme: background brightness %d", tc.name, bg())
		}
	}
	// Messages drawn in the dark theme are redrawn in the light one.
	tu.sendAndWait(t, "Hello")
	s := tu.settings
	s.Theme = state.ThemeLight
	tu.applySettings(s)
	bubble := tu.chatView.views[0].obj.(*fyne.Container).Objects[0].(*canvas.Rectangle)
	if r, g, b, _ := bubble.FillColor.RGBA(); (r+g+b)/3>>8 < 128 {
		t.Errorf("the message bubble kept the dark theme's colour %v", bubble.FillColor)
	}
	tu.capture(t, "light")
}
