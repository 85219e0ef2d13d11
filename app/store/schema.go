package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations[i] brings a database from schema version i to i+1. Append only: never edit a released step.
var migrations = []string{
	// 1: conversations, messages with reasoning and stats, attachments by path and hash, settings, downloads.
	// AUTOINCREMENT: ids are never reused, so a view keyed by id never mistakes a new row for a deleted one.
	`CREATE TABLE conversations (
		id            INTEGER PRIMARY KEY AUTOINCREMENT,
		title         TEXT    NOT NULL DEFAULT '',
		mode          TEXT    NOT NULL DEFAULT 'chat',
		model         TEXT    NOT NULL DEFAULT '',
		system_prompt TEXT    NOT NULL DEFAULT '',
		created_at    INTEGER NOT NULL,
		updated_at    INTEGER NOT NULL
	);
	CREATE INDEX conversations_updated ON conversations(updated_at DESC);
	CREATE TABLE messages (
		id              INTEGER PRIMARY KEY AUTOINCREMENT,
		conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
		seq             INTEGER NOT NULL,
		role            TEXT    NOT NULL,
		content         TEXT    NOT NULL DEFAULT '',
		reasoning       TEXT    NOT NULL DEFAULT '',
		status          TEXT    NOT NULL DEFAULT 'done',
		error           TEXT    NOT NULL DEFAULT '',
		model           TEXT    NOT NULL DEFAULT '',
		mode            TEXT    NOT NULL DEFAULT '',
		thinking_ms     INTEGER NOT NULL DEFAULT 0,
		stats           TEXT    NOT NULL DEFAULT '',
		created_at      INTEGER NOT NULL,
		UNIQUE (conversation_id, seq)
	);
	CREATE TABLE attachments (
		id         INTEGER PRIMARY KEY,
		message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
		kind       TEXT    NOT NULL,
		path       TEXT    NOT NULL,
		sha256     TEXT    NOT NULL,
		size       INTEGER NOT NULL,
		name       TEXT    NOT NULL DEFAULT ''
	);
	CREATE INDEX attachments_message ON attachments(message_id);
	CREATE TABLE settings (
		key   TEXT PRIMARY KEY,
		value TEXT NOT NULL
	);
	CREATE TABLE downloads (
		ref        TEXT PRIMARY KEY,
		state      TEXT    NOT NULL,
		error      TEXT    NOT NULL DEFAULT '',
		added_at   INTEGER NOT NULL,
		updated_at INTEGER NOT NULL
	);`,
}

// SchemaVersion is the schema version this package writes.
func SchemaVersion() int { return len(migrations) }

// migrate brings db up to len(steps), one transaction per step.
func migrate(ctx context.Context, db *sql.DB, steps []string) error {
	var v int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return fmt.Errorf("reading the schema version: %w", err)
	}
	if v > len(steps) {
		return fmt.Errorf("the database has schema version %d, newer than this app's %d: %w", v, len(steps), ErrNewerSchema)
	}
	for ; v < len(steps); v++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, steps[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
		// PRAGMA does not take parameters; v is an int.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, v+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
	}
	return nil
}
