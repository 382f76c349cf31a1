// Package dsl reads poolflow pipeline files.
//
// It works in three phases, each small and with one job, in the manner of
// expr-lang's parser → checker → compiler:
//
//   - Parse walks the YAML as yaml.Node trees, so every key and value keeps
//     its line and column, and builds a Pipeline: the file as written, with
//     positions, after structural checks (known keys, types, required keys,
//     durations, counts, enum words).
//   - Validate checks what spans several nodes: step names, policy
//     combinations, references between stages.
//   - Compile type-checks every expression against the environment of the
//     place it appears in and produces a Plan: immutable, safe to share
//     between goroutines, with every expression compiled exactly once.
//     After expr's checker and optimizer, one more pass makes every closure
//     body report to a Guard and every range a..b call a Ranger, which the
//     runtime provides to stop long evaluations and bound their memory.
//
// Every problem found on the way is a Diagnostic carrying the file, line and
// column it refers to. The phases collect all problems instead of stopping at
// the first, so a user sees every mistake in one run.
//
// dsl is a compiler: it hands out positions, ranges and plans, never text
// for people (package present renders them). It imports no other package
// of poolflow but files and table (the row types of schemas): the
// functions expressions may call come in as expr options
// (Options.Functions), from package builtins through the CLI. The one
// thing it knows of a function is which argument of read_csv names a
// schema (schemaArgs), so that the name is checked at load time and the
// call gets the schema's row type.
package dsl
