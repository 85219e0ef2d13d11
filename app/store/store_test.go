package store

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "sub", "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConversationRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	c := &Conversation{Title: "Sky", SystemPrompt: "Be brief."}
	if err := s.CreateConversation(ctx, c); err != nil {
		t.Fatal(err)
	}
	if c.ID == 0 || c.Mode != "chat" {
		t.Fatalf("created %+v", c)
	}
	user := &Message{ConversationID: c.ID, Role: RoleUser, Content: "Why is the sky blue? 天空为什么是蓝色的",
		Attachments: []Attachment{{Kind: KindImage, Path: "/tmp/a.png", SHA256: "ab", Size: 3, Name: "a.png"},
			{Kind: KindVideo, Path: "/tmp/b.mp4", SHA256: "cd", Size: 9, Name: "b.mp4"}}}
	if err := s.AddMessage(ctx, user); err != nil {
		t.Fatal(err)
	}
	ans := &Message{ConversationID: c.ID, Role: RoleAssistant, Content: "Rayleigh scattering.", Reasoning: "Short wavelengths…",
		Model: "qwen3:0.6b", Thinking: 1500 * time.Millisecond,
		Stats: &Stats{PromptTokens: 20, GeneratedTokens: 12, DecodePerSecond: 33.5, Stop: "eos", Thinking: true}}
	if err := s.AddMessage(ctx, ans); err != nil {
		t.Fatal(err)
	}
	if user.Seq != 0 || ans.Seq != 1 {
		t.Fatalf("seq %d %d", user.Seq, ans.Seq)
	}
	got, err := s.Messages(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d messages", len(got))
	}
	if got[0].Content != user.Content || len(got[0].Attachments) != 2 || got[0].Attachments[1].Path != "/tmp/b.mp4" ||
		got[0].Attachments[0].SHA256 != "ab" || got[0].Attachments[0].Kind != KindImage {
		t.Errorf("user message %+v", got[0])
	}
	a := got[1]
	if a.Reasoning != ans.Reasoning || a.Thinking != ans.Thinking || a.Stats == nil || a.Stats.DecodePerSecond != 33.5 ||
		a.Status != StatusDone || a.Model != "qwen3:0.6b" || len(a.Attachments) != 0 {
		t.Errorf("answer %+v stats %+v", a, a.Stats)
	}
	// Update and rename.
	a.Content, a.Status, a.Error = "x", StatusError, "boom"
	if err := s.UpdateMessage(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if err := s.RenameConversation(ctx, c.ID, "Blue sky"); err != nil {
		t.Fatal(err)
	}
	c2, err := s.Conversation(ctx, c.ID)
	if err != nil || c2.Title != "Blue sky" || c2.SystemPrompt != "Be brief." {
		t.Fatalf("%+v %v", c2, err)
	}
	got, _ = s.Messages(ctx, c.ID)
	if got[1].Status != StatusError || got[1].Error != "boom" || got[1].Content != "x" {
		t.Errorf("updated %+v", got[1])
	}
	// Truncate from the answer, then delete everything.
	if err := s.DeleteMessagesFrom(ctx, c.ID, 1); err != nil {
		t.Fatal(err)
	}
	if got, _ = s.Messages(ctx, c.ID); len(got) != 1 {
		t.Fatalf("after truncation %d messages", len(got))
	}
	if err := s.DeleteConversation(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Conversation(ctx, c.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted conversation: %v", err)
	}
	var n int
	s.db.QueryRow(`SELECT COUNT(*) FROM attachments`).Scan(&n)
	if n != 0 {
		t.Errorf("%d attachment rows left after delete (cascade)", n)
	}
	if err := s.DeleteConversation(ctx, c.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func TestSearchAndOrder(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	mk := func(title, text string) int64 {
		c := &Conversation{Title: title}
		if err := s.CreateConversation(ctx, c); err != nil {
			t.Fatal(err)
		}
		if text != "" {
			if err := s.AddMessage(ctx, &Message{ConversationID: c.ID, Role: RoleUser, Content: text}); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(2 * time.Millisecond) // distinct update times
		return c.ID
	}
	a := mk("Go generics", "")
	b := mk("Recipes", "How do I make 100% rye bread?")
	c := mk("东京旅行", "Plan a trip to Tokyo")
	ids := func(q string) []int64 {
		cs, err := s.Conversations(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	if got := ids(""); fmt.Sprint(got) != fmt.Sprint([]int64{c, b, a}) {
		t.Errorf("all: %v, want newest first %v", got, []int64{c, b, a})
	}
	for _, tc := range []struct {
		q    string
		want []int64
	}{
		{"generics", []int64{a}},
		{"GENERICS", []int64{a}}, // case-insensitive
		{"rye", []int64{b}},      // message text
		{"100%", []int64{b}},
		{"%", []int64{b}}, // literal, not a wildcard
		{"_", nil},
		{"东京", []int64{c}},
		{"nothing", nil},
	} {
		if got := ids(tc.q); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("search %q: %v, want %v", tc.q, got, tc.want)
		}
	}
}

func TestSettingsAndDownloads(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	type prefs struct {
		Threads int
		Theme   string
	}
	var p prefs
	if found, err := s.GetSetting(ctx, "prefs", &p); err != nil || found {
		t.Fatalf("empty: %v %v", found, err)
	}
	if err := s.SetSetting(ctx, "prefs", prefs{4, "dark"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "prefs", prefs{8, "light"}); err != nil {
		t.Fatal(err)
	}
	if found, err := s.GetSetting(ctx, "prefs", &p); err != nil || !found || p != (prefs{8, "light"}) {
		t.Fatalf("got %+v %v %v", p, found, err)
	}
	d := &Download{Ref: "qwen3:0.6b:Q8_0", State: DownloadActive}
	if err := s.PutDownload(ctx, d); err != nil {
		t.Fatal(err)
	}
	d.State = DownloadPaused
	if err := s.PutDownload(ctx, d); err != nil {
		t.Fatal(err)
	}
	ds, err := s.Downloads(ctx)
	if err != nil || len(ds) != 1 || ds[0].State != DownloadPaused || ds[0].Ref != d.Ref {
		t.Fatalf("%+v %v", ds, err)
	}
	if err := s.DeleteDownload(ctx, d.Ref); err != nil {
		t.Fatal(err)
	}
	if ds, _ = s.Downloads(ctx); len(ds) != 0 {
		t.Errorf("left %+v", ds)
	}
}

func TestWALAndReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "q.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	c := &Conversation{Title: "kept"}
	if err := s.CreateConversation(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Errorf("no WAL file next to the database: %v", err)
	}
	s.Close()
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := s.Conversation(ctx, c.ID); err != nil || got.Title != "kept" {
		t.Fatalf("%+v %v", got, err)
	}
	var v int
	s.db.QueryRow(`PRAGMA user_version`).Scan(&v)
	if v != SchemaVersion() {
		t.Errorf("user_version %d, want %d", v, SchemaVersion())
	}
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	v1 := []string{`CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1);`}
	if err := migrate(ctx, db, v1); err != nil {
		t.Fatal(err)
	}
	// An upgrade keeps the data and runs only the new step.
	v2 := append(v1, `ALTER TABLE t ADD COLUMN b TEXT NOT NULL DEFAULT 'x';`)
	if err := migrate(ctx, db, v2); err != nil {
		t.Fatal(err)
	}
	var a int
	var b string
	if err := db.QueryRow(`SELECT a, b FROM t`).Scan(&a, &b); err != nil || a != 1 || b != "x" {
		t.Fatalf("after upgrade: %d %q %v", a, b, err)
	}
	// A failing step leaves the previous version and data in place.
	bad := append(v2, `CREATE TABLE u (x INTEGER); INSERT INTO nope VALUES (1);`)
	if err := migrate(ctx, db, bad); err == nil || !strings.Contains(err.Error(), "migration 3") {
		t.Fatalf("bad migration: %v", err)
	}
	var v int
	db.QueryRow(`PRAGMA user_version`).Scan(&v)
	if v != 2 {
		t.Errorf("version after failed migration %d, want 2", v)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM u`).Scan(&a); err == nil {
		t.Error("table of the failed migration exists: not rolled back")
	}
	// An older app refuses a newer file.
	if err := migrate(ctx, db, v1); !errors.Is(err, ErrNewerSchema) {
		t.Errorf("newer file: %v", err)
	}
}

func TestOpenRefusesNewerDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "q.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(ctx, path); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open of a newer database: %v", err)
	}
}

func TestOpenRejectsGarbage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database ", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("garbage file: %v", err)
	}
}

// TestKillMidAnswer runs a child process that saves a partial answer and is then killed with SIGKILL: the
// user's message and the partial answer must be there after reopening, the answer marked interrupted.
func TestKillMidAnswer(t *testing.T) {
	if os.Getenv("STORE_CRASH_CHILD") != "" {
		crashChild()
		return
	}
	path := filepath.Join(t.TempDir(), "q.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillMidAnswer$")
	cmd.Env = append(os.Environ(), "STORE_CRASH_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	ready := false
	for sc.Scan() {
		if sc.Text() == "saved" {
			ready = true
			break
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	if !ready {
		t.Fatal("child did not save")
	}
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cs, err := s.Conversations(context.Background(), "")
	if err != nil || len(cs) != 1 {
		t.Fatalf("%v %v", cs, err)
	}
	msgs, err := s.Messages(context.Background(), cs[0].ID)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("%+v %v", msgs, err)
	}
	if msgs[0].Content != "question" {
		t.Errorf("user message %q", msgs[0].Content)
	}
	if msgs[1].Content != "partial answer 2" || msgs[1].Reasoning != "thought" || msgs[1].Status != StatusInterrupted {
		t.Errorf("answer after kill: %q %q %s", msgs[1].Content, msgs[1].Reasoning, msgs[1].Status)
	}
}

func crashChild() {
	ctx := context.Background()
	s, err := Open(ctx, os.Getenv("STORE_CRASH_CHILD"))
	if err != nil {
		fmt.Println("error", err)
		return
	}
	c := &Conversation{Title: "crash"}
	s.CreateConversation(ctx, c)
	s.AddMessage(ctx, &Message{ConversationID: c.ID, Role: RoleUser, Content: "question"})
	m := &Message{ConversationID: c.ID, Role: RoleAssistant, Status: StatusStreaming}
	s.AddMessage(ctx, m)
	s.SavePartial(ctx, m.ID, "partial answer 1", "thought")
	s.SavePartial(ctx, m.ID, "partial answer 2", "thought")
	fmt.Println("saved")
	time.Sleep(time.Minute) // killed here
}

func TestExportMarkdown(t *testing.T) {
	c := Conversation{Title: "Sky\nquestion", SystemPrompt: "Be brief.\nVery."}
	msgs := []Message{
		{Role: RoleUser, Content: "Why blue?", Attachments: []Attachment{{Kind: KindImage, Path: "/p/sky.png", SHA256: "abc"}}},
		{Role: RoleAssistant, Model: "qwen3:8b", Reasoning: "Rayleigh.\n", Thinking: 2500 * time.Millisecond,
			Content: "Because of **scattering**.\n", Stats: &Stats{GeneratedTokens: 10, DecodePerSecond: 12.34}},
		{Role: RoleUser, Content: "More"},
		{Role: RoleAssistant, Content: "Part", Status: StatusStopped},
	}
	var sb strings.Builder
	if err := ExportMarkdown(&sb, c, msgs); err != nil {
		t.Fatal(err)
	}
	out := sb.String()
	for _, want := range []string{
		"# Sky question\n",
		"> Be brief.\n> Very.",
		"## You\n\n- image: `/p/sky.png` (sha256 abc)\n\nWhy blue?\n",
		"## Assistant (qwen3:8b)\n\n<details>\n<summary>Thought for 2.5s</summary>\n\nRayleigh.\n\n</details>\n\nBecause of **scattering**.\n",
		"<sub>10 tokens, 12.3 tok/s</sub>",
		"Part\n\n_(stopped)_\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("export lacks %q:\n%s", want, out)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		400 * time.Millisecond:  "0.4s",
		9940 * time.Millisecond: "9.9s",
		12 * time.Second:        "12s",
		125 * time.Second:       "2m 05s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}

func TestHashFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	os.WriteFile(p, []byte("abc"), 0o644)
	sum, n, err := HashFile(p)
	if err != nil || n != 3 || sum != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("%s %d %v", sum, n, err)
	}
	if _, _, err := HashFile(p + "missing"); err == nil {
		t.Error("missing file hashed")
	}
}

// Ids are never reused: a regenerated answer or a new chat is never mistaken for the deleted one.
func TestIDsNotReused(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	c := &Conversation{Title: "a"}
	s.CreateConversation(ctx, c)
	m := &Message{ConversationID: c.ID, Role: RoleUser, Content: "x"}
	s.AddMessage(ctx, m)
	s.DeleteMessagesFrom(ctx, c.ID, 0)
	m2 := &Message{ConversationID: c.ID, Role: RoleUser, Content: "y"}
	s.AddMessage(ctx, m2)
	if m2.ID == m.ID {
		t.Errorf("message id %d reused", m.ID)
	}
	s.DeleteConversation(ctx, c.ID)
	c2 := &Conversation{Title: "b"}
	s.CreateConversation(ctx, c2)
	if c2.ID == c.ID {
		t.Errorf("conversation id %d reused", c.ID)
	}
}
