package state

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qwenstudio/qwenstudio/app/store"
	"github.com/qwenstudio/qwenstudio/llm"
	"github.com/qwenstudio/qwenstudio/llm/chat"
)

func newTestChat(t *testing.T, e Engine) (*Chat, *store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "q.db")
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	c := NewChat(st, DefaultSettings(), nil)
	if e != nil {
		c.SetEngine(e)
	}
	t.Cleanup(func() {
		c.Close()
		st.Close()
	})
	return c, st, path
}

func send(t *testing.T, c *Chat, text string) {
	t.Helper()
	if err := c.Send(context.Background(), text); err != nil {
		t.Fatalf("send %q: %v", text, err)
	}
	c.Wait()
}

func TestSendStreamsAnswerWithThinking(t *testing.T) {
	ctx := context.Background()
	e := newFake()
	e.delay = 20 * time.Millisecond
	c, st, _ := newTestChat(t, e)
	c.SetBudget(256)
	send(t, c, "  Say hello\nplease ")

	v := c.View()
	if v.Generating || len(v.Messages) != 2 {
		t.Fatalf("generating=%v, %d messages", v.Generating, len(v.Messages))
	}
	u, a := v.Messages[0], v.Messages[1]
	if u.Role != store.RoleUser || u.Content != "Say hello\nplease" {
		t.Errorf("user message %+v", u)
	}
	if a.Content != "Hello world" || a.Reasoning != "Let me think." || a.Status != store.StatusDone {
		t.Errorf("answer %q reasoning %q status %s", a.Content, a.Reasoning, a.Status)
	}
	// The thinking time runs from the first reasoning piece to the first answer piece (which the fake
	// delays by 20 ms).
	if a.Thinking < 20*time.Millisecond {
		t.Errorf("thinking time %v, want ≥ 20ms", a.Thinking)
	}
	if a.Stats == nil || a.Stats.GeneratedTokens != 4 || v.LastStats != a.Stats {
		t.Errorf("stats %+v, last %+v", a.Stats, v.LastStats)
	}
	if v.Conversation.ID == 0 || v.Conversation.Title != "Say hello please" && v.Conversation.Title != "Say hello" {
		t.Errorf("conversation %+v", v.Conversation)
	}
	if v.ContextUsed != 14 || v.ContextSize != DefaultContext {
		t.Errorf("context %d/%d", v.ContextUsed, v.ContextSize)
	}
	// What the engine was asked.
	call := e.lastCall()
	if len(call.msgs) != 1 || !sameMsg(call.msgs[0], "user", "Say hello\nplease", "") {
		t.Errorf("engine got %+v", call.msgs)
	}
	if call.opts.Think == nil || !*call.opts.Think || call.opts.Budget != 256 {
		t.Errorf("options think=%v budget=%d", call.opts.Think, call.opts.Budget)
	}
	// The store holds the same.
	msgs, err := st.Messages(ctx, v.Conversation.ID)
	if err != nil || len(msgs) != 2 || msgs[1].Content != "Hello world" || msgs[1].Reasoning != "Let me think." ||
		msgs[1].Status != store.StatusDone || msgs[1].Stats == nil || msgs[1].Model != "fake-0.6b" ||
		msgs[1].Thinking < 20*time.Millisecond {
		t.Fatalf("stored %+v %v", msgs, err)
	}
}

func TestThinkToggleAndBudget(t *testing.T) {
	e := newFake()
	c, _, _ := newTestChat(t, e)
	c.SetBudget(100)
	c.SetThink(false)
	send(t, c, "one")
	o := e.lastCall().opts
	if o.Think == nil || *o.Think || o.Budget != 0 {
		t.Errorf("think off: think=%v budget=%d", o.Think, o.Budget)
	}
	c.SetThink(true)
	send(t, c, "two")
	o = e.lastCall().opts
	if o.Think == nil || !*o.Think || o.Budget != 100 {
		t.Errorf("think on: think=%v budget=%d", o.Think, o.Budget)
	}
	// A model without the switch (Instruct-2507) gets no hard switch.
	e2 := newFake()
	e2.info.ThinkSwitch, e2.info.CanThink = false, false
	c.SetEngine(e2)
	send(t, c, "three")
	if o := e2.lastCall().opts; o.Think != nil || o.Budget != 0 {
		t.Errorf("no switch: think=%v budget=%d", o.Think, o.Budget)
	}
	if !e.closed {
		t.Error("replaced engine not closed")
	}
}

