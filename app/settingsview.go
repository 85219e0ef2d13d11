package app

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qwenstudio/qwenstudio/app/fonts"
	"github.com/qwenstudio/qwenstudio/app/state"
)

// settingsPane edits the settings; Save validates, stores and applies them.
type settingsPane struct {
	u        *UI
	threads  *widget.Entry
	ctxLen   *widget.Entry
	maxTok   *widget.Entry
	source   *widget.RadioGroup
	endpoint *widget.Entry
	folders  *widget.Entry
	themeSel *widget.RadioGroup
	sampMode *widget.Select
	custom   *widget.Check
	temp     *widget.Entry
	topP     *widget.Entry
	topK     *widget.Entry
	minP     *widget.Entry
	presence *widget.Entry
	status   *widget.Label
	sampling map[state.Mode]state.Sampling
	curMode  state.Mode
	obj      fyne.CanvasObject
}

var sourceLabels = map[string]string{state.SourceHF: "Hugging Face", state.SourceModelScope: "ModelScope", state.SourceCustom: "Custom mirror"}
var themeLabels = map[string]string{state.ThemeSystem: "System", state.ThemeLight: "Light", state.ThemeDark: "Dark"}

func keyOf(m map[string]string, label string) string {
	for k, v := range m {
		if v == label {
			return k
		}
	}
	return ""
}

func newSettingsPane(u *UI) *settingsPane {
	p := &settingsPane{u: u}
	p.threads = widget.NewEntry()
	p.ctxLen = widget.NewEntry()
	p.maxTok = widget.NewEntry()
	p.source = widget.NewRadioGroup([]string{"Hugging Face", "ModelScope", "Custom mirror"}, func(s string) {
		if s == "Custom mirror" {
			p.endpoint.Enable()
		} else {
			p.endpoint.Disable()
		}
	})
	p.source.Horizontal = true
	p.endpoint = widget.NewEntry()
	p.endpoint.SetPlaceHolder("https://hf-mirror.example.com")
	p.folders = widget.NewMultiLineEntry()
	p.folders.SetPlaceHolder("One folder of GGUF files per line")
	p.folders.SetMinRowsVisible(3)
	addFolder := widget.NewButtonWithIcon("Add folder…", theme.FolderOpenIcon(), func() {
		dialog.ShowFolderOpen(func(l fyne.ListableURI, err error) {
			if err != nil || l == nil {
				return
			}
			t := strings.TrimRight(p.folders.Text, "\n")
			if t != "" {
				t += "\n"
			}
			p.folders.SetText(t + l.Path())
		}, u.win)
	})
	p.themeSel = widget.NewRadioGroup([]string{"System", "Light", "Dark"}, nil)
	p.themeSel.Horizontal = true

	var modeLabels []string
	for _, m := range state.Modes {
		modeLabels = append(modeLabels, m.Label())
	}
	p.temp, p.topP, p.topK, p.minP, p.presence = widget.NewEntry(), widget.NewEntry(), widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	p.custom = widget.NewCheck("Use my own values (otherwise Qwen's recommended settings for thinking or not)", func(on bool) {
		for _, e := range []*widget.Entry{p.temp, p.topP, p.topK, p.minP, p.presence} {
			if on {
				e.Enable()
			} else {
				e.Disable()
			}
		}
	})
	p.sampMode = widget.NewSelect(modeLabels, func(label string) {
		p.storeSampling()
		for _, m := range state.Modes {
			if m.Label() == label {
				p.curMode = m
			}
		}
		p.showSampling()
	})
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord
	save := widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), p.save)
	save.Importance = widget.HighImportance

	font := "No CJK font found: Chinese, Japanese and Korean text shows as boxes. Install one, e.g. `sudo apt install " + fonts.DebianPackage + "`."
	if u.cjk.Path != "" {
		font = fmt.Sprintf("%s (%s)", u.cjk.Name, u.cjk.Path)
	}
	fontLabel := dimLabel(font)

	sampForm := widget.NewForm(
		widget.NewFormItem("Mode", p.sampMode),
		widget.NewFormItem("", p.custom),
		widget.NewFormItem("Temperature", p.temp),
		widget.NewFormItem("Top-p", p.topP),
		widget.NewFormItem("Top-k", p.topK),
		widget.NewFormItem("Min-p", p.minP),
		widget.NewFormItem("Presence penalty", p.presence),
	)
	form := widget.NewForm(
		widget.NewFormItem("CPU threads", withHint(p.threads, "0 uses every core. Applies when a model is loaded.")),
		widget.NewFormItem("Context length", withHint(p.ctxLen, "Tokens the model remembers; 0 = 8192 or the model's maximum if lower. More uses more memory.")),
		widget.NewFormItem("Longest answer", withHint(p.maxTok, "Tokens; 0 = until the context is full.")),
		widget.NewFormItem("Download from", p.source),
		widget.NewFormItem("Mirror URL", p.endpoint),
		widget.NewFormItem("Model folders", container.NewBorder(nil, addFolder, nil, nil, p.folders)),
		widget.NewFormItem("Theme", p.themeSel),
		widget.NewFormItem("CJK font", fontLabel),
	)
	body := container.NewVBox(heading("General"), form, heading("Sampling"), sampForm, container.NewHBox(save), p.status)
	p.obj = container.NewVScroll(container.NewPadded(body))
	p.load(u.settings)
	return p
}

