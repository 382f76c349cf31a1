package dsl

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"reflect"
	goruntime "runtime"
	"sort"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/poolflow/poolflow/table"
)

// Options are what Compile needs from outside the file.
type Options struct {
	// Functions are the functions expressions may call, as expr options
	// (the builtins package provides them, with expr.WithContext).
	Functions []expr.Option
	// Params are --param overrides: name to a value written as YAML.
	Params map[string]string
	// Workers overrides the file's workers when above 0 (--workers).
	Workers int
	// Workdir overrides the folder relative paths resolve against.
	Workdir string
	// Items, when set, replaces the file's items with the lines of this
	// file, or of standard input for "-" (--items); ItemsNull splits them
	// at NUL bytes instead of line breaks (--null).
	Items     string
	ItemsNull bool
	// LookupEnv reads the secrets' environment variables; nil uses
	// os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// LookPath finds programs for the exec warning; nil uses exec.LookPath.
	LookPath func(string) (string, error)
	// Inject are the --inject specs (spec.md §6.11); their diagnostics
	// are in the file InjectFlagFile, at line N for the Nth spec.
	Inject []string
	// InjectAt, when set, places the characters of each Inject spec in
	// the pipeline file (a test's inject list); nil for --inject.
	InjectAt []func(offset int) Pos
	// TestItems, when not nil, replaces the pipeline's items with this
	// list (a test's items).
	TestItems []any
	// Stubs replace map steps by their result (a test's stubs), by step
	// name.
	Stubs []StubNode
	// CaptureOutput writes the output as JSON to standard output, whatever
	// output.to and format say, so that a test reads it back.
	CaptureOutput bool
}

// compiler turns a validated Pipeline into a Plan.
type compiler struct {
	p           *Pipeline
	opts        Options
	diags       Diagnostics
	functions   map[string]bool
	used        map[string]bool // "stage:step" names that something reads
	resultType  reflect.Type    // of an item's result, when the checker knows it
	secretsType reflect.Type    // of the secrets variable
	paramsType  reflect.Type    // of the params variable
	schemas     map[string]*table.Schema
	broken      []string     // the text of expressions that do not parse, which may read any name
	base        *conf.Config // expr configuration with the functions, shared by every expression
	exprOpts    []expr.Option
	hints       int // hints that search the names, given so far (hintBudget)
}

