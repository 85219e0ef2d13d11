package app

import (
	"context"
	"fmt"
	"image"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qwenstudio/qwenstudio/app/state"
	"github.com/qwenstudio/qwenstudio/app/store"
	"github.com/qwenstudio/qwenstudio/llm/hub"
)

// Sizes of media previews.
const (
	thumbSize   = 160 // image thumbnails in the panel
	stripHeight = 54  // frames of a video strip
	stripFrames = 8
)

// mediaPanel shows what will be attached to the next message: image thumbnails, and for videos the
// duration and a strip of frames at the times the Qwen3-VL sampler picks. It warns when the model cannot see.
type mediaPanel struct {
	u     *UI
	items *fyne.Container
	hint  *widget.Label
	hintB *fyne.Container
	empty *widget.Label
	obj   fyne.CanvasObject
	key   string

	mu     sync.Mutex
	thumbs map[string]*thumbState // by path+hash
}

// thumbState is a thumbnail or preview being made or made.
type thumbState struct {
	img     image.Image
	preview *state.VideoPreview
	err     error
	done    bool
	waiting []func() // redraws to run when it is done
}

func newMediaPanel(u *UI) *mediaPanel {
	p := &mediaPanel{u: u, thumbs: map[string]*thumbState{}}
	title := widget.NewLabel("Media")
	title.TextStyle = fyne.TextStyle{Bold: true}
	attach := widget.NewButtonWithIcon("Add images or videos…", theme.FolderOpenIcon(), u.showAttachDialog)
	p.empty = widget.NewLabel("Drop images or videos anywhere on the window, or add them here. They go with your next message.")
	p.empty.Wrapping = fyne.TextWrapWord
	p.empty.Importance = widget.LowImportance
	p.hint = widget.NewLabel("")
	p.hint.Wrapping = fyne.TextWrapWord
	p.hint.Importance = widget.WarningImportance
	toManager := widget.NewButtonWithIcon("Find a vision model", theme.SearchIcon(), func() { u.showManager() })
	p.hintB = container.NewVBox(p.hint, toManager)
	p.hintB.Hide()
	p.items = container.NewVBox()
	p.obj = container.NewBorder(container.NewVBox(title, attach, p.hintB), nil, nil, nil,
		container.NewVScroll(container.NewVBox(p.empty, p.items)))
	return p
}

// apply redraws the pending attachments when they changed.
func (p *mediaPanel) apply(v state.View) {
	var keys []string
	for _, a := range v.Pending {
		keys = append(keys, a.SHA256)
	}
	key := strings.Join(keys, ",") + fmt.Sprintf("|%v|%s", v.Model.Vision, v.Model.Name)
	if key == p.key {
		return
	}
	p.key = key
	if len(v.Pending) > 0 && !v.Model.Vision {
		p.hint.SetText(cannotSee(v.Model.Name, p.u.visionModels()))
		p.hintB.Show()
	} else {
		p.hintB.Hide()
	}
	if len(v.Pending) == 0 {
		p.empty.Show()
	} else {
		p.empty.Hide()
	}
	objs := make([]fyne.CanvasObject, 0, len(v.Pending))
	for i, a := range v.Pending {
		objs = append(objs, p.pendingCard(i, a))
	}
	p.items.Objects = objs
	p.items.Refresh()
	p.obj.Refresh()
}

// cannotSee is the warning shown when media is attached for a text-only model.
func cannotSee(model string, vision []*hub.CatalogModel) string {
	if model == "" {
		model = "The current model"
	}
	s := model + " reads text only: it cannot see images or videos. To ask about them, download and load a Qwen3-VL model"
	var names []string
	for _, m := range vision {
		if len(names) < 4 {
			names = append(names, m.Display)
		}
	}
	if len(names) > 0 {
		s += " (" + strings.Join(names, ", ") + "…)"
	}
	return s + " in the model manager."
}

func (p *mediaPanel) pendingCard(i int, a store.Attachment) fyne.CanvasObject {
	name := widget.NewLabel(a.Name)
	name.Truncation = fyne.TextTruncateEllipsis
	remove := widget.NewButtonWithIcon("", theme.CancelIcon(), func() { p.u.chat.RemovePending(i) })
	remove.Importance = widget.LowImportance
	head := container.NewBorder(nil, nil, nil, remove, name)
	var body fyne.CanvasObject
	if a.Kind == store.KindVideo {
		body = p.videoPreview(a)
	} else {
		body = p.imageThumb(a, thumbSize)
	}
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	bg.CornerRadius = theme.InputRadiusSize()
	return container.NewStack(bg, container.NewPadded(container.NewVBox(head, body)))
}

