package fonts

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf16"

	"fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/font"
)

// collection builds a .ttc holding the given fonts, their tables copied after the headers.
func collection(t testing.TB, faces ...[]byte) []byte {
	t.Helper()
	var out bytes.Buffer
	out.WriteString("ttcf")
	binary.Write(&out, binary.BigEndian, uint32(0x00010000))
	binary.Write(&out, binary.BigEndian, uint32(len(faces)))
	hdrs := 12 + 4*len(faces)
	var dirs, data bytes.Buffer
	var offsets []uint32
	// Layout: ttc header, all table directories, then all table data.
	dirSize := 0
	for _, f := range faces {
		ts, err := tables(f, 0)
		if err != nil {
			t.Fatal(err)
		}
		dirSize += 12 + 16*len(ts)
	}
	dataStart := hdrs + dirSize
	for _, f := range faces {
		ts, _ := tables(f, 0)
		offsets = append(offsets, uint32(hdrs+dirs.Len()))
		dirs.Write(f[:12])
		for _, tb := range ts {
			dirs.Write(tb.tag[:])
			binary.Write(&dirs, binary.BigEndian, tb.sum)
			binary.Write(&dirs, binary.BigEndian, uint32(dataStart+data.Len()))
			binary.Write(&dirs, binary.BigEndian, tb.length)
			data.Write(f[tb.offset : tb.offset+tb.length])
			data.Write(make([]byte, (4-tb.length%4)%4))
		}
	}
	for _, o := range offsets {
		binary.Write(&out, binary.BigEndian, o)
	}
	out.Write(dirs.Bytes())
	out.Write(data.Bytes())
	return out.Bytes()
}

// nameOnly is a minimal sfnt with just a name table giving the family name.
func nameOnly(familyName string) []byte {
	u := utf16.Encode([]rune(familyName))
	var nt bytes.Buffer
	binary.Write(&nt, binary.BigEndian, []uint16{0, 1, 6 + 12})
	binary.Write(&nt, binary.BigEndian, []uint16{3, 1, 0x409, 1, uint16(2 * len(u)), 0})
	binary.Write(&nt, binary.BigEndian, u)
	var f bytes.Buffer
	binary.Write(&f, binary.BigEndian, []uint32{0x00010000})
	binary.Write(&f, binary.BigEndian, []uint16{1, 16, 0, 0})
	f.WriteString("name")
	binary.Write(&f, binary.BigEndian, []uint32{0, 12 + 16, uint32(nt.Len())})
	f.Write(nt.Bytes())
	return f.Bytes()
}

func TestFaceFromCollection(t *testing.T) {
	regular := theme.DefaultTextFont().Content()
	bold := theme.DefaultTextBoldFont().Content()
	ttc := collection(t, regular, bold)
	data, name, err := Face(ttc)
	if err != nil {
		t.Fatal(err)
	}
	if name != "Noto Sans" {
		t.Errorf("family %q", name)
	}
	f, err := font.ParseTTF(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("extracted face does not parse: %v", err)
	}
	orig, _ := font.ParseTTF(bytes.NewReader(regular))
	for _, r := range "Qwen 3 é" {
		g1, ok1 := f.NominalGlyph(r)
		g2, ok2 := orig.NominalGlyph(r)
		if !ok1 || g1 != g2 || ok1 != ok2 {
			t.Errorf("glyph of %q: %v %v, original %v %v", r, g1, ok1, g2, ok2)
		}
	}
	if f.Upem() != orig.Upem() {
		t.Errorf("units per em %d, want %d", f.Upem(), orig.Upem())
	}
	// A single font comes back unchanged.
	if d, _, err := Face(regular); err != nil || !bytes.Equal(d, regular) {
		t.Errorf("plain TTF: %v", err)
	}
}

func TestFacePrefersSimplifiedChinese(t *testing.T) {
	ttc := collection(t, nameOnly("Noto Sans CJK JP"), nameOnly("Noto Sans CJK KR"), nameOnly("Noto Sans CJK SC"))
	_, name, err := Face(ttc)
	if err != nil || name != "Noto Sans CJK SC" {
		t.Errorf("picked %q, %v", name, err)
	}
	ttc = collection(t, nameOnly("WenQuanYi Micro Hei"), nameOnly("WenQuanYi Micro Hei Mono"))
	if _, name, _ := Face(ttc); name != "WenQuanYi Micro Hei" {
		t.Errorf("picked %q, want the first face", name)
	}
}

func TestCorruptFonts(t *testing.T) {
	good := collection(t, nameOnly("A SC"))
	for name, b := range map[string][]byte{
		"empty":     nil,
		"short":     []byte("ttcf"),
		"garbage":   []byte(strings.Repeat("x", 100)),
		"truncated": good[:len(good)-10],
		"huge count": func() []byte {
			c := bytes.Clone(good)
			binary.BigEndian.PutUint32(c[8:], 1<<30)
			return c
		}(),
	} {
		if _, _, err := Face(b); !errors.Is(err, errFormat) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, _, err := LoadFace("/nonexistent/font.ttc"); err == nil {
		t.Error("missing file loaded")
	}
}

func TestFindCJK(t *testing.T) {
	for _, goos := range []string{"linux", "darwin", "windows", "freebsd"} {
		if len(Candidates(goos)) == 0 {
			t.Errorf("%s: no candidates", goos)
		}
	}
	want := "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
	got, ok := FindCJK("linux", func(p string) bool { return p == want })
	if !ok || got != want {
		t.Errorf("FindCJK = %q %v", got, ok)
	}
	if _, ok := FindCJK("linux", func(string) bool { return false }); ok {
		t.Error("found a font where there is none")
	}
}

// TestSystemCJKFont loads the font this machine has, if any, and checks it covers CJK text.
func TestSystemCJKFont(t *testing.T) {
	p, ok := FindCJK("linux", Exists)
	if !ok {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no CJK font installed (apt-get install %s)", DebianPackage)
		}
		t.Skipf("no CJK font installed (apt-get install %s)", DebianPackage)
	}
	data, name, err := LoadFace(p)
	if err != nil {
		t.Fatal(err)
	}
	f, err := font.ParseTTF(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s (%s): %v", p, name, err)
	}
	for _, r := range "天空为什么是蓝色的ひらがな한국어" {
		if _, ok := f.NominalGlyph(r); !ok {
			t.Errorf("%s has no glyph for %q", name, r)
		}
	}
}

func FuzzFace(f *testing.F) {
	f.Add(collection(f, nameOnly("A SC"), nameOnly("B")))
	f.Add(nameOnly("x"))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, _, err := Face(b)
		if err == nil {
			if _, err := tables(out, 0); err != nil {
				t.Fatalf("extracted face unreadable: %v", err)
			}
		}
	})
}

func TestBoldSibling(t *testing.T) {
	have := map[string]bool{"/f/NotoSansCJK-Bold.ttc": true}
	exists := func(p string) bool { return have[p] }
	if p, ok := BoldSibling("/f/NotoSansCJK-Regular.ttc", exists); !ok || p != "/f/NotoSansCJK-Bold.ttc" {
		t.Errorf("%q %v", p, ok)
	}
	if _, ok := BoldSibling("/f/wqy-microhei.ttc", exists); ok {
		t.Error("found a bold WenQuanYi")
	}
}
