package dsl

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/poolflow/poolflow/table"
	"gopkg.in/yaml.v3"
)

// coerceParam reads an override written as YAML so that it has the type of
// the default: text for a string default, a number for a float default; a
// parameter without a default takes what YAML gives.
func coerceParam(def any, raw string) (any, error) {
	if _, ok := def.(string); ok {
		return raw, nil
	}
	var v any
	if err := yaml.Unmarshal([]byte(raw), &v); err != nil {
		return nil, fmt.Errorf("not a YAML value: %w", err)
	}
	v = normalizeYAML(v)
	if i, ok := v.(int); ok {
		if _, isFloat := def.(float64); isFloat {
			v = float64(i)
		}
	}
	if def == nil || reflect.TypeOf(v) == reflect.TypeOf(def) {
		return v, nil
	}
	return nil, fmt.Errorf("want %s like the default %v", typeWord(def), def)
}

// typeWord names a YAML value's type for people.
func typeWord(v any) string {
	switch v.(type) {
	case int:
		return "an integer"
	case float64:
		return "a number"
	case bool:
		return "true or false"
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return "a string"
}

// items compiles the item source and works out the type of item.
func (c *compiler) items(params reflect.Type) *Items {
	if path := c.opts.Items; path != "" {
		lit := &Template{Source: path, Parts: []Part{{Lit: path}}, Pos: c.p.Items.Pos}
		return &Items{Kind: ItemsLines, Pos: c.p.Items.Pos, Path: lit, Stdin: path == StdinPath, FromCLI: true,
			Null: c.opts.ItemsNull, ElemType: stringType}
	}
	n := &c.p.Items
	if c.opts.TestItems != nil {
		return &Items{Kind: ItemsList, Pos: n.Pos, List: c.opts.TestItems}
	}
	it := &Items{Kind: n.Kind, Pos: n.Pos, List: n.List}
	sc := c.stageScope("items", params, nil)
	sc.where = "items"
	switch n.Kind {
	case ItemsExpr:
		if n.Expr.Src != "" {
			it.Expr = c.compileExpr(fromExpr(&n.Expr), sc, false)
			it.ElemType = c.listElem(it.Expr)
		}
	case ItemsRange:
		if len(n.Range) == 3 {
			copy(it.Range[:], n.Range)
		}
		it.ElemType = intType
	case ItemsLines, ItemsGlob:
		it.Path, it.ElemType = c.template(&n.Path, sc), stringType
		it.Stdin = n.Kind == ItemsLines && it.Path.IsLiteral() && it.Path.Literal() == StdinPath
		it.Null = n.Null
	case ItemsCSV:
		it.Path, it.Schema = c.template(&n.Path, sc), c.itemsSchema(n)
		if it.Schema != nil {
			it.ElemType = table.RowType(it.Schema)
		}
	case ItemsJSONL:
		it.Path = c.template(&n.Path, sc)
	}
	return it
}

// listElem is the element type of what an items expression gives; an
// expression that surely gives no list is an error.
func (c *compiler) listElem(p *Program) reflect.Type {
	t := outType(p)
	switch {
	case p == nil || t == nil:
		return nil
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		if e := t.Elem(); e.Kind() != reflect.Interface {
			return e
		}
		return nil
	}
	c.errorf(p.Pos, 1, "type", "items must be a list; a single item goes in [ ]", "items: expression gives %s, not a list", t)
	return nil
}

// initializer compiles the initializer and builds the worker type from its
// named steps. It returns the stage's named steps for the unused-name check.
func (c *compiler) initializer(plan *Plan, params reflect.Type) []namedType {
	fields := []reflect.StructField{{Name: "ID", Type: intType, Tag: `expr:"id" json:"id"`}}
	defer func() { plan.WorkerType = reflect.StructOf(fields) }()
	n := c.p.Initializer
	if n == nil {
		return nil
	}
	idOnly := reflect.StructOf(fields)
	sc := c.stageScope("initializer", params, map[string]reflect.Type{"worker": idOnly, "attempt": intType})
	st, after, named := c.stage("initializer", n, sc)
	st.Policy = c.policy(&n.OnError, after)
	plan.Initializer = st
	for i, nt := range named {
		t := nt.t
		if t == nil {
			t = interfaceType
		}
		fields = append(fields, reflect.StructField{Name: fmt.Sprintf("S%d", i), Type: t,
			Tag: reflect.StructTag(fmt.Sprintf(`expr:%q json:%q`, nt.name, nt.name))})
	}
	return named
}

// mapStage compiles the map stage and returns the type of an item's result.
func (c *compiler) mapStage(plan *Plan, params reflect.Type) reflect.Type {
	n := c.p.Map
	if n == nil {
		return nil
	}
	worker := reflect.StructOf(c.workerFields(plan))
	sc := c.stageScope("map", params, map[string]reflect.Type{
		"item": plan.Items.ElemType, "index": intType, "attempt": intType, "worker": worker})
	st, after, named := c.stage("map", &n.StageNode, sc)
	st.Policy = c.policy(&n.OnError, after)
	plan.Map = st
	c.stubs(st)
	c.injections(plan, params)
	c.resumeKeys(st, n, sc)
	var resultType reflect.Type
	if n.Result.Src != "" {
		rsc := *after
		rsc.where = "map.result"
		st.Result = c.compileExpr(fromExpr(&n.Result), &rsc, false)
		resultType = outType(st.Result)
	} else if len(st.Steps) > 0 {
		last := st.Steps[len(st.Steps)-1]
		if last.Name != "" {
			c.used["map:"+last.Name] = true
		}
		resultType = stepType(last)
	}
	c.unusedNames("map", named)
	return resultType
}

// workerFields are the worker type's fields, built by initializer first.
func (c *compiler) workerFields(plan *Plan) []reflect.StructField {
	t := plan.WorkerType
	if t == nil {
		return []reflect.StructField{{Name: "ID", Type: intType, Tag: `expr:"id" json:"id"`}}
	}
	fields := make([]reflect.StructField, t.NumField())
	for i := range fields {
		fields[i] = t.Field(i)
	}
	return fields
}

// stepType is the type of a step's value.
func stepType(s *Step) reflect.Type {
	switch s.Kind {
	case StepSh, StepExec:
		return processType
	case StepAssert:
		return reflect.TypeOf(true)
	}
	return outType(s.Expr)
}

// callbacks compiles the three callbacks.
func (c *compiler) callbacks(plan *Plan, params, resultType reflect.Type) {
	cb := c.p.Callbacks
	itemType := plan.Items.ElemType
	plan.OnResult = c.callback("callbacks.result", cb.Result, params, map[string]reflect.Type{
		"item": itemType, "index": intType, "result": resultType})
	plan.OnError = c.callback("callbacks.error", cb.Error, params, map[string]reflect.Type{
		"item": itemType, "index": intType, "error": errorValueType})
	plan.OnDone = c.callback("callbacks.done", cb.Done, params, endVars())
}

// endVars are the variables of callbacks.done and output.
func endVars() map[string]reflect.Type {
	return map[string]reflect.Type{"results": resultsType, "errors": errorsType, "stats": statsType}
}

func (c *compiler) callback(name string, n *StageNode, params reflect.Type, vars map[string]reflect.Type) *Stage {
	if n == nil {
		return nil
	}
	sc := c.stageScope(name, params, vars)
	st, after, named := c.stage(name, n, sc)
	st.Policy = c.policy(&n.OnError, after)
	c.unusedNames(name, named)
	if name == "callbacks.done" {
		c.noteReads(sc)
	}
	return st
}

// output compiles the output section.
func (c *compiler) output(plan *Plan, params reflect.Type) *Output {
	n := c.p.Output
	if n == nil {
		return nil
	}
	o := &Output{Pos: n.Pos, To: &Template{Source: "-", Parts: []Part{{Lit: "-"}}}, WriteDrained: n.OnDrain.Value == DrainWrite}
	defer c.capture(o)
	sc := c.stageScope("output", params, endVars())
	sc.where = "output"
	if n.Fold != nil {
		o.Fold = c.fold(n.Fold, plan, params)
		sc = sc.with("acc", anyType)
	}
	if n.Value.Src != "" {
		o.Value = c.compileExpr(fromExpr(&n.Value), sc, false)
	}
	c.outputRows(n, o, plan, params)
	if n.To.Set {
		o.To = c.template(&n.To, c.toScope(o, sc, params))
	}
	path, known := c.loadTimeText(o.To, plan.Params)
	o.Format = outputFormat(n, path)
	for _, col := range n.Columns.Values {
		o.Columns = append(o.Columns, col.Value)
	}
	c.checkColumns(n, o.Format, known)
	c.checkCSVRows(n, o)
	c.checkRowsForm(n, o)
	if o.Value == nil && o.Rows == nil && o.Fold == nil {
		c.used["reads:results"] = true
	}
	c.noteReads(sc)
	return o
}

// toScope is the scope of output.to: the output's, or with rows, which
// opens the file when the run starts, params alone.
func (c *compiler) toScope(o *Output, sc *scope, params reflect.Type) *scope {
	if o.Rows == nil && !c.p.Output.Rows.Set {
		return sc
	}
	ts := c.stageScope("output", params, nil)
	ts.where = "output.to with rows (opened when the run starts)"
	return ts
}

// outputRows compiles rows and unique: the rows appended as each result
// is delivered, and how repeated ones are told.
func (c *compiler) outputRows(n *OutputNode, o *Output, plan *Plan, params reflect.Type) {
	if !n.Rows.Set {
		if n.Unique.Set {
			c.errorf(n.Unique.KeyPos, len("unique"), "output", "add rows: the expression giving each result's rows",
				"output: unique applies only to rows")
		}
		return
	}
	o.RowsPos = n.Rows.Pos
	sc := c.stageScope("output.rows", params, map[string]reflect.Type{
		"result": c.resultType, "item": plan.Items.ElemType, "index": intType})
	sc.where = "output.rows"
	o.Rows = c.compileExpr(fromExpr(&n.Rows), sc, false)
	elem := rowElem(outType(o.Rows))
	if l, ok := table.LayoutOf(elem); ok {
		o.Header = l
	}
	o.Unique = n.Unique.Whole
	if n.Unique.Key.Src != "" {
		ksc := c.stageScope("output.unique", params, map[string]reflect.Type{"row": elem})
		ksc.where = "output.unique"
		o.UniqueKey = c.compileExpr(fromExpr(&n.Unique.Key), ksc, false)
		o.Unique = true
	}
}

// rowElem is the type of one row of what rows gives: the element of a
// list, or the value itself.
func rowElem(t reflect.Type) reflect.Type {
	if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		if e := t.Elem(); e.Kind() != reflect.Interface {
			return e
		}
		return nil
	}
	return t
}

