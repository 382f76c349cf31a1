package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/present"
	"github.com/poolflow/poolflow/runtime"
)

// console is everything a run writes to stderr: log() lines, notes about
// retries and skipped failures as they happen, failures, the summary, and
// the progress bar. Writes are whole lines under one lock, printed above the
// bar, so nothing interleaves. With json, every message is one JSON object
// per line instead of text.
type console struct {
	runtime.NopObserver
	mu      sync.Mutex
	w       io.Writer
	src     []byte
	style   present.Style
	json    bool
	verbose bool
	bar     *progress // nil when there is no progress bar
}

// println writes one or more whole lines, above the progress bar.
func (c *console) println(text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bar != nil {
		c.bar.clear()
	}
	io.WriteString(c.w, strings.TrimRight(text, "\n")+"\n")
	if c.bar != nil {
		c.bar.draw()
	}
}

// log is the sink of log(): a line of text, or with json an object.
func (c *console) log(line string) {
	if c.json {
		c.printJSON(map[string]any{"type": "log", "message": line})
		return
	}
	c.println(line)
}

func (c *console) printJSON(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]any{"type": "internal", "message": err.Error()})
	}
	c.println(string(b))
}

// failure writes a failure, rendered or as JSON: kind error for the one
// that ended the run, skipped (a warning) for one its policy skipped.
func (c *console) failure(kind string, e *runtime.Error) {
	if c.json {
		c.printJSON(errorJSON(kind, e))
		return
	}
	sev := dsl.SeverityError
	if kind == "skipped" {
		sev = dsl.SeverityWarning
	}
	var b strings.Builder
	present.Failure(&b, e, c.src, c.style, sev)
	c.println(b.String())
}

// diagnostics writes validation diagnostics.
func (c *console) diagnostics(ds dsl.Diagnostics) {
	for _, d := range ds {
		if c.json {
			c.printJSON(diagnosticLine(d))
			continue
		}
		var b strings.Builder
		present.Diagnostic(&b, d, c.src, c.style)
		c.println(b.String())
	}
}

// Retrying prints a failed attempt that will be retried, with --verbose.
func (c *console) Retrying(e *runtime.Error, wait time.Duration) {
	if !c.verbose {
		return
	}
	if c.json {
		obj := errorJSON("retry", e)
		obj["wait_ms"] = float64(wait.Microseconds()) / 1000
		c.printJSON(obj)
		return
	}
	subject := e.Where()
	switch {
	case e.Index >= 0:
		subject += fmt.Sprintf(": item %d %s", e.Index, runtime.DisplayItem(e.Item))
	case e.Worker >= 0:
		subject += fmt.Sprintf(": worker %d", e.Worker)
	}
	c.println(fmt.Sprintf("%s: retry: %s: attempt %d of %d failed: %s: %s; next in %s", e.Pos, subject,
		e.Attempt, e.Attempts, e.Kind, firstLine(e.Message), present.FormatDuration(wait.Round(time.Millisecond))))
}

// Warned prints a warning about the run, as a diagnostic.
func (c *console) Warned(w dsl.Diagnostic) { c.diagnostics(dsl.Diagnostics{w}) }

// CallbackFailed prints a callback failure that its policy skipped.
func (c *console) CallbackFailed(e *runtime.Error) { c.failure("skipped", e) }

// WorkerRetired prints an initializer failure that its policy skipped.
func (c *console) WorkerRetired(e *runtime.Error) { c.failure("skipped", e) }

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// diagnosticLine is a validation diagnostic as a JSON line.
func diagnosticLine(d dsl.Diagnostic) any {
	return struct {
		Type string `json:"type"`
		present.DiagnosticJSON
	}{"diagnostic", present.DiagnosticValue(d)}
}

// errorJSON is a run failure as a JSON line; typ is error (it ended the
// run), skipped (its policy skipped it) or retry.
func errorJSON(typ string, e *runtime.Error) map[string]any {
	obj := map[string]any{"type": typ, "file": e.Pos.File, "line": e.Pos.Line, "column": e.Pos.Col,
		"severity": "error", "code": string(e.Kind), "kind": string(e.Kind), "message": e.Message,
		"headline": present.Headline(e), "stage": e.Stage, "step": e.Step, "index": e.Index,
		"attempt": e.Attempt, "attempts": e.Attempts, "worker": e.Worker, "policy": e.Policy,
		"command": e.Command, "exit_code": e.Code, "stderr": e.Stderr, "stack": present.TrimStack(e.Stack),
		"values": e.Values, "item": nil}
	if e.Values == nil {
		obj["values"] = []string{}
	}
	if e.Index >= 0 {
		obj["item"] = runtime.ItemText(e.Item)
	}
	if typ == "skipped" {
		obj["severity"] = "warning"
	}
	return obj
}
