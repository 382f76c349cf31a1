package runtime

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/vm"
	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/dsl"
	"github.com/poolflow/poolflow/table"
)

// evaluator runs compiled programs for one goroutine. It owns its VM and its
// environment map, which it reuses from one evaluation to the next so that
// an item costs no new map: the compiled programs are shared, these are not.
// Its guard stops an evaluation when the context builtins see is done, or
// when it passes limits.memory.
type evaluator struct {
	vm    vm.VM
	env   map[string]any
	guard *guard
}

func newEvaluator(plan *dsl.Plan) *evaluator {
	g := newGuard(plan.Limits.Memory)
	e := &evaluator{guard: g, env: map[string]any{"params": plan.Params, "secrets": plan.SecretsValue,
		dsl.GuardVar: dsl.Guard(g.check), dsl.RangerVar: dsl.Ranger(g.rangeOf)}}
	e.vm.MemoryBudget = g.elements()
	return e
}

func (e *evaluator) run(p *dsl.Program) (any, error) {
	e.guard.enter(e.env)
	v, err := p.Run(&e.vm, e.env)
	if err != nil {
		return nil, explainRows(e.guard.explain(err))
	}
	return v, nil
}

// rowsExplained is an expression's error whose message names a table row
// type as people know it, not as Go writes it.
type rowsExplained struct {
	msg string
	err error
}

func (e *rowsExplained) Error() string { return e.msg }
func (e *rowsExplained) Unwrap() error { return e.err }

// explainRows rewrites the message of an error that shows a row's Go type.
func explainRows(err error) error {
	if msg, ok := table.Explain(MessageOf(err)); ok {
		return &rowsExplained{msg: msg, err: err}
	}
	return err
}

// runPart evaluates a template's ${} part, and asks the guard for the bytes
// its value takes as text: a list holding one long string a thousand times
// is small, its text is not.
func (e *evaluator) runPart(p *dsl.Program) (any, error) {
	v, err := e.run(p)
	if err == nil {
		err = builtins.AllowText(e.guard.ctx, v)
	}
	if err != nil {
		return nil, &partError{prog: p, err: err}
	}
	return v, nil
}

// render fills a template. With shell, every interpolated value is quoted
// for the shell context its ${} stands in (dsl.Part.Quote), so that
// /bin/sh reads exactly the value.
func (e *evaluator) render(t *dsl.Template, shell bool) (string, error) {
	if len(t.Parts) == 1 && t.Parts[0].Expr == nil {
		return t.Parts[0].Lit, nil
	}
	var b strings.Builder
	for _, part := range t.Parts {
		if part.Expr == nil {
			b.WriteString(part.Lit)
			continue
		}
		v, err := e.runPart(part.Expr)
		if err != nil {
			return "", err
		}
		if shell {
			b.WriteString(shellWords(v, part.Quote))
		} else {
			b.WriteString(text(v))
		}
	}
	return b.String(), nil
}

// renderArgs fills an exec argument list. An argument that is exactly one
// ${...} giving a list becomes one argument per element.
func (e *evaluator) renderArgs(ts []*dsl.Template) ([]string, error) {
	args := make([]string, 0, len(ts))
	for _, t := range ts {
		if len(t.Parts) == 1 && t.Parts[0].Expr != nil {
			v, err := e.runPart(t.Parts[0].Expr)
			if err != nil {
				return nil, err
			}
			if list, ok := asList(v); ok {
				for _, el := range list {
					args = append(args, text(el))
				}
				continue
			}
			args = append(args, text(v))
			continue
		}
		s, err := e.render(t, false)
		if err != nil {
			return nil, err
		}
		args = append(args, s)
	}
	return args, nil
}

// partError is the failure of a template's ${} expression; it remembers
// which, for the position.
type partError struct {
	prog *dsl.Program
	err  error
}

func (e *partError) Error() string { return e.err.Error() }
func (e *partError) Unwrap() error { return e.err }

// asList returns the elements of a slice or array value.
func asList(v any) ([]any, bool) {
	if l, ok := v.([]any); ok {
		return l, true
	}
	rv := reflect.ValueOf(v)
	if v == nil || (rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array) || rv.Type().Elem().Kind() == reflect.Uint8 {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

// text is how a value reads when interpolated: strings as they are, numbers
// and booleans as Go prints them, nil as nothing, anything else as JSON.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case fmt.Stringer:
		return x.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// jsonish shows a value for people: strings quoted, the rest as text.
func jsonish(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	if v == nil {
		return "nil"
	}
	return text(v)
}

// shellWords quotes a value for /bin/sh where its ${} stands. Outside
// quotes it is one quoted word, a list its elements quoted one by one and
// separated by spaces. Inside '...' or "..." it is escaped for those quotes,
// a list its elements joined by spaces, so that it stays one word.
func shellWords(v any, q dsl.ShellQuoting) string {
	list, isList := asList(v)
	if !isList {
		list = []any{v}
	}
	words := make([]string, len(list))
	for i, el := range list {
		words[i] = text(el)
		if q == dsl.ShellWord {
			words[i] = shellQuote(words[i])
		}
	}
	s := strings.Join(words, " ")
	switch q {
	case dsl.ShellSingle:
		return strings.ReplaceAll(s, "'", `'\''`)
	case dsl.ShellDouble:
		return doubleQuoteEscaper.Replace(s)
	}
	return s
}

// doubleQuoteEscaper escapes the four characters that keep a meaning
// inside double quotes.
var doubleQuoteEscaper = strings.NewReplacer(`\`, `\\`, `$`, `\$`, "`", "\\`", `"`, `\"`)

// shellQuote makes s one word for /bin/sh, whatever it holds.
func shellQuote(s string) string { return ShellQuote(s) }

// ShellQuote makes s one word for /bin/sh, whatever it holds: as it is
// when it needs no quoting, else in single quotes.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
