package state

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/qwenstudio/qwenstudio/app/store"
	"github.com/qwenstudio/qwenstudio/llm"
	"github.com/qwenstudio/qwenstudio/llm/chat"
)

// Errors the chat returns, written for people: the UI shows them as they are.
var (
	ErrBusy    = errors.New("an answer is being written; stop it first")
	ErrNoModel = errors.New("no model is loaded yet")
	ErrEmpty   = errors.New("type a message first")
	ErrNothing = errors.New("there is no question to answer again")
	// ErrCannotSee wraps the refusal to send images or videos to a text-only model.
	ErrCannotSee = errors.New("the current model cannot see images or videos")
)

// Default prompts of the media modes when the user types nothing.
const (
	OCRPrompt   = "Extract all the text in this image as Markdown. Keep headings, lists and tables."
	VideoPrompt = "Describe what happens in this video."
)

// SaveEvery is how often a streaming answer is written to the database: a crash loses at most this much.
const SaveEvery = time.Second

// Prefill is the progress of evaluating a prompt.
type Prefill struct{ Done, Total int }

// View is a copy of the chat's state for the UI to draw.
type View struct {
	Conversation store.Conversation // ID 0: a new chat, saved when the first message is sent
	Messages     []store.Message    // the last one has StatusStreaming while it is written
	Generating   bool
	Prefill      Prefill // of the running generation until its first token
	Pending      []store.Attachment
	Think        bool
	Budget       int
	Mode         Mode
	Model        ModelInfo
	HasModel     bool
	ContextUsed  int // positions of the KV cache in use
	ContextSize  int
	LastStats    *store.Stats // of the most recent answer
	Notice       string       // the latest problem to show, "" when none
	Version      uint64       // changes with every update
	Finished     uint64       // answers finished (done, stopped or failed) since the chat was made
	// LiveRate is the speed of the answer being written, tokens per second (0 until it can be told).
	LiveRate float64
}

// Chat is the conversation controller: it sends messages to the engine, streams the answers into the
// current conversation and saves everything in the store. Its methods are safe to call from any goroutine;
// generation runs on a goroutine of its own. The UI reads state with View and learns about changes from
// Changed.
type Chat struct {
	st  *store.Store
	log *slog.Logger

	mu       sync.Mutex
	engine   Engine
	sess     Session
	settings Settings
	conv     store.Conversation
	msgs     []store.Message
	pending  []store.Attachment
	think    bool
	budget   int
	mode     Mode
	gen      *generation
	prefill  Prefill
	last     *store.Stats
	notice   string
	version  uint64
	finished uint64
	ctxUsed  int // positions the session holds, as of its last event
	liveRate float64
	ctxSize  int // positions it has room for

	changed   chan struct{}
	wg        sync.WaitGroup
	saveEvery time.Duration // SaveEvery, shorter in tests
}

// generation is the running answer.
type generation struct {
	cancel context.CancelFunc
	idx    int // index of the answer in msgs
}

// NewChat makes a chat over st with the given settings; no model is loaded yet (SetEngine).
func NewChat(st *store.Store, s Settings, log *slog.Logger) *Chat {
	if log == nil {
		log = slog.Default()
	}
	mode := s.Mode
	if mode == "" {
		mode = ModeChat
	}
	return &Chat{st: st, log: log, settings: s, think: s.Think, budget: s.Budget, mode: mode,
		changed: make(chan struct{}, 1), saveEvery: SaveEvery}
}

// Changed delivers a value after the state changed; several changes may come as one.
func (c *Chat) Changed() <-chan struct{} { return c.changed }

