package main

import (
	"context"
	"fmt"
	"io"
	goruntime "runtime"
	"sync"
	"time"

	"github.com/poolflow/poolflow/cluster"
	"github.com/poolflow/poolflow/dsl"
	"github.com/spf13/cobra"
)

// workerFlags are the flags of `poolflow worker`.
type workerFlags struct {
	cluster string
	workers int
	run     string
	name    string
	creds   string
	wait    time.Duration
}

func newWorker(stderr io.Writer) *cobra.Command {
	var f workerFlags
	cmd := &cobra.Command{
		Use:   "worker --cluster URL",
		Short: "Join distributed runs and run their items (see run --cluster)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			return serveWorker(&f, stderr)
		},
	}
	cmd.Flags().StringVar(&f.cluster, "cluster", "", "the NATS server's URL: nats://host:4222 (user:pass@ and tls:// as NATS reads them)")
	cmd.Flags().IntVarP(&f.workers, "workers", "w", goruntime.NumCPU(), "worker slots, each running the initializer once and then items")
	cmd.Flags().StringVar(&f.run, "run", "", "join only this run (run --run-id), and exit once it ended")
	cmd.Flags().StringVar(&f.name, "name", "", "this worker's name in runs and reports (default: host-pid)")
	cmd.Flags().StringVar(&f.creds, "creds", "", "a NATS credentials file")
	cmd.Flags().DurationVar(&f.wait, "connect-wait", 30*time.Second, "how long to keep trying to reach the server at start")
	return cmd
}

func (f *workerFlags) check() error {
	switch {
	case f.cluster == "":
		return usageErrorf("worker needs --cluster URL")
	case f.workers < 1 || f.workers > dsl.MaxWorkers:
		return usageErrorf("--workers must be from 1 to %d, got %d", dsl.MaxWorkers, f.workers)
	}
	if f.run != "" {
		if err := cluster.CheckRunID(f.run); err != nil {
			return usageErrorf("--run: %v", err)
		}
	}
	return nil
}

// serveWorker connects and serves runs until interrupted, or until the
// run named by --run ended. Its commands die with it, as a run's do.
func serveWorker(f *workerFlags, stderr io.Writer) error {
	ctx, signals := withSignals(context.Background(), false)
	defer signals.stop()
	enableWatchdog()
	conn, err := connectWithin(ctx, f.cluster, f.creds, f.wait)
	if err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	defer conn.Close()
	var mu sync.Mutex
	say := func(line string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(stderr, "poolflow worker: "+line)
	}
	w := &cluster.Worker{Conn: conn, Slots: f.workers, Run: f.run, Node: f.name, Log: func(line string) { say("log: " + line) }, Say: say}
	if err := w.Serve(ctx); err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	if sig := signals.received(nil); sig != nil {
		return &exitError{code: signalExitCode(sig)}
	}
	return nil
}

// connectWithin tries to connect until wait passed: a worker may start
// before its server (a pod beside a NATS that is starting, a script that
// starts both).
func connectWithin(ctx context.Context, url, creds string, wait time.Duration) (*cluster.Conn, error) {
	deadline := time.Now().Add(wait)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		conn, err := cluster.Connect(url, creds)
		if err == nil || time.Now().After(deadline) {
			return conn, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-tick.C:
		}
	}
}
