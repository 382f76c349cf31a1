package builtins

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// upper has its own MarshalJSON on the value, lower on the pointer, and
// label its own MarshalText.
type (
	upper string
	lower string
	label int
)

func (u upper) MarshalJSON() ([]byte, error)  { return json.Marshal(strings.ToUpper(string(u))) }
func (l *lower) MarshalJSON() ([]byte, error) { return json.Marshal(strings.ToLower(string(*l))) }
func (l label) MarshalText() ([]byte, error)  { return []byte("L" + string(rune('0'+l))), nil }

func TestJSONTextAgreesWithMarshalIndent(t *testing.T) {
	type row struct {
		ID    int            `json:"id"`
		Tags  []string       `json:"tags,omitempty"`
		Inner map[string]any `json:"inner"`
		skip  int
	}
	text := "a<b>&c \u2028 é \xff"
	n := 7
	values := []any{
		nil, true, false, 0, -12, 1.5, 1e21, 1e-7, float32(0.1), uint8(7), text, "",
		[]any{}, []any{nil}, []int{}, []int(nil), []string{"a", "b"}, []any{1, "two", []any{3, []any{}}, map[string]any{}},
		map[string]any{"b": 1, "a": []any{map[string]any{"z": nil, "y": "x"}}, "": 0},
		map[string]string{"k": "v"}, map[string]int(nil), map[int]string{2: "b", 10: "a"}, map[label]int{1: 1, 2: 2},
		[]byte("bytes"), [3]byte{1, 2, 3}, [2]any{1, "x"}, &n, (*int)(nil), []*int{&n, nil},
		row{ID: 1, Inner: map[string]any{"x": []any{1}}}, []row{{ID: 2, Tags: []string{"t"}}}, &row{ID: 3},
		[]map[string]string{{"id": "1", "name": "a"}}, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		time.Duration(5), upper("shout"), []upper{"x"}, map[string]upper{"k": "v"}, []lower{"LOW"}, label(3),
		[]any{[]any{[]any{[]any{"deep"}}}},
	}
	for _, v := range values {
		want, wantErr := json.MarshalIndent(v, "", "  ")
		got, err := jsonText(t.Context(), v, 0)
		if got != string(want) || errText(err) != errText(wantErr) {
			t.Errorf("jsonText(%#v) =\n%s (%v)\nwant\n%s (%v)", v, got, err, want, wantErr)
		}
	}
}

func TestJSONTextErrors(t *testing.T) {
	for _, v := range []any{math.NaN(), []any{1, math.Inf(1)}, map[string]any{"f": func() {}}, make(chan int)} {
		_, wantErr := json.MarshalIndent(v, "", "  ")
		if _, err := jsonText(t.Context(), v, 0); errText(err) != errText(wantErr) || err == nil {
			t.Errorf("jsonText(%T) error = %v, want %v", v, err, wantErr)
		}
	}
}

func TestJSONTextStops(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	shared := make([]any, 100)
	for i := range shared {
		shared[i] = big
	}
	b := &fakeBudget{limit: 8 << 20}
	if _, err := jsonText(WithBudget(t.Context(), b), shared, 0); err == nil || !strings.HasPrefix(err.Error(), "over the limit: ") {
		t.Errorf("past the limit: error = %v, want the budget's", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := jsonText(ctx, make([]any, 1<<17), 0); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error = %v, want context.Canceled", err)
	}
}
