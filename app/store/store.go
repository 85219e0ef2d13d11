package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Errors callers check with errors.Is.
var (
	ErrNotFound    = errors.New("store: not found")
	ErrNewerSchema = errors.New("store: database from a newer version of the app")
)

// Roles of messages.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Status is where a message's text stands.
type Status string

const (
	StatusDone        Status = "done"        // complete
	StatusStreaming   Status = "streaming"   // being generated (saved progressively)
	StatusStopped     Status = "stopped"     // the user stopped it; the text is what came before
	StatusError       Status = "error"       // generation failed; Error says why
	StatusInterrupted Status = "interrupted" // the app ended while it was streaming
)

// Conversation is one chat.
type Conversation struct {
	ID           int64
	Title        string
	Mode         string // "chat", "ocr", "video"
	Model        string // the model last used, for display
	SystemPrompt string
	Created      time.Time
	Updated      time.Time
}

// Message is one turn. Attachments are images and videos sent with a user message.
type Message struct {
	ID             int64
	ConversationID int64
	Seq            int // position in the conversation, from 0
	Role           string
	Content        string
	Reasoning      string
	Status         Status
	Error          string
	Model          string
	Mode           string
	Thinking       time.Duration // how long the model reasoned
	Stats          *Stats
	Created        time.Time
	Attachments    []Attachment
}

// Stats are the numbers of one generated answer.
type Stats struct {
	PromptTokens     int     `json:"prompt_tokens"`
	CachedTokens     int     `json:"cached_tokens"`
	GeneratedTokens  int     `json:"generated_tokens"`
	ReasoningTokens  int     `json:"reasoning_tokens"`
	PrefillMS        int64   `json:"prefill_ms"`
	DecodeMS         int64   `json:"decode_ms"`
	FirstTokenMS     int64   `json:"first_token_ms"`
	PrefillPerSecond float64 `json:"prefill_tps"`
	DecodePerSecond  float64 `json:"decode_tps"`
	Stop             string  `json:"stop"`
	Thinking         bool    `json:"thinking"`
	BudgetReached    bool    `json:"budget_reached,omitempty"`
	Sampling         string  `json:"sampling,omitempty"`
}

// Attachment kinds.
const (
	KindImage = "image"
	KindVideo = "video"
)

// Attachment is a file sent with a message, referenced by path and content hash (the file is not copied).
type Attachment struct {
	ID     int64
	Kind   string // KindImage or KindVideo
	Path   string
	SHA256 string // hex
	Size   int64
	Name   string // base name for display
}

// Store is the open database.
type Store struct {
	db   *sql.DB
	path string
}

// Open opens (creating if needed) the database at path, migrates it, and marks answers left streaming by a
// previous run as interrupted.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)", "busy_timeout(5000)"} {
		q.Add("_pragma", p)
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	// One connection: SQLite serialises writers anyway, and this keeps the pragmas and ordering simple.
	db.SetMaxOpenConns(1)
	s := &Store{db: db, path: path}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	return s, nil
}

func (s *Store) init(ctx context.Context) error {
	var mode string
	if err := s.db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return fmt.Errorf("opening the database: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal mode is %q, not WAL", mode)
	}
	if err := migrate(ctx, s.db, migrations); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, `UPDATE messages SET status = ? WHERE status = ?`, StatusInterrupted, StatusStreaming)
	return err
}

// Path returns the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v) }

// CreateConversation inserts c and sets its ID and times.
func (s *Store) CreateConversation(ctx context.Context, c *Conversation) error {
	now := time.Now()
	if c.Mode == "" {
		c.Mode = "chat"
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO conversations (title, mode, model, system_prompt, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)`, c.Title, c.Mode, c.Model, c.SystemPrompt, ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: new conversation: %w", err)
	}
	c.ID, _ = res.LastInsertId()
	c.Created, c.Updated = fromMS(ms(now)), fromMS(ms(now))
	return nil
}

// UpdateConversation saves c's title, mode, model and system prompt and touches its update time.
func (s *Store) UpdateConversation(ctx context.Context, c *Conversation) error {
	now := time.Now()
	res, err := s.db.ExecContext(ctx, `UPDATE conversations SET title = ?, mode = ?, model = ?, system_prompt = ?, updated_at = ?
		WHERE id = ?`, c.Title, c.Mode, c.Model, c.SystemPrompt, ms(now), c.ID)
	if err := affected(res, err); err != nil {
		return fmt.Errorf("store: conversation %d: %w", c.ID, err)
	}
	c.Updated = fromMS(ms(now))
	return nil
}

// RenameConversation sets a conversation's title.
func (s *Store) RenameConversation(ctx context.Context, id int64, title string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE conversations SET title = ? WHERE id = ?`, title, id)
	if err := affected(res, err); err != nil {
		return fmt.Errorf("store: rename conversation %d: %w", id, err)
	}
	return nil
}

