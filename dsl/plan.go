package dsl

import (
	"fmt"
	"reflect"
	"time"

	"github.com/poolflow/poolflow/table"
)

// Plan is a compiled pipeline: every expression compiled once, every default
// filled in. A Plan is immutable after Compile and safe to share between
// goroutines; each goroutine evaluating its programs needs its own vm.VM.
type Plan struct {
	Name        string
	Description string
	File        string    // the pipeline file as given
	Dir         string    // where relative paths resolve: the file's folder, or --workdir
	DirFrom     DirSource // why Dir is what it is
	Source      []byte    // the file's text, for rendering errors

	Params           any          // the value expressions see as params (a struct)
	Secrets          []Secret     // from the environment; masked wherever poolflow prints
	SecretsValue     any          // the value expressions see as secrets (a struct of strings)
	ParamValues      []ParamValue // the same, in file order, for reports
	Workers          int
	Window           int // most items in flight at once
	Order            string
	Timeout          time.Duration // whole run; 0 = none
	DrainOnInterrupt bool          // on_interrupt: drain: the first SIGINT drains the run instead of cancelling it
	Limits           Limits

	Schemas     map[string]*table.Schema // by name
	Items       *Items
	Initializer *Stage // nil when the file has none
	Map         *Stage
	OnResult    *Stage // callbacks.result, or nil
	OnError     *Stage // callbacks.error, or nil
	OnDone      *Stage // callbacks.done, or nil
	Output      *Output
	Injections  []*Injection // --inject: failures made to happen at map steps

	// WorkerType is the struct type of the worker variable: id and the
	// initializer's named step values. NewWorker builds values of it.
	WorkerType  reflect.Type
	KeepResults bool        // done or output reads results, so the run keeps them
	KeepErrors  bool        // done or output reads errors, so the run keeps them
	Warnings    Diagnostics // what Compile found worth saying but not fatal
}

// DirSource says where the folder relative paths resolve against comes
// from.
type DirSource int

// Where Plan.Dir comes from.
const (
	DirOfFile  DirSource = iota // the pipeline file's folder
	DirOfFlag                   // --workdir
	DirOfShell                  // the current folder: the items come from standard input or --items, paths as the shell names them
)

// ParamValue is one parameter's value after --param overrides.
type ParamValue struct {
	Name  string
	Value any
}

// Order words.
const (
	OrderInput      = "input"
	OrderCompletion = "completion"
)

// Stage is a compiled list of steps with its limits and error policy.
type Stage struct {
	Name    string // initializer, map, callbacks.result, callbacks.error, callbacks.done
	Pos     Pos
	Steps   []*Step
	Timeout time.Duration // per attempt; 0 = none
	Result  *Program      // map only; nil = the last step's value
	Key     *Program      // map only: an item's key for --resume; nil = the item
	Depends []*Template   // map only: paths an item depends on, for --resume
	Policy  Policy
}

// StepKind is what a step does.
type StepKind string

// Step kinds.
const (
	StepExpr   StepKind = "expr"
	StepSh     StepKind = "sh"
	StepExec   StepKind = "exec"
	StepAssert StepKind = "assert"
)

// Step is one compiled step.
type Step struct {
	Name    string // "" when unnamed
	Label   string // the name, or "step N" (1-based), for messages
	Kind    StepKind
	Pos     Pos       // the step's action key, where errors point
	Expr    *Program  // expr and assert
	Command *Template // sh
	Argv    []*Template
	Message *Template // assert; nil = a message built from the condition
	If      *Program  // nil = always
	Timeout time.Duration
	Stub    *ProcessResult // sh and exec in a test: the result, and the command does not run
}

// Items is the compiled item source.
type Items struct {
	Kind     string // one of the Items* constants
	Pos      Pos
	Expr     *Program      // ItemsExpr
	List     []any         // ItemsList
	Range    [3]int        // ItemsRange: start, stop, step
	Path     *Template     // lines, glob, csv, jsonl; sees params
	Stdin    bool          // lines from standard input ({lines: "-"}, or --items -)
	FromCLI  bool          // the items are --items', not the file's
	Null     bool          // lines end with a NUL byte, not a line break
	Schema   *table.Schema // csv: the schema of the rows, or nil
	ElemType reflect.Type
}

