// Package builtins holds the functions poolflow expressions may call, such
// as read_csv, glob, sleep and http_get.
//
// The registry is one table of [Builtin] values; [All] and [Lookup] read it
// and [Options] turns it into expr options, so a call with the wrong
// argument types fails when the pipeline is compiled, not when it runs.
//
// Builtins that touch files, log or block take the step's
// context.Context as their first parameter. expr inserts it from the
// environment variable named [ContextVar]; the runtime attaches a [Scope]
// to that context with [WithScope] to say where relative paths resolve and
// where log lines go, and a [Budget] with [WithBudget] to bound the memory
// of the builtins that replace expr's repeat, replace, join, split,
// splitAfter, flatten, toJSON and string.
//
// Everything in this package is safe for concurrent use. Of poolflow's
// packages it imports only files and table (read_csv's codec and rows).
package builtins