func (c *Chat) bumpLocked() {
	c.version++
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

// View returns a copy of the state.
func (c *Chat) View() View {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := View{Conversation: c.conv, Messages: append([]store.Message(nil), c.msgs...), Generating: c.gen != nil,
		Prefill: c.prefill, Pending: append([]store.Attachment(nil), c.pending...), Think: c.think,
		Budget: c.budget, Mode: c.mode, HasModel: c.engine != nil, LastStats: c.last, Notice: c.notice,
		Version: c.version, Finished: c.finished, LiveRate: c.liveRate}
	if c.engine != nil {
		v.Model = c.engine.Info()
		v.ContextSize = c.contextSizeLocked()
	}
	if c.sess != nil {
		// The session is not safe for concurrent use: its numbers are copied by the goroutine using it.
		v.ContextUsed, v.ContextSize = c.ctxUsed, c.ctxSize
	}
	return v
}

func (c *Chat) contextSizeLocked() int {
	n := c.settings.ContextLength
	if n == 0 {
		n = DefaultContext
		if m := c.engine.Info().ContextLength; m > 0 {
			n = min(n, m)
		}
	}
	return n
}

// SetEngine makes e the model that answers, stopping any answer in progress; the chat owns e from now on
// and closes the previous engine. nil unloads the model.
func (c *Chat) SetEngine(e Engine) {
	c.stopAndWait()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeSessionLocked()
	if c.engine != nil {
		if err := c.engine.Close(); err != nil {
			c.log.Warn("closing the previous model", "err", err)
		}
	}
	c.engine = e
	c.notice = ""
	c.bumpLocked()
}

func (c *Chat) closeSessionLocked() {
	if c.sess != nil {
		if err := c.sess.Close(); err != nil {
			c.log.Warn("closing the session", "err", err)
		}
		c.sess = nil
	}
}

// Close stops any answer and releases the model.
func (c *Chat) Close() error {
	c.stopAndWait()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeSessionLocked()
	var err error
	if c.engine != nil {
		err = c.engine.Close()
		c.engine = nil
	}
	return err
}

// ApplySettings takes new settings; a new context length takes effect at the next message.
func (c *Chat) ApplySettings(s Settings) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.ContextLength != c.settings.ContextLength && c.gen == nil {
		c.closeSessionLocked()
	}
	c.settings = s
	c.bumpLocked()
}

// SetThink switches thinking on or off for the next messages.
func (c *Chat) SetThink(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.think = on
	c.bumpLocked()
}

// SetBudget sets the thinking budget in tokens (0: none).
func (c *Chat) SetBudget(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.budget = max(n, 0)
	c.bumpLocked()
}

// SetMode chooses the mode of the next messages.
func (c *Chat) SetMode(m Mode) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mode = m
	c.bumpLocked()
}

// ClearNotice dismisses the current notice.
func (c *Chat) ClearNotice() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.notice = ""
	c.bumpLocked()
}

func (c *Chat) fail(err error) error {
	c.notice = err.Error()
	c.bumpLocked()
	return err
}

// Send adds a user message with the pending attachments to the conversation and starts the answer.
func (c *Chat) Send(ctx context.Context, text string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != nil {
		return c.fail(ErrBusy)
	}
	text = strings.TrimSpace(text)
	if text == "" {
		switch {
		case c.mode == ModeOCR && len(c.pending) > 0:
			text = OCRPrompt
		case c.mode == ModeVideo && len(c.pending) > 0:
			text = VideoPrompt
		default:
			return c.fail(ErrEmpty)
		}
	}
	if err := c.checkSendableLocked(c.pending, c.mode); err != nil {
		return c.fail(err)
	}
	if c.conv.ID == 0 {
		c.conv.Title = TitleFrom(text)
		c.conv.Mode = string(c.mode)
		if err := c.st.CreateConversation(ctx, &c.conv); err != nil {
			return c.fail(err)
		}
	}
	m := store.Message{ConversationID: c.conv.ID, Role: store.RoleUser, Content: text, Mode: string(c.mode),
		Attachments: c.pending}
	if err := c.st.AddMessage(ctx, &m); err != nil {
		return c.fail(err)
	}
	c.msgs = append(c.msgs, m)
	c.pending = nil
	return c.startLocked(ctx)
}

// checkSendableLocked says why a message with atts in mode cannot be answered by the current model.
func (c *Chat) checkSendableLocked(atts []store.Attachment, mode Mode) error {
	if c.engine == nil {
		return ErrNoModel
	}
	var images, videos int
	for _, a := range atts {
		if a.Kind == store.KindVideo {
			videos++
		} else {
			images++
		}
	}
	switch {
	case mode == ModeOCR && images == 0:
		return errors.New("OCR mode needs an image: drop one on the window or use Attach")
	case mode == ModeVideo && videos == 0:
		return errors.New("Video QA mode needs a video: drop one on the window or use Attach")
	}
	if len(atts) > 0 && !c.engine.Info().Vision {
		return cannotSeeError(c.engine.Info().Name + " reads text only: it cannot see images or videos. " +
			"Load a Qwen3-VL model in the model manager, or remove the attachments.")
	}
	if len(atts) > 0 {
		// Vision models load, but the vision tower is not wired to the chat yet.
		return cannotSeeError("Answering about images and videos is not available in this version yet.")
	}
	return nil
}

// cannotSeeError is a refusal to send media, matched by errors.Is(err, ErrCannotSee).
type cannotSeeError string

func (e cannotSeeError) Error() string { return string(e) }
func (e cannotSeeError) Unwrap() error { return ErrCannotSee }

