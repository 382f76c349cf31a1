package builtins

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/expr-lang/expr"
)

func TestRegistry(t *testing.T) {
	sideEffects := map[string]bool{}
	for _, b := range All() {
		sideEffects[b.Name] = b.SideEffects
	}
	want := map[string]bool{
		"append_file": true, "basename": false, "dirname": false, "env": false, "exists": false,
		"fail": false, "flatten": false, "glob": false, "http_get": true, "join": false, "log": true,
		"put": false, "read_csv": false, "read_file": false, "read_json": false, "read_lines": false,
		"repeat": false, "replace": false, "sha256": false, "sleep": true, "split": false,
		"splitAfter": false, "string": false, "toJSON": false, "uniq": false, "write_file": true,
	}
	checkResult(t, sideEffects, nil, want, "")
	names := func(bs []Builtin) []string {
		var ns []string
		for _, b := range bs {
			ns = append(ns, b.Name)
		}
		return ns
	}
	if ns := names(All()); !slices.IsSorted(ns) {
		t.Errorf("All() is not sorted by name: %q", ns)
	}
}

func TestRegistryEntries(t *testing.T) {
	for _, b := range All() {
		if !strings.HasPrefix(b.Doc, b.Name+"(") || !strings.HasPrefix(b.Signature, b.Name+"(") || b.Fn == nil {
			t.Errorf("%s: Doc %q and Signature %q must start with %s( and Fn must be set", b.Name, b.Doc, b.Signature, b.Name)
		}
		if strings.Contains(b.Doc, "\n") {
			t.Errorf("%s: Doc has more than one line", b.Name)
		}
		if len(b.Types) == 0 {
			t.Errorf("%s: no Types", b.Name)
		}
		for _, ty := range b.Types {
			checkType(t, b.Name, reflect.TypeOf(ty))
		}
	}
}

// checkType checks that ty is a pointer to a func type with one result
// that is not an error.
func checkType(t *testing.T, name string, ty reflect.Type) {
	t.Helper()
	if ty.Kind() != reflect.Pointer || ty.Elem().Kind() != reflect.Func {
		t.Errorf("%s: type %v is not a pointer to a func", name, ty)
		return
	}
	f := ty.Elem()
	if f.NumOut() != 1 || f.Out(0) == reflect.TypeFor[error]() {
		t.Errorf("%s: type %v must have one result, not an error", name, f)
	}
}

func TestLookup(t *testing.T) {
	b, ok := Lookup("read_csv")
	if !ok || b.Name != "read_csv" || !strings.HasPrefix(b.Doc, "read_csv(path[, schema])") {
		t.Errorf("Lookup(read_csv) = %q, %v", b.Name, ok)
	}
	if b, ok := Lookup("concat"); ok {
		t.Errorf("Lookup(concat) = %q, want expr's own concat left alone", b.Name)
	}
}

func TestAllIsACopy(t *testing.T) {
	All()[0].Name = "changed"
	if All()[0].Name == "changed" {
		t.Error("changing the result of All changed the registry")
	}
}

func TestGuard(t *testing.T) {
	boom := Guard("boom", func(args ...any) (any, error) {
		var m map[string]int
		m["x"] = 1 // panics: assignment to entry in nil map
		return nil, nil
	})
	got, err := boom()
	checkResult(t, got, err, nil, "panic in boom: assignment to entry in nil map")
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Func != "boom" || !strings.Contains(pe.Stack, "TestGuard") {
		t.Errorf("got %#v, want a *PanicError with a stack through TestGuard", err)
	}
	var re interface{ RuntimeError() }
	if !errors.As(err, &re) {
		t.Error("PanicError does not unwrap to the runtime error")
	}
}

