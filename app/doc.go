// Package app is Qwen Studio's desktop window, built with Fyne: the conversation list, the chat pane
// (answers streamed as Markdown, a collapsible Thinking section per answer, Think switch and budget beside
// the input, Stop, Regenerate, Edit and Copy), the media panel (drop or pick images and videos; thumbnails
// and frame strips), the model manager, the settings and a status bar.
//
// # Structure
//
// The logic lives in plain-Go packages tested without a window: app/state (chat controller, settings,
// model manager), app/store (SQLite), app/markdown (block splitting), app/fonts (CJK font loading). This
// package only draws their state. Screens are listed in one table (screens); each is a function of the UI.
//
// # Threads
//
// Generation and downloads run on their own goroutines and signal changes on channels; UI.follow redraws on
// the UI goroutine through fyne.DoAndWait at most once per frame, so tokens arrive in batches and the
// window never blocks. Thumbnails, video previews and model loading also run off the UI goroutine.
//
// # Usage
//
//	u := app.New(ctx, fyneApp, window, app.Deps{Store: st, Chat: chat, Models: models, ...})
//	u.Start("") // loads the active model, or generates and loads the demo model
//	window.ShowAndRun()
package app