// TitleFrom makes a conversation title from the first message: its first line, at most 48 characters.
func TitleFrom(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	line = strings.Join(strings.Fields(line), " ")
	if utf8.RuneCountInString(line) > 48 {
		cut := string([]rune(line)[:47])
		// End on a word boundary when one is near.
		if i := strings.LastIndexByte(cut, ' '); i >= len(cut)-16 && i > 0 {
			cut = cut[:i]
		}
		line = strings.TrimSpace(cut) + "…"
	}
	if line == "" {
		line = "New chat"
	}
	return line
}

// Regenerate answers the last question again, replacing the last answer.
func (c *Chat) Regenerate(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != nil {
		return c.fail(ErrBusy)
	}
	n := len(c.msgs)
	drop := n > 0 && c.msgs[n-1].Role == store.RoleAssistant
	if drop {
		n--
	}
	if n == 0 || c.msgs[n-1].Role != store.RoleUser {
		return c.fail(ErrNothing)
	}
	q := c.msgs[n-1]
	if err := c.checkSendableLocked(q.Attachments, Mode(q.Mode)); err != nil {
		return c.fail(err)
	}
	if drop {
		if err := c.st.DeleteMessagesFrom(ctx, c.conv.ID, c.msgs[n].Seq); err != nil {
			return c.fail(err)
		}
		c.msgs = c.msgs[:n]
	}
	return c.startLocked(ctx)
}

// EditAndResend replaces the user message at position seq with text (keeping its attachments), drops every
// message after it, and answers again.
func (c *Chat) EditAndResend(ctx context.Context, seq int, text string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != nil {
		return c.fail(ErrBusy)
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return c.fail(ErrEmpty)
	}
	i := -1
	for j, m := range c.msgs {
		if m.Seq == seq {
			i = j
		}
	}
	if i < 0 || c.msgs[i].Role != store.RoleUser {
		return c.fail(fmt.Errorf("message %d is not one of your messages", seq))
	}
	old := c.msgs[i]
	if err := c.checkSendableLocked(old.Attachments, Mode(old.Mode)); err != nil {
		return c.fail(err)
	}
	if err := c.st.DeleteMessagesFrom(ctx, c.conv.ID, seq); err != nil {
		return c.fail(err)
	}
	c.msgs = c.msgs[:i]
	m := store.Message{ConversationID: c.conv.ID, Role: store.RoleUser, Content: text, Mode: old.Mode}
	for _, a := range old.Attachments {
		a.ID = 0
		m.Attachments = append(m.Attachments, a)
	}
	if err := c.st.AddMessage(ctx, &m); err != nil {
		return c.fail(err)
	}
	c.msgs = append(c.msgs, m)
	return c.startLocked(ctx)
}

// Stop ends the answer being written; what was written so far is kept. It returns at once.
func (c *Chat) Stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != nil {
		c.gen.cancel()
	}
}

// Wait blocks until no answer is being written.
func (c *Chat) Wait() { c.wg.Wait() }

func (c *Chat) stopAndWait() {
	c.Stop()
	c.wg.Wait()
}

// history turns the stored conversation into the engine's messages. Failed answers are left out; the
// reasoning of earlier answers goes along (the template drops it from all but the latest turn).
func (c *Chat) historyLocked() []chat.Message {
	var out []chat.Message
	if sp := strings.TrimSpace(c.conv.SystemPrompt); sp != "" {
		out = append(out, chat.Message{Role: "system", Content: sp})
	}
	for _, m := range c.msgs {
		switch m.Role {
		case store.RoleUser:
			out = append(out, chat.Message{Role: "user", Content: m.Content})
		case store.RoleAssistant:
			if m.Status == store.StatusError || (m.Content == "" && m.Reasoning == "") {
				continue
			}
			out = append(out, chat.Message{Role: "assistant", Content: m.Content, ReasoningContent: m.Reasoning})
		}
	}
	return out
}

// options are the engine options for the next answer.
func (c *Chat) optionsLocked(mode Mode) llm.Options {
	info := c.engine.Info()
	var o llm.Options
	if info.ThinkSwitch {
		think := c.think
		o.Think = &think
	}
	if c.think && info.CanThink {
		o.Budget = c.budget
	}
	o.MaxTokens = c.settings.MaxTokens
	if info.Demo && (o.MaxTokens == 0 || o.MaxTokens > DemoMaxTokens) {
		o.MaxTokens = DemoMaxTokens
	}
	o.Sampling = c.settings.Sampling[mode].Override()
	return o
}

