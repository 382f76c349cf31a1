// Command errgroup is the "hand-written Go program" peer of poolflow's
// benchmarks: each subcommand does what one bench/workloads/*.yaml
// pipeline does, the way a careful Go programmer would write it by hand:
// errgroup.WithContext with SetLimit(workers), one result slot per item in
// a slice (so the output is in input order, as poolflow's `order: input`),
// and encoding/json or encoding/csv into a file written atomically (a
// temporary file renamed into place, as poolflow does).
//
//	errgroup trivial -n 100000 -workers 2 -out out.jsonl
//	errgroup startup
//	errgroup sleep   -n 400 -d 10ms -workers 8
//	errgroup csv     -in DIR -out out.csv -workers 2
//	errgroup exec    -n 2000 -workers 2 -cmd /bin/true
//	errgroup abort   -n 64 -workers 4 -fail 2 -secs 2
//	errgroup lines   -in FILE -workers 2
//
// It exits 1 when the work fails (abort exits 1 by design), 2 on bad usage.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"
)

var commands = map[string]func(args []string) error{
	"trivial": trivial,
	"startup": startup,
	"sleep":   sleepCmd,
	"csv":     csvCmd,
	"exec":    execCmd,
	"abort":   abort,
	"lines":   lines,
}

func main() {
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		names := make([]string, 0, len(commands))
		for name := range commands {
			names = append(names, name)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: errgroup {%s} [flags]\n", strings.Join(names, "|"))
		os.Exit(2)
	}
	if err := commands[os.Args[1]](os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "errgroup "+os.Args[1]+":", err)
		os.Exit(1)
	}
}

// flags returns a flag set for a subcommand that exits 2 on bad usage.
func flags(name string) *flag.FlagSet {
	return flag.NewFlagSet("errgroup "+name, flag.ExitOnError)
}

// trivial: results[i] = i*i + 1 for n items, written as JSON lines.
func trivial(args []string) error {
	fs := flags("trivial")
	n := fs.Int("n", 100000, "items")
	workers := fs.Int("workers", 2, "workers")
	out := fs.String("out", "out.jsonl", "output file")
	fs.Parse(args)

	results := make([]int, *n)
	g, _ := errgroup.WithContext(context.Background())
	g.SetLimit(*workers)
	for i := range *n {
		g.Go(func() error {
			results[i] = i*i + 1
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return writeAtomic(*out, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		for _, r := range results {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	})
}

// startup: the 3-item run, to time the start-up of a process that does
// almost nothing.
func startup(args []string) error {
	fs := flags("startup")
	fs.Parse(args)
	items := []int{1, 2, 3}
	results := make([]int, len(items))
	g, _ := errgroup.WithContext(context.Background())
	g.SetLimit(2)
	for i, item := range items {
		g.Go(func() error {
			results[i] = item * 2
			return nil
		})
	}
	return g.Wait()
}

// sleepCmd: n items that each sleep d, on a pool of workers; the sleep
// ends early if the group is cancelled, as poolflow's sleep does.
func sleepCmd(args []string) error {
	fs := flags("sleep")
	n := fs.Int("n", 400, "items")
	d := fs.Duration("d", 10*time.Millisecond, "sleep per item")
	workers := fs.Int("workers", 8, "workers")
	fs.Parse(args)

	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(*workers)
	for range *n {
		g.Go(func() error {
			t := time.NewTimer(*d)
			defer t.Stop()
			select {
			case <-t.C:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}
	return g.Wait()
}

// csvCmd: read every DIR/*.csv (header row first), concatenate the rows
// in file order, drop repeated rows keeping the first, write one CSV.
func csvCmd(args []string) error {
	fs := flags("csv")
	in := fs.String("in", "", "folder of CSV files")
	out := fs.String("out", "out.csv", "output file")
	workers := fs.Int("workers", 2, "workers")
	fs.Parse(args)

	files, err := filepath.Glob(filepath.Join(*in, "*.csv"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	perFile := make([][][]string, len(files))
	var header []string
	g, _ := errgroup.WithContext(context.Background())
	g.SetLimit(*workers)
	for i, name := range files {
		g.Go(func() error {
			rows, err := readCSV(name)
			if err != nil {
				return err
			}
			if i == 0 {
				header = rows[0]
			}
			perFile[i] = rows[1:]
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}

	seen := make(map[string]struct{})
	var unique [][]string
	var key strings.Builder
	for _, rows := range perFile {
		for _, row := range rows {
			key.Reset()
			for _, cell := range row {
				key.WriteString(cell)
				key.WriteByte(0)
			}
			k := key.String()
			if _, dup := seen[k]; dup {
				continue
			}
			seen[k] = struct{}{}
			unique = append(unique, row)
		}
	}
	return writeAtomic(*out, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if header != nil {
			cw.Write(header)
		}
		cw.WriteAll(unique) // flushes
		return cw.Error()
	})
}

func readCSV(name string) ([][]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.ReuseRecord = false
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no header row", name)
	}
	return rows, nil
}

// execCmd: run a program n times, capturing its output as poolflow's exec
// step does.
func execCmd(args []string) error {
	fs := flags("exec")
	n := fs.Int("n", 2000, "items")
	workers := fs.Int("workers", 2, "workers")
	prog := fs.String("cmd", "/bin/true", "program to run for each item")
	fs.Parse(args)

	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(*workers)
	for range *n {
		g.Go(func() error {
			var stdout, stderr bytes.Buffer
			cmd := exec.CommandContext(ctx, *prog)
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			return cmd.Run()
		})
	}
	return g.Wait()
}

// abort: n items of `sh -c 'sleep SECS'`; item `fail` runs `sh -c 'exit 1'`
// instead. The first error cancels the group's context, and each running
// command is killed with its whole process group, so no `sleep` outlives
// the program: that is the careful version of "die at the first failure".
func abort(args []string) error {
	fs := flags("abort")
	n := fs.Int("n", 64, "items")
	workers := fs.Int("workers", 4, "workers")
	fail := fs.Int("fail", 2, "index of the item that fails at once")
	secs := fs.String("secs", "2", "how long every other item sleeps")
	fs.Parse(args)

	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(*workers)
	for i := range *n {
		if ctx.Err() != nil {
			break // do not start items after the failure
		}
		g.Go(func() error {
			script := "sleep " + *secs
			if i == *fail {
				script = "exit 1"
			}
			cmd := exec.CommandContext(ctx, "/bin/sh", "-c", script)
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
			cmd.WaitDelay = time.Second
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
			return nil
		})
	}
	return g.Wait()
}

// lines: one item per line of a file, read as it goes; the trivial
// expression len(line) per item; nothing kept. SetLimit makes g.Go block
// while every worker is busy, so memory stays flat.
func lines(args []string) error {
	fs := flags("lines")
	in := fs.String("in", "", "file of lines")
	workers := fs.Int("workers", 2, "workers")
	fs.Parse(args)

	f, err := os.Open(*in)
	if err != nil {
		return err
	}
	defer f.Close()
	var total atomic.Int64 // so the per-item work is not optimised away
	g, _ := errgroup.WithContext(context.Background())
	g.SetLimit(*workers)
	sc := bufio.NewScanner(f)
	count := 0
	for sc.Scan() {
		line := sc.Text()
		g.Go(func() error {
			total.Add(int64(len(line)))
			return nil
		})
		count++
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := sc.Err(); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, count, "lines,", total.Load(), "bytes")
	return nil
}

// writeAtomic writes a file through a temporary file in the same folder,
// renamed into place once complete.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
