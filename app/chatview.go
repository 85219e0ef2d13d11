package app

import (
	"context"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qwenstudio/qwenstudio/app/state"
	"github.com/qwenstudio/qwenstudio/app/store"
)

// budgetChoices are the thinking budgets offered beside the input (tokens).
var budgetChoices = []string{"No limit", "256", "512", "1024", "2048", "4096", "8192", "16384"}

// chatView is the chat pane: the messages, the notice line, prefill progress, the Think switch, budget and
// mode beside the input, and Send/Stop.
type chatView struct {
	u *UI

	list    *fyne.Container
	scroll  *container.Scroll
	empty   fyne.CanvasObject
	views   []*messageView
	convID  int64
	version uint64

	notice     *widget.Label
	noticeBox  *fyne.Container
	prefill    *widget.ProgressBar
	prefillBox *fyne.Container
	input      *promptEntry
	send       *widget.Button
	stop       *widget.Button
	think      *widget.Check
	budget     *widget.Select
	mode       *widget.Select
	obj        fyne.CanvasObject
	applying   bool // apply is setting the controls: their callbacks must not write back
	bottom     *fyne.Container
}

func newChatView(u *UI) *chatView {
	c := &chatView{u: u}
	c.list = container.NewVBox()
	welcome := widget.NewRichTextFromMarkdown("## Start a conversation\n\nType a message below and press **Enter**. " +
		"Drop images or videos on the window to attach them; switch **Think** off for quick answers.")
	welcome.Wrapping = fyne.TextWrapWord
	c.empty = container.NewCenter(container.NewGridWrap(fyne.NewSize(460, 160), welcome))
	c.scroll = container.NewVScroll(container.NewStack(c.empty, container.NewPadded(c.list)))

	c.notice = widget.NewLabel("")
	c.notice.Wrapping = fyne.TextWrapWord
	c.notice.Importance = widget.DangerImportance
	dismiss := widget.NewButtonWithIcon("", theme.CancelIcon(), func() { u.chat.ClearNotice() })
	dismiss.Importance = widget.LowImportance
	c.noticeBox = container.NewBorder(nil, nil, nil, dismiss, c.notice)
	c.noticeBox.Hide()

	c.prefill = widget.NewProgressBar()
	c.prefill.TextFormatter = func() string {
		return fmt.Sprintf("Reading the prompt: %.0f%%", 100*c.prefill.Value)
	}
	c.prefillBox = container.NewVBox(c.prefill)
	c.prefillBox.Hide()

	c.input = newPromptEntry(c.submit)
	c.send = widget.NewButtonWithIcon("Send", theme.MailSendIcon(), c.submit)
	c.send.Importance = widget.HighImportance
	c.stop = widget.NewButtonWithIcon("Stop", theme.MediaStopIcon(), func() { u.chat.Stop() })
	c.stop.Importance = widget.DangerImportance
	c.stop.Hide()

	c.think = widget.NewCheck("Think", func(on bool) {
		if !c.applying {
			u.chat.SetThink(on)
			u.saveChatPrefs()
		}
	})
	c.budget = widget.NewSelect(budgetChoices, func(s string) {
		if c.applying {
			return
		}
		n, _ := strconv.Atoi(s) // "No limit" → 0
		u.chat.SetBudget(n)
		u.saveChatPrefs()
	})
	var labels []string
	for _, m := range state.Modes {
		labels = append(labels, m.Label())
	}
	c.mode = widget.NewSelect(labels, func(s string) {
		if c.applying {
			return
		}
		for _, m := range state.Modes {
			if m.Label() == s {
				u.chat.SetMode(m)
				u.saveChatPrefs()
			}
		}
	})
	attach := widget.NewButtonWithIcon("Attach", theme.ContentAddIcon(), u.showAttachDialog)
	attach.Importance = widget.LowImportance
	budgetLabel := widget.NewLabel("Thinking budget")
	controls := container.NewHBox(c.mode, c.think, budgetLabel, c.budget, layout.NewSpacer(), attach)
	buttons := container.NewVBox(c.send, c.stop)
	inputRow := container.NewBorder(nil, nil, nil, buttons, c.input)
	c.bottom = container.NewVBox(c.noticeBox, c.prefillBox, controls, inputRow)
	c.obj = container.NewBorder(nil, container.NewPadded(c.bottom), nil, nil, c.scroll)
	return c
}

// reset forgets the drawn messages, so that the next apply draws them anew (after a theme change).
func (c *chatView) reset() {
	c.views = nil
	c.version = 0
	c.convID = -1
}

// submit sends the input (Enter or the Send button).
func (c *chatView) submit() {
	text := c.input.Text
	if err := c.u.chat.Send(c.u.ctx, text); err != nil {
		c.u.log.Info("not sent", "err", err)
		return // the chat shows the reason as a notice
	}
	c.input.SetText("")
}