// DemoMaxTokens caps the answers of the random-weight demo model, which rarely ends a turn by itself.
const DemoMaxTokens = 200

// startLocked adds an empty streaming answer and starts generating it.
func (c *Chat) startLocked(ctx context.Context) error {
	if c.engine == nil {
		return c.fail(ErrNoModel)
	}
	if c.sess == nil {
		s, err := c.engine.NewSession(c.contextSizeLocked())
		if err != nil {
			return c.fail(fmt.Errorf("preparing the model's memory (context of %d tokens): %w", c.contextSizeLocked(), err))
		}
		c.sess = s
		c.ctxUsed, c.ctxSize = s.Len(), s.ContextSize()
	}
	mode := c.mode
	if n := len(c.msgs); n > 0 && c.msgs[n-1].Mode != "" {
		mode = Mode(c.msgs[n-1].Mode)
	}
	history := c.historyLocked()
	opts := c.optionsLocked(mode)
	info := c.engine.Info()
	a := store.Message{ConversationID: c.conv.ID, Role: store.RoleAssistant, Status: store.StatusStreaming,
		Model: info.Name, Mode: string(mode)}
	if err := c.st.AddMessage(ctx, &a); err != nil {
		return c.fail(err)
	}
	c.msgs = append(c.msgs, a)
	c.conv.Model, c.conv.Mode = info.Name, string(mode)
	// The answer outlives the caller's context (a button press); Stop and Close end it.
	gctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	c.gen = &generation{cancel: cancel, idx: len(c.msgs) - 1}
	c.prefill = Prefill{}
	c.notice = ""
	c.wg.Add(1)
	go c.run(gctx, c.gen, c.sess, history, opts)
	c.bumpLocked()
	return nil
}

// run streams one answer into msgs[g.idx]. No other method changes msgs while c.gen is set.
func (c *Chat) run(ctx context.Context, g *generation, sess Session, history []chat.Message, opts llm.Options) {
	defer c.wg.Done()
	defer g.cancel()
	var content, reasoning strings.Builder
	var thinkStart time.Time
	var thinkEnded bool
	var stats *llm.Stats
	var genErr error
	lastSave := time.Now()
	var firstToken time.Time
	firstLen := 0
	for ev, err := range sess.Generate(ctx, history, opts) {
		if err != nil {
			genErr = err
			break
		}
		now := time.Now()
		c.mu.Lock()
		m := &c.msgs[g.idx]
		switch ev.Kind {
		case llm.EventPrefill:
			c.prefill = Prefill{ev.Done, ev.Total}
		case llm.EventReasoning:
			if thinkStart.IsZero() {
				thinkStart = now
			}
			reasoning.WriteString(ev.Text)
			m.Reasoning = reasoning.String()
			m.Thinking = now.Sub(thinkStart)
			c.prefill = Prefill{}
		case llm.EventAnswer:
			if !thinkStart.IsZero() && !thinkEnded {
				thinkEnded = true
				m.Thinking = now.Sub(thinkStart)
			}
			content.WriteString(ev.Text)
			m.Content = content.String()
			c.prefill = Prefill{}
		case llm.EventDone:
			stats = ev.Stats
		}
		// Len is safe here: this goroutine is the one running the session.
		c.ctxUsed = sess.Len()
		if ev.Kind == llm.EventReasoning || ev.Kind == llm.EventAnswer {
			if firstToken.IsZero() {
				firstToken, firstLen = now, c.ctxUsed
			} else if d := now.Sub(firstToken); d > 200*time.Millisecond {
				c.liveRate = float64(c.ctxUsed-firstLen) / d.Seconds()
			}
		}
		c.bumpLocked()
		save := now.Sub(lastSave) >= c.saveEvery
		id, text, reason := m.ID, m.Content, m.Reasoning
		c.mu.Unlock()
		if save {
			lastSave = now
			if err := c.st.SavePartial(context.WithoutCancel(ctx), id, text, reason); err != nil {
				c.log.Warn("saving the partial answer", "err", err)
			}
		}
	}
	c.finish(ctx, g, stats, genErr, thinkStart, thinkEnded)
}