// checkRowsForm: rows says what to write, as value does, and fold is an
// aggregate written by value; only one of them.
func (c *compiler) checkRowsForm(n *OutputNode, o *Output) {
	if !n.Rows.Set {
		return
	}
	switch {
	case n.Value.Set:
		c.errorf(n.Rows.KeyPos, len("rows"), "output", "keep rows, to write rows as results arrive, or value, to write one value at the end",
			"output: rows and value both say what to write")
	case n.Fold != nil:
		c.errorf(n.Fold.KeyPos, len("fold"), "output", "a fold's value is written by value; rows writes rows as results arrive",
			"output: fold goes with value, not with rows")
	}
	t := rowElem(outType(o.Rows))
	if o.Format != "csv" || t == nil {
		return
	}
	if _, row := table.LayoutOf(t); row || t.Kind() == reflect.Map || t.Kind() == reflect.Struct {
		return
	}
	c.errorf(n.Rows.Pos, len([]rune(n.Rows.Src)), "output", "give rows a row (a table row or a map) or a list of rows",
		"output: csv writes rows, but rows gives %s", TypeText(outType(o.Rows)))
}

// fold compiles a running aggregate: init sees params; step sees acc and
// the delivered result, item and index.
func (c *compiler) fold(n *FoldNode, plan *Plan, params reflect.Type) *Fold {
	isc := c.stageScope("output.fold.init", params, nil)
	isc.where = "output.fold.init"
	ssc := c.stageScope("output.fold.step", params, map[string]reflect.Type{
		"acc": anyType, "result": c.resultType, "item": plan.Items.ElemType, "index": intType})
	ssc.where = "output.fold.step"
	return &Fold{Init: c.compileExpr(fromExpr(&n.Init), isc, false), Step: c.compileExpr(fromExpr(&n.Step), ssc, false)}
}