func TestGuardThroughExpr(t *testing.T) {
	b := Builtin{Name: "boom", Fn: func(args ...any) (any, error) { panic("oops") }, Types: []any{new(func() int)}}
	env := map[string]any{ContextVar: t.Context()}
	p, err := expr.Compile("boom() + 1", append(options([]Builtin{b}), expr.Env(env))...)
	if err != nil {
		t.Fatal(err)
	}
	_, err = expr.Run(p, env)
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Value != "oops" || pe.Stack == "" {
		t.Errorf("got %#v, want a *PanicError with value oops and a stack", err)
	}
}

func TestCompile(t *testing.T) {
	for _, c := range []struct {
		code string
		err  string
	}{
		{`read_csv("a.csv")[0].id + "x"`, ""},
		{`env("A")`, ""},
		{`env("A", "b")`, ""},
		{`sleep("1s")`, ""},
		{`sleep(duration("1s"))`, ""},
		{`log("rows", 1, [2])`, ""},
		{`log()`, ""},
		{`http_get("http://x").status + 1`, ""},
		{`http_get("http://x").headers["X"] + http_get("http://x").body`, ""},
		{`uniq(read_csv("a.csv"))`, ""},
		{`uniq([1, 2])`, ""},
		{`flatten([[1], [2]])`, ""},
		{`len(glob("*.csv")) > 0 && exists("a")`, ""},
		{`write_file("a", sha256("x")) ?? append_file("b", basename(dirname("c/d")))`, ""},
		{`sleep(1)`, "cannot use int as argument (type time.Duration) to call sleep  (1:7)\n | sleep(1)\n | ......^"},
		{`read_csv(1)`, "read_csv: the path must be a string, got int (1:1)\n | read_csv(1)\n | ^"},
		{`env(1)`, "cannot use int as argument (type string) to call env  (1:5)\n | env(1)\n | ....^"},
		{`read_file()`, "not enough arguments to call read_file (1:1)\n | read_file()\n | ^"},
		{`http_get("u").nope`, "type builtins.HTTPResponse has no field nope (1:15)\n | http_get(\"u\").nope\n | ..............^"},
	} {
		t.Run(c.code, func(t *testing.T) {
			_, err := compile(c.code)
			checkResult(t, nil, err, nil, c.err)
		})
	}
}

func TestEval(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"x.csv": "id,n\n1,a\n2,b\n1,a\n", "bad.csv": "id\n1,2\n"})
	var lines []string
	s := &Scope{Dir: dir, Index: 4, Log: func(l string) { lines = append(lines, l) }}
	for _, c := range []struct {
		code string
		want any
		err  string
	}{
		{`read_csv("x.csv")[1].n`, "b", ""},
		{`len(uniq(read_csv("x.csv")))`, 2, ""},
		{`map(glob("*.csv"), basename(#))`, []any{"bad.csv", "x.csv"}, ""},
		{`write_file("out.txt", "hi") ?? read_file("out.txt")`, "hi", ""},
		{`log("n", 2)`, nil, ""},
		{`env("POOLFLOW_SURELY_UNSET", "dflt")`, "dflt", ""},
		{`uniq(1)`, nil, "uniq: want a list, got int (1:1)\n | uniq(1)\n | ^"},
		{`read_csv("bad.csv")`, nil, "bad.csv:2: row has 2 fields, header has 1 (1:1)\n | read_csv(\"bad.csv\")\n | ^"},
	} {
		t.Run(c.code, func(t *testing.T) {
			got, err := eval(t, s, c.code)
			checkResult(t, got, err, c.want, c.err)
		})
	}
	if !slices.Equal(lines, []string{"[4] n 2"}) {
		t.Errorf("logged %q", lines)
	}
}

func TestEvalErrors(t *testing.T) {
	_, err := eval(t, &Scope{}, `fail("no good")`)
	var fe *FailError
	if !errors.As(err, &fe) || fe.Message != "no good" {
		t.Errorf("fail: got %#v, want a *FailError", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	p, err := compile(`sleep("1h")`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = expr.Run(p, map[string]any{ContextVar: ctx})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("sleep: got %v, want an error wrapping context.Canceled", err)
	}
}
