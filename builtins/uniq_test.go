package builtins

import (
	"fmt"
	"math"
	"testing"
	"time"
)

func TestUniq(t *testing.T) {
	t1 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	runCases(t, "uniq", []callCase{
		{name: "strings", args: []any{[]string{"b", "a", "b", "c", "a"}}, want: []any{"b", "a", "c"}},
		{name: "numbers by value", args: []any{[]any{1, 1.0, int64(1), uint8(1), float32(1), 2.5, 2}}, want: []any{1, 2.5, 2}},
		{name: "string is not a number", args: []any{[]any{"1", 1, "1", 1.0}}, want: []any{"1", 1}},
		{name: "nil and bools", args: []any{[]any{nil, true, false, nil, true}}, want: []any{nil, true, false}},
		{name: "huge numbers", args: []any{[]any{uint64(math.MaxUint64), uint64(math.MaxUint64), 1e300, 1e300}},
			want: []any{uint64(math.MaxUint64), 1e300}},
		{name: "string maps", args: []any{[]map[string]string{{"a": "1", "b": "2"}, {"b": "2", "a": "1"}, {"a": "1"}, {"a": "1", "b": "3"}}},
			want: []any{map[string]string{"a": "1", "b": "2"}, map[string]string{"a": "1"}, map[string]string{"a": "1", "b": "3"}}},
		{name: "maps of different types", args: []any{[]any{
			map[string]string{"a": "x"}, map[string]any{"a": "x"}, map[string]int{"a": 1}, map[string]any{"a": 1.0}}},
			want: []any{map[string]string{"a": "x"}, map[string]int{"a": 1}}},
		{name: "key order", args: []any{[]any{map[string]any{"b": 1, "aa": 2}, map[string]int{"aa": 2, "b": 1}}},
			want: []any{map[string]any{"b": 1, "aa": 2}}},
		{name: "no confusion across boundaries", args: []any{[]any{
			map[string]string{"a": "b", "c": ""}, map[string]string{"a": "bc"}, []string{"ab", "c"}, []string{"a", "bc"}}},
			want: []any{map[string]string{"a": "b", "c": ""}, map[string]string{"a": "bc"}, []string{"ab", "c"}, []string{"a", "bc"}}},
		{name: "nested lists", args: []any{[]any{[]any{1, []any{"x"}}, []any{1.0, []string{"x"}}, []int{1}}},
			want: []any{[]any{1, []any{"x"}}, []int{1}}},
		{name: "int keyed maps", args: []any{[]any{map[int]string{1: "a", 2: "b"}, map[int]string{2: "b", 1: "a"}}},
			want: []any{map[int]string{1: "a", 2: "b"}}},
		{name: "times by instant", args: []any{[]any{t1, t1.In(time.FixedZone("X", 3600)), []any{t1}, []any{t1.Local()}}},
			want: []any{t1, []any{t1}}},
		{name: "array", args: []any{[3]int{1, 1, 2}}, want: []any{1, 2}},
		{name: "empty", args: []any{[]any{}}, want: []any{}},
		{name: "not a list", args: []any{3}, err: "uniq: want a list, got int"},
		{name: "nil", args: []any{nil}, err: "uniq: want a list, got <nil>"},
	})
}

// rows returns n maps with n/2 distinct values, each repeated.
func rows(n int) []map[string]string {
	list := make([]map[string]string, n)
	for i := range list {
		list[i] = map[string]string{"id": fmt.Sprint(i % (n / 2)), "name": "name", "city": "city"}
	}
	return list
}

func TestUniqLarge(t *testing.T) {
	got, err := uniq(rows(100_000))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got.([]any)); n != 50_000 {
		t.Errorf("got %d rows, want 50000", n)
	}
}

func BenchmarkUniq(b *testing.B) {
	list := rows(100_000)
	for b.Loop() {
		if _, err := uniq(list); err != nil {
			b.Fatal(err)
		}
	}
}
