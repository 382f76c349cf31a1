// Command poolflow runs YAML pipelines that map steps over many items in
// parallel, with declared error policies. See README.md and spec.md.
package main

import "os"

func main() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) }
