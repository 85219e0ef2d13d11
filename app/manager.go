package app

import (
	"fmt"
	"sort"
	"strings"
	"time"

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

// managerPane is the model manager: the active model, downloads with progress, the models on this
// computer, and the catalog with a memory-fit badge per quantization.
type managerPane struct {
	u *UI

	active    *widget.Label
	downloads *fyne.Container
	local     *fyne.Container
	catalog   *fyne.Container
	ref       *widget.Entry
	body      *fyne.Container
	dlRows    map[string]*downloadRow
	dlKey     string
	localKey  string
	obj       fyne.CanvasObject
}

type downloadRow struct {
	obj    fyne.CanvasObject
	bar    *widget.ProgressBar
	detail *widget.Label
}

func newManagerPane(u *UI) *managerPane {
	m := &managerPane{u: u, dlRows: map[string]*downloadRow{}, dlKey: "-", localKey: "-"}
	m.active = widget.NewLabel("")
	m.active.Wrapping = fyne.TextWrapWord
	open := widget.NewButtonWithIcon("Open a model file…", theme.FolderOpenIcon(), m.openFile)
	refresh := widget.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), func() {
		go func() {
			if err := u.models.Refresh(u.ctx); err != nil {
				u.log.Warn("refreshing models", "err", err)
			}
		}()
	})
	m.downloads = container.NewVBox()
	m.local = container.NewVBox()
	m.catalog = container.NewVBox()
	m.ref = widget.NewEntry()
	m.ref.SetPlaceHolder("qwen3:8b-q4_k_m, hf://Qwen/Qwen3-4B-GGUF:Q8_0 or Qwen/Qwen3-4B-GGUF")
	getRef := widget.NewButtonWithIcon("Download", theme.DownloadIcon(), m.downloadRef)
	m.ref.OnSubmitted = func(string) { m.downloadRef() }
	m.body = container.NewVBox(
		heading("Active model"), m.active, container.NewHBox(open, refresh),
		heading("Downloads"), container.NewBorder(nil, nil, nil, getRef, m.ref), m.downloads,
		heading("On this computer"), m.local,
		heading("Catalog"), m.catalog,
	)
	m.obj = container.NewVScroll(container.NewPadded(m.body))
	return m
}

func heading(s string) fyne.CanvasObject {
	l := widget.NewLabel(s)
	l.TextStyle = fyne.TextStyle{Bold: true}
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

// applyChat shows the active model.
func (m *managerPane) applyChat(v state.View) {
	s := "No model loaded."
	switch {
	case m.u.loading != "":
		s = "Loading " + m.u.loading + "…"
	case v.HasModel && v.Model.Demo:
		s = "The random-weight demo model: it exercises the app but its answers are gibberish. Download or open a real model below."
	case v.HasModel:
		s = fmt.Sprintf("%s — %s, %s on disk, context %d", v.Model.Name, v.Model.Path, hub.FormatBytes(v.Model.Size), v.ContextSize)
	}
	if m.active.Text != s {
		m.active.SetText(s)
	}
}

// apply redraws the downloads (in place while only their progress changes), the local list and the
// catalog when they changed.
func (m *managerPane) apply() {
	relayout := false
	defer func() {
		// Rows came or went: the sections' heights changed.
		if relayout {
			m.body.Refresh()
			m.obj.Refresh()
		}
	}()
	dls := m.u.models.Downloads()
	var keys []string
	for _, d := range dls {
		keys = append(keys, d.Ref+"="+d.State)
	}
	if k := strings.Join(keys, ","); k != m.dlKey {
		m.dlKey = k
		m.dlRows = map[string]*downloadRow{}
		var objs []fyne.CanvasObject
		for _, d := range dls {
			r := m.downloadRow(d)
			m.dlRows[d.Ref] = r
			objs = append(objs, r.obj)
		}
		if len(objs) == 0 {
			objs = append(objs, dimLabel("No downloads. Pick a quantization in the catalog below."))
		}
		m.downloads.Objects = objs
		m.downloads.Refresh()
		relayout = true
	}
	for _, d := range dls {
		if r := m.dlRows[d.Ref]; r != nil {
			updateDownloadRow(r, d)
		}
	}
	local := m.u.models.Local()
	var lk []string
	for _, l := range local {
		lk = append(lk, l.Path)
	}
	mem := m.u.models.Memory()
	if k := strings.Join(lk, ",") + fmt.Sprint(mem.Available>>28); k != m.localKey {
		m.localKey = k
		m.drawLocal(local)
		m.drawCatalog()
		relayout = true
	}
}

func dimLabel(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Importance = widget.LowImportance
	l.Wrapping = fyne.TextWrapWord
	return l
}

func (m *managerPane) downloadRow(d state.DownloadView) *downloadRow {
	r := &downloadRow{bar: widget.NewProgressBar(), detail: widget.NewLabel("")}
	r.detail.Truncation = fyne.TextTruncateEllipsis
	name := widget.NewLabelWithStyle(d.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	var btns []fyne.CanvasObject
	ref := d.Ref
	switch d.State {
	case store.DownloadActive:
		btns = append(btns, widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), func() { m.u.models.Pause(ref) }))
	case store.DownloadPaused, store.DownloadFailed:
		label := "Resume"
		if d.State == store.DownloadFailed {
			label = "Retry"
		}
		btns = append(btns, widget.NewButtonWithIcon(label, theme.MediaPlayIcon(), func() {
			if err := m.u.models.Resume(m.u.ctx, ref); err != nil {
				m.u.showError(err)
			}
		}))
	case store.DownloadCompleted:
		path := d.Path
		load := widget.NewButtonWithIcon("Load", theme.ConfirmIcon(), func() { m.u.loadModel(path, false) })
		load.Importance = widget.HighImportance
		btns = append(btns, load)
	}
	if d.State != store.DownloadCompleted {
		btns = append(btns, widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { m.u.models.Cancel(m.u.ctx, ref) }))
	}
	top := container.NewBorder(nil, nil, nil, container.NewHBox(btns...), name)
	r.obj = container.NewVBox(top, r.bar, r.detail)
	updateDownloadRow(r, d)
	return r
}

