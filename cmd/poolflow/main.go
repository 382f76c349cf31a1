// Command poolflow runs YAML pipelines that map steps over many items in
// parallel, with declared error policies. See README.md and spec.md.
//
// The command only wires flags to the library packages and prints: dsl
// loads the file, runtime runs it, present renders what happened, and the
// terminal (colour, the progress bar, signals, exit codes) is handled here.
package main

import "os"

func main() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) }
