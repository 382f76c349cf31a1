package main

import (
	"encoding/json"

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
	redact  *present.Redactor

	failedSteps map[string]bool // the callback steps whose failure was printed in full
	injectSrc   []byte          // the --inject specs, one a line: the source of their diagnostics
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
		c.printJSON(present.LogLine(line))
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
		c.printJSON(present.FailureLine(e, kind == "skipped"))
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
			c.printJSON(present.DiagnosticLine(d))
			continue
		}
		var b strings.Builder
		src := c.src
		if d.Pos.File == dsl.InjectFlagFile {
			src = c.injectSrc
		}
		present.Diagnostic(&b, d, src, c.style)
		c.println(b.String())
	}
}

// Retrying prints a failed attempt that will be retried, with --verbose.
func (c *console) Retrying(e *runtime.Error, wait time.Duration) {
	if !c.verbose {
		return
	}
	if c.json {
		c.printJSON(present.RetryLine(e, wait))
		return
	}
	c.println(present.RetryText(e, wait))
}

// Warned prints a warning about the run, as a diagnostic.
func (c *console) Warned(w dsl.Diagnostic) { c.diagnostics(dsl.Diagnostics{w}) }

// CallbackFailed prints a callback failure that its policy skipped: the
// first of each step in full, the next ones of that step as one line each,
// so that a callback failing for every item does not flood the terminal.
func (c *console) CallbackFailed(e *runtime.Error) {
	where := e.Where()
	c.mu.Lock()
	again := c.failedSteps[where]
	if c.failedSteps == nil {
		c.failedSteps = map[string]bool{}
	}
	c.failedSteps[where] = true
	c.mu.Unlock()
	if again && !c.json {
		c.println(present.AgainText(e))
		return
	}
	c.failure("skipped", e)
}

// Draining says that the run began to drain, and why.
func (c *console) Draining(cause *runtime.Error) {
	if c.json {
		c.printJSON(present.DrainLine(cause))
		return
	}
	c.println(present.DrainText(cause))
}

// WorkerRetired prints an initializer failure that its policy skipped.
func (c *console) WorkerRetired(e *runtime.Error) { c.failure("skipped", e) }