// Output says what to write: with Rows, rows appended as each result is
// delivered; otherwise Value, once, after the map stage.
type Output struct {
	Pos     Pos
	Value   *Program // nil = results, or acc with Fold
	Rows    *Program // a row or a list of rows per delivered result; nil = none
	RowsPos Pos
	// Unique drops a row written the same as one before it; UniqueKey, when
	// set, compares rows by its value instead (it sees row).
	Unique    bool
	UniqueKey *Program
	Fold      *Fold // nil = none
	To        *Template
	Format    string // json, jsonl, csv or text
	Columns   []string
	// Header is the row type of what Rows gives, when the checker knows
	// it: a table row of a schema. The CSV header is then known before
	// the first row.
	Header *table.Layout
	// WriteDrained writes the output of a drained run (on_drain: write),
	// from the items delivered; by default a drained run writes none.
	WriteDrained bool
}

// Words of output.on_drain.
const (
	DrainDiscard = "discard"
	DrainWrite   = "write"
)

// Fold is a running aggregate: Init once, then Step for each delivered
// result, with acc the value so far.
type Fold struct {
	Init *Program
	Step *Program
}

// ProcessResult is the value of an sh or exec step.
type ProcessResult struct {
	Stdout string `expr:"stdout" json:"stdout"`
	Stderr string `expr:"stderr" json:"stderr"`
	Code   int    `expr:"code" json:"code"`
}

// ErrorValue is a failure as data: what expressions see as error (in
// callbacks.error, retry.when and fallback, and in the errors list), and
// the one JSON shape of a failure, in JSON lines, in the report and in an
// output of errors. Positions are 1-based; 0 and "" mean unknown.
type ErrorValue struct {
	Kind       string      `expr:"kind" json:"kind" enum:"expr,assert,exit,timeout,panic,fail,data,cancelled,init,callback,source,output,interrupted,limit,max_failures,cluster" doc:"the error kind (spec.md §7)"`
	Message    string      `expr:"message" json:"message"`
	Headline   string      `expr:"headline" json:"headline" doc:"the first line of the failure as poolflow prints it"`
	Stage      string      `expr:"stage" json:"stage"`
	Step       string      `expr:"step" json:"step" doc:"the step's name or step N; empty for a whole stage"`
	Item       any         `expr:"item" json:"-"`
	ItemText   *string     `expr:"-" json:"item" doc:"the item as text, at most 200 characters; null when the failure is not about an item"`
	Index      int         `expr:"index" json:"index" doc:"the item's index; -1 when none"`
	Worker     int         `expr:"worker" json:"worker" doc:"-1 when none"`
	Attempt    int         `expr:"attempt" json:"attempt" doc:"the attempt that failed, from 1; 0 when none"`
	Attempts   int         `expr:"attempts" json:"attempts" doc:"attempts allowed in all"`
	Policy     string      `expr:"policy" json:"policy" doc:"what the policy did, such as retry, then skip; empty when it decided nothing"`
	Position   string      `expr:"position" json:"position" doc:"FILE:LINE:COL of the failing expression or step, or empty"`
	File       string      `expr:"file" json:"file"`
	Line       int         `expr:"line" json:"line"`
	Column     int         `expr:"column" json:"column"`
	EndLine    int         `expr:"end_line" json:"end_line"`
	EndColumn  int         `expr:"end_column" json:"end_column"`
	Causes     []string    `expr:"causes" json:"causes" doc:"the messages of the wrapped causes that add to message"`
	Expression string      `expr:"expression" json:"expression" doc:"the failing sub-expression, when it is more than a name"`
	Values     []NamedText `expr:"values" json:"values" doc:"the variables the failing expression read, as text"`
	Command    []string    `expr:"command" json:"command" doc:"the command as run: its argv; empty for other steps"`
	Code       int         `expr:"code" json:"code" doc:"the exit status of an sh or exec step (128+N for signal N, -1 when it did not start); 0 otherwise"`
	Stderr     string      `expr:"stderr" json:"stderr" doc:"the last 20 lines of its standard error"`
	Stack      []string    `expr:"stack" json:"stack" doc:"a panic's Go frames, each function (file:line)"`
	Notes      []NoteValue `expr:"notes" json:"notes" doc:"secondary failures, each with its own position"`
	Cell       *CellValue  `expr:"cell" json:"cell" doc:"kind data: the cell of the table that does not fit; null otherwise"`
	Injected   bool        `expr:"injected" json:"injected" doc:"the failure was made by run --inject: the attempt ran no step"`
}