func TestStopKeepsPartialAnswer(t *testing.T) {
	ctx := context.Background()
	e := newFake()
	e.gate = make(chan struct{})
	c, st, _ := newTestChat(t, e)
	if err := c.Send(ctx, "hi"); err != nil {
		t.Fatal(err)
	}
	e.gate <- struct{}{}
	e.gate <- struct{}{}
	e.gate <- struct{}{} // "Hello" is out
	waitFor(t, c, func(v View) bool { return v.Messages[1].Content == "Hello" })
	if v := c.View(); !v.Generating || v.Messages[1].Status != store.StatusStreaming {
		t.Fatalf("while streaming: %+v", v.Messages[1])
	}
	if err := c.Send(ctx, "again"); !errors.Is(err, ErrBusy) {
		t.Errorf("send while busy: %v", err)
	}
	if err := c.Regenerate(ctx); !errors.Is(err, ErrBusy) {
		t.Errorf("regenerate while busy: %v", err)
	}
	c.Stop()
	c.Wait()
	v := c.View()
	a := v.Messages[1]
	if v.Generating || a.Status != store.StatusStopped || a.Content != "Hello" {
		t.Fatalf("after stop: generating=%v %q %s", v.Generating, a.Content, a.Status)
	}
	msgs, _ := st.Messages(ctx, v.Conversation.ID)
	if msgs[1].Status != store.StatusStopped || msgs[1].Content != "Hello" {
		t.Errorf("stored after stop: %q %s", msgs[1].Content, msgs[1].Status)
	}
}

