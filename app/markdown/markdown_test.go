package markdown

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []Block
	}{
		{"plain", "# Title\n\nSome *text*.\n\n- a\n- b\n", []Block{{Kind: Text, Text: "# Title\n\nSome *text*.\n\n- a\n- b"}}},
		{"code", "Run:\n\n```go\nfmt.Println(\"hi\")\n```\nDone.", []Block{
			{Kind: Text, Text: "Run:"},
			{Kind: Code, Lang: "go", Text: "fmt.Println(\"hi\")"},
			{Kind: Text, Text: "Done."},
		}},
		{"open code while streaming", "Here:\n```python\nprint(1)\nfor", []Block{
			{Kind: Text, Text: "Here:"},
			{Kind: Code, Lang: "python", Text: "print(1)\nfor", Open: true},
		}},
		{"tilde fence and longer close", "~~~\na ``` b\n~~~~\n", []Block{{Kind: Code, Text: "a ``` b"}}},
		{"fence needs three", "``inline``\ntext", []Block{{Kind: Text, Text: "``inline``\ntext"}}},
		{"table", "Sizes:\n\n| Model | Size |\n|---|:--:|\n| 0.6B | 639 MB |\n| 8B | 5 GB | extra |\n| 4B\n\nAfter.", []Block{
			{Kind: Text, Text: "Sizes:"},
			{Kind: Table, Header: []string{"Model", "Size"}, Rows: [][]string{{"0.6B", "639 MB"}, {"8B", "5 GB"}, {"4B", ""}}},
			{Kind: Text, Text: "After."},
		}},
		{"escaped pipe", "a | b\n--|--\nx \\| y | z", []Block{
			{Kind: Table, Header: []string{"a", "b"}, Rows: [][]string{{"x | y", "z"}}},
		}},
		{"header without delimiter is text", "| a | b |\nnot a delimiter", []Block{{Kind: Text, Text: "| a | b |\nnot a delimiter"}}},
		{"empty", "\n\n", nil},
		{"cjk", "你好，世界\n```\n代码\n```", []Block{{Kind: Text, Text: "你好，世界"}, {Kind: Code, Text: "代码"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Split(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Split(%q)\n got  %+v\n want %+v", tc.in, got, tc.want)
			}
		})
	}
}

// Every prefix of a document splits without panicking and never loses code text, as during streaming.
func TestSplitPrefixes(t *testing.T) {
	doc := "# T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```sh\necho hi\n```\n\n~~~\nx\n"
	for i := range len(doc) + 1 {
		for _, b := range Split(doc[:i]) {
			if b.Kind == Code && !strings.Contains(doc, b.Text) {
				t.Errorf("prefix %d: code %q not in the document", i, b.Text)
			}
		}
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("# a\n```go\nx\n```\n| a | b |\n|--|--|\n| 1 | 2 |")
	f.Add("~~~\n~~")
	f.Fuzz(func(t *testing.T, s string) {
		for _, b := range Split(s) {
			if b.Kind == Table {
				for _, r := range b.Rows {
					if len(r) != len(b.Header) {
						t.Fatalf("row %v has %d cells, header %d", r, len(r), len(b.Header))
					}
				}
			}
		}
	})
}