// CellValue is where in a table's file a data error is.
type CellValue struct {
	File   string `expr:"file" json:"file" doc:"the table's file, as the pipeline named it"`
	Line   int    `expr:"line" json:"line" doc:"the line its record starts on, from 1"`
	Column int    `expr:"column" json:"column" doc:"the field's number, from 1; 0 when the problem is the whole row"`
	Name   string `expr:"name" json:"name" doc:"the column's name; empty when the problem is not one column's"`
	Text   string `expr:"text" json:"text" doc:"the cell's text"`
	Row    string `expr:"row" json:"row" doc:"the record as read, at most 200 characters"`
}

// NamedText is a variable and its value, as text.
type NamedText struct {
	Name  string `expr:"name" json:"name"`
	Value string `expr:"value" json:"value"`
}

// NoteValue is a secondary failure: a retry.when or a fallback that failed,
// the failure budget that was passed.
type NoteValue struct {
	Message   string `expr:"message" json:"message"`
	Position  string `expr:"position" json:"position"`
	File      string `expr:"file" json:"file"`
	Line      int    `expr:"line" json:"line"`
	Column    int    `expr:"column" json:"column"`
	EndLine   int    `expr:"end_line" json:"end_line"`
	EndColumn int    `expr:"end_column" json:"end_column"`
}

// Stats is what expressions see as stats in callbacks.done and output.
type Stats struct {
	Total     int           `expr:"total" json:"total"`         // items that finished, one way or another
	OK        int           `expr:"ok" json:"ok"`               // succeeded
	Skipped   int           `expr:"skipped" json:"skipped"`     // failed for good under skip
	Retried   int           `expr:"retried" json:"retried"`     // needed more than one attempt
	Fallbacks int           `expr:"fallbacks" json:"fallbacks"` // skipped items whose result is the fallback
	Elapsed   time.Duration `expr:"elapsed" json:"elapsed"`     // wall time of the map stage
}

// NewInitWorker returns the value of the worker variable in worker id's
// initializer, where only worker.id exists yet.
func (p *Plan) NewInitWorker(id int) any {
	return initWorker{ID: id}
}

// initWorker is the worker variable during the initializer; its one field
// has the index the checker gave worker.id there.
type initWorker struct {
	ID int `expr:"id" json:"id"`
}

// NewWorker returns the value of the worker variable for worker id, with
// the initializer's named step values; a missing or nil value stays zero.
// A value whose type differs from the one the checker inferred is an error.
func (p *Plan) NewWorker(id int, values map[string]any) (any, error) {
	v := reflect.New(p.WorkerType).Elem()
	v.Field(0).SetInt(int64(id))
	for i := 1; i < v.NumField(); i++ {
		name := p.WorkerType.Field(i).Tag.Get("expr")
		x, ok := values[name]
		if !ok || x == nil {
			continue
		}
		rv := reflect.ValueOf(x)
		if !rv.Type().AssignableTo(v.Field(i).Type()) {
			return nil, fmt.Errorf("initializer step %q gave a value of type %s, but its expression has type %s", name, rv.Type(), v.Field(i).Type())
		}
		v.Field(i).Set(rv)
	}
	return v.Interface(), nil
}
