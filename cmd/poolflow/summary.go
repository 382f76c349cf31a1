package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/poolflow/poolflow/runtime"
)

// lineWriter returns a log sink that writes whole lines to w, one at a time.
func lineWriter(w io.Writer) func(string) {
	var mu sync.Mutex
	return func(line string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(w, line)
	}
}

// printSummary writes the end-of-run counts.
func printSummary(w io.Writer, s *runtime.Summary, quiet bool) {
	if quiet {
		return
	}
	st := s.Stats
	fmt.Fprintf(w, "%d ok, %d skipped, %d failed, %d cancelled, %d not started; %d retried; %s\n",
		st.OK, st.Skipped, s.Failed, s.Cancelled, s.NotStarted, st.Retried, st.Elapsed.Round(time.Millisecond))
	if s.Output != "" && s.Output != "-" {
		fmt.Fprintf(w, "output: %s\n", s.Output)
	}
}
