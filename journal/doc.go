// Package journal keeps the run journals that let `poolflow run --resume`
// redo only what an earlier run did not finish (spec.md §6.9).
//
// A state folder (.poolflow/ beside the pipeline file by default) holds,
// per pipeline, one journal file per run: a header line (the pipeline, its
// version, when, which process), one line per item that finished (its
// key, status, attempts, result or error, and the files it depended on),
// appended as the run goes, and a trailer line when the run ends. A lock
// file keeps two runs of one pipeline from sharing the folder at once.
// Reading a journal stops at a torn last line, so a run killed while
// writing leaves a journal that resumes from the lines before it.
//
// A Recorder implements runtime.Journal for a run: it writes the run's
// journal and answers Reuse from the journal of the run before it. Values
// are kept in a typed encoding of JSON, so that a reused result is the
// same Go value the item gave (an int stays an int, a list of CSV rows a
// list of maps of strings).
//
// It may import runtime, dsl, builtins, table and files.
package journal