// DeleteConversation removes a conversation with its messages and attachment records.
func (s *Store) DeleteConversation(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM conversations WHERE id = ?`, id)
	if err := affected(res, err); err != nil {
		return fmt.Errorf("store: delete conversation %d: %w", id, err)
	}
	return nil
}

func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrNotFound
	}
	return nil
}

const convColumns = `c.id, c.title, c.mode, c.model, c.system_prompt, c.created_at, c.updated_at`

func scanConversation(row interface{ Scan(...any) error }) (Conversation, error) {
	var c Conversation
	var created, updated int64
	err := row.Scan(&c.ID, &c.Title, &c.Mode, &c.Model, &c.SystemPrompt, &created, &updated)
	c.Created, c.Updated = fromMS(created), fromMS(updated)
	return c, err
}

// Conversation returns one conversation.
func (s *Store) Conversation(ctx context.Context, id int64) (Conversation, error) {
	c, err := scanConversation(s.db.QueryRowContext(ctx, `SELECT `+convColumns+` FROM conversations c WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("store: conversation %d: %w", id, err)
	}
	return c, nil
}

// Conversations lists conversations, most recently updated first. A non-empty query keeps those whose title
// or any message contains it (case-insensitive for ASCII letters).
func (s *Store) Conversations(ctx context.Context, query string) ([]Conversation, error) {
	var rows *sql.Rows
	var err error
	if query == "" {
		rows, err = s.db.QueryContext(ctx, `SELECT `+convColumns+` FROM conversations c ORDER BY c.updated_at DESC, c.id DESC`)
	} else {
		pat := "%" + escapeLike(query) + "%"
		rows, err = s.db.QueryContext(ctx, `SELECT `+convColumns+` FROM conversations c
			WHERE c.title LIKE ?1 ESCAPE '\'
			   OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.content LIKE ?1 ESCAPE '\')
			ORDER BY c.updated_at DESC, c.id DESC`, pat)
	}
	if err != nil {
		return nil, fmt.Errorf("store: list conversations: %w", err)
	}
	defer rows.Close()
	var out []Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list conversations: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// AddMessage appends m to its conversation (setting m.ID, m.Seq and m.Created), with its attachments, and
// touches the conversation's update time.
func (s *Store) AddMessage(ctx context.Context, m *Message) error {
	if m.Status == "" {
		m.Status = StatusDone
	}
	stats, err := encodeStats(m.Stats)
	if err != nil {
		return err
	}
	now := time.Now()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: add message: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq) + 1, 0) FROM messages WHERE conversation_id = ?`,
		m.ConversationID).Scan(&m.Seq); err != nil {
		return fmt.Errorf("store: add message: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO messages (conversation_id, seq, role, content, reasoning, status, error,
		model, mode, thinking_ms, stats, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ConversationID, m.Seq, m.Role, m.Content, m.Reasoning, m.Status, m.Error, m.Model, m.Mode,
		m.Thinking.Milliseconds(), stats, ms(now))
	if err != nil {
		return fmt.Errorf("store: add message to conversation %d: %w", m.ConversationID, err)
	}
	m.ID, _ = res.LastInsertId()
	m.Created = fromMS(ms(now))
	for i := range m.Attachments {
		a := &m.Attachments[i]
		res, err := tx.ExecContext(ctx, `INSERT INTO attachments (message_id, kind, path, sha256, size, name) VALUES (?, ?, ?, ?, ?, ?)`,
			m.ID, a.Kind, a.Path, a.SHA256, a.Size, a.Name)
		if err != nil {
			return fmt.Errorf("store: attachment %q: %w", a.Path, err)
		}
		a.ID, _ = res.LastInsertId()
	}
	if _, err := tx.ExecContext(ctx, `UPDATE conversations SET updated_at = ? WHERE id = ?`, ms(now), m.ConversationID); err != nil {
		return fmt.Errorf("store: add message: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: add message: %w", err)
	}
	return nil
}

func encodeStats(st *Stats) (string, error) {
	if st == nil {
		return "", nil
	}
	b, err := json.Marshal(st)
	if err != nil {
		return "", fmt.Errorf("store: stats: %w", err)
	}
	return string(b), nil
}

// UpdateMessage saves m's text, reasoning, status, error, model, thinking time and stats (not its
// attachments, which are fixed when it is added).
func (s *Store) UpdateMessage(ctx context.Context, m *Message) error {
	stats, err := encodeStats(m.Stats)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE messages SET content = ?, reasoning = ?, status = ?, error = ?, model = ?,
		thinking_ms = ?, stats = ? WHERE id = ?`, m.Content, m.Reasoning, m.Status, m.Error, m.Model,
		m.Thinking.Milliseconds(), stats, m.ID)
	if err := affected(res, err); err != nil {
		return fmt.Errorf("store: message %d: %w", m.ID, err)
	}
	return nil
}

