package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// scriptCommands are the commands the scripts may use beyond testscript's
// own.
func scriptCommands() map[string]func(*testscript.TestScript, bool, []string) {
	return map[string]func(*testscript.TestScript, bool, []string){
		"exitcode":    cmdExitcode,
		"waitfile":    cmdWaitfile,
		"waitlines":   cmdWaitlines,
		"reportshape": cmdReportshape,
		"reportfield": cmdReportfield,
		"pageshape":   cmdPageshape,
		"pagefield":   cmdPagefield,
		"jsonlines":   cmdJSONLines,
		"jsonfield":   cmdJSONField,
		"dead":        cmdDead,
		"freeport":    cmdFreeport,
	}
}

// waitfileTimeout bounds waitfile: long enough for a slow machine to start
// a process, short enough that a hung script fails on its own.
const waitfileTimeout = 30 * time.Second

// cmdWaitfile waits until a file exists, for a script to act while a
// background command is known to be running:
//
//	waitfile started
func cmdWaitfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile PATH")
	}
	path := ts.MkAbs(args[0])
	for deadline := time.Now().Add(waitfileTimeout); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s did not appear within %s", args[0], waitfileTimeout)
		}
	}
}

// cmdWaitlines waits until the files a glob matches hold at least N lines
// in all, for a script to act once a background run has written so much
// (a journal, an output):
//
//	waitlines '.poolflow/seed/*.jsonl' 201
func cmdWaitlines(ts *testscript.TestScript, neg bool, args []string) {
	n, err := strconv.Atoi(argAt(args, 1))
	if neg || len(args) != 2 || err != nil {
		ts.Fatalf("usage: waitlines GLOB N")
	}
	count := func() int {
		paths, _ := filepath.Glob(ts.MkAbs(args[0]))
		lines := 0
		for _, p := range paths {
			b, _ := os.ReadFile(p)
			lines += bytes.Count(b, []byte("\n"))
		}
		return lines
	}
	for deadline := time.Now().Add(waitfileTimeout); ; time.Sleep(5 * time.Millisecond) {
		got := count()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s holds %d lines after %s, want %d", args[0], got, waitfileTimeout, n)
		}
	}
}

func argAt(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

// deadTimeout bounds dead: killing takes milliseconds; the margin is for
// loaded machines.
const deadTimeout = 5 * time.Second

// cmdDead checks that the processes whose pids the files hold (one pid per
// file, as `echo $! > FILE` writes it) end within deadTimeout; a zombie
// counts as ended. Those still running when it fails are killed, so that
// a failed script leaves nothing behind:
//
//	dead shell child
func cmdDead(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: dead PIDFILE...")
	}
	var pids []int
	for _, f := range args {
		pid, err := strconv.Atoi(strings.TrimSpace(ts.ReadFile(f)))
		if err != nil || pid <= 1 {
			ts.Fatalf("%s does not hold a pid: %v", f, err)
		}
		pids = append(pids, pid)
	}
	for deadline := time.Now().Add(deadTimeout); ; time.Sleep(10 * time.Millisecond) {
		running := slices.DeleteFunc(slices.Clone(pids), func(pid int) bool { return !processRuns(pid) })
		if len(running) == 0 {
			return
		}
		if time.Now().After(deadline) {
			for _, pid := range running {
				syscall.Kill(pid, syscall.SIGKILL)
			}
			ts.Fatalf("still running after %s: %v", deadTimeout, running)
		}
	}
}

// processRuns reports whether pid exists and is not a zombie.
func processRuns(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] != 'Z' && b[i+2] != 'X'
}

// cmdReportshape checks that a --report file validates against
// schema/report.schema.json, and that its totals, outcome and exit status
// agree with its items and error:
//
//	reportshape r.json
func cmdReportshape(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: reportshape FILE")
	}
	if problems := reportProblems([]byte(ts.ReadFile(args[0]))); len(problems) > 0 {
		ts.Fatalf("%s does not have the published shape:\n\t%s", args[0], strings.Join(problems, "\n\t"))
	}
}

// cmdReportfield compares one field of a JSON file with a value:
//
//	reportfield r.json totals.ok 3
//	reportfield r.json items.*.status 'ok ok skipped'
//	reportfield r.json items.len() 3
//
// The path is a dotted list of keys and list indices; `*` takes every
// element of a list (the values are then joined by spaces) and `len()` is
// the length of a list or object. A string is compared as it is, anything
// else as compact JSON (null, true, 3, {"a":1}).
func cmdReportfield(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: reportfield FILE PATH WANT")
	}
	var v any
	ts.Check(decodeJSON([]byte(ts.ReadFile(args[0])), &v))
	compareField(ts, neg, args[0], v, args[1], args[2])
}

// cmdPageshape checks that an HTML report is one self-contained page:
// a document whose Content-Security-Policy allows nothing but its own
// style and script, which refers to no other file or address (no src, no
// href but to its own anchors), within the page's size bound.
//
//	pageshape r.html
func cmdPageshape(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: pageshape FILE")
	}
	if problems := pageProblems(ts.ReadFile(args[0])); len(problems) > 0 {
		ts.Fatalf("%s is not a self-contained page:\n\t%s", args[0], strings.Join(problems, "\n\t"))
	}
}

