package builtins

import (
	"slices"
	"testing"
)

func TestLog(t *testing.T) {
	for _, c := range []struct {
		name  string
		index int
		args  []any
		want  string
	}{
		{"item", 3, []any{"read", 10, "rows"}, "[3] read 10 rows"},
		{"not an item", -1, []any{"starting"}, "starting"},
		{"item zero", 0, []any{"x"}, "[0] x"},
		{"values", 1, []any{[]any{"a", 1}, map[string]int{"k": 2}, nil, 2.5, true}, "[1] [a 1] map[k:2] <nil> 2.5 true"},
		{"nothing", -1, []any{}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var lines []string
			s := &Scope{Index: c.index, Log: func(line string) { lines = append(lines, line) }}
			got, err := callIn(t.Context(), s, "log", c.args...)
			checkResult(t, got, err, nil, "")
			if !slices.Equal(lines, []string{c.want}) {
				t.Errorf("logged %q, want %q", lines, []string{c.want})
			}
		})
	}
}
