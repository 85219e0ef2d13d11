package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qwenstudio/qwenstudio/app/markdown"
)

// mdView shows Markdown as it streams in: text through Fyne's Markdown renderer, fenced code blocks in a
// monospace box with a Copy button, tables as grids. SetText keeps the widgets of blocks that did not
// change, so a streaming answer only re-renders its last block.
type mdView struct {
	box    *fyne.Container
	blocks []markdown.Block
	views  []blockView
	copy   func(string) // puts text on the clipboard
}

// blockView is the widget of one block and how to update it in place.
type blockView struct {
	obj    fyne.CanvasObject
	kind   markdown.Kind
	update func(markdown.Block) bool // false: cannot update in place, rebuild
}

func newMDView(copyFn func(string)) *mdView {
	return &mdView{box: container.NewVBox(), copy: copyFn}
}

// SetText shows text.
func (v *mdView) SetText(text string) {
	blocks := markdown.Split(text)
	changed := false
	for i, b := range blocks {
		if i < len(v.blocks) && sameBlock(v.blocks[i], b) {
			continue
		}
		changed = true
		if i < len(v.views) && v.views[i].kind == b.Kind && v.views[i].update(b) {
			continue
		}
		bv := v.build(b)
		if i < len(v.views) {
			v.views[i] = bv
		} else {
			v.views = append(v.views, bv)
		}
	}
	if len(v.views) > len(blocks) {
		v.views = v.views[:len(blocks)]
		changed = true
	}
	v.blocks = blocks
	if !changed {
		return
	}
	objs := make([]fyne.CanvasObject, len(v.views))
	for i, bv := range v.views {
		objs[i] = bv.obj
	}
	v.box.Objects = objs
	v.box.Refresh()
}

func sameBlock(a, b markdown.Block) bool {
	if a.Kind != b.Kind || a.Text != b.Text || a.Lang != b.Lang || a.Open != b.Open || len(a.Rows) != len(b.Rows) ||
		len(a.Header) != len(b.Header) {
		return false
	}
	for i := range a.Header {
		if a.Header[i] != b.Header[i] {
			return false
		}
	}
	for i := range a.Rows {
		for j := range a.Rows[i] {
			if a.Rows[i][j] != b.Rows[i][j] {
				return false
			}
		}
	}
	return true
}

func (v *mdView) build(b markdown.Block) blockView {
	switch b.Kind {
	case markdown.Code:
		return v.codeBlock(b)
	case markdown.Table:
		return tableBlock(b)
	}
	rt := widget.NewRichTextFromMarkdown(b.Text)
	rt.Wrapping = fyne.TextWrapWord
	return blockView{obj: rt, kind: markdown.Text, update: func(nb markdown.Block) bool {
		rt.ParseMarkdown(nb.Text)
		return true
	}}
}

// codeBlock is a monospace box with the language and a Copy button.
func (v *mdView) codeBlock(b markdown.Block) blockView {
	code := widget.NewRichText(&widget.TextSegment{Style: widget.RichTextStyleCodeBlock, Text: b.Text})
	lang := widget.NewLabel(b.Lang)
	lang.TextStyle = fyne.TextStyle{Italic: true}
	lang.Importance = widget.LowImportance
	text := b.Text
	copyBtn := widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() { v.copy(text) })
	copyBtn.Importance = widget.LowImportance
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	bg.CornerRadius = theme.InputRadiusSize()
	head := container.NewHBox(lang, layout.NewSpacer(), copyBtn)
	body := container.NewBorder(head, nil, nil, nil, container.NewHScroll(code))
	obj := container.NewStack(bg, container.NewPadded(body))
	return blockView{obj: obj, kind: markdown.Code, update: func(nb markdown.Block) bool {
		if nb.Lang != lang.Text {
			lang.SetText(nb.Lang)
		}
		text = nb.Text
		code.Segments[0].(*widget.TextSegment).Text = nb.Text
		code.Refresh()
		return true
	}}
}

// tableBlock draws a table as a grid with a bold header.
func tableBlock(b markdown.Block) blockView {
	cells := make([]fyne.CanvasObject, 0, len(b.Header)*(len(b.Rows)+1))
	for _, h := range b.Header {
		l := widget.NewRichText(&widget.TextSegment{Style: widget.RichTextStyleStrong, Text: h})
		l.Wrapping = fyne.TextWrapWord
		cells = append(cells, l)
	}
	for _, r := range b.Rows {
		for _, c := range r {
			l := widget.NewRichTextFromMarkdown(c)
			l.Wrapping = fyne.TextWrapWord
			cells = append(cells, l)
		}
	}
	grid := container.NewGridWithColumns(len(b.Header), cells...)
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	bg.CornerRadius = theme.InputRadiusSize()
	obj := container.NewStack(bg, grid)
	// Tables are rebuilt on change: cell counts vary as rows stream in.
	return blockView{obj: obj, kind: markdown.Table, update: func(markdown.Block) bool { return false }}
}