// load makes (once) the thumbnail or preview of a, calling redraw on the UI goroutine when it is ready.
func (p *mediaPanel) load(a store.Attachment, redraw func(*thumbState)) {
	key := a.Path + "|" + a.SHA256
	p.mu.Lock()
	t, ok := p.thumbs[key]
	if !ok {
		t = &thumbState{}
		p.thumbs[key] = t
	}
	if t.done {
		p.mu.Unlock()
		redraw(t)
		return
	}
	t.waiting = append(t.waiting, func() { redraw(t) })
	p.mu.Unlock()
	if ok {
		return
	}
	go func() {
		var img image.Image
		var pv *state.VideoPreview
		var err error
		if a.Kind == store.KindVideo {
			pv, err = state.PreviewVideo(context.WithoutCancel(p.u.ctx), a.Path, stripFrames, stripHeight)
		} else {
			img, err = state.Thumbnail(a.Path, thumbSize)
		}
		p.mu.Lock()
		t.img, t.preview, t.err, t.done = img, pv, err, true
		waiting := t.waiting
		t.waiting = nil
		p.mu.Unlock()
		fyne.Do(func() {
			for _, f := range waiting {
				f()
			}
		})
	}()
}

// imageThumb is an image's thumbnail at most size wide, filled in when decoded.
func (p *mediaPanel) imageThumb(a store.Attachment, size float32) fyne.CanvasObject {
	img := canvas.NewImageFromImage(nil)
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSize(size, size*3/4))
	msg := widget.NewLabel("Loading…")
	msg.Importance = widget.LowImportance
	box := container.NewStack(img, container.NewCenter(msg))
	p.load(a, func(t *thumbState) {
		if t.err != nil {
			msg.SetText("Cannot show this image: " + t.err.Error())
			msg.Wrapping = fyne.TextWrapWord
			return
		}
		msg.Hide()
		img.Image = t.img
		img.Refresh()
	})
	return box
}

// videoPreview shows the duration, what the sampler will take, and the frame strip.
func (p *mediaPanel) videoPreview(a store.Attachment) fyne.CanvasObject {
	info := widget.NewLabel("Reading the video…")
	info.Wrapping = fyne.TextWrapWord
	info.Importance = widget.LowImportance
	bar := widget.NewProgressBarInfinite()
	strip := container.NewGridWrap(fyne.NewSize(96, stripHeight+22))
	box := container.NewVBox(info, bar, strip)
	p.load(a, func(t *thumbState) {
		bar.Stop()
		bar.Hide()
		if t.err != nil && t.preview == nil {
			info.SetText("Cannot read this video: " + t.err.Error())
			info.Importance = widget.DangerImportance
			info.Refresh()
			return
		}
		pv := t.preview
		in := pv.Info
		info.SetText(fmt.Sprintf("%s · %dx%d · %.0f fps\nThe model would see %d frames (%g per second); the strip shows %d of them.",
			clock(in.Duration), in.DisplayWidth, in.DisplayHeight, in.FrameRate, pv.PlanFrames, pv.PlanFPS, len(pv.StripTimes)))
		var cells []fyne.CanvasObject
		for i, tm := range pv.StripTimes {
			var frame fyne.CanvasObject = widget.NewIcon(theme.MediaVideoIcon())
			if i < len(pv.StripFrames) && pv.StripFrames[i] != nil {
				img := canvas.NewImageFromImage(pv.StripFrames[i])
				img.FillMode = canvas.ImageFillContain
				img.SetMinSize(fyne.NewSize(96, stripHeight))
				frame = img
			}
			at := canvas.NewText(clock(tm), theme.Color(theme.ColorNamePlaceHolder))
			at.TextSize = theme.CaptionTextSize()
			at.Alignment = fyne.TextAlignCenter
			cells = append(cells, container.NewBorder(nil, at, nil, nil, frame))
		}
		strip.Objects = cells
		strip.Refresh()
	})
	return box
}

// attachmentThumb is the small preview of an attachment inside a sent message.
func (p *mediaPanel) attachmentThumb(a store.Attachment) fyne.CanvasObject {
	if a.Kind == store.KindVideo {
		l := widget.NewLabelWithStyle(a.Name, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
		return container.NewHBox(widget.NewIcon(theme.MediaVideoIcon()), l)
	}
	return container.NewVBox(p.imageThumb(a, 96), layout.NewSpacer())
}

// clock writes seconds as m:ss (or h:mm:ss).
func clock(sec float64) string {
	s := int(sec + 0.5)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// showAttachDialog lets the user pick an image or video file.
func (u *UI) showAttachDialog() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		u.attach([]string{path})
	}, u.win)
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// Attach attaches files to the next message (hashing them off the UI goroutine).
func (u *UI) Attach(paths []string) { u.attach(paths) }

// attach hashes and attaches files off the UI goroutine.
func (u *UI) attach(paths []string) {
	go func() {
		if err := u.chat.Attach(paths...); err != nil {
			u.log.Info("attach", "err", err)
		}
	}()
}