// waitFor polls the view (the chat updates it from its own goroutine).
func waitFor(t *testing.T, c *Chat, ok func(View) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok(c.View()) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out; view: %+v", c.View())
		}
		select {
		case <-c.Changed():
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestRegenerateReplacesLastAnswer(t *testing.T) {
	ctx := context.Background()
	e := newFake()
	n := 0
	e.script = func(msgs []chat.Message, _ llm.Options) ([]llm.Event, error) {
		n++
		return []llm.Event{{Kind: llm.EventAnswer, Text: fmt.Sprintf("answer %d", n)}}, nil
	}
	c, st, _ := newTestChat(t, e)
	send(t, c, "q")
	if err := c.Regenerate(ctx); err != nil {
		t.Fatal(err)
	}
	c.Wait()
	v := c.View()
	if len(v.Messages) != 2 || v.Messages[1].Content != "answer 2" {
		t.Fatalf("%+v", v.Messages)
	}
	if got := e.lastCall().msgs; len(got) != 1 || got[0].Content != "q" {
		t.Errorf("regenerate sent %+v (the old answer must not be in the prompt)", got)
	}
	msgs, _ := st.Messages(ctx, v.Conversation.ID)
	if len(msgs) != 2 || msgs[1].Content != "answer 2" {
		t.Errorf("stored %+v", msgs)
	}
	// Nothing to regenerate in a new chat.
	c.New()
	if err := c.Regenerate(ctx); !errors.Is(err, ErrNothing) {
		t.Errorf("empty chat: %v", err)
	}
}

func TestEditAndResend(t *testing.T) {
	ctx := context.Background()
	e := newFake()
	e.script = func(msgs []chat.Message, _ llm.Options) ([]llm.Event, error) {
		return []llm.Event{{Kind: llm.EventAnswer, Text: "re: " + msgs[len(msgs)-1].Content}}, nil
	}
	c, st, _ := newTestChat(t, e)
	send(t, c, "first")
	send(t, c, "second")
	if got := e.lastCall().msgs; len(got) != 3 || !sameMsg(got[1], "assistant", "re: first", "") {
		t.Fatalf("multi-turn history %+v", got)
	}
	if err := c.EditAndResend(ctx, 0, "first, edited"); err != nil {
		t.Fatal(err)
	}
	c.Wait()
	v := c.View()
	if len(v.Messages) != 2 || v.Messages[0].Content != "first, edited" || v.Messages[1].Content != "re: first, edited" {
		t.Fatalf("after edit %+v", v.Messages)
	}
	msgs, _ := st.Messages(ctx, v.Conversation.ID)
	if len(msgs) != 2 || msgs[0].Content != "first, edited" {
		t.Errorf("stored after edit %+v", msgs)
	}
	if err := c.EditAndResend(ctx, 1, "x"); err == nil {
		t.Error("editing an answer was accepted")
	}
}

func TestFailedAnswerIsKeptButNotSentAgain(t *testing.T) {
	e := newFake()
	fail := true
	e.script = func([]chat.Message, llm.Options) ([]llm.Event, error) {
		if fail {
			return nil, fmt.Errorf("llm: evaluating the prompt: %w", llm.ErrContextFull)
		}
		return []llm.Event{{Kind: llm.EventAnswer, Text: "ok"}}, nil
	}
	c, _, _ := newTestChat(t, e)
	send(t, c, "long question")
	v := c.View()
	a := v.Messages[1]
	if a.Status != store.StatusError || !strings.Contains(a.Error, "no longer fits") || v.Notice != a.Error {
		t.Fatalf("failed answer %+v notice %q", a, v.Notice)
	}
	fail = false
	send(t, c, "short")
	if got := e.lastCall().msgs; len(got) != 2 || got[0].Content != "long question" || got[1].Content != "short" {
		t.Errorf("history after a failure %+v", got)
	}
	if c.View().Notice != "" {
		t.Error("notice not cleared by the next answer")
	}
}

// TestPartialAnswerSavedWhileStreaming checks the crash guarantee: while an answer streams, the store already
// holds its text, and a fresh open (as after a crash) shows it as interrupted.
func TestPartialAnswerSavedWhileStreaming(t *testing.T) {
	ctx := context.Background()
	e := newFake()
	e.gate = make(chan struct{})
	c, st, path := newTestChat(t, e)
	c.saveEvery = 0
	if err := c.Send(ctx, "hi"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		e.gate <- struct{}{}
	}
	waitFor(t, c, func(v View) bool { return v.Messages[1].Content == "Hello" })
	// The save follows the view update.
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs, _ := st.Messages(ctx, c.View().Conversation.ID)
		if len(msgs) == 2 && msgs[1].Content == "Hello" && msgs[1].Status == store.StatusStreaming {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("partial answer not saved: %+v", msgs)
		}
		time.Sleep(5 * time.Millisecond)
	}
	st2, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	cs, _ := st2.Conversations(ctx, "")
	msgs, err := st2.Messages(ctx, cs[0].ID)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("%+v %v", msgs, err)
	}
	if msgs[1].Content != "Hello" || msgs[1].Reasoning != "Let me think." || msgs[1].Status != store.StatusInterrupted {
		t.Errorf("after a crash mid-answer: %q %q %s", msgs[1].Content, msgs[1].Reasoning, msgs[1].Status)
	}
	close(e.gate)
}

func TestConversationsPersistAcrossRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "q.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	c := NewChat(st, DefaultSettings(), nil)
	c.SetEngine(newFake())
	send(t, c, "remember me")
	c.New()
	send(t, c, "another chat")
	c.Close()
	st.Close()

	st, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c = NewChat(st, DefaultSettings(), nil)
	list, err := c.Conversations(ctx, "")
	if err != nil || len(list) != 2 || list[0].Title != "another chat" || list[1].Title != "remember me" {
		t.Fatalf("%+v %v", list, err)
	}
	if err := c.Open(ctx, list[1].ID); err != nil {
		t.Fatal(err)
	}
	v := c.View()
	if len(v.Messages) != 2 || v.Messages[1].Content != "Hello world" || v.Messages[1].Reasoning != "Let me think." {
		t.Errorf("reopened %+v", v.Messages)
	}
	if found, _ := c.Conversations(ctx, "REMEMBER"); len(found) != 1 {
		t.Errorf("search found %d", len(found))
	}
	if err := c.Rename(ctx, list[1].ID, "  Renamed   chat "); err != nil || c.View().Conversation.Title != "Renamed chat" {
		t.Errorf("rename: %v %q", err, c.View().Conversation.Title)
	}
	if err := c.Rename(ctx, list[1].ID, "  "); err == nil {
		t.Error("empty title accepted")
	}
	if err := c.Delete(ctx, list[1].ID); err != nil {
		t.Fatal(err)
	}
	if v := c.View(); v.Conversation.ID != 0 || len(v.Messages) != 0 {
		t.Errorf("deleting the open conversation left %+v", v.Conversation)
	}
	if left, _ := c.Conversations(ctx, ""); len(left) != 1 {
		t.Errorf("%d conversations left", len(left))
	}
}

