package cluster

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/poolflow/poolflow/runtime"
)

// The server goes away for good while an item runs: once the ack wait
// has passed, the worker kills the item's process and leaves the run
// with a LostError, and the submitter's run ends with kind cluster
// instead of waiting for ever.
func TestLosingTheServerEndsTheRunEverywhere(t *testing.T) {
	srv, err := StartEmbedded("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	shut := false
	defer func() {
		if !shut {
			srv.Shutdown()
		}
	}()
	dir := t.TempDir()
	src := "version: 1\nname: t\nitems: [a]\nmap:\n  steps:\n    - sh: 'echo $$ > pid.tmp; mv pid.tmp pid; exec sleep 30'\n"
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	defer cancel()
	plan := loadPlan(t, dir, src)
	runCtx, end := context.WithCancelCause(ctx)
	defer end(nil)
	p := Pipeline{Run: "t", File: plan.File, Dir: plan.Dir, Source: src, Hash: Hash([]byte(src), nil), AckWait: 300 * time.Millisecond}
	sub, err := Submit(ctx, connect(t, srv.URL()), p, end, Events{})
	if err != nil {
		t.Fatal(err)
	}
	w := &Worker{Conn: connect(t, srv.URL()), Slots: 1, Run: "t", Node: "n"}
	served := make(chan error, 1)
	go func() { served <- w.Serve(ctx) }()
	ran := make(chan error, 1)
	go func() {
		_, err := (&runtime.Engine{Remote: sub}).Run(runCtx, plan)
		ran <- err
	}()
	pid := waitPid(t, ctx, filepath.Join(dir, "pid"))
	srv.Shutdown()
	shut = true

	var lost *LostError
	t0 := time.Now()
	runErr := <-ran
	t.Logf("run ended after %v", time.Since(t0))
	var e *runtime.Error
	if !errors.As(runErr, &e) || e.Kind != runtime.KindCluster || !errors.As(runErr, &lost) {
		t.Errorf("the run ended with %v, want kind cluster, the server lost", runErr)
	}
	sub.Finish(ctx, true) // the server is gone: it says so, and returns
	t.Logf("finish after %v", time.Since(t0))
	if err := <-served; !errors.As(err, &lost) || !strings.Contains(err.Error(), "lost the server") {
		t.Errorf("the worker returned %v, want the server lost", err)
	}
	t.Logf("served after %v", time.Since(t0))
	for syscall.Kill(pid, 0) == nil { // Serve returned after its slot, whose process is killed with it
		select {
		case <-ctx.Done():
			t.Fatalf("process %d outlived the worker", pid)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// waitPid waits for a step to write its process ID to path.
func waitPid(t *testing.T, ctx context.Context, path string) int {
	t.Helper()
	for {
		if b, err := os.ReadFile(path); err == nil {
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			return pid
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s did not appear", path)
		case <-time.After(5 * time.Millisecond):
		}
	}
}