func updateDownloadRow(r *downloadRow, d state.DownloadView) {
	p := d.Progress
	if p.AllTotal > 0 {
		r.bar.SetValue(float64(p.AllDone) / float64(p.AllTotal))
	}
	var s string
	switch d.State {
	case store.DownloadActive:
		s = fmt.Sprintf("%s of %s", hub.FormatBytes(p.AllDone), hub.FormatBytes(p.AllTotal))
		if p.Phase == hub.PhaseVerifying {
			s += " · checking the file"
		} else if p.Speed > 0 {
			s += fmt.Sprintf(" · %s/s", hub.FormatBytes(int64(p.Speed)))
			if p.ETA > 0 {
				s += " · " + p.ETA.Round(time.Second).String() + " left"
			}
		}
		if p.AllTotal == 0 {
			s = "Starting…"
		}
	case store.DownloadPaused:
		s = "Paused; the downloaded part is kept."
	case store.DownloadFailed:
		s = "Failed: " + d.Error
		r.detail.Importance = widget.DangerImportance
	case store.DownloadCompleted:
		s = "Downloaded to " + d.Path
		r.bar.SetValue(1)
	}
	if r.detail.Text != s {
		r.detail.SetText(s)
	}
}

func (m *managerPane) drawLocal(local []hub.LocalModel) {
	var objs []fyne.CanvasObject
	for _, l := range local {
		l := l
		name := widget.NewLabelWithStyle(l.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		desc := fmt.Sprintf("%s · %s · %s", orDash(l.Quant), hub.FormatBytes(l.Size), locationName(l.Location))
		if l.Err != nil {
			desc = "Unreadable: " + l.Err.Error()
		}
		info := widget.NewLabel(desc)
		path := widget.NewLabel(l.Path)
		path.Truncation = fyne.TextTruncateEllipsis
		path.Importance = widget.LowImportance
		fit := m.u.models.LocalFit(l)
		load := widget.NewButtonWithIcon("Load", theme.ConfirmIcon(), func() { m.u.loadModel(l.Path, false) })
		btns := []fyne.CanvasObject{fitBadge(fit), load}
		if l.Err != nil || (l.Arch != "" && !strings.HasPrefix(l.Arch, "qwen3")) {
			load.Disable()
		}
		if l.Location == hub.LocHFCache {
			btns = append(btns, widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), func() { m.confirmDelete(l) }))
		}
		objs = append(objs, container.NewBorder(nil, nil, nil, container.NewCenter(container.NewHBox(btns...)), container.NewVBox(name, info, path)))
	}
	if len(objs) == 0 {
		objs = append(objs, dimLabel("No models found in the Hugging Face cache, LM Studio's or llama.cpp's folders, or your folders (Settings)."))
	}
	m.local.Objects = objs
	m.local.Refresh()
}