// FunctionNames returns the names of every function expressions may call
// with the given options: expr's own builtins and the ones added.
func FunctionNames(functions []expr.Option) []string {
	c := conf.CreateNew()
	for _, op := range functions {
		op(c)
	}
	var names []string
	for name := range c.Functions {
		names = append(names, name)
	}
	for name := range c.Builtins {
		if _, dup := c.Functions[name]; !dup {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

func (c *compiler) functionNames() []string {
	names := make([]string, 0, len(c.functions))
	for n := range c.functions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// hintAllowed reports whether an error may still have a hint that
// searches every visible name or function: the first hintBudget do, far
// more than are shown, so that a file with an undefined name on each of
// 20,000 steps is answered at once.
func (c *compiler) hintAllowed() bool {
	c.hints++
	return c.hints <= hintBudget
}

func (c *compiler) errorf(pos Pos, span int, code, hint, format string, args ...any) {
	c.diags = append(c.diags, Diagnostic{Pos: pos, Span: span, Severity: SeverityError, Code: code,
		Message: fmt.Sprintf(format, args...), Hint: hint})
}

func (c *compiler) warnf(pos Pos, span int, code, hint, format string, args ...any) {
	c.diags = append(c.diags, Diagnostic{Pos: pos, Span: span, Severity: SeverityWarning, Code: code,
		Message: fmt.Sprintf(format, args...), Hint: hint})
}

// Load parses, validates and compiles a pipeline file in one call. The
// Diagnostics hold every problem of every phase, warnings included, sorted;
// the Plan is nil when there is an error among them.
func Load(file string, text []byte, opts Options) (*Plan, Diagnostics) {
	p, err := Parse(file, text)
	var diags Diagnostics
	if err != nil {
		diags = append(diags, err.(Diagnostics)...)
	}
	if p.unread {
		return nil, diags
	}
	diags = append(diags, Validate(p, FunctionNames(opts.Functions))...)
	plan, cerr := Compile(p, opts)
	var cdiags Diagnostics
	if errors.As(cerr, &cdiags) {
		diags = append(diags, cdiags...)
	}
	if plan != nil {
		diags = append(diags, plan.Warnings...)
	}
	diags = dedupe(diags)
	diags.Sort()
	diags = diags.Capped(MaxDiagnostics)
	if diags.HasErrors() {
		return nil, diags
	}
	plan.Warnings = diags
	return plan, diags
}

// dedupe drops diagnostics that repeat one already listed.
func dedupe(ds Diagnostics) Diagnostics {
	type key struct {
		pos     Pos
		message string
	}
	seen := make(map[key]bool, len(ds))
	var out Diagnostics
	for _, d := range ds {
		key := key{d.Pos, d.Message}
		if !seen[key] {
			seen[key] = true
			out = append(out, d)
		}
	}
	return out
}

// Compile type-checks every expression of p where it stands and builds the
// Plan. It compiles what it can even when some parts are broken, so that
// one call reports every problem; it returns a nil Plan with a Diagnostics
// error when any expression or option is wrong. Warnings are in
// Plan.Warnings.
func Compile(p *Pipeline, opts Options) (*Plan, error) {
	c := &compiler{p: p, opts: opts, used: map[string]bool{}, functions: map[string]bool{}}
	for _, name := range FunctionNames(opts.Functions) {
		c.functions[name] = true
	}
	c.exprOpts = opts.Functions
	plan := c.plan()
	c.diags.Sort()
	if c.diags.HasErrors() {
		return nil, c.diags
	}
	plan.Warnings = c.diags
	return plan, nil
}

func (c *compiler) plan() *Plan {
	p := c.p
	plan := &Plan{Name: p.Name.Value, Description: p.Description.Value, File: p.File, Source: p.Source,
		Order: OrderInput, Timeout: p.Timeout.Value, DrainOnInterrupt: p.OnInterrupt.Value == PolicyDrain}
	if p.Order.Value != "" {
		plan.Order = p.Order.Value
	}
	if c.opts.Workers > MaxWorkers {
		c.errorf(Pos{File: p.File}, 1, "range", maxHint("workers"), "--workers must be at most %d, got %d", MaxWorkers, c.opts.Workers)
	}
	plan.Workers = firstPositive(c.opts.Workers, p.Workers.Value, goruntime.NumCPU())
	plan.Window = firstPositive(p.Window.Value, max(256, 32*plan.Workers))
	plan.Limits = c.limits()
	params := c.params(plan)
	c.paramsType = params
	c.secretsType = c.secrets(plan)
	plan.Schemas = c.compileSchemas()
	c.schemas = plan.Schemas
	plan.Items = c.items(params)
	plan.Dir, plan.DirFrom = c.dir(plan.Items)
	initSteps := c.initializer(plan, params)
	resultType := c.mapStage(plan, params)
	c.resultType = resultType
	c.callbacks(plan, params, resultType)
	plan.Output = c.output(plan, params)
	plan.KeepResults = c.used["reads:results"]
	plan.KeepErrors = c.used["reads:errors"]
	c.unusedNames("initializer", initSteps) // after map: it reads worker.NAME
	c.programsOnPath(plan)
	return plan
}

func firstPositive(values ...int) int {
	for _, v := range values {
		if v > 0 {
			return v
		}
	}
	return 0
}

// dir is the folder relative paths resolve against: --workdir; else the
// current folder when the items come from standard input (they are paths
// as the shell names them); else the pipeline file's folder.
func (c *compiler) dir(items *Items) (string, DirSource) {
	dir, from := c.opts.Workdir, DirOfFlag
	switch {
	case dir != "":
	case items.Stdin || items.FromCLI:
		dir, from = ".", DirOfShell
	default:
		dir, from = filepath.Dir(c.p.File), DirOfFile
	}
	if abs, err := filepath.Abs(dir); err == nil {
		return abs, from
	}
	return dir, from
}

// exprSource is an expression's text together with how to map offsets in
// it back to the file.
type exprSource struct {
	text string
	pos  Pos
	path string
	at   func(offset int) Pos
}

func fromExpr(n *ExprNode) exprSource {
	return exprSource{text: n.Src, pos: n.PosAt(0), path: n.Path, at: n.PosAt}
}

func fromPart(t *TemplateNode, part TemplatePart) exprSource {
	at := func(o int) Pos { return t.PosAt(part.Offset + o) }
	return exprSource{text: part.Expr, pos: at(0), path: t.Path, at: at}
}

// compileExpr checks and compiles one expression; nil when it is wrong.
// With wantBool the expression must give a boolean.
func (c *compiler) compileExpr(src exprSource, sc *scope, wantBool bool) *Program {
	tree, err := parser.Parse(src.text)
	if err != nil {
		c.exprError(src, err, "expr-syntax", "syntax error: ")
		c.broken = append(c.broken, src.text)
		switch {
		case c.commentCutIt(src):
			c.diags[len(c.diags)-1].Hint = "in YAML, ' #' starts a comment, which cut the expression short: quote the whole expression"
		case mapInPredicate(err):
			c.diags[len(c.diags)-1].Hint = "in a predicate, { starts the predicate itself: write a map in parentheses, map(rows, ({a: .x}))"
		}
		return nil
	}
	check := &nameCheck{c: c, sc: sc, src: src}
	check.run(tree.Node)
	if check.failed {
		return nil
	}
	if c.base == nil {
		c.base = newBaseConfig(c.exprOpts)
	}
	opts := append(sc.exprEnv(), expr.Patch(schemaRefs{c.schemas}))
	if wantBool {
		opts = append(opts, expr.AsBool())
	}
	prog, err := compileGuardedFrom(c.base, src.text, opts...)
	if err != nil {
		c.exprError(src, err, "expr", "")
		return nil
	}
	return &Program{Source: src.text, Pos: src.pos, Path: src.path, Calls: sortedKeys(check.calls),
		Vars: sortedKeys(check.vars), prog: prog, at: src.at}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// commentCutIt reports whether a YAML comment follows the expression on
// its last line, the likely reason an unquoted expression with # in it
// does not parse.
func (c *compiler) commentCutIt(src exprSource) bool {
	end := src.at(len([]rune(src.text)))
	line, ok := SourceLine(c.p.Source, end.Line)
	if !ok {
		return false
	}
	r := []rune(line)
	rest := ""
	if end.Col-1 < len(r) {
		rest = strings.TrimSpace(string(r[end.Col-1:]))
	}
	return strings.HasPrefix(rest, "#")
}

// exprError reports an error from expr's parser or checker at the place in
// the file it points to.
func (c *compiler) exprError(src exprSource, err error, code, prefix string) {
	pos, msg := src.pos, err.Error()
	var fe *file.Error
	if errors.As(err, &fe) {
		pos, msg = src.at(fe.From), strings.TrimSpace(fe.Message) // expr ends some messages with a space
	}
	msg, hint := c.rowTypeText(msg)
	c.errorf(pos, 1, code, hint, "%s: %s%s", src.path, prefix, msg)
}

// outType is the type of what a program gives; nil for any.
func outType(p *Program) reflect.Type {
	if p == nil || p.prog == nil || p.prog.Node() == nil {
		return nil
	}
	t := p.prog.Node().Type()
	if t == nil || t.Kind() == reflect.Interface {
		return nil
	}
	return t
}

// template compiles a TemplateNode in scope sc.
func (c *compiler) template(t *TemplateNode, sc *scope) *Template {
	out := &Template{Source: t.Src, Pos: t.PosAt(0)}
	for _, part := range t.Parts {
		if part.Expr == "" {
			out.Parts = append(out.Parts, Part{Lit: part.Lit})
			continue
		}
		out.Parts = append(out.Parts, Part{Expr: c.compileExpr(fromPart(t, part), sc, false)})
	}
	return out
}

// programsOnPath warns about exec steps whose program cannot be found.
func (c *compiler) programsOnPath(plan *Plan) {
	look := c.opts.LookPath
	if look == nil {
		look = exec.LookPath
	}
	for _, st := range plan.Stages() {
		for _, step := range st.Steps {
			if step.Kind != StepExec || len(step.Argv) == 0 || !step.Argv[0].IsLiteral() {
				continue
			}
			prog := step.Argv[0].Literal()
			if filepath.Base(prog) != prog && !filepath.IsAbs(prog) {
				prog = filepath.Join(plan.Dir, prog)
			}
			if _, err := look(prog); err != nil {
				c.missingProgram(step.Argv[0])
			}
		}
	}
}

// missingProgram warns that an exec step's program cannot be found.
func (c *compiler) missingProgram(t *Template) {
	name, span := t.Literal(), len([]rune(t.Source))
	switch {
	case filepath.IsAbs(name):
		c.warnf(t.Pos, span, "not-found", "", "program %q does not exist or cannot be run", name)
	case filepath.Base(name) != name:
		c.warnf(t.Pos, span, "not-found", "relative paths resolve against the pipeline's folder (or --workdir)",
			"program %q not found", name)
	default:
		c.warnf(t.Pos, span, "not-found", "install it, or give its full path", "program %q is not on PATH", name)
	}
}

// Stages lists the compiled stages in the order they run.
func (p *Plan) Stages() []*Stage {
	var out []*Stage
	for _, s := range []*Stage{p.Initializer, p.Map, p.OnResult, p.OnError, p.OnDone} {
		if s != nil {
			out = append(out, s)
		}
	}
	return out
}

// mapInPredicate reports whether a syntax error is expr's answer to a map
// literal written as a predicate's body, map(rows, {a: .x}), where { opens
// the predicate and the key's : is unexpected.
func mapInPredicate(err error) bool {
	return strings.Contains(err.Error(), `unexpected token Operator(":")`)
}