// apply draws v.
func (c *chatView) apply(v state.View) {
	if v.Version == c.version && v.Conversation.ID == c.convID && len(c.views) == len(v.Messages) {
		return
	}
	c.version = v.Version
	atBottom := c.scroll.Offset.Y >= c.scroll.Content.MinSize().Height-c.scroll.Size().Height-40
	if v.Conversation.ID != c.convID {
		c.views = nil
		c.convID = v.Conversation.ID
		atBottom = true
	}
	rebuilt := false
	for i, m := range v.Messages {
		last := i == len(v.Messages)-1
		if i < len(c.views) && c.views[i].id == m.ID {
			c.views[i].update(m, last, v.Generating)
			continue
		}
		c.views = c.views[:i]
		mv := newMessageView(m, c.actions())
		mv.update(m, last, v.Generating)
		c.views = append(c.views, mv)
		rebuilt = true
	}
	if len(c.views) > len(v.Messages) {
		c.views = c.views[:len(v.Messages)]
		rebuilt = true
	}
	if rebuilt {
		objs := make([]fyne.CanvasObject, 0, 2*len(c.views))
		for i, mv := range c.views {
			if i > 0 {
				objs = append(objs, widget.NewSeparator())
			}
			objs = append(objs, mv.obj)
		}
		c.list.Objects = objs
		c.list.Refresh()
	}
	if len(v.Messages) == 0 {
		c.empty.Show()
	} else {
		c.empty.Hide()
	}
	c.scroll.Refresh()
	if atBottom || rebuilt {
		c.scroll.ScrollToBottom()
	}

	// Showing or hiding the notice and the progress bar changes the height of the input area: the
	// containers around them must lay out again.
	relayout := false
	if v.Notice != "" {
		if n := sentence(v.Notice); c.notice.Text != n || !c.noticeBox.Visible() {
			c.notice.SetText(n)
			c.noticeBox.Show()
			relayout = true
		}
	} else if c.noticeBox.Visible() {
		c.noticeBox.Hide()
		relayout = true
	}
	if v.Generating && v.Prefill.Total > 0 {
		c.prefill.SetValue(float64(v.Prefill.Done) / float64(v.Prefill.Total))
		if !c.prefillBox.Visible() {
			c.prefillBox.Show()
			relayout = true
		}
	} else if c.prefillBox.Visible() {
		c.prefillBox.Hide()
		relayout = true
	}
	if relayout {
		c.bottom.Refresh()
		c.obj.Refresh()
	}
	if v.Generating {
		c.send.Hide()
		c.stop.Show()
	} else {
		c.stop.Hide()
		c.send.Show()
	}
	if v.HasModel {
		c.send.Enable()
	} else {
		c.send.Disable()
	}
	// The controls follow the state.
	c.applying = true
	defer func() { c.applying = false }()
	if c.think.Checked != v.Think {
		c.think.SetChecked(v.Think)
	}
	if v.HasModel && !v.Model.CanThink {
		c.think.Disable()
		c.budget.Disable()
	} else {
		c.think.Enable()
		if v.Think {
			c.budget.Enable()
		} else {
			c.budget.Disable()
		}
	}
	b := "No limit"
	if v.Budget > 0 {
		b = strconv.Itoa(v.Budget)
	}
	if c.budget.Selected != b {
		c.budget.SetSelected(b)
	}
	if c.mode.Selected != v.Mode.Label() {
		c.mode.SetSelected(v.Mode.Label())
	}
}

func (c *chatView) actions() messageActions {
	return messageActions{
		copy: c.u.copyText,
		edit: c.editMessage,
		regenerate: func() {
			if err := c.u.chat.Regenerate(c.u.ctx); err != nil {
				c.u.log.Info("regenerate", "err", err)
			}
		},
		thumb: c.u.media.attachmentThumb,
	}
}

// editMessage opens the message in a dialog; Resend replaces it and answers again.
func (c *chatView) editMessage(m store.Message) {
	e := widget.NewMultiLineEntry()
	e.Wrapping = fyne.TextWrapWord
	e.SetText(m.Content)
	e.SetMinRowsVisible(6)
	d := dialog.NewCustomConfirm("Edit message", "Resend", "Cancel", e, func(ok bool) {
		if !ok {
			return
		}
		if err := c.u.chat.EditAndResend(context.WithoutCancel(c.u.ctx), m.Seq, e.Text); err != nil {
			c.u.log.Info("edit", "err", err)
		}
	}, c.u.win)
	d.Resize(fyne.NewSize(560, 320))
	d.Show()
	c.u.win.Canvas().Focus(e)
}

// sentence capitalises the first letter of an error message for display.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
