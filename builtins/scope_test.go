package builtins

import (
	"context"
	"io"
	"os"
	"testing"
)

func TestScopeFrom(t *testing.T) {
	s := &Scope{Dir: "d", Index: 2}
	for _, c := range []struct {
		name string
		ctx  context.Context
		want *Scope
	}{
		{"nil context", nil, &Scope{Index: -1}},
		{"no scope", t.Context(), &Scope{Index: -1}},
		{"nil scope", WithScope(t.Context(), nil), &Scope{Index: -1}},
		{"scope", WithScope(t.Context(), s), s},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkResult(t, ScopeFrom(c.ctx), nil, c.want, "")
		})
	}
	if ScopeFrom(WithScope(t.Context(), s)) != s {
		t.Error("ScopeFrom returned a copy, want the Scope given to WithScope")
	}
}

func TestScopePath(t *testing.T) {
	for _, c := range []struct {
		dir, path, want string
	}{
		{"", "a.csv", "a.csv"},
		{"/work", "a.csv", "/work/a.csv"},
		{"/work", "../a.csv", "/a.csv"},
		{"/work", "/tmp/a.csv", "/tmp/a.csv"},
		{"rel", "./d/a.csv", "rel/d/a.csv"},
	} {
		if got := (&Scope{Dir: c.dir}).Path(c.path); got != c.want {
			t.Errorf("Scope{Dir: %q}.Path(%q) = %q, want %q", c.dir, c.path, got, c.want)
		}
	}
}

func TestLogToStderr(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = w
	defer func() { os.Stderr = stderr }()
	_, err1 := callIn(t.Context(), &Scope{Index: 7}, "log", "hello", 1)
	_, err2 := callIn(t.Context(), &Scope{Index: -1}, "log", "bye")
	w.Close()
	got, err := io.ReadAll(r)
	if err := firstError(err1, err2, err); err != nil {
		t.Fatal(err)
	}
	checkResult(t, string(got), nil, "[7] hello 1\nbye\n", "")
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
