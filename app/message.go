package app

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qwenstudio/qwenstudio/app/store"
)

// messageActions are what the buttons under a message do.
type messageActions struct {
	copy       func(string)
	edit       func(m store.Message)
	regenerate func()
	thumb      func(a store.Attachment) fyne.CanvasObject
}

// messageView draws one message: who wrote it, the attachments, the collapsible reasoning of an answer, the
// Markdown text, the numbers of an answer, and its buttons.
type messageView struct {
	id   int64
	role string
	obj  fyne.CanvasObject

	header    *widget.Label
	thinking  *widget.Accordion
	thinkText *widget.Label
	body      *mdView
	plain     *widget.Label // user text: shown as typed, not as Markdown
	footer    *widget.Label
	errLabel  *widget.Label
	actions   *fyne.Container
	regen     *widget.Button

	msg store.Message
	// autoOpened and autoCollapsed record that the reasoning was unfolded when thinking began and folded
	// when it ended, so that what the user does with the section afterwards sticks.
	autoOpened, autoCollapsed bool
	last                      bool
}

func newMessageView(m store.Message, act messageActions) *messageView {
	v := &messageView{id: m.ID, role: m.Role}
	v.header = widget.NewLabel("")
	v.header.TextStyle = fyne.TextStyle{Bold: true}
	v.footer = widget.NewLabel("")
	v.footer.Importance = widget.LowImportance
	v.footer.Wrapping = fyne.TextWrapWord
	v.errLabel = widget.NewLabel("")
	v.errLabel.Importance = widget.DangerImportance
	v.errLabel.Wrapping = fyne.TextWrapWord
	v.errLabel.Hide()
	copyBtn := widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() { act.copy(v.msg.Content) })
	copyBtn.Importance = widget.LowImportance

	if m.Role == store.RoleUser {
		v.header.SetText("You")
		v.plain = widget.NewLabel("")
		v.plain.Wrapping = fyne.TextWrapWord
		edit := widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), func() { act.edit(v.msg) })
		edit.Importance = widget.LowImportance
		v.actions = container.NewHBox(layout.NewSpacer(), edit, copyBtn)
		var atts []fyne.CanvasObject
		for _, a := range m.Attachments {
			atts = append(atts, act.thumb(a))
		}
		parts := []fyne.CanvasObject{v.header}
		if len(atts) > 0 {
			parts = append(parts, container.NewHBox(atts...))
		}
		parts = append(parts, v.plain, v.actions)
		bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
		bg.CornerRadius = 2 * theme.InputRadiusSize()
		v.obj = container.NewStack(bg, container.NewPadded(container.NewVBox(parts...)))
	} else {
		v.thinkText = widget.NewLabel("")
		v.thinkText.Wrapping = fyne.TextWrapWord
		v.thinkText.Importance = widget.LowImportance
		v.thinkText.TextStyle = fyne.TextStyle{Italic: true}
		v.thinking = widget.NewAccordion(widget.NewAccordionItem("Thinking…", v.thinkText))
		v.thinking.Hide()
		v.body = newMDView(act.copy)
		v.regen = widget.NewButtonWithIcon("Regenerate", theme.ViewRefreshIcon(), act.regenerate)
		v.regen.Importance = widget.LowImportance
		v.regen.Hide()
		v.actions = container.NewBorder(nil, nil, nil, container.NewHBox(v.regen, copyBtn), v.footer)
		v.obj = container.NewPadded(container.NewVBox(v.header, v.thinking, v.body.box, v.errLabel, v.actions))
	}
	v.update(m, false, false)
	return v
}

// update shows m. last marks the conversation's last message; busy says an answer is being written.
func (v *messageView) update(m store.Message, last, busy bool) {
	prev := v.msg
	v.msg = m
	if v.role == store.RoleUser {
		if m.Content != prev.Content || v.plain.Text == "" {
			v.plain.SetText(m.Content)
		}
		v.actions.Objects[1].(*widget.Button).Disable()
		if !busy {
			v.actions.Objects[1].(*widget.Button).Enable()
		}
		return
	}
	streaming := m.Status == store.StatusStreaming
	head := "Assistant"
	if m.Model != "" {
		head += " · " + m.Model
	}
	if v.header.Text != head {
		v.header.SetText(head)
	}
	// Reasoning: open while it streams, folded to one line with its duration when the answer starts.
	if m.Reasoning != "" {
		item := v.thinking.Items[0]
		thinkingNow := streaming && m.Content == ""
		title := "Thought for " + store.FormatDuration(m.Thinking)
		if thinkingNow {
			title = "Thinking… " + store.FormatDuration(m.Thinking)
		}
		if item.Title != title {
			item.Title = title
			v.thinking.Refresh()
		}
		if strings.TrimSpace(m.Reasoning) != v.thinkText.Text {
			v.thinkText.SetText(strings.TrimSpace(m.Reasoning))
		}
		if thinkingNow && !v.autoOpened {
			v.thinking.Open(0)
			v.autoOpened = true
		}
		if !thinkingNow && !v.autoCollapsed {
			if item.Open {
				v.thinking.Close(0)
			}
			v.autoCollapsed = true
		}
		v.thinking.Show()
	} else {
		v.thinking.Hide()
	}
	if m.Content != prev.Content || v.body.blocks == nil {
		v.body.SetText(strings.TrimLeft(m.Content, "\n"))
	}
	v.footer.SetText(answerFooter(m))
	if m.Status == store.StatusError && m.Error != "" {
		v.errLabel.SetText(m.Error)
		v.errLabel.Show()
	} else {
		v.errLabel.Hide()
	}
	if last && !busy {
		v.regen.Show()
	} else {
		v.regen.Hide()
	}
	v.last = last
}

// answerFooter is the small line under an answer: its state and numbers.
func answerFooter(m store.Message) string {
	var parts []string
	switch m.Status {
	case store.StatusStreaming:
		if m.Content == "" && m.Reasoning == "" {
			parts = append(parts, "Writing…")
		}
	case store.StatusStopped:
		parts = append(parts, "Stopped")
	case store.StatusInterrupted:
		parts = append(parts, "Interrupted (the app closed while writing)")
	}
	if st := m.Stats; st != nil {
		parts = append(parts, fmt.Sprintf("%d tokens", st.GeneratedTokens))
		if st.DecodePerSecond > 0 {
			parts = append(parts, fmt.Sprintf("%.1f tok/s", st.DecodePerSecond))
		}
		switch {
		case st.FirstTokenMS >= 1000:
			parts = append(parts, store.FormatDuration(time.Duration(st.FirstTokenMS)*time.Millisecond)+" to first token")
		case st.FirstTokenMS > 0:
			parts = append(parts, fmt.Sprintf("%d ms to first token", st.FirstTokenMS))
		}
		if st.BudgetReached {
			parts = append(parts, "thinking budget reached")
		}
		if st.Stop == "max_tokens" {
			parts = append(parts, "length limit reached")
		}
	}
	return strings.Join(parts, " · ")
}
