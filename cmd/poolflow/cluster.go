package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/poolflow/poolflow/cluster"
	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/runtime"
	"github.com/spf13/cobra"
)

// clusterFlags are the flags of `poolflow run` for a distributed run
// (spec.md §6.12).
type clusterFlags struct {
	cluster      string
	listen       string
	localWorkers int
	runID        string
	ackWait      time.Duration
	creds        string
}

func (f *clusterFlags) registerCluster(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.cluster, "cluster", "", "run across machines: embedded (a NATS JetStream server in this process), or the URL of one (nats://host:4222)")
	cmd.Flags().StringVar(&f.listen, "listen", cluster.DefaultListen, "with --cluster embedded: where the server listens, HOST:PORT")
	cmd.Flags().IntVar(&f.localWorkers, "local-workers", -1, "with --cluster: worker slots in this process (default: the pipeline's workers; 0 for none)")
	cmd.Flags().StringVar(&f.runID, "run-id", "", "with --cluster: the run's ID, which `poolflow worker --run` names (default: the time and random digits)")
	cmd.Flags().DurationVar(&f.ackWait, "ack-wait", cluster.DefaultAckWait, "with --cluster: how long a worker that stops answering keeps its items before they go to another")
	cmd.Flags().StringVar(&f.creds, "creds", "", "with --cluster: a NATS credentials file")
}

func (f *clusterFlags) checkCluster(cmd *cobra.Command) error {
	if f.cluster == "" {
		for _, name := range []string{"listen", "local-workers", "run-id", "ack-wait", "creds"} {
			if cmd.Flags().Changed(name) {
				return usageErrorf("--%s goes with --cluster", name)
			}
		}
		return nil
	}
	if cmd.Flags().Changed("listen") && f.cluster != "embedded" {
		return usageErrorf("--listen goes with --cluster embedded")
	}
	if f.localWorkers < -1 || f.localWorkers > dsl.MaxWorkers {
		return usageErrorf("--local-workers must be from 0 to %d, got %d", dsl.MaxWorkers, f.localWorkers)
	}
	if f.ackWait < 100*time.Millisecond {
		return usageErrorf("--ack-wait must be at least 100ms, got %s", f.ackWait)
	}
	if f.runID != "" {
		if err := cluster.CheckRunID(f.runID); err != nil {
			return usageErrorf("--run-id: %v", err)
		}
	}
	return nil
}

// clusterRun is a distributed run's side in this process: the server when
// embedded, the connection, the submitter and the local workers.
type clusterRun struct {
	server  *cluster.Embedded
	conn    *cluster.Conn
	sub     *cluster.Submitter
	workers chan struct{} // closed when the local workers have left
	stop    context.CancelFunc
}

// startCluster makes eng's run a distributed one when --cluster is given:
// it returns the run's context, which a worker's failure can end, and
// the function to call with the run's error once it returned.
func startCluster(ctx context.Context, f *runFlags, l *loaded, eng *runtime.Engine, con *console) (context.Context, func(error), error) {
	if f.cluster == "" {
		return ctx, func(error) {}, nil
	}
	c := &clusterRun{workers: make(chan struct{})}
	url, err := c.connect(f, con)
	if err != nil {
		return ctx, nil, &exitError{code: exitFailed, err: err}
	}
	runCtx, end := context.WithCancelCause(ctx)
	runCtx, drain := runtime.WithDrain(runCtx) // the request of on_interrupt: drain, when there is one
	p := cluster.Pipeline{Run: f.runID, File: l.file, Dir: l.plan.Dir, Source: string(l.text), AckWait: f.ackWait,
		Params: paramsOf(f.params)}
	if p.Run == "" {
		p.Run = cluster.NewRunID()
	}
	p.Hash = cluster.Hash(l.text, p.Params)
	events := cluster.Events{
		Joined: func(node string, slots int) {
			if f.verbose {
				con.println(fmt.Sprintf("poolflow: worker %s joined run %s with %d slots", node, p.Run, slots))
			}
		},
		Refused: func(node, reason string) {
			con.Warned(clusterWarning(l.file, fmt.Sprintf("worker %s refused the run: %s", node, reason)))
		},
		Retired: func(e *runtime.Error) { eng.Observer.WorkerRetired(e) },
		Drain:   func(e *runtime.Error) { drain(e) },
	}
	submit := cluster.Submit
	if f.resume != "" {
		submit = cluster.Resume
	}
	if c.sub, err = submit(ctx, c.conn, p, end, events); err != nil {
		c.close()
		return ctx, nil, &exitError{code: exitFailed, err: err}
	}
	eng.Remote = c.sub
	if !f.quiet { // the ID workers join with, unless the user named it
		con.println(fmt.Sprintf("poolflow: run %s on %s", p.Run, url))
	}
	c.startLocal(ctx, f, l, p.Run, con)
	return runCtx, func(runErr error) { c.finish(runErr, con); end(nil) }, nil
}

// connect starts the embedded server if asked, and connects to the server.
func (c *clusterRun) connect(f *runFlags, con *console) (string, error) {
	url := f.cluster
	if url == "embedded" {
		srv, err := cluster.StartEmbedded(f.listen)
		if err != nil {
			return "", err
		}
		c.server, url = srv, srv.URL()
	}
	conn, err := cluster.Connect(url, f.creds)
	if err != nil {
		c.close()
		return "", err
	}
	c.conn = conn
	return url, nil
}

// startLocal starts the worker slots of this process.
func (c *clusterRun) startLocal(ctx context.Context, f *runFlags, l *loaded, run string, con *console) {
	n := f.localWorkers
	if n < 0 {
		n = l.plan.Workers
	}
	if n == 0 {
		close(c.workers)
		return
	}
	ctx, c.stop = context.WithCancel(ctx)
	w := &cluster.Worker{Conn: c.conn, Slots: n, Run: run, Node: "local", Log: con.log}
	go func() {
		defer close(c.workers)
		if err := w.Serve(ctx); err != nil {
			con.println(fmt.Sprintf("%s: warning: this process's workers: %v", l.file, err))
		}
	}()
}

// finish ends the run on the server and closes what startCluster opened.
func (c *clusterRun) finish(runErr error, con *console) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.sub.Finish(ctx, runErr != nil); err != nil {
		con.println("poolflow: warning: " + err.Error())
	}
	<-c.workers
	if c.stop != nil {
		c.stop()
	}
	c.close()
}

func (c *clusterRun) close() {
	if c.conn != nil {
		c.conn.Close()
	}
	if c.server != nil {
		c.server.Shutdown()
	}
}

// clusterWarning is what a worker of the run said, as a warning about
// the pipeline file.
func clusterWarning(file string, message string) dsl.Diagnostic {
	return dsl.Diagnostic{Pos: dsl.Pos{File: file}, Severity: dsl.SeverityWarning, Code: "cluster", Message: message}
}

// paramsOf is --param's name=value pairs as a map; options() has checked
// their form.
func paramsOf(params []string) map[string]string {
	if len(params) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, p := range params {
		name, value, _ := strings.Cut(p, "=")
		m[name] = value
	}
	return m
}
