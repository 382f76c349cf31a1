package dsl

import (
	"errors"
	"unicode"

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
// goroutine; a nil v allocates a fresh VM. When env[GuardVar] holds a
// Guard, every closure body's value passes through it, and when
// env[RangerVar] holds a Ranger, it builds every range (see Guard).
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

// Failing returns where in the file an error from Run points, as a range
// (the token expr located, or the start of the program), and the part of
// Source that failed when it says more than that token. The part is
// widened by syntax alone: a call or index takes its brackets and the name
// before them, so that a failure at read_file shows read_file(item) and
// one at [ shows item[1].
func (p *Program) Failing(err error) (at Range, sub string) {
	var fe *file.Error
	if !errors.As(err, &fe) || p.at == nil {
		return At(p.Pos), ""
	}
	r := []rune(p.Source)
	from, to := min(max(fe.From, 0), len(r)), min(max(fe.To, 0), len(r))
	if to <= from {
		return At(p.at(from)), ""
	}
	at = Range{From: p.at(from), To: p.at(to - 1)}
	wideFrom, wideTo := widen(r, from, to)
	if wideTo-wideFrom > to-from && wideTo-wideFrom < len(r) {
		sub = string(r[wideFrom:wideTo])
	}
	return at, sub
}

// widen grows the token r[from:to] to the call or index expression it
// belongs to.
func widen(r []rune, from, to int) (int, int) {
	if to-from == 1 && (r[from] == '[' || r[from] == '(') {
		to = from // the bracket itself: take it with what it closes
	}
	if (r[from] == '[' || r[from] == '(' || r[from] == '.') && from > 0 && isNamePart(r[from-1]) {
		for from > 0 && (isNamePart(r[from-1]) || r[from-1] == '.') {
			from--
		}
	}
	if to < len(r) && (r[to] == '(' || r[to] == '[') {
		if end := closing(r, to); end > to {
			to = end + 1
		}
	}
	return from, to
}

func isNamePart(c rune) bool {
	return c == '_' || unicode.IsLetter(c) || unicode.IsDigit(c)
}

// closing returns the index of the bracket that closes r[open], counting
// brackets of that kind only and skipping string literals, or -1.
func closing(r []rune, open int) int {
	pairs := map[rune]rune{'(': ')', '[': ']', '{': '}'}
	opener, closer := r[open], pairs[r[open]]
	depth := 0
	var quote rune
	for i := open; i < len(r); i++ {
		c := r[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case c == opener:
			depth++
		case c == closer:
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
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
	// Quote is, in an sh template, how the value is quoted for the shell
	// context the ${} stands in; other templates do not quote.
	Quote ShellQuoting
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
