package app

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qwenstudio/qwenstudio/app/state"
	"github.com/qwenstudio/qwenstudio/app/store"
)

// sidebar is the conversation list: New, search, the conversations newest first, and Rename, Delete and
// Export for the open one.
type sidebar struct {
	u       *UI
	search  *widget.Entry
	list    *widget.List
	convs   []store.Conversation
	current int64
	key     string // what the list was last loaded for
	obj     fyne.CanvasObject
	picking bool // the list selection is being set by the code
	tools   []*widget.Button
}

func newSidebar(u *UI) *sidebar {
	s := &sidebar{u: u}
	newBtn := widget.NewButtonWithIcon("New chat", theme.ContentAddIcon(), func() { u.chat.New() })
	newBtn.Importance = widget.HighImportance
	s.search = widget.NewEntry()
	s.search.SetPlaceHolder("Search chats")
	s.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	s.search.OnChanged = func(string) { s.reload() }
	s.list = widget.NewList(
		func() int { return len(s.convs) },
		func() fyne.CanvasObject {
			title := widget.NewLabel("title")
			title.Truncation = fyne.TextTruncateEllipsis
			when := widget.NewLabel("when")
			when.SizeName = theme.SizeNameCaptionText
			return container.NewVBox(title, when)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(s.convs) {
				return
			}
			c := s.convs[id]
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(c.Title)
			box.Objects[1].(*widget.Label).SetText(relTime(c.Updated, time.Now()))
		})
	s.list.OnSelected = func(id widget.ListItemID) {
		if s.picking || id >= len(s.convs) || s.convs[id].ID == s.current {
			return
		}
		if err := u.chat.Open(u.ctx, s.convs[id].ID); err != nil {
			u.showError(err)
		}
	}
	rename := widget.NewButton("Rename", s.rename)
	del := widget.NewButton("Delete", s.delete)
	export := widget.NewButton("Export", s.export)
	for _, b := range []*widget.Button{rename, del, export} {
		b.Importance = widget.LowImportance
	}
	s.tools = []*widget.Button{rename, del, export}
	tools := container.NewGridWithColumns(3, rename, del, export)
	s.obj = container.NewBorder(container.NewVBox(newBtn, s.search), tools, nil, nil, s.list)
	return s
}

// apply reloads the list when the open conversation, its title or its message count changed (not on
// every streamed token).
func (s *sidebar) apply(v state.View) {
	key := fmt.Sprintf("%d|%s|%d|%v", v.Conversation.ID, v.Conversation.Title, len(v.Messages), v.Generating)
	s.current = v.Conversation.ID
	for _, b := range s.tools {
		// They act on the open conversation; a new chat is not saved yet.
		if s.current == 0 || v.Generating {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if key == s.key {
		return
	}
	s.key = key
	s.reload()
}

func (s *sidebar) reload() {
	convs, err := s.u.chat.Conversations(s.u.ctx, s.search.Text)
	if err != nil {
		s.u.log.Error("listing conversations", "err", err)
		return
	}
	s.convs = convs
	s.list.Refresh()
	s.picking = true
	defer func() { s.picking = false }()
	s.list.UnselectAll()
	for i, c := range convs {
		if c.ID == s.current {
			s.list.Select(i)
		}
	}
}

func (s *sidebar) currentConv() (store.Conversation, bool) {
	for _, c := range s.convs {
		if c.ID == s.current {
			return c, true
		}
	}
	return store.Conversation{}, false
}

func (s *sidebar) rename() {
	c, ok := s.currentConv()
	if !ok {
		return
	}
	e := widget.NewEntry()
	e.SetText(c.Title)
	dialog.ShowForm("Rename chat", "Rename", "Cancel", []*widget.FormItem{widget.NewFormItem("Title", e)}, func(ok bool) {
		if ok {
			if err := s.u.chat.Rename(s.u.ctx, c.ID, e.Text); err != nil {
				s.u.showError(err)
			}
		}
	}, s.u.win)
}

func (s *sidebar) delete() {
	c, ok := s.currentConv()
	if !ok {
		return
	}
	dialog.ShowConfirm("Delete chat", fmt.Sprintf("Delete %q and all its messages? This cannot be undone.", c.Title), func(ok bool) {
		if ok {
			if err := s.u.chat.Delete(s.u.ctx, c.ID); err != nil {
				s.u.showError(err)
			}
		}
	}, s.u.win)
}

// export saves the open conversation as Markdown.
func (s *sidebar) export() {
	c, ok := s.currentConv()
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := s.u.chat.Export(&buf); err != nil {
		s.u.showError(err)
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		defer w.Close()
		if _, err := w.Write(buf.Bytes()); err != nil {
			s.u.showError(err)
		}
	}, s.u.win)
	d.SetFileName(fileName(c.Title) + ".md")
	if home, err := os.UserHomeDir(); err == nil {
		if l, err := listableURI(filepath.Join(home, "Documents")); err == nil {
			d.SetLocation(l)
		}
	}
	d.Show()
}

// fileName makes a title safe as a file name.
func fileName(title string) string {
	r := strings.NewReplacer("/", "-", "\\", "-", ":", "-", "*", "", "?", "", "\"", "", "<", "", ">", "", "|", "-")
	name := strings.TrimSpace(r.Replace(title))
	if name == "" {
		name = "chat"
	}
	return name
}

// relTime writes how long ago t was, for the list.
func relTime(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 24*time.Hour && now.Day() == t.Day():
		return t.Format("15:04")
	case d < 7*24*time.Hour:
		return t.Format("Mon 15:04")
	}
	return t.Format("2 Jan 2006")
}
