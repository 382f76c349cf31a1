package cluster

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/runtime"
)

// testDeadline bounds every run.
const testDeadline = 30 * time.Second

// startServer runs an embedded JetStream server for one test.
func startServer(t *testing.T) string {
	t.Helper()
	srv, err := StartEmbedded("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	return srv.URL()
}

func connect(t *testing.T, url string) *Conn {
	t.Helper()
	c, err := Connect(url, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func loadPlan(t *testing.T, dir, src string) *dsl.Plan {
	t.Helper()
	plan, diags := dsl.Load(filepath.Join(dir, "p.yaml"), []byte(src), dsl.Options{Functions: builtins.Options(), Workdir: dir})
	if diags.HasErrors() {
		t.Fatalf("pipeline does not load:\n%s", diags.Error())
	}
	return plan
}

// distributed is one distributed run: a submitter and workers.
type distributed struct {
	t       *testing.T
	url     string
	dir     string
	src     string
	ackWait time.Duration
	workers []*Worker
	out     bytes.Buffer
	obs     runtime.Observer
	// started, when set, runs once the run is on the server and before
	// any worker starts.
	started func(ctx context.Context, sub *Submitter)
	served  []time.Time // when each worker's Serve returned, by node
	// gate, when set, holds the workers back until it is closed.
	gate chan struct{}
	// interrupt, when set, is polled until true; then the run is
	// cancelled as a signal on the submitter does.
	interrupt func() bool
}

// submit runs the pipeline as a submitter with the given workers, each
// serving from its own goroutine and connection, and returns what the
// run did.
func (d *distributed) submit(nodes int, slots int) (*runtime.Summary, error) {
	t := d.t
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	defer cancel()
	plan := loadPlan(t, d.dir, d.src)
	runCtx, end := context.WithCancelCause(ctx)
	defer end(nil)
	p := Pipeline{Run: "t", File: plan.File, Dir: plan.Dir, Source: d.src, Hash: Hash([]byte(d.src), nil), AckWait: d.ackWait}
	runCtx, drain := runtime.WithDrain(runCtx)
	sub, err := Submit(ctx, connect(t, d.url), p, end, Events{Drain: func(e *runtime.Error) { drain(e) }})
	if err != nil {
		t.Fatal(err)
	}
	if d.started != nil {
		d.started(ctx, sub)
	}
	d.served = make([]time.Time, nodes)
	var wg sync.WaitGroup
	for n := range nodes {
		w := &Worker{Conn: connect(t, d.url), Slots: slots, Run: "t", Node: "n" + string(rune('a'+n))}
		d.workers = append(d.workers, w)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if d.gate != nil {
				<-d.gate
			}
			if err := w.Serve(ctx); err != nil {
				t.Errorf("worker %s: %v", w.Node, err)
			}
			d.served[n] = time.Now()
		}()
	}
	if d.interrupt != nil {
		go func() {
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			for !d.interrupt() {
				select {
				case <-tick.C:
				case <-runCtx.Done():
					return
				}
			}
			end(runtime.ErrInterrupted)
		}()
	}
	eng := &runtime.Engine{Stdout: &d.out, Remote: sub, Observer: d.obs}
	sum, runErr := eng.Run(runCtx, plan)
	if err := sub.Finish(ctx, runErr != nil); err != nil {
		t.Error(err)
	}
	wg.Wait()
	return sum, runErr
}

func TestDistributedRunGivesTheLocalOutput(t *testing.T) {
	src := "version: 1\nname: t\nworkers: 2\nitems: {range: [0, 20]}\nmap:\n  steps:\n    - expr: item * 2\noutput: {rows: result, to: \"-\", format: jsonl}\n"
	d := &distributed{t: t, url: startServer(t), dir: t.TempDir(), src: src}
	sum, err := d.submit(2, 2)
	if err != nil {
		t.Fatal(err)
	}
	var local bytes.Buffer
	if _, err := (&runtime.Engine{Stdout: &local}).Run(context.Background(), loadPlan(t, d.dir, src)); err != nil {
		t.Fatal(err)
	}
	if d.out.String() != local.String() || sum.Stats.OK != 20 {
		t.Fatalf("distributed output %q (%d ok), local %q", d.out.String(), sum.Stats.OK, local.String())
	}
}

func TestAbortAllOnAWorkerEndsTheRun(t *testing.T) {
	src := "version: 1\nname: t\nworkers: 2\nitems: {range: [0, 6]}\nmap:\n  steps:\n    - if: item == 3\n      expr: fail(\"bad item\")\n    - expr: item\n  on_error: abort-all\n"
	d := &distributed{t: t, url: startServer(t), dir: t.TempDir(), src: src}
	_, err := d.submit(2, 1)
	var e *runtime.Error
	if !errors.As(err, &e) || e.Index != 3 || !strings.Contains(e.Message(), "bad item") {
		t.Fatalf("got %v, want item 3's failure", err)
	}
}