// locationName says where a local model was found, in words.
func locationName(loc string) string {
	switch loc {
	case hub.LocHFCache:
		return "Hugging Face cache"
	case hub.LocLMStudio:
		return "LM Studio"
	case hub.LocLlamaCpp:
		return "llama.cpp cache"
	case hub.LocFolder:
		return "your folder"
	}
	return loc
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func (m *managerPane) confirmDelete(l hub.LocalModel) {
	rm, err := m.u.models.PlanDelete(m.u.ctx, l.Ref)
	if err != nil {
		m.u.showError(err)
		return
	}
	dialog.ShowConfirm("Delete model", fmt.Sprintf("Delete %s from the Hugging Face cache? This frees %s.", l.Name, hub.FormatBytes(rm.Bytes)),
		func(ok bool) {
			if !ok {
				return
			}
			go func() {
				if err := m.u.models.Delete(m.u.ctx, rm); err != nil {
					fyne.Do(func() { m.u.showError(err) })
				}
			}()
		}, m.u.win)
}

// fitBadge is a coloured word saying whether a model fits in memory, with the numbers in its tooltip-like
// text.
func fitBadge(f hub.Fit) fyne.CanvasObject {
	l := widget.NewLabel(string(f.Verdict))
	switch f.Verdict {
	case hub.Fits:
		l.Importance = widget.SuccessImportance
	case hub.Tight:
		l.Importance = widget.WarningImportance
	case hub.WontFit:
		l.Importance = widget.DangerImportance
	default:
		l.Importance = widget.LowImportance
	}
	l.TextStyle = fyne.TextStyle{Bold: true}
	return l
}

func (m *managerPane) drawCatalog() {
	entries := m.u.models.Catalog()
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Model.Family < entries[j].Model.Family })
	var objs []fyne.CanvasObject
	for _, e := range entries {
		cm := e.Model
		title := cm.Display
		if cm.Vision {
			title += "  · sees images and video"
		}
		name := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		desc := widget.NewLabel(fmt.Sprintf("%s · %s parameters · context %d · %s", cm.Name, cm.Params, cm.ContextLength, cm.Description))
		desc.Wrapping = fyne.TextWrapWord
		var quants []fyne.CanvasObject
		for _, q := range e.Quants {
			q := q
			size := hub.FormatBytes(q.Size)
			if q.Approx {
				size = "~" + size
			}
			label := widget.NewLabel(fmt.Sprintf("%s · %s · needs %s", q.Quant, size, hub.FormatBytes(q.Fit.Total)))
			var act fyne.CanvasObject
			if q.Downloaded {
				act = widget.NewLabelWithStyle("Downloaded", fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
			} else {
				act = widget.NewButtonWithIcon("Download", theme.DownloadIcon(), func() {
					if err := m.u.models.Download(m.u.ctx, q.Ref); err != nil {
						m.u.showError(err)
					}
				})
			}
			quants = append(quants, container.NewHBox(label, fitBadge(q.Fit), act))
		}
		bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
		bg.CornerRadius = theme.InputRadiusSize()
		card := container.NewVBox(name, desc, container.NewGridWrap(fyne.NewSize(420, 40), quants...))
		objs = append(objs, container.NewStack(bg, container.NewPadded(card)), layout.NewSpacer())
	}
	m.catalog.Objects = objs
	m.catalog.Refresh()
}

// openFile loads a GGUF file the user picks.
func (m *managerPane) openFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		m.u.loadModel(path, false)
	}, m.u.win)
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// downloadRef downloads the model named in the reference box.
func (m *managerPane) downloadRef() {
	ref := strings.TrimSpace(m.ref.Text)
	if ref == "" {
		return
	}
	if err := m.u.models.Download(m.u.ctx, ref); err != nil {
		m.u.showError(err)
		return
	}
	m.ref.SetText("")
}
