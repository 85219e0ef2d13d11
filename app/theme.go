package app

import (
	"image/color"
	"log/slog"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/qwenstudio/qwenstudio/app/fonts"
	"github.com/qwenstudio/qwenstudio/app/state"
)

// appTheme is Fyne's default theme with the app's violet accent, a forced light or dark variant when the
// user chose one, and a CJK-capable text font when the system has one.
type appTheme struct {
	base    fyne.Theme
	variant *fyne.ThemeVariant // nil: follow the system
	cjk     CJKFont            // text fonts covering CJK; Resource nil if none was found
}

// CJKFont describes the CJK font the app found.
type CJKFont struct {
	Path, Name string
	Resource   fyne.Resource
	Bold       fyne.Resource // the family's bold face, nil when it has none
}

// LoadCJKFont looks for a system CJK font and loads it as a Fyne resource; ok is false when there is none.
func LoadCJKFont(log *slog.Logger) (CJKFont, bool) {
	p, ok := fonts.FindCJK(runtime.GOOS, fonts.Exists)
	if !ok {
		log.Warn("no CJK font found: Chinese, Japanese and Korean text will show as boxes", "install", fonts.DebianPackage)
		return CJKFont{}, false
	}
	data, name, err := fonts.LoadFace(p)
	if err != nil {
		log.Warn("CJK font unreadable", "path", p, "err", err)
		return CJKFont{}, false
	}
	f := CJKFont{Path: p, Name: name, Resource: fyne.NewStaticResource("cjk-"+name+".ttf", data)}
	if bp, ok := fonts.BoldSibling(p, fonts.Exists); ok {
		if bd, _, err := fonts.LoadFace(bp); err == nil {
			f.Bold = fyne.NewStaticResource("cjk-"+name+"-bold.ttf", bd)
		}
	}
	return f, true
}

func newTheme(themeName string, cjk CJKFont) *appTheme {
	t := &appTheme{base: theme.DefaultTheme(), cjk: cjk}
	switch themeName {
	case state.ThemeLight:
		v := theme.VariantLight
		t.variant = &v
	case state.ThemeDark:
		v := theme.VariantDark
		t.variant = &v
	}
	return t
}

var violet = color.NRGBA{R: 0x6d, G: 0x4a, B: 0xe8, A: 0xff}

func (t *appTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.variant != nil {
		v = *t.variant
	}
	switch n {
	case theme.ColorNamePrimary:
		if v == theme.VariantDark {
			return color.NRGBA{R: 0x9b, G: 0x83, B: 0xff, A: 0xff}
		}
		return violet
	case theme.ColorNameDisabled:
		// Fyne's disabled grey is almost the background colour; the app uses it for secondary text (numbers
		// under answers, hints), which must stay readable.
		if v == theme.VariantDark {
			return color.NRGBA{R: 0x80, G: 0x80, B: 0x86, A: 0xff}
		}
		return color.NRGBA{R: 0x8a, G: 0x8a, B: 0x90, A: 0xff}
	case theme.ColorNameHyperlink:
		if v == theme.VariantDark {
			return color.NRGBA{R: 0xa9, G: 0x95, B: 0xff, A: 0xff}
		}
		return violet
	}
	return t.base.Color(n, v)
}

// Font uses the CJK font for all proportional text: its Latin letters are fine, and Fyne falls back to its
// own fonts for anything it lacks. Bold text uses the family's bold face, or the regular one when the family
// has none (WenQuanYi Micro Hei): mixing Fyne's Noto Sans Bold with a CJK regular face puts bold words of a
// line on a different baseline, which looks broken, while regular-weight bold only looks plain.
// Monospace keeps Fyne's font.
func (t *appTheme) Font(s fyne.TextStyle) fyne.Resource {
	if t.cjk.Resource == nil || s.Monospace || s.Symbol {
		return t.base.Font(s)
	}
	if s.Bold && t.cjk.Bold != nil {
		return t.cjk.Bold
	}
	return t.cjk.Resource
}

func (t *appTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base.Icon(n) }

func (t *appTheme) Size(n fyne.ThemeSizeName) float32 { return t.base.Size(n) }
