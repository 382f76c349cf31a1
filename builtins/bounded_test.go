package builtins

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/expr-lang/expr"
)

// TestBoundedBuiltinsAgreeWithExpr checks that the builtins replacing
// expr's own give what expr's give: the same values, the same type for the
// checker, the same errors at compile time and at run time.
func TestBoundedBuiltinsAgreeWithExpr(t *testing.T) {
	for _, code := range []string{
		`repeat("ab", 3)`, `repeat("", 5)`, `repeat("a", -1)`, `repeat(1, 2)`, `repeat("a")`, `repeat("a", x)`,
		`replace("aaa", "a", "bb")`, `replace("aaa", "a", "b", 2)`, `replace("abc", "", "-")`, `replace("a", 1, "b")`,
		`join(["a", "b"], "-")`, `join(["a", "b"])`, `join(split("a,b", ","), ";")`, `join([])`, `join(1)`,
		`split("a,b,c", ",")`, `split("a,b,c", ",", 2)`, `split("abc", "")`, `split("", ",")`, `split("a,b", ",", 0)`,
		`splitAfter("a,b,c", ",")`, `splitAfter("a,b,c", ",", -1)`, `split(1, ",")`, `split(y, ",")`,
		`flatten([[1], [2, [3]], 4])`, `flatten([])`, `flatten(1)`, `flatten(1..3)`, `flatten(x)`, `flatten([[1]])[0] + 1`,
		`toJSON({a: [1, "x<y"], b: nil, c: 1.5})`, `toJSON(1..3)`, `toJSON(nil)`, `toJSON(x)`, `toJSON()`,
		`string(1)`, `string([1, "a", [nil]])`, `string({a: 1})`, `string(nil)`, `string(x)`, `string(1.5)`,
		`len(repeat("ab", 3)) + len(split("a,b", ","))`,
	} {
		t.Run(code, func(t *testing.T) {
			env := map[string]any{ContextVar: t.Context(), "x": 1.5, "y": 2}
			want, wantErr, wantType := run(code, env)
			got, gotErr, gotType := run(code, env, Options()...)
			if gotErr != wantErr || !reflect.DeepEqual(got, want) || gotType != wantType {
				t.Errorf("got %#v, %q, type %s\nwant %#v, %q, type %s (expr's own)", got, gotErr, gotType, want, wantErr, wantType)
			}
		})
	}
}

// run compiles and runs code with env and opts, and returns the value, the
// error's text and the type the checker gave the code.
func run(code string, env map[string]any, opts ...expr.Option) (any, string, reflect.Type) {
	p, err := expr.Compile(code, append(opts, expr.Env(env))...)
	if err != nil {
		return nil, err.Error(), nil
	}
	v, err := expr.Run(p, env)
	return v, errText(err), p.Node().Type()
}

// fakeBudget records what it is asked for and refuses more than limit.
type fakeBudget struct {
	limit int64
	asked []int64
}

func (b *fakeBudget) Limit() int64 { return b.limit }

func (b *fakeBudget) Allow(n int64) error {
	b.asked = append(b.asked, n)
	if n > b.limit {
		return fmt.Errorf("over the limit: %d bytes", n)
	}
	return nil
}