// loadTimeText is the text of a template when loading can know it: a
// literal, or ${} parts that read only params and call nothing (so that
// to: "${params.out}" has the extension of the parameter's value, after
// --param). known is false when it depends on the run.
func (c *compiler) loadTimeText(t *Template, params any) (text string, known bool) {
	var b strings.Builder
	for _, part := range t.Parts {
		if part.Expr == nil {
			b.WriteString(part.Lit)
			continue
		}
		if len(part.Expr.Calls) > 0 || !slices.Equal(part.Expr.Vars, []string{"params"}) {
			return t.Source, false
		}
		v, err := part.Expr.Run(nil, map[string]any{"params": params, contextVar: context.Background()})
		if err != nil {
			return t.Source, false
		}
		fmt.Fprint(&b, v)
	}
	return b.String(), true
}

// checkCSVRows catches a CSV output that can only fail, before any work
// runs: results written as rows when each result is itself a list of
// rows (a read_csv step), which needs flatten.
func (c *compiler) checkCSVRows(n *OutputNode, o *Output) {
	t := c.resultType
	rows := n.Rows.Set || n.Fold != nil
	readsResults := (o.Value == nil && !rows) || (o.Value != nil && strings.TrimSpace(o.Value.Source) == "results")
	if o.Format != "csv" || !readsResults || t == nil || (t.Kind() != reflect.Slice && t.Kind() != reflect.Array) {
		return
	}
	pos, span := n.KeyPos, len("output")
	if n.Value.Set {
		pos, span = n.Value.Pos, len("results")
	}
	c.errorf(pos, span, "output", "write value: flatten(results), to write the rows of every result",
		"output: csv writes one row per result, but each result is a list (%s), not a row", TypeText(t))
}

