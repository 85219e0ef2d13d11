// Package fonts finds a font that covers Chinese, Japanese and Korean on the user's system, so the app can
// show Qwen's CJK answers. Fyne's bundled fonts have no CJK glyphs, and Fyne's renderer reads single
// TrueType/OpenType files but not the .ttc collections most systems ship CJK fonts in, so a face is cut out
// of the collection into a standalone font file.
//
//	if path, ok := fonts.FindCJK(runtime.GOOS, fonts.Exists); ok {
//		data, name, err := fonts.LoadFace(path)
//	}
package fonts

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf16"
)

// DebianPackage is the small Debian/Ubuntu package with a CJK font (about 5 MB installed).
const DebianPackage = "fonts-wqy-microhei"

// Candidates lists the CJK fonts looked for on goos, best first.
func Candidates(goos string) []string {
	switch goos {
	case "darwin":
		return []string{"/System/Library/Fonts/PingFang.ttc", "/System/Library/Fonts/Hiragino Sans GB.ttc",
			"/System/Library/Fonts/STHeiti Light.ttc", "/Library/Fonts/Arial Unicode.ttf"}
	case "windows":
		win := os.Getenv("WINDIR")
		if win == "" {
			win = `C:\Windows`
		}
		var out []string
		for _, f := range []string{"msyh.ttc", "msyh.ttf", "YuGothR.ttc", "malgun.ttf", "simsun.ttc"} {
			out = append(out, filepath.Join(win, "Fonts", f))
		}
		return out
	}
	return []string{
		"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",    // Debian/Ubuntu fonts-noto-cjk
		"/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",         // Arch
		"/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",  // Fedora
		"/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",  // split packages
		"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",            // Debian/Ubuntu fonts-wqy-microhei
		"/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",  // Arch, Fedora
		"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",              // fonts-wqy-zenhei
		"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", // fonts-droid-fallback
		"/usr/share/fonts/truetype/arphic/uming.ttc",                // fonts-arphic-uming
	}
}

// BoldSibling returns the bold font of the same family next to a regular one (NotoSansCJK-Regular.ttc →
// NotoSansCJK-Bold.ttc), when there is one.
func BoldSibling(path string, exists func(string) bool) (string, bool) {
	dir, base := filepath.Split(path)
	for _, r := range []string{"Regular", "regular", "Light"} {
		if strings.Contains(base, r) {
			p := filepath.Join(dir, strings.Replace(base, r, "Bold", 1))
			if exists(p) {
				return p, true
			}
		}
	}
	return "", false
}

// Exists reports whether a regular file is at path.
func Exists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// FindCJK returns the first candidate font of goos that exists.
func FindCJK(goos string, exists func(string) bool) (string, bool) {
	for _, p := range Candidates(goos) {
		if exists(p) {
			return p, true
		}
	}
	return "", false
}

// LoadFace reads a font file. A TrueType/OpenType file is returned as it is; from a collection (.ttc) the
// face whose family name says Simplified Chinese ("SC") is cut out, else the first face. name is the face's
// family name.
func LoadFace(path string) (data []byte, name string, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("fonts: %w", err)
	}
	data, name, err = Face(b)
	if err != nil {
		return nil, "", fmt.Errorf("fonts: %s: %w", path, err)
	}
	return data, name, nil
}

var errFormat = errors.New("not a TrueType/OpenType font or collection")

// Face is LoadFace on the bytes of a font file.
func Face(b []byte) ([]byte, string, error) {
	if len(b) < 12 {
		return nil, "", errFormat
	}
	if string(b[:4]) != "ttcf" {
		if _, err := tables(b, 0); err != nil {
			return nil, "", err
		}
		return b, family(b, 0), nil
	}
	n := binary.BigEndian.Uint32(b[8:])
	if n == 0 || n > 256 || uint64(len(b)) < 12+4*uint64(n) {
		return nil, "", fmt.Errorf("collection header: %w", errFormat)
	}
	best := -1
	for i := range int(n) {
		off := binary.BigEndian.Uint32(b[12+4*i:])
		if _, err := tables(b, off); err != nil {
			continue
		}
		if best < 0 {
			best = int(off)
		}
		if f := family(b, off); strings.Contains(f, " SC") || strings.HasSuffix(f, "SC") {
			best = int(off)
			break
		}
	}
	if best < 0 {
		return nil, "", fmt.Errorf("no readable face in the collection: %w", errFormat)
	}
	out, err := extract(b, uint32(best))
	if err != nil {
		return nil, "", err
	}
	return out, family(b, uint32(best)), nil
}

