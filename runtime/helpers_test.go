package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/expr-lang/expr"
	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
)

// testDeadline bounds every run, so that a hang fails the test instead of
// blocking the suite.
const testDeadline = 20 * time.Second

// loadPlan compiles a pipeline from YAML text, with the builtins and the
// extra functions, resolving relative paths against dir.
func loadPlan(t testing.TB, dir, src string, extra ...expr.Option) *dsl.Plan {
	t.Helper()
	opts := dsl.Options{Functions: append(builtins.Options(), extra...), Workdir: dir}
	plan, diags := dsl.Load("pipeline.yaml", []byte(src), opts)
	if diags.HasErrors() {
		t.Fatalf("pipeline does not load:\n%s", diags.Error())
	}
	return plan
}

// outcomeOf is what one Engine.Run did.
type outcomeOf struct {
	sum     *Summary
	err     error
	stdout  string
	logs    []string
	waits   []time.Duration
	elapsed time.Duration
}

// testRun runs one plan with a fake retry sleep that records its waits and
// returns at once, and collects the log lines and standard output.
type testRun struct {
	t        testing.TB
	plan     *dsl.Plan
	observer Observer
	realWait bool // use the real sleep for retries
	rand     func() float64
	ctx      context.Context
}

func (tr testRun) run() outcomeOf {
	tr.t.Helper()
	var (
		mu    sync.Mutex
		logs  []string
		waits []time.Duration
		out   bytes.Buffer
	)
	eng := &Engine{Stdout: &out, Observer: tr.observer, Log: func(line string) {
		mu.Lock()
		logs = append(logs, line)
		mu.Unlock()
	}}
	if !tr.realWait {
		eng.sleep = func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			waits = append(waits, d)
			mu.Unlock()
			return ctx.Err()
		}
	}
	eng.rand = func() float64 { return 0.5 }
	if tr.rand != nil {
		eng.rand = tr.rand
	}
	parent := tr.ctx
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithTimeout(parent, testDeadline)
	defer cancel()
	watchdog := time.AfterFunc(testDeadline+10*time.Second, dumpAndExit)
	defer watchdog.Stop()
	started := time.Now()
	sum, err := eng.Run(ctx, tr.plan)
	elapsed := time.Since(started)
	if ctx.Err() != nil && parent.Err() == nil {
		tr.t.Fatalf("the run did not end within %s: %v", testDeadline, err)
	}
	mu.Lock()
	defer mu.Unlock()
	return outcomeOf{sum: sum, err: err, stdout: out.String(), logs: logs, waits: waits, elapsed: elapsed}
}

// dumpAndExit ends a test binary whose run ignored its context: it prints
// every goroutine's stack, so the hang can be found, and exits.
func dumpAndExit() {
	buf := make([]byte, 1<<20)
	n := goruntime.Stack(buf, true)
	fmt.Fprintf(os.Stderr, "Engine.Run did not return after its context ended:\n%s\n", buf[:n])
	os.Exit(2)
}

// runYAML loads and runs a pipeline in a fresh temporary folder and returns
// what it did and the folder.
func runYAML(t testing.TB, src string, extra ...expr.Option) (outcomeOf, string) {
	t.Helper()
	dir := t.TempDir()
	plan := loadPlan(t, dir, src, extra...)
	return testRun{t: t, plan: plan}.run(), dir
}