func sameMsg(m chat.Message, role, content, reasoning string) bool {
	return m.Role == role && m.Content == content && m.ReasoningContent == reasoning && len(m.ToolCalls) == 0
}

func writePNG(t *testing.T, path string, w, h int) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestAttachmentsAndTextOnlyModel(t *testing.T) {
	ctx := context.Background()
	e := newFake()
	c, st, _ := newTestChat(t, e)
	dir := t.TempDir()
	img := filepath.Join(dir, "Photo.PNG")
	writePNG(t, img, 64, 32)
	txt := filepath.Join(dir, "notes.txt")
	os.WriteFile(txt, []byte("x"), 0o644)

	err := c.Attach(img, txt, filepath.Join(dir, "gone.jpg"), img)
	if err == nil || !strings.Contains(err.Error(), "notes.txt is not an image or a video") || !strings.Contains(err.Error(), "gone.jpg") {
		t.Errorf("attach errors: %v", err)
	}
	v := c.View()
	if len(v.Pending) != 1 || v.Pending[0].Kind != store.KindImage || v.Pending[0].Name != "Photo.PNG" || len(v.Pending[0].SHA256) != 64 {
		t.Fatalf("pending %+v", v.Pending)
	}
	if c.CanSee() {
		t.Error("text model claims to see")
	}
	err = c.Send(ctx, "what is this?")
	if !errors.Is(err, ErrCannotSee) || !strings.Contains(err.Error(), "fake-0.6b reads text only") ||
		!strings.Contains(err.Error(), "Qwen3-VL") {
		t.Fatalf("send with an image to a text model: %v", err)
	}
	if v := c.View(); len(v.Messages) != 0 || len(v.Pending) != 1 || v.Notice != err.Error() {
		t.Errorf("after refusal: %d messages, %d pending, notice %q", len(v.Messages), len(v.Pending), v.Notice)
	}
	if cs, _ := st.Conversations(ctx, ""); len(cs) != 0 {
		t.Error("a refused message created a conversation")
	}
	c.RemovePending(0)
	send(t, c, "text only")
	if e.numCalls() != 1 {
		t.Errorf("engine calls %d", e.numCalls())
	}
}

func TestModesNeedTheirMedia(t *testing.T) {
	ctx := context.Background()
	c, _, _ := newTestChat(t, newFake())
	c.SetMode(ModeOCR)
	if err := c.Send(ctx, ""); !errors.Is(err, ErrEmpty) {
		t.Errorf("OCR with nothing: %v", err)
	}
	if err := c.Send(ctx, "read it"); err == nil || !strings.Contains(err.Error(), "OCR mode needs an image") {
		t.Errorf("OCR without image: %v", err)
	}
	c.SetMode(ModeVideo)
	if err := c.Send(ctx, "what happens?"); err == nil || !strings.Contains(err.Error(), "needs a video") {
		t.Errorf("video QA without video: %v", err)
	}
	c.SetMode(ModeChat)
	c.SetEngine(nil)
	if err := c.Send(ctx, "hello"); !errors.Is(err, ErrNoModel) {
		t.Errorf("no model: %v", err)
	}
}

func TestSystemPromptAndExport(t *testing.T) {
	ctx := context.Background()
	e := newFake()
	c, _, _ := newTestChat(t, e)
	var buf bytes.Buffer
	if err := c.Export(&buf); err == nil {
		t.Error("exported an empty chat")
	}
	c.SetSystemPrompt(ctx, "You are terse.")
	send(t, c, "hi")
	if got := e.lastCall().msgs; len(got) != 2 || !sameMsg(got[0], "system", "You are terse.", "") {
		t.Errorf("system prompt not sent: %+v", got)
	}
	if err := c.Export(&buf); err != nil {
		t.Fatal(err)
	}
	if s := buf.String(); !strings.Contains(s, "# hi\n") || !strings.Contains(s, "Hello world") ||
		!strings.Contains(s, "> You are terse.") || !strings.Contains(s, "<summary>Thought for") {
		t.Errorf("export:\n%s", s)
	}
}

