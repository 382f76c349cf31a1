// Package pipetest runs the tests a pipeline file carries (spec.md §11):
// each test compiles the pipeline with its own items, parameters,
// injections and stubs, runs it with its output captured, and compares
// what came of it with what the test expects, naming each expectation
// that broke by its place in the file.
package pipetest
