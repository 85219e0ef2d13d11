// Package markdown splits a model's Markdown answer into the blocks the chat view draws differently: plain
// Markdown (headings, lists, paragraphs, quotes), fenced code blocks (drawn with a copy button) and GitHub
// tables (drawn as grids; Fyne's Markdown renderer has no tables). It works on incomplete text, as an answer
// streams in: an unterminated fence is a code block that is still open.
//
//	for _, b := range markdown.Split(answer) {
//		switch b.Kind { case markdown.Text: ...; case markdown.Code: ...; case markdown.Table: ... }
//	}
package markdown

import (
	"regexp"
	"strings"
)

// Kind is a block's kind.
type Kind int

const (
	Text  Kind = iota // Markdown without fenced code or tables
	Code              // a fenced code block
	Table             // a GitHub-flavoured table
)

// Block is one part of a document.
type Block struct {
	Kind Kind
	Text string // Text: the Markdown; Code: the code without the fences
	Lang string // Code: the info string's first word ("go", "python"), "" if none
	Open bool   // Code: the closing fence has not arrived (yet)
	// Table: the header cells and the rows (each row has as many cells as the header).
	Header []string
	Rows   [][]string
}

var delimRow = regexp.MustCompile(`^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$`)

// Split cuts text into blocks, in order. Text blocks carry their Markdown unchanged (minus surrounding blank
// lines); adjacent text is merged.
func Split(text string) []Block {
	lines := strings.Split(text, "\n")
	var out []Block
	var para []string
	flush := func() {
		t := strings.Trim(strings.Join(para, "\n"), "\n")
		if strings.TrimSpace(t) != "" {
			out = append(out, Block{Kind: Text, Text: t})
		}
		para = para[:0]
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if fence, info, ok := openFence(line); ok {
			flush()
			b := Block{Kind: Code, Lang: firstWord(info), Open: true}
			var code []string
			for i++; i < len(lines); i++ {
				if closesFence(lines[i], fence) {
					b.Open = false
					break
				}
				code = append(code, lines[i])
			}
			b.Text = strings.Join(code, "\n")
			out = append(out, b)
			continue
		}
		if strings.Contains(line, "|") && i+1 < len(lines) && delimRow.MatchString(lines[i+1]) &&
			strings.Contains(lines[i+1], "-") {
			header := cells(line)
			if len(header) > 0 && len(cells(lines[i+1])) == len(header) {
				flush()
				b := Block{Kind: Table, Header: header}
				for i += 2; i < len(lines) && strings.Contains(lines[i], "|") && strings.TrimSpace(lines[i]) != ""; i++ {
					row := cells(lines[i])
					// Rows are padded or cut to the header's width, as GitHub does.
					row = append(row, make([]string, max(0, len(header)-len(row)))...)
					b.Rows = append(b.Rows, row[:len(header)])
				}
				i--
				out = append(out, b)
				continue
			}
		}
		para = append(para, line)
	}
	flush()
	return out
}

// openFence recognises a fence opening line: up to three spaces, then ``` or ~~~ (or longer).
func openFence(line string) (fence, info string, ok bool) {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 || len(t) < 3 {
		return "", "", false
	}
	c := t[0]
	if c != '`' && c != '~' {
		return "", "", false
	}
	n := 0
	for n < len(t) && t[n] == c {
		n++
	}
	if n < 3 {
		return "", "", false
	}
	info = strings.TrimSpace(t[n:])
	if c == '`' && strings.Contains(info, "`") {
		return "", "", false
	}
	return t[:n], info, true
}

func closesFence(line, fence string) bool {
	t := strings.TrimSpace(line)
	if len(t) < len(fence) || len(strings.TrimLeft(line, " ")) < len(line)-3 {
		return false
	}
	return strings.Trim(t, fence[:1]) == "" && len(t) >= len(fence)
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// cells splits a table row on unescaped pipes, dropping the outer ones.
func cells(line string) []string {
	t := strings.TrimSpace(line)
	t = strings.TrimPrefix(t, "|")
	if strings.HasSuffix(t, "|") && !strings.HasSuffix(t, `\|`) {
		t = t[:len(t)-1]
	}
	var out []string
	var cur strings.Builder
	for i := 0; i < len(t); i++ {
		switch {
		case t[i] == '\\' && i+1 < len(t) && t[i+1] == '|':
			cur.WriteByte('|')
			i++
		case t[i] == '|':
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(t[i])
		}
	}
	return append(out, strings.TrimSpace(cur.String()))
}
