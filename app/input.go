package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// promptEntry is the message box: a multi-line entry where Enter sends and Shift+Enter starts a new line
// (Fyne's own multi-line entry does the opposite).
type promptEntry struct {
	widget.Entry
	onSend func()
	shift  bool
}

func newPromptEntry(onSend func()) *promptEntry {
	e := &promptEntry{onSend: onSend}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.SetPlaceHolder("Message Qwen… (Enter sends, Shift+Enter adds a line, drop images or videos on the window)")
	e.SetMinRowsVisible(3)
	e.ExtendBaseWidget(e)
	return e
}

// KeyDown tracks Shift (and lets the entry use it for selection).
func (e *promptEntry) KeyDown(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shift = true
	}
	e.Entry.KeyDown(k)
}

// KeyUp tracks Shift.
func (e *promptEntry) KeyUp(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shift = false
	}
	e.Entry.KeyUp(k)
}

// TypedKey sends on Enter; Shift+Enter reaches the entry, which inserts a newline (OnSubmitted is unset).
func (e *promptEntry) TypedKey(k *fyne.KeyEvent) {
	if (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && !e.shift {
		if e.onSend != nil {
			e.onSend()
		}
		return
	}
	e.Entry.TypedKey(k)
}
