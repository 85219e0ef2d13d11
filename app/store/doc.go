// Package store keeps Qwen Studio's conversations, messages, attachments, settings and download list in one
// SQLite database (modernc.org/sqlite, pure Go) in the platform's app-data folder.
//
// # Durability
//
// The database runs in WAL mode with synchronous=NORMAL: every committed write survives the app crashing or
// being killed. An answer being generated is written progressively (SavePartial, about once a second) with
// status StatusStreaming, so a crash loses at most the last second of a partial answer. The next Open
// marks such messages StatusInterrupted, which the UI shows as an unfinished answer.
//
// # Schema
//
// The schema version is SQLite's user_version. Open applies every migration the file lacks, each in its own
// transaction, and refuses a file written by a newer app (a higher version than this package knows).
//
// # Usage
//
//	s, err := store.Open(ctx, filepath.Join(dirs.Data, "qwenstudio.db"))
//	c := &store.Conversation{Title: "New chat"}
//	err = s.CreateConversation(ctx, c)
//	m := &store.Message{ConversationID: c.ID, Role: store.RoleUser, Content: "Hello"}
//	err = s.AddMessage(ctx, m)
//	err = store.ExportMarkdown(w, *c, msgs)
//
// A Store is safe for concurrent use.
package store
