package runtime

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/poolflow/poolflow/dsl"
)

// needsProc skips a test that looks at processes through /proc, or runs
// setsid.
func needsProc(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/proc/self/environ"); err != nil {
		t.Skip("needs /proc")
	}
}

// TestEscapeesDieWithTheirStep: a process that leaves the command's group
// (setsid) is dead when its step ends, whether the command exited or was
// cancelled. The escapee writes its pid once it has left, and the command
// waits for that, so the kill cannot come before the escape.
func TestEscapeesDieWithTheirStep(t *testing.T) {
	needsProc(t)
	escape := `setsid sh -c 'echo $$ > escapee; exec sleep %s' & while [ ! -s escapee ]; do sleep 0.01; done`
	tests := []struct {
		name, step string
		kind       Kind
	}{
		{"exits", `sh: "` + escape + `"`, ""},
		{"times out", `sh: "` + escape + `; sleep 30"` + "\n      timeout: 300ms", KindTimeout},
		{"exits through exec", `exec: [sh, -c, "` + escape + `"]`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := marker()
			o, _, _ := observe(t, `version: 1
name: t
items: [1]
map:
  steps:
    - `+fmt.Sprintf(tt.step, m)+`
`)
			if tt.kind == "" && o.err != nil {
				t.Fatalf("Run: %v", o.err)
			}
			if tt.kind != "" {
				if e := abortError(t, o.err); e.Kind != tt.kind {
					t.Errorf("kind = %s, want %s", e.Kind, tt.kind)
				}
			}
			if pids := processesWith(m); len(pids) > 0 {
				t.Errorf("the escapee is still running after Run returned: %v", pids)
			}
		})
	}
}

// TestBackgroundChildDoesNotFailCommand: a command that exits 0 while a
// child it started in the background still holds its output succeeds at
// once with what it wrote, and the child is killed.
func TestBackgroundChildDoesNotFailCommand(t *testing.T) {
	needsProc(t)
	m := marker()
	o, rec, _ := observe(t, `version: 1
name: t
items: [1]
map:
  steps:
    - name: run
      sh: 'sleep `+m+` & echo started'
    - expr: capture("run", run)
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	want := []any{dsl.ProcessResult{Stdout: "started\n", Code: 0}}
	if got := rec.values("run"); !reflect.DeepEqual(got, want) {
		t.Errorf("the step's value is %+v, want %+v", got, want)
	}
	if o.elapsed > time.Second {
		t.Errorf("the run took %s, want it to end as soon as the command exited", o.elapsed)
	}
	if pids := processesWith(m); len(pids) > 0 {
		t.Errorf("the background sleep is still running after Run returned: %v", pids)
	}
}

// TestStdoutLimit: standard output past limits.output fails the step with
// kind limit, and the command is killed at once: a writer of 100 MB is
// stopped after about 1 MiB, and what is kept of its output is the head
// and the tail of the limit.
func TestStdoutLimit(t *testing.T) {
	o, _, _ := observe(t, `version: 1
name: t
items: [1]
limits:
  output: 1MiB
map:
  steps:
    - name: flood
      sh: 'head -c 100000000 /dev/zero; echo done >&2'
`)
	e := abortError(t, o.err)
	if e.Kind != KindLimit || e.Message() != "standard output passed limits.output (1MiB); the command was killed" {
		t.Errorf("error: kind %s, message %q; want limit, the limit named", e.Kind, e.Message())
	}
	if got, want := e.Error(), `map/flood: item 0 (1): `+e.Message(); got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	var proc *processError
	if !errors.As(o.err, &proc) {
		t.Fatalf("the error holds no processError: %v", o.err)
	}
	checkDropped(t, proc.result.Stdout, "1MiB", strings.Repeat("\x00", 1<<18), strings.Repeat("\x00", 3<<18))
	if o.elapsed > 5*time.Second {
		t.Errorf("the run took %s, want the writer killed at the limit", o.elapsed)
	}
}

// checkDropped checks a stream kept past its limit: head, the line that
// says how much was dropped, tail; and that the writer was stopped early.
func checkDropped(t *testing.T, got, limit, head, tail string) {
	t.Helper()
	if !strings.HasPrefix(got, head) || !strings.HasSuffix(got, tail) || len(got) < len(head)+len(tail) {
		t.Fatalf("kept %d bytes, want %d bytes of head and %d of tail around a note", len(got), len(head), len(tail))
	}
	note := got[len(head) : len(got)-len(tail)]
	var dropped int
	if _, err := fmt.Sscanf(note, "\n... %d bytes dropped", &dropped); err != nil {
		t.Fatalf("the note between head and tail is %q: %v", note, err)
	}
	if want := fmt.Sprintf("\n... %d bytes dropped (limits.output %s) ...\n", dropped, limit); note != want {
		t.Errorf("the note is %q, want %q", note, want)
	}
	if total := len(head) + len(tail) + dropped; total >= 100_000_000 {
		t.Errorf("%d bytes were read, want the writer killed soon after %s", total, limit)
	}
}

// TestOutputLimitBoundary: exactly limits.output bytes of standard output
// are fine; one more fails with kind limit.
func TestOutputLimitBoundary(t *testing.T) {
	for _, n := range []int{100, 101} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			o, rec, _ := observe(t, fmt.Sprintf(`version: 1
name: t
items: [1]
limits:
  output: 100B
map:
  steps:
    - name: out
      sh: head -c %d /dev/zero
    - expr: capture("len", len(out.stdout))
`, n))
			if n == 100 {
				if o.err != nil {
					t.Fatalf("Run: %v", o.err)
				}
				if got := rec.values("len"); !reflect.DeepEqual(got, []any{100}) {
					t.Errorf("len(stdout) = %v, want 100", got)
				}
				return
			}
			if e := abortError(t, o.err); e.Kind != KindLimit {
				t.Errorf("kind = %s, want limit", e.Kind)
			}
		})
	}
}

// TestStderrHeadAndTail: standard error past limits.output keeps its first
// quarter and last three quarters, with a line between them saying how
// many bytes were dropped; the command does not fail for it.
func TestStderrHeadAndTail(t *testing.T) {
	o, rec, _ := observe(t, `version: 1
name: t
items: [1]
limits:
  output: 100B
map:
  steps:
    - name: noisy
      sh: 'for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do echo "line $i" >&2; done'
    - expr: capture("stderr", noisy.stderr)
`)
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	var all strings.Builder
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&all, "line %02d\n", i)
	}
	s := all.String() // 240 bytes: 25 of head, 75 of tail, 140 dropped
	want := s[:25] + "\n... 140 bytes dropped (limits.output 100B) ...\n" + s[len(s)-75:]
	if got := rec.values("stderr"); !reflect.DeepEqual(got, []any{want}) {
		t.Errorf("stderr =\n%q\nwant\n%q", got, want)
	}
}
