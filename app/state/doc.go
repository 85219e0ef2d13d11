// Package state is the desktop app's logic without its window: the chat controller, settings, attachments and
// previews, and the model manager. It imports no Fyne, so all of it is tested with plain `go test`; the app
// package draws what it holds.
//
// # Chat
//
// A Chat holds the current conversation, the pending attachments, the Think switch, the thinking budget and
// the mode (Chat, OCR, Video QA). Send, Regenerate and EditAndResend add messages to the store and start an
// answer on a goroutine of its own; the answer streams into the last message (reasoning and text
// separately, with the thinking time), is saved to the store about once a second while it streams, and
// finally with its statistics. Stop cancels it within one token and keeps what was written. The UI copies
// the state with View whenever Changed fires (changes are coalesced, so a fast model does not flood it).
//
// The model is behind the Engine and Session interfaces: LoadModel wraps the real engine (package llm);
// tests use fakes. EnsureDemoModel generates the random-weight demo model (package tinymodel) used when no
// real model is available.
//
// # Models
//
// Models lists the catalog with a memory-fit verdict per quantization, the models already on disk, and the
// downloads; downloads can be paused, resumed (also after a restart: the list is in the store and the
// partial files stay in the Hugging Face cache) and cancelled.
package state