// SavePartial writes the text generated so far of a streaming answer.
func (s *Store) SavePartial(ctx context.Context, id int64, content, reasoning string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE messages SET content = ?, reasoning = ?, status = ? WHERE id = ?`,
		content, reasoning, StatusStreaming, id)
	if err := affected(res, err); err != nil {
		return fmt.Errorf("store: message %d: %w", id, err)
	}
	return nil
}

// DeleteMessagesFrom removes the messages of a conversation at position seq and after (regenerate, edit).
func (s *Store) DeleteMessagesFrom(ctx context.Context, conversationID int64, seq int) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM messages WHERE conversation_id = ? AND seq >= ?`, conversationID, seq); err != nil {
		return fmt.Errorf("store: conversation %d: delete messages from %d: %w", conversationID, seq, err)
	}
	return nil
}

// Messages returns a conversation's messages in order, with their attachments.
func (s *Store) Messages(ctx context.Context, conversationID int64) ([]Message, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, conversation_id, seq, role, content, reasoning, status, error, model,
		mode, thinking_ms, stats, created_at FROM messages WHERE conversation_id = ? ORDER BY seq`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("store: messages of %d: %w", conversationID, err)
	}
	var out []Message
	index := map[int64]int{}
	for rows.Next() {
		var m Message
		var thinking, created int64
		var stats string
		if err := rows.Scan(&m.ID, &m.ConversationID, &m.Seq, &m.Role, &m.Content, &m.Reasoning, &m.Status, &m.Error,
			&m.Model, &m.Mode, &thinking, &stats, &created); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: messages of %d: %w", conversationID, err)
		}
		m.Thinking = time.Duration(thinking) * time.Millisecond
		m.Created = fromMS(created)
		if stats != "" {
			m.Stats = new(Stats)
			if err := json.Unmarshal([]byte(stats), m.Stats); err != nil {
				// A damaged stats record should not hide the message.
				m.Stats = nil
			}
		}
		index[m.ID] = len(out)
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: messages of %d: %w", conversationID, err)
	}
	arows, err := s.db.QueryContext(ctx, `SELECT a.id, a.message_id, a.kind, a.path, a.sha256, a.size, a.name
		FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.conversation_id = ? ORDER BY a.id`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("store: attachments of %d: %w", conversationID, err)
	}
	defer arows.Close()
	for arows.Next() {
		var a Attachment
		var mid int64
		if err := arows.Scan(&a.ID, &mid, &a.Kind, &a.Path, &a.SHA256, &a.Size, &a.Name); err != nil {
			return nil, fmt.Errorf("store: attachments of %d: %w", conversationID, err)
		}
		if i, ok := index[mid]; ok {
			out[i].Attachments = append(out[i].Attachments, a)
		}
	}
	return out, arows.Err()
}

// GetSetting decodes the JSON value stored under key into dst; found is false when there is none.
func (s *Store) GetSetting(ctx context.Context, key string, dst any) (found bool, err error) {
	var v string
	err = s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: setting %q: %w", key, err)
	}
	if err := json.Unmarshal([]byte(v), dst); err != nil {
		return true, fmt.Errorf("store: setting %q: %w", key, err)
	}
	return true, nil
}

// SetSetting stores v as JSON under key.
func (s *Store) SetSetting(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: setting %q: %w", key, err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, string(b)); err != nil {
		return fmt.Errorf("store: setting %q: %w", key, err)
	}
	return nil
}

// Download states.
const (
	DownloadActive    = "active"
	DownloadPaused    = "paused"
	DownloadFailed    = "failed"
	DownloadCompleted = "completed"
)

// Download is a model download the user started, remembered so that it can be resumed after a restart.
type Download struct {
	Ref     string // hub reference, "qwen3:0.6b:Q8_0"
	State   string
	Error   string
	Added   time.Time
	Updated time.Time
}

// PutDownload inserts or updates a download record.
func (s *Store) PutDownload(ctx context.Context, d *Download) error {
	now := time.Now()
	if d.Added.IsZero() {
		d.Added = now
	}
	d.Updated = now
	if _, err := s.db.ExecContext(ctx, `INSERT INTO downloads (ref, state, error, added_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(ref) DO UPDATE SET state = excluded.state, error = excluded.error, updated_at = excluded.updated_at`,
		d.Ref, d.State, d.Error, ms(d.Added), ms(now)); err != nil {
		return fmt.Errorf("store: download %q: %w", d.Ref, err)
	}
	return nil
}

// DeleteDownload forgets a download.
func (s *Store) DeleteDownload(ctx context.Context, ref string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM downloads WHERE ref = ?`, ref); err != nil {
		return fmt.Errorf("store: download %q: %w", ref, err)
	}
	return nil
}

// Downloads lists the remembered downloads, oldest first.
func (s *Store) Downloads(ctx context.Context) ([]Download, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT ref, state, error, added_at, updated_at FROM downloads ORDER BY added_at, ref`)
	if err != nil {
		return nil, fmt.Errorf("store: downloads: %w", err)
	}
	defer rows.Close()
	var out []Download
	for rows.Next() {
		var d Download
		var added, updated int64
		if err := rows.Scan(&d.Ref, &d.State, &d.Error, &added, &updated); err != nil {
			return nil, fmt.Errorf("store: downloads: %w", err)
		}
		d.Added, d.Updated = fromMS(added), fromMS(updated)
		out = append(out, d)
	}
	return out, rows.Err()
}
