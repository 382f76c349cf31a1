package dsl

import (
	"errors"

	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

// Program is one compiled expression. It is immutable and safe to share;
// Run needs a vm.VM owned by the calling goroutine.
type Program struct {
	Source string   // the expression as written
	Pos    Pos      // where Source starts in the file
	Path   string   // where it stands in the pipeline: map.steps[0].expr
	Calls  []string // functions it calls, for dry runs to judge side effects
	Vars   []string // variables it reads, for error reports to show
	prog   *vm.Program
	at     func(offset int) Pos
}

// Run evaluates the program with env. v may be reused between calls by one
// goroutine; a nil v allocates a fresh VM.
func (p *Program) Run(v *vm.VM, env map[string]any) (any, error) {
	if v == nil {
		v = &vm.VM{}
	}
	return v.Run(p.prog, env)
}

// ErrorPos returns where in the file an error from Run points: the failing
// sub-expression when expr located it, else the start of the program.
func (p *Program) ErrorPos(err error) Pos {
	var fe *file.Error
	if errors.As(err, &fe) && p.at != nil {
		return p.at(fe.From)
	}
	return p.Pos
}

// Failing returns the part of Source an error from Run points at, when it
// is smaller than the whole, and how many characters of the file to
// underline for it.
func (p *Program) Failing(err error) (sub string, span int) {
	var fe *file.Error
	if !errors.As(err, &fe) || p.at == nil {
		return "", 1
	}
	r := []rune(p.Source)
	from, to := min(max(fe.From, 0), len(r)), min(max(fe.To, 0), len(r))
	if to <= from {
		return "", 1
	}
	if a, b := p.at(from), p.at(to-1); a.Line == b.Line {
		span = b.Col - a.Col + 1
	}
	if s := string(r[from:to]); s != p.Source {
		sub = s
	}
	return sub, max(span, 1)
}

// PosAt returns the file position of the rune at offset in Source.
func (p *Program) PosAt(offset int) Pos {
	if p.at == nil {
		return p.Pos
	}
	return p.at(offset)
}

// Template is a compiled string with ${ expression } interpolations.
type Template struct {
	Source string
	Pos    Pos
	Parts  []Part
}

// Part is literal text or an expression to interpolate.
type Part struct {
	Lit  string
	Expr *Program // nil for literal text
}

// IsLiteral reports whether the template interpolates nothing.
func (t *Template) IsLiteral() bool {
	for _, p := range t.Parts {
		if p.Expr != nil {
			return false
		}
	}
	return true
}

// Literal returns the template's text when it interpolates nothing.
func (t *Template) Literal() string {
	s := ""
	for _, p := range t.Parts {
		s += p.Lit
	}
	return s
}

// Calls lists the functions the template's expressions call.
func (t *Template) Calls() []string {
	var out []string
	for _, p := range t.Parts {
		if p.Expr != nil {
			out = append(out, p.Expr.Calls...)
		}
	}
	return out
}