func TestDemoAnswersAreCapped(t *testing.T) {
	e := newFake()
	e.info.Demo = true
	c, _, _ := newTestChat(t, e)
	send(t, c, "hi")
	if got := e.lastCall().opts.MaxTokens; got != DemoMaxTokens {
		t.Errorf("demo max tokens %d", got)
	}
}

func TestCustomSamplingPerMode(t *testing.T) {
	e := newFake()
	c, _, _ := newTestChat(t, e)
	s := DefaultSettings()
	s.Sampling[ModeChat] = Sampling{Custom: true, Temperature: 0.3, TopP: 0.9, TopK: 40}
	c.ApplySettings(s)
	send(t, c, "hi")
	o := e.lastCall().opts.Sampling
	if o.Temperature == nil || *o.Temperature != 0.3 || o.TopK == nil || *o.TopK != 40 {
		t.Errorf("sampling override %+v", o)
	}
}

func TestTitleFrom(t *testing.T) {
	for in, want := range map[string]string{
		"Why is the sky blue?":      "Why is the sky blue?",
		"  first line\nsecond  ":    "first line",
		"":                          "New chat",
		strings.Repeat("word ", 20): "word word word word word word word word word…",
		strings.Repeat("天", 60):     strings.Repeat("天", 47) + "…",
	} {
		if got := TitleFrom(in); got != want {
			t.Errorf("TitleFrom(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSettingsValidateAndPersist(t *testing.T) {
	ctx := context.Background()
	_, st, _ := newTestChat(t, nil)
	s, err := LoadSettings(ctx, st)
	if err != nil || s.Theme != ThemeSystem || !s.Think || s.Mode != ModeChat || s.Source != SourceHF {
		t.Fatalf("defaults %+v %v", s, err)
	}
	s.Threads, s.ContextLength, s.Theme = 4, 16384, ThemeDark
	s.Sampling[ModeOCR] = Sampling{Custom: true, Temperature: 0.1, TopP: 0.5}
	if err := SaveSettings(ctx, st, s); err != nil {
		t.Fatal(err)
	}
	got, err := LoadSettings(ctx, st)
	if err != nil || got.Threads != 4 || got.ContextLength != 16384 || got.Theme != ThemeDark || got.Sampling[ModeOCR].TopP != 0.5 {
		t.Errorf("reloaded %+v %v", got, err)
	}
	for _, bad := range []func(*Settings){
		func(s *Settings) { s.Threads = -1 },
		func(s *Settings) { s.ContextLength = 10 },
		func(s *Settings) { s.Source = SourceCustom; s.Endpoint = "ftp://x" },
		func(s *Settings) { s.Source = "nowhere" },
		func(s *Settings) { s.Theme = "pink" },
		func(s *Settings) { s.Sampling[ModeChat] = Sampling{Custom: true, Temperature: -1} },
		func(s *Settings) { s.ExtraFolders = []string{" "} },
	} {
		s := DefaultSettings()
		bad(&s)
		if err := SaveSettings(ctx, st, s); err == nil {
			t.Errorf("accepted %+v", s)
		}
	}
}

func TestLiveRateWhileWriting(t *testing.T) {
	e := newFake()
	e.delay = 40 * time.Millisecond
	e.script = func([]chat.Message, llm.Options) ([]llm.Event, error) {
		var evs []llm.Event
		for range 12 {
			evs = append(evs, llm.Event{Kind: llm.EventAnswer, Text: "word "})
		}
		return evs, nil
	}
	c, _, _ := newTestChat(t, e)
	if err := c.Send(context.Background(), "go"); err != nil {
		t.Fatal(err)
	}
	// One token per 40 ms: about 25 tokens per second.
	waitFor(t, c, func(v View) bool { return v.LiveRate > 0 })
	if r := c.View().LiveRate; r > 30 {
		t.Errorf("live rate %.1f tok/s for one token per 40 ms", r)
	}
	c.Wait()
	if r := c.View().LiveRate; r != 0 {
		t.Errorf("live rate %.1f after the answer", r)
	}
}