func TestBoundedBuiltinsAskTheBudget(t *testing.T) {
	for _, c := range []struct {
		code  string
		asked []int64 // what the budget was asked for
		err   string
	}{
		{`repeat("ab", 3)`, []int64{6}, ""},
		{`repeat("ab", 1000000000000)`, []int64{2000000000000}, "over the limit: 2000000000000 bytes (1:1)\n | repeat(\"ab\", 1000000000000)\n | ^"},
		{`repeat(repeat("ab", 1000000), 1000000000000000)`, []int64{2000000, 9223372036854775807}, "over the limit: 9223372036854775807 bytes (1:1)\n | repeat(repeat(\"ab\", 1000000), 1000000000000000)\n | ^"},
		{`replace("aaa", "a", "bb")`, []int64{6}, ""},
		{`replace("aaa", "a", "bb", 1)`, []int64{4}, ""},
		{`replace("aaa", "aa", "")`, []int64{3}, ""},
		{`join(["a", "bb"], "--")`, []int64{5}, ""},
		{`join([])`, []int64{0}, ""},
		{`split("a,b,c", ",")`, []int64{48}, ""},
		{`split("a,b,c", ",", 2)`, []int64{32}, ""},
		{`splitAfter("héllo", "")`, []int64{80}, ""},
		{`flatten([[1], [2, [3, 4]]])`, []int64{64}, ""},
		{`toJSON([1, "ab"])`, []int64{15}, ""},
		{`string([1, "ab"])`, []int64{6}, ""},
		{`string(1)`, nil, ""},
	} {
		t.Run(c.code, func(t *testing.T) {
			b := &fakeBudget{limit: 1 << 30}
			p, err := compile(c.code)
			if err != nil {
				t.Fatal(err)
			}
			_, err = expr.Run(p, map[string]any{ContextVar: WithBudget(t.Context(), b)})
			checkResult(t, b.asked, err, c.asked, c.err)
		})
	}
}

// TestBoundedBuiltinsStopBeforeTheyAllocate gives each builtin a value that
// is small but whose result would be huge: each fails at once.
func TestBoundedBuiltinsStopBeforeTheyAllocate(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	shared := make([]any, 1000) // a thousand times the same megabyte
	for i := range shared {
		shared[i] = big
	}
	inner, nested := make([]any, 1<<20), make([]any, 1000) // a thousand times the same list
	for i := range nested {
		nested[i] = inner
	}
	for _, code := range []string{`toJSON(shared)`, `string(shared)`, `join(shared, ",")`, `flatten(nested)`,
		`replace(big, "x", big)`, `split(big, "")`, `repeat(big, 1000)`} {
		t.Run(code, func(t *testing.T) {
			b := &fakeBudget{limit: 8 << 20}
			env := map[string]any{ContextVar: WithBudget(t.Context(), b), "big": big, "shared": shared, "nested": nested}
			p, err := expr.Compile(code, append(Options(), expr.Env(env))...)
			if err != nil {
				t.Fatal(err)
			}
			started := time.Now()
			_, err = expr.Run(p, env)
			if err == nil || !strings.HasPrefix(err.Error(), "over the limit: ") {
				t.Errorf("error = %v, want the budget's", err)
			}
			if took := time.Since(started); took > 5*time.Second {
				t.Errorf("took %s, want it to stop at once", took)
			}
		})
	}
}

func TestBoundedBuiltinsHonourTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, code := range []string{`toJSON([1])`, `repeat("a", 2)`, `join(["a"])`, `flatten([[1]])`} {
		p, err := compile(code)
		if err != nil {
			t.Fatal(err)
		}
		_, err = expr.Run(p, map[string]any{ContextVar: ctx})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: error = %v, want context.Canceled", code, err)
		}
	}
}

