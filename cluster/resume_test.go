package cluster

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/poolflow/poolflow/runtime"
)

// TestResumeTakesTheStoredResults: a submitter dies (it stops listening,
// never finishing the run) after three items; the run stays on the
// server and its worker goes on. A second submitter resumes it: the
// three results come from the bucket, the others are run, each item once.
func TestResumeTakesTheStoredResults(t *testing.T) {
	url, dir := startServer(t), t.TempDir()
	src := "version: 1\nname: t\nworkers: 1\nitems: {range: [0, 6]}\nmap:\n  steps:\n    - sh: echo ${item} >> ran.txt\n  result: item\noutput: {value: results, to: \"-\"}\n"
	plan := loadPlan(t, dir, src)
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	defer cancel()
	runCtx, end := context.WithCancelCause(ctx)
	defer end(nil)
	p := Pipeline{Run: "t", File: plan.File, Dir: plan.Dir, Source: src, Hash: Hash([]byte(src), nil)}
	first, err := Submit(ctx, connect(t, url), p, end, Events{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w := &Worker{Conn: connect(t, url), Slots: 1, Run: "t", Node: "w"}
		if err := w.Serve(ctx); err != nil {
			t.Error(err)
		}
	}()
	for i := range 3 {
		if _, err := first.Run(runCtx, i, i); err != nil {
			t.Fatal(err)
		}
	}
	first.watcher.Stop() // it dies: no Finish
	<-first.watched

	if _, err := Submit(ctx, connect(t, url), p, end, Events{}); err == nil || !strings.Contains(err.Error(), "--resume") {
		t.Fatalf("a second Submit of the run: %v", err)
	}
	second, err := Resume(ctx, connect(t, url), p, end, Events{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	_, runErr := (&runtime.Engine{Stdout: &out, Remote: second}).Run(runCtx, plan)
	if err := second.Finish(ctx, runErr != nil); err != nil {
		t.Error(err)
	}
	wg.Wait()
	if runErr != nil {
		t.Fatal(runErr)
	}
	if got := strings.Join(strings.Fields(out.String()), ""); got != "[0,1,2,3,4,5]" {
		t.Fatalf("output %q", got)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "ran.txt"))
	ran := strings.Fields(string(b))
	slices.Sort(ran)
	if strings.Join(ran, " ") != "0 1 2 3 4 5" {
		t.Fatalf("ran %q, want each item once", ran)
	}
}