// fileLines returns the lines of a file in dir, or nil when it does not exist.
func fileLines(t testing.TB, dir, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// abortError checks that err is ErrAborted wrapping an *Error, and returns
// that *Error.
func abortError(t testing.TB, err error) *Error {
	t.Helper()
	if err == nil {
		t.Fatal("Run returned nil, want an ErrAborted error")
	}
	if !errors.Is(err, ErrAborted) {
		t.Fatalf("Run returned %v, which does not match ErrAborted", err)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Run returned %v, which holds no *Error", err)
	}
	return e
}

// gauge counts how many things are in flight and remembers the most.
type gauge struct {
	cur, max atomic.Int64
}

func (g *gauge) add(n int64) {
	v := g.cur.Add(n)
	for {
		m := g.max.Load()
		if v <= m || g.max.CompareAndSwap(m, v) {
			return
		}
	}
}

// hook registers a function expressions may call with no argument and
// that gives an integer.
func hook(name string, f func() int) expr.Option {
	return expr.Function(name, func(...any) (any, error) { return f(), nil }, new(func() int))
}

// hookInt registers a function of one integer that gives an integer.
func hookInt(name string, f func(int) int) expr.Option {
	return expr.Function(name, func(args ...any) (any, error) { return f(args[0].(int)), nil }, new(func(int) int))
}

// recorder is an Observer that keeps everything it hears, and the values
// pipelines hand to the capture(tag, value) test function.
type recorder struct {
	NopObserver
	mu         sync.Mutex
	records    map[int]ItemRecord
	started    []int
	retries    []*Error
	notStarted []int
	cbFailed   []*Error
	retired    []*Error
	stages     []StageRecord
	captured   map[string][]any
}

func newRecorder() *recorder {
	return &recorder{records: map[int]ItemRecord{}, captured: map[string][]any{}}
}

func (r *recorder) ItemStarted(index int, item any, worker int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.started = append(r.started, index)
}

func (r *recorder) Retrying(err *Error, wait time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.retries = append(r.retries, err)
}

func (r *recorder) ItemFinished(rec ItemRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records[rec.Index] = rec
}

func (r *recorder) ItemNotStarted(index int, item any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notStarted = append(r.notStarted, index)
}

func (r *recorder) CallbackFailed(err *Error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cbFailed = append(r.cbFailed, err)
}

func (r *recorder) StageFinished(rec StageRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stages = append(r.stages, rec)
}

func (r *recorder) WorkerRetired(err *Error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.retired = append(r.retired, err)
}

// capture is the function capture(tag, value): it keeps value under tag and
// gives it back.
func (r *recorder) capture() expr.Option {
	return expr.Function("capture", func(args ...any) (any, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		tag := args[0].(string)
		r.captured[tag] = append(r.captured[tag], args[1])
		return args[1], nil
	}, new(func(string, any) any))
}

// values returns what capture kept under tag.
func (r *recorder) values(tag string) []any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]any(nil), r.captured[tag]...)
}

// statuses returns each finished item's status, by index.
func (r *recorder) statuses() map[int]Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[int]Status{}
	for i, rec := range r.records {
		out[i] = rec.Status
	}
	return out
}

// record returns the record of item index.
func (r *recorder) record(t testing.TB, index int) ItemRecord {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	rec, ok := r.records[index]
	if !ok {
		t.Fatalf("item %d never finished", index)
	}
	return rec
}

// observe loads src in a fresh folder and runs it with a recorder, which
// also provides capture().
func observe(t testing.TB, src string, extra ...expr.Option) (outcomeOf, *recorder, string) {
	t.Helper()
	rec := newRecorder()
	dir := t.TempDir()
	plan := loadPlan(t, dir, src, append(extra, rec.capture())...)
	return testRun{t: t, plan: plan, observer: rec}.run(), rec, dir
}

// waitFor waits until ch is closed, at most testDeadline; hooks use it so
// that a test whose run goes wrong fails instead of hanging.
func waitFor(ch <-chan struct{}) int {
	select {
	case <-ch:
		return 0
	case <-time.After(testDeadline):
		return -1
	}
}

// replaceOnce substitutes the first old in s.
func replaceOnce(s, old, new string) string { return strings.Replace(s, old, new, 1) }

// coreErrors keeps, of each error value captured, the fields tests state:
// kind, message, stage, step, item, index, attempt, position, code and
// stderr. The others (headline, file and line, evidence) have tests of
// their own.
func coreErrors(vals []any) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		ev, ok := v.(dsl.ErrorValue)
		if !ok {
			out[i] = v
			continue
		}
		out[i] = dsl.ErrorValue{Kind: ev.Kind, Message: ev.Message, Stage: ev.Stage, Step: ev.Step, Item: ev.Item,
			Index: ev.Index, Attempt: ev.Attempt, Position: ev.Position, Code: ev.Code, Stderr: ev.Stderr}
	}
	return out
}