// TestTextSize checks that the estimate is close to the truth from below.
func TestTextSize(t *testing.T) {
	type row struct {
		Name string `json:"name"`
		Skip string `json:"-"`
		N    int
	}
	values := []any{nil, true, "a<b", 12345, -7, 1.25, []any{}, []any{1, "two", []any{3.5, nil}},
		[]int{1, 22, 333}, []string{"a", "bb"}, map[string]any{"k": []any{1, 2}, "kk": map[string]any{}},
		map[string]string{"a": "b"}, map[int]string{1: "x"}, row{Name: "n", Skip: "s", N: 3}, &row{Name: "p"},
		[]map[string]string{{"id": "1"}, {"id": "2"}}, []byte("bytes"), time.Duration(5)}
	for _, v := range values {
		for _, asJSON := range []bool{true, false} {
			text := fmt.Sprintf("%v", v)
			if asJSON {
				b, err := json.MarshalIndent(v, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				text = string(b)
			}
			n, err := textSize(t.Context(), v, asJSON, 1<<30)
			if err != nil || n > int64(len(text)) || n < int64(len(text))/4 {
				t.Errorf("textSize(%#v, json %t) = %d, %v; want at most %d and close to it (%q)", v, asJSON, n, err, len(text), text)
			}
		}
	}
}

func TestTextSizeStops(t *testing.T) {
	deep := []any{}
	for range 10002 {
		deep = []any{deep}
	}
	if _, err := textSize(t.Context(), deep, true, 1<<30); err == nil || err.Error() != "recursion depth exceeded" {
		t.Errorf("error = %v, want recursion depth exceeded", err)
	}
	wide := make([]any, 1<<20)
	for i := range wide {
		wide[i] = wide[:1000] // each element holds a thousand more
	}
	if n, err := textSize(t.Context(), wide, false, 1<<20); err != nil || n < 1<<20 || n > 1<<21 {
		t.Errorf("textSize = %d, %v; want it to stop just past the limit of 1MiB", n, err)
	}
}

// TestChunkedStringsAgreeWithTheStandardLibrary checks the loops that
// replace strings.Repeat, Replace, SplitN and SplitAfterN, which look at
// the context as they go, against the standard library.
func TestChunkedStringsAgreeWithTheStandardLibrary(t *testing.T) {
	ctx := t.Context()
	long := strings.Repeat("a,bé,", 30000) // more parts and bytes than a chunk
	inputs := []string{"", "a", "a,b,,c", ",x,", "héllo wörld", "\xffa\xfe,", long}
	seps := []string{",", "", "b", "é", ",,", "a,bé,"}
	for _, s := range inputs {
		for _, sep := range seps {
			for _, n := range []int{-1, 0, 1, 2, 5, 100000} {
				got, err := splitWith("split", false, []any{ctx, s, sep, n})
				if want := strings.SplitN(s, sep, n); err != nil || !reflect.DeepEqual(got, want) {
					t.Errorf("split(%.20q, %q, %d) = %.60q, %v; want %.60q", s, sep, n, got, err, want)
				}
				got, err = splitWith("splitAfter", true, []any{ctx, s, sep, n})
				if want := strings.SplitAfterN(s, sep, n); err != nil || !reflect.DeepEqual(got, want) {
					t.Errorf("splitAfter(%.20q, %q, %d) = %.60q, %v; want %.60q", s, sep, n, got, err, want)
				}
				for _, new := range []string{"", "-", "xyz"} {
					got, err := replaceString(ctx, s, sep, new, n)
					if want := strings.Replace(s, sep, new, n); err != nil || got != want {
						t.Errorf("replace(%.20q, %q, %q, %d) = %.60q, %v; want %.60q", s, sep, new, n, got, err, want)
					}
				}
			}
		}
		for _, n := range []int{0, 1, 3, 70000} {
			if len(s)*n > 1<<20 {
				continue
			}
			if got, err := repeatString(ctx, s, n); err != nil || got != strings.Repeat(s, n) {
				t.Errorf("repeat(%.20q, %d) = %d bytes, %v; want %d", s, n, len(got), err, len(s)*n)
			}
		}
	}
}

func TestChunkedBuiltinsStopWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	long := strings.Repeat("a,", 1<<17)
	parts := strings.Split(long, ",")
	for name, f := range map[string]func() error{
		"repeat":  func() error { _, err := repeatString(ctx, "ab", 1<<20); return err },
		"replace": func() error { _, err := replaceString(ctx, long, ",", ";", -1); return err },
		"split":   func() error { _, err := cut(ctx, long, ",", false, -1); return err },
		"explode": func() error { _, err := explode(ctx, long, -1); return err },
		"join":    func() error { _, err := join(ctx, parts, ","); return err },
		"flatten": func() error { _, err := flatten(ctx, []any{parts, parts}); return err },
		"toJSON":  func() error { _, err := toJSON(ctx, parts); return err },
	} {
		if err := f(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: error = %v, want context.Canceled", name, err)
		}
	}
}