// cmdPagefield compares a field of an HTML report's timeline data (the
// JSON its script draws, present.Timeline), with the paths and values of
// reportfield; a bar is a list (present.Bar.MarshalJSON):
//
//	pagefield r.html lanes.len() 2
//	pagefield r.html lanes.0.bars.*.2 '0 1 2'
func cmdPagefield(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: pagefield FILE PATH WANT")
	}
	data, err := timelineData(ts.ReadFile(args[0]))
	ts.Check(err)
	var v any
	ts.Check(decodeJSON([]byte(data), &v))
	compareField(ts, neg, args[0], v, args[1], args[2])
}

// cmdJSONLines checks that a file (or stdout, stderr) is JSON lines, one
// object per line, each valid against schema/events.schema.json, and that
// the types are, in order, the ones given:
//
//	jsonlines stderr retry error summary
func cmdJSONLines(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: jsonlines FILE TYPE...")
	}
	lines := jsonLines(ts, args[0])
	raw := strings.Split(strings.TrimSuffix(ts.ReadFile(args[0]), "\n"), "\n")
	var types, problems []string
	for i, obj := range lines {
		typ, _ := obj["type"].(string)
		types = append(types, typ)
		for _, p := range lineProblems([]byte(raw[i])) {
			problems = append(problems, fmt.Sprintf("line %d (%s): %s", i+1, typ, p))
		}
	}
	if !slices.Equal(types, args[1:]) {
		problems = append(problems, fmt.Sprintf("types are %q, want %q", types, args[1:]))
	}
	if len(problems) > 0 {
		ts.Fatalf("%s:\n\t%s", args[0], strings.Join(problems, "\n\t"))
	}
}

// cmdJSONField compares a field of line N (from 1) of a JSON lines file,
// with the paths and values of reportfield:
//
//	jsonfield stderr 2 line 8
func cmdJSONField(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: jsonfield FILE LINE PATH WANT")
	}
	lines := jsonLines(ts, args[0])
	n, err := strconv.Atoi(args[1])
	if err != nil || n < 1 || n > len(lines) {
		ts.Fatalf("%s has %d JSON lines; no line %s", args[0], len(lines), args[1])
	}
	compareField(ts, neg, fmt.Sprintf("%s line %d", args[0], n), lines[n-1], args[2], args[3])
}

func compareField(ts *testscript.TestScript, neg bool, name string, v any, path, want string) {
	got, err := fieldText(v, path)
	if err != nil {
		ts.Fatalf("%s: %v", name, err)
	}
	if (got == want) == neg {
		ts.Fatalf("%s: %s is %q, want %s%q", name, path, got, map[bool]string{true: "anything but ", false: ""}[neg], want)
	}
}

// jsonLines decodes every line of a file as a JSON object.
func jsonLines(ts *testscript.TestScript, file string) []map[string]any {
	text := ts.ReadFile(file)
	if text == "" {
		ts.Fatalf("%s is empty", file)
	}
	if !strings.HasSuffix(text, "\n") {
		ts.Fatalf("%s does not end with a line break", file)
	}
	var out []map[string]any
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		var obj map[string]any
		if err := decodeJSON([]byte(line), &obj); err != nil || obj == nil {
			ts.Fatalf("%s line %d is not a JSON object: %v: %q", file, i+1, err, line)
		}
		out = append(out, obj)
	}
	return out
}

// decodeJSON decodes one JSON value, keeping numbers as json.Number so that
// integers can be told from fractions, and refusing trailing data.
func decodeJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("more than one JSON value")
	}
	return nil
}

// fieldText follows a reportfield path and writes the value as text.
func fieldText(v any, path string) (string, error) {
	vals, many, err := follow(v, strings.Split(path, "."))
	if err != nil {
		return "", err
	}
	parts := make([]string, len(vals))
	for i, x := range vals {
		parts[i] = valueText(x)
	}
	if !many && len(parts) == 1 {
		return parts[0], nil
	}
	return strings.Join(parts, " "), nil
}

func follow(v any, keys []string) (vals []any, many bool, err error) {
	vals = []any{v}
	for i, key := range keys {
		var next []any
		for _, x := range vals {
			got, err := step(x, key)
			if err != nil {
				return nil, false, fmt.Errorf("%s: %v", strings.Join(keys[:i+1], "."), err)
			}
			next = append(next, got...)
		}
		vals, many = next, many || key == "*"
	}
	return vals, many, nil
}

// lenKey is the path element that is the length of a list or object.
const lenKey = "len()"

// step applies one path element to a value.
func step(v any, key string) ([]any, error) {
	switch x := v.(type) {
	case map[string]any:
		if key == lenKey {
			return []any{len(x)}, nil
		}
		val, ok := x[key]
		if !ok {
			return nil, fmt.Errorf("no key %q", key)
		}
		return []any{val}, nil
	case []any:
		switch key {
		case lenKey:
			return []any{len(x)}, nil
		case "*":
			return x, nil
		}
		i, err := strconv.Atoi(key)
		if err != nil || i < 0 || i >= len(x) {
			return nil, fmt.Errorf("no element %q in a list of %d", key, len(x))
		}
		return []any{x[i]}, nil
	}
	return nil, fmt.Errorf("%s is not a list or an object", valueText(v))
}

func valueText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