func (c *Chat) finish(ctx context.Context, g *generation, stats *llm.Stats, genErr error, thinkStart time.Time, thinkEnded bool) {
	c.mu.Lock()
	m := &c.msgs[g.idx]
	if !thinkStart.IsZero() && !thinkEnded {
		m.Thinking = time.Since(thinkStart)
	}
	switch {
	case genErr != nil:
		m.Status = store.StatusError
		m.Error = humanError(genErr, c.sess)
		c.notice = m.Error
	case stats != nil && stats.Stop == llm.StopCancelled:
		m.Status = store.StatusStopped
	default:
		m.Status = store.StatusDone
	}
	if stats != nil {
		m.Stats = StatsFrom(stats)
		c.last = m.Stats
	}
	final := *m
	conv := c.conv
	c.mu.Unlock()

	bg := context.WithoutCancel(ctx)
	if err := c.st.UpdateMessage(bg, &final); err != nil {
		c.log.Error("saving the answer", "err", err)
	}
	if err := c.st.UpdateConversation(bg, &conv); err != nil {
		c.log.Error("saving the conversation", "err", err)
	}

	c.mu.Lock()
	c.gen = nil
	c.liveRate = 0
	c.finished++
	c.prefill = Prefill{}
	c.conv.Updated = conv.Updated
	c.bumpLocked()
	c.mu.Unlock()
}

// humanError says what went wrong in words.
func humanError(err error, sess Session) string {
	if errors.Is(err, llm.ErrContextFull) {
		size := 0
		if sess != nil {
			size = sess.ContextSize()
		}
		return fmt.Sprintf("This conversation no longer fits in the model's context (%d tokens). Start a new chat, or raise the context length in Settings.", size)
	}
	return "The model failed: " + err.Error()
}

// StatsFrom converts the engine's statistics.
func StatsFrom(s *llm.Stats) *store.Stats {
	return &store.Stats{PromptTokens: s.PromptTokens, CachedTokens: s.CachedTokens, GeneratedTokens: s.GeneratedTokens,
		ReasoningTokens: s.ReasoningTokens, PrefillMS: s.Prefill.Milliseconds(), DecodeMS: s.Decode.Milliseconds(),
		FirstTokenMS: s.TimeToFirstToken.Milliseconds(), PrefillPerSecond: s.PrefillTokensPerSecond(),
		DecodePerSecond: s.DecodeTokensPerSecond(), Stop: string(s.Stop), Thinking: s.Thinking,
		BudgetReached: s.BudgetReached, Sampling: s.Sampling.String()}
}

// New starts a new, empty conversation (saved when its first message is sent). Pending attachments stay.
func (c *Chat) New() {
	c.stopAndWait()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conv = store.Conversation{}
	c.msgs = nil
	c.notice = ""
	c.bumpLocked()
}

// Open makes a stored conversation the current one.
func (c *Chat) Open(ctx context.Context, id int64) error {
	c.stopAndWait()
	conv, err := c.st.Conversation(ctx, id)
	if err != nil {
		return err
	}
	msgs, err := c.st.Messages(ctx, id)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conv, c.msgs = conv, msgs
	if conv.Mode != "" {
		c.mode = Mode(conv.Mode)
	}
	c.notice = ""
	c.bumpLocked()
	return nil
}

// Conversations lists the stored conversations, newest first, filtered by query when it is not empty.
func (c *Chat) Conversations(ctx context.Context, query string) ([]store.Conversation, error) {
	return c.st.Conversations(ctx, strings.TrimSpace(query))
}

// Rename sets a conversation's title.
func (c *Chat) Rename(ctx context.Context, id int64, title string) error {
	title = strings.Join(strings.Fields(title), " ")
	if title == "" {
		return errors.New("a title cannot be empty")
	}
	if err := c.st.RenameConversation(ctx, id, title); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conv.ID == id {
		c.conv.Title = title
	}
	c.bumpLocked()
	return nil
}

// Delete removes a conversation; deleting the current one starts a new chat.
func (c *Chat) Delete(ctx context.Context, id int64) error {
	c.mu.Lock()
	current := c.conv.ID == id
	c.mu.Unlock()
	if current {
		c.New()
	}
	if err := c.st.DeleteConversation(ctx, id); err != nil {
		return err
	}
	c.mu.Lock()
	c.bumpLocked()
	c.mu.Unlock()
	return nil
}

// SetSystemPrompt sets the current conversation's system prompt.
func (c *Chat) SetSystemPrompt(ctx context.Context, prompt string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conv.SystemPrompt = strings.TrimSpace(prompt)
	c.bumpLocked()
	if c.conv.ID == 0 {
		return nil
	}
	return c.st.UpdateConversation(ctx, &c.conv)
}

// Export writes the current conversation as Markdown.
func (c *Chat) Export(w io.Writer) error {
	v := c.View()
	if v.Conversation.ID == 0 {
		return errors.New("this chat is empty: there is nothing to export")
	}
	return store.ExportMarkdown(w, v.Conversation, v.Messages)
}
