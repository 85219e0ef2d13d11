package tokenizer

import (
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/qwenstudio/qwenstudio/internal/testdata"
)

// loadQwen3 loads the real Qwen3 tokenizer files once per test binary.
var loadQwen3 = sync.OnceValues(func() (*Tokenizer, error) {
	return FromFiles(filepath.Join(testdata.Root(), "qwen3-tokenizer"))
})

func qwen3(t testing.TB) *Tokenizer {
	t.Helper()
	testdata.Dir(t, "qwen3-tokenizer")
	tok, err := loadQwen3()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Known encodings from the tokenizer README and the spec (§9.1), produced by the reference.
var knownEncodings = []struct {
	text string
	ids  []int32
}{
	{"Hello, my dog is cute", []int32{9707, 11, 847, 5562, 374, 18838}},
	{"<|im_start|>user\nhi<|im_end|>", []int32{151644, 872, 198, 6023, 151645}},
	{"Hello world", []int32{9707, 1879}},
	{"Hello, world! 12345", []int32{9707, 11, 1879, 0, 220, 16, 17, 18, 19, 20}},
	{"  leading spaces\n\n\nnewlines", []int32{220, 6388, 12621, 1406, 931, 7969}},
	{"中文测试：你好，世界", []int32{104811, 81705, 5122, 108386, 3837, 99489}},
	{"don't I'LL we've", []int32{15007, 944, 358, 6, 4086, 582, 3003}},
	{"emoji 🙂 café naïve", []int32{37523, 27484, 51950, 94880, 586}},
	{"x = [1, 22, 333]\n\tif x:\n        pass", []int32{87, 284, 508, 16, 11, 220, 17, 17, 11, 220, 18, 18, 18, 921, 743, 856, 510, 286, 1494}},
	{"a\u0301 e\u0301", []int32{1953, 3958}},
	{"   \n  \n", []int32{5872, 2303}},
	{"trailing   ", []int32{376, 14277, 262}},
	{"\r\n\r\nwindows\r\n", []int32{871, 27077, 319}},
	{"it's IT'S It's", []int32{275, 594, 8700, 13272, 1084, 594}},
	{"The year 2025-11-30.", []int32{785, 1042, 220, 17, 15, 17, 20, 12, 16, 16, 12, 18, 15, 13}},
	{"<think>\n\n</think>\n\n", []int32{151667, 271, 151668, 271}},
	{"<|vision_start|><|image_pad|><|vision_end|>", []int32{151652, 151655, 151653}},
	{"\u00a0nbsp\u3000ideo", []int32{4102, 5674, 22441, 1888}},
}

func TestKnownEncodings(t *testing.T) {
	tok := qwen3(t)
	for _, c := range knownEncodings {
		if got := tok.Encode(c.text); !slices.Equal(got, c.ids) {
			t.Errorf("Encode(%q) = %v, want %v", c.text, got, c.ids)
		}
	}
}
