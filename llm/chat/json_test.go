package chat

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/ardanlabs/jinja"
)

// FuzzValueFromJSON checks that any JSON document survives the trip into the template and out through
// tojson with its content intact (and that no input makes the decoder panic).
func FuzzValueFromJSON(f *testing.F) {
	for _, s := range []string{`{"b": 1, "a": [true, null, 2.5, "x"]}`, `[]`, `"é\u2028<>"`, `1e400`, `-0.0`,
		`{"a": 1, "a": 2}`, `[[[[]]]]`, `12345678901234567890`, `{"k": {"n": -1.5e-7}}`} {
		f.Add([]byte(s))
	}
	tmpl, err := NewTemplate(`{{ v | tojson }}`)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ValueFromJSON(data)
		if err != nil {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		out, err := tmpl.RenderValues(map[string]jinja.Value{"v": v})
		if err != nil {
			t.Fatalf("tojson of %q: %v", data, err)
		}
		var want, got any
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("tojson wrote invalid JSON %q for %q", out, data)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("content changed: %q -> %q", data, out)
		}
	})
}
