// Package present owns every way poolflow shows a run or a pipeline to
// people and to tools: diagnostics and failures as compilers print them
// (a FILE:LINE:COL line, the source line with a caret, notes), the plan of
// a dry run, the summary, the JSON lines of `run --format json`, the JSON
// report and its HTML page (a timeline of the workers, its style and
// script embedded), and the JSON Schemas of the JSON.
//
// Everything here derives text from data: dsl's diagnostics and plans,
// runtime's failure records and summaries. Nothing here decides what a run
// does, and nothing here writes to a terminal: the CLI (cmd/poolflow)
// chooses the writers and the colours.
//
// It may import dsl and runtime; neither imports it.
package present