type table struct {
	tag                 [4]byte
	sum, offset, length uint32
}

// tables reads the table directory of the face at off, checking every table lies inside the file.
func tables(b []byte, off uint32) ([]table, error) {
	if uint64(off)+12 > uint64(len(b)) {
		return nil, errFormat
	}
	switch v := binary.BigEndian.Uint32(b[off:]); v {
	case 0x00010000, 0x4F54544F /* OTTO */, 0x74727565 /* true */ :
	default:
		return nil, errFormat
	}
	n := int(binary.BigEndian.Uint16(b[off+4:]))
	if n == 0 || uint64(off)+12+16*uint64(n) > uint64(len(b)) {
		return nil, fmt.Errorf("table directory: %w", errFormat)
	}
	ts := make([]table, n)
	for i := range ts {
		r := b[int(off)+12+16*i:]
		copy(ts[i].tag[:], r[:4])
		ts[i].sum = binary.BigEndian.Uint32(r[4:])
		ts[i].offset = binary.BigEndian.Uint32(r[8:])
		ts[i].length = binary.BigEndian.Uint32(r[12:])
		if uint64(ts[i].offset)+uint64(ts[i].length) > uint64(len(b)) {
			return nil, fmt.Errorf("table %q outside the file: %w", ts[i].tag[:], errFormat)
		}
	}
	return ts, nil
}

// extract writes the face at off as a standalone font: the same header and tables, with the table offsets
// made relative to the new file.
func extract(b []byte, off uint32) ([]byte, error) {
	ts, err := tables(b, off)
	if err != nil {
		return nil, err
	}
	head := 12 + 16*len(ts)
	var out bytes.Buffer
	out.Write(b[off : off+12])
	pos := uint32(head)
	dir := make([]byte, 16*len(ts))
	for i, t := range ts {
		copy(dir[16*i:], t.tag[:])
		binary.BigEndian.PutUint32(dir[16*i+4:], t.sum)
		binary.BigEndian.PutUint32(dir[16*i+8:], pos)
		binary.BigEndian.PutUint32(dir[16*i+12:], t.length)
		pos += (t.length + 3) &^ 3
	}
	out.Write(dir)
	for _, t := range ts {
		out.Write(b[t.offset : t.offset+t.length])
		out.Write(make([]byte, (4-t.length%4)%4))
	}
	return out.Bytes(), nil
}

// family returns the face's family name from its name table (typographic family if present), "" if none.
func family(b []byte, off uint32) string {
	ts, err := tables(b, off)
	if err != nil {
		return ""
	}
	for _, t := range ts {
		if string(t.tag[:]) != "name" {
			continue
		}
		nt := b[t.offset : t.offset+t.length]
		if len(nt) < 6 {
			return ""
		}
		count := int(binary.BigEndian.Uint16(nt[2:]))
		strOff := int(binary.BigEndian.Uint16(nt[4:]))
		var fam, typo string
		for i := range count {
			r := 6 + 12*i
			if r+12 > len(nt) {
				break
			}
			platform := binary.BigEndian.Uint16(nt[r:])
			lang := binary.BigEndian.Uint16(nt[r+4:])
			id := binary.BigEndian.Uint16(nt[r+6:])
			ln := int(binary.BigEndian.Uint16(nt[r+8:]))
			so := strOff + int(binary.BigEndian.Uint16(nt[r+10:]))
			if (id != 1 && id != 16) || so+ln > len(nt) {
				continue
			}
			var s string
			switch {
			case platform == 3 && (lang == 0x409 || fam == ""):
				u := make([]uint16, ln/2)
				for j := range u {
					u[j] = binary.BigEndian.Uint16(nt[so+2*j:])
				}
				s = string(utf16.Decode(u))
			case platform == 1 && fam == "":
				s = string(nt[so : so+ln])
			default:
				continue
			}
			if id == 16 {
				typo = s
			} else {
				fam = s
			}
		}
		if typo != "" {
			return typo
		}
		return fam
	}
	return ""
}