// checkColumns: columns go with format csv only. When to's extension is
// known only at the end of the run, the format must be given.
func (c *compiler) checkColumns(n *OutputNode, format string, toKnown bool) {
	if !n.Columns.Set || format == "csv" {
		return
	}
	if !n.Format.Set && !toKnown {
		c.errorf(n.Columns.KeyPos, len("columns"), "output", "add format: csv",
			"output: columns applies only to format csv, and the extension of to is known only when the run ends")
		return
	}
	c.errorf(n.Columns.KeyPos, len("columns"), "output", "set format: csv, or remove columns",
		"output: columns applies only to format csv")
}

// noteReads records whether an end-of-run scope reads results or errors,
// which the run then keeps for it; otherwise it keeps neither, so memory
// does not grow with the number of items.
func (c *compiler) noteReads(sc *scope) {
	for _, name := range []string{"results", "errors"} {
		if sc.reads[name] {
			c.used["reads:"+name] = true
		}
	}
}

// unusedNames warns about the named steps of stage st that nothing reads.
func (c *compiler) unusedNames(st string, named []namedType) {
	names := make(map[string]bool, len(named))
	for _, nt := range named {
		names[nt.name] = true
	}
	for _, s := range c.p.stages() {
		if s.name != st {
			continue
		}
		for _, step := range s.node.Steps.List {
			if name := step.Name.Value; names[name] && !c.used[st+":"+name] && !c.mayRead(name) {
				c.warnf(step.Name.Pos, len(name), "unused", "remove the name, or use it in a later step, result or policy",
					"%s: step name %q is never used", st, name)
			}
		}
	}
}

// mayRead reports whether an expression that does not parse names name as
// a word: it may read it, and saying the name is never used would be
// wrong (the syntax error is what to fix).
func (c *compiler) mayRead(name string) bool {
	word := regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`)
	for _, text := range c.broken {
		if word.MatchString(text) {
			return true
		}
	}
	return false
}

// resumeKeys compiles map.key and map.depends, which see the item, its
// index and params, as the item is before it runs.
func (c *compiler) resumeKeys(st *Stage, n *MapNode, sc *scope) {
	ksc := c.stageScope("map", c.paramsType, map[string]reflect.Type{"item": sc.vars["item"], "index": intType})
	ksc.where = "map.key"
	if n.Key.Src != "" {
		st.Key = c.compileExpr(fromExpr(&n.Key), ksc, false)
	}
	ksc.where = "map.depends"
	for i := range n.Depends.Args {
		st.Depends = append(st.Depends, c.template(&n.Depends.Args[i], ksc))
	}
}