func withHint(obj fyne.CanvasObject, hint string) fyne.CanvasObject {
	return container.NewVBox(obj, dimLabel(hint))
}

// load fills the form from s.
func (p *settingsPane) load(s state.Settings) {
	p.threads.SetText(strconv.Itoa(s.Threads))
	p.ctxLen.SetText(strconv.Itoa(s.ContextLength))
	p.maxTok.SetText(strconv.Itoa(s.MaxTokens))
	p.source.SetSelected(sourceLabels[s.Source])
	p.endpoint.SetText(s.Endpoint)
	p.folders.SetText(strings.Join(s.ExtraFolders, "\n"))
	p.themeSel.SetSelected(themeLabels[s.Theme])
	p.sampling = map[state.Mode]state.Sampling{}
	for k, v := range s.Sampling {
		p.sampling[k] = v
	}
	p.curMode = state.ModeChat
	p.sampMode.SetSelected(state.ModeChat.Label())
	p.showSampling()
}

func (p *settingsPane) showSampling() {
	sm, ok := p.sampling[p.curMode]
	if !ok || !sm.Custom {
		// Start custom values from Qwen's thinking-mode recommendation.
		sm = state.Sampling{Custom: sm.Custom, Temperature: 0.6, TopP: 0.95, TopK: 20}
	}
	p.temp.SetText(fmtF(sm.Temperature))
	p.topP.SetText(fmtF(sm.TopP))
	p.topK.SetText(strconv.Itoa(sm.TopK))
	p.minP.SetText(fmtF(sm.MinP))
	p.presence.SetText(fmtF(sm.PresencePenalty))
	p.custom.SetChecked(sm.Custom)
	p.custom.OnChanged(sm.Custom)
}

func fmtF(f float32) string { return strconv.FormatFloat(float64(f), 'g', -1, 32) }

// storeSampling keeps the form's sampling values for the mode shown.
func (p *settingsPane) storeSampling() error {
	if p.curMode == "" {
		return nil
	}
	sm := state.Sampling{Custom: p.custom.Checked}
	var errs []string
	f := func(e *widget.Entry, name string) float32 {
		v, err := strconv.ParseFloat(strings.TrimSpace(e.Text), 32)
		if err != nil {
			errs = append(errs, name)
		}
		return float32(v)
	}
	sm.Temperature = f(p.temp, "temperature")
	sm.TopP = f(p.topP, "top-p")
	sm.MinP = f(p.minP, "min-p")
	sm.PresencePenalty = f(p.presence, "presence penalty")
	k, err := strconv.Atoi(strings.TrimSpace(p.topK.Text))
	if err != nil {
		errs = append(errs, "top-k")
	}
	sm.TopK = k
	if len(errs) > 0 && sm.Custom {
		return fmt.Errorf("%s sampling: %s must be numbers", p.curMode.Label(), strings.Join(errs, ", "))
	}
	p.sampling[p.curMode] = sm
	return nil
}

// read builds settings from the form.
func (p *settingsPane) read() (state.Settings, error) {
	s := p.u.settings
	num := func(e *widget.Entry, name string) (int, error) {
		n, err := strconv.Atoi(strings.TrimSpace(e.Text))
		if err != nil {
			return 0, fmt.Errorf("%s must be a whole number", name)
		}
		return n, nil
	}
	var err error
	if s.Threads, err = num(p.threads, "CPU threads"); err != nil {
		return s, err
	}
	if s.ContextLength, err = num(p.ctxLen, "Context length"); err != nil {
		return s, err
	}
	if s.MaxTokens, err = num(p.maxTok, "Longest answer"); err != nil {
		return s, err
	}
	s.Source = keyOf(sourceLabels, p.source.Selected)
	s.Endpoint = strings.TrimSpace(p.endpoint.Text)
	s.ExtraFolders = nil
	for _, l := range strings.Split(p.folders.Text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			s.ExtraFolders = append(s.ExtraFolders, l)
		}
	}
	s.Theme = keyOf(themeLabels, p.themeSel.Selected)
	if err := p.storeSampling(); err != nil {
		return s, err
	}
	s.Sampling = map[state.Mode]state.Sampling{}
	for k, v := range p.sampling {
		s.Sampling[k] = v
	}
	return s, s.Validate()
}

func (p *settingsPane) save() {
	s, err := p.read()
	if err != nil {
		p.status.Importance = widget.DangerImportance
		p.status.SetText(err.Error())
		return
	}
	reload := s.Threads != p.u.settings.Threads
	if err := p.u.applySettings(s); err != nil {
		p.status.Importance = widget.DangerImportance
		p.status.SetText(err.Error())
		return
	}
	p.status.Importance = widget.SuccessImportance
	msg := "Saved."
	if reload {
		msg += " The thread count applies the next time a model is loaded."
	}
	p.status.SetText(msg)
}
