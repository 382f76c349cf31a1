package dsl

import "strings"

// ShellQuoting says how the value of a ${} part of an sh template is
// quoted: for the shell context the ${} stands in, so that /bin/sh gets
// exactly the value, whatever it holds (spec.md §2.2). The zero value is
// ShellWord.
type ShellQuoting uint8

const (
	// ShellWord is a ${} outside any quotes: the value becomes one
	// single-quoted word (a list, one word per element).
	ShellWord ShellQuoting = iota
	// ShellSingle is a ${} inside '...': each ' of the value is written '\''.
	ShellSingle
	// ShellDouble is a ${} inside "...": \, $, ` and " of the value are
	// backslash-escaped (a list, its elements joined by spaces).
	ShellDouble
)

func (q ShellQuoting) String() string {
	return [...]string{"word", "single", "double"}[q]
}

// shellProblem is a ${} part standing where no quoting is safe.
type shellProblem struct {
	part   int          // index of the part in the template
	kind   problemKind  // what it stands in
	region int          // rune offset where that starts (or the scan stopped), or -1
	lost   *shellLostAt // for problemLost: what the scanner could not follow
}

// problemKind names the contexts in which a ${} cannot be quoted.
type problemKind uint8

const (
	problemComment problemKind = iota
	problemHeredoc
	problemHeredocWord
	problemBackquote
	problemDollarSingle
	problemParam
	problemArith
	problemBackslash
	problemLost
)

// shellLostAt is shell syntax the scanner does not follow: after it, no
// ${} can be given a context.
type shellLostAt struct {
	offset int
	what   string // "case inside $( )", for the message
	hint   string
}

// shellUnit is one rune of an sh template's literal text, at its rune
// offset in the template's source, or a ${} part (part ≥ 0).
type shellUnit struct {
	r    rune
	off  int
	part int
}

// frameKind is a shell context the scanner can be in.
type frameKind uint8

const (
	frameTop          frameKind = iota // the command line itself, unquoted
	frameSubst                         // $( ... ): a fresh unquoted context
	frameDouble                        // "..."
	frameSingle                        // '...'
	frameDollarSingle                  // $'...'
	frameBackquote                     // `...`
	frameParam                         // ${NAME...}, written $${ in a template
	frameArith                         // $(( ... )), (( ... )), $[ ... ]
	frameComment                       // # to the end of the line
)

type frame struct {
	kind  frameKind
	start int // rune offset where it starts
	depth int // open brackets, in frameSubst and frameArith
	open  rune
	close rune // the bracket frameArith ends with: ) or ]
}

// heredoc is a here-document whose body starts at the next line.
type heredoc struct {
	delim     string
	stripTabs bool // <<-
	start     int
}

// shellScanner follows the quoting of an sh template's literal text, the
// way /bin/sh reads it, to find the context of each ${} part. It
// understands quotes, backslashes, $( ), backquotes, $'...', ${NAME...},
// $(( )), comments and here-documents; on anything else that could change
// how the text after it is read it stops, and a ${} after that point is a
// problem.
type shellScanner struct {
	units     []shellUnit
	i         int
	stack     []frame
	pending   []heredoc
	wordStart bool // in an unquoted context, the next rune starts a word
	stopped   bool
	lost      *shellLostAt
	quoting   []ShellQuoting
	problems  []shellProblem
}

// scanShell gives the quoting of each of nparts parts of the template made
// of units, and the parts that stand where none is safe.
func scanShell(units []shellUnit, nparts int) ([]ShellQuoting, []shellProblem) {
	s := &shellScanner{units: units, stack: []frame{{kind: frameTop}}, wordStart: true,
		quoting: make([]ShellQuoting, nparts)}
	for s.i < len(s.units) && !s.stopped {
		s.step()
	}
	if s.lost != nil {
		for _, u := range s.units[s.i:] {
			if u.part >= 0 {
				s.problems = append(s.problems, shellProblem{part: u.part, kind: problemLost, region: s.lost.offset, lost: s.lost})
				break
			}
		}
	}
	return s.quoting, s.problems
}

func (s *shellScanner) top() *frame { return &s.stack[len(s.stack)-1] }

func (s *shellScanner) push(kind frameKind, width, depth int) {
	s.stack = append(s.stack, frame{kind: kind, start: s.units[s.i].off, depth: depth, open: '(', close: ')'})
	s.i += width
	s.wordStart = kind == frameSubst
}

func (s *shellScanner) pop() {
	s.stack = s.stack[:len(s.stack)-1]
	s.i++
	s.wordStart = false
}

// partRune is what peek gives for a ${} part.
const partRune = -1

// peek returns the rune k units ahead, partRune for a part, 0 past the end.
func (s *shellScanner) peek(k int) rune {
	if s.i+k >= len(s.units) {
		return 0
	}
	if u := s.units[s.i+k]; u.part < 0 {
		return u.r
	}
	return partRune
}

// lose stops the scan at syntax it does not follow.
func (s *shellScanner) lose(what, hint string) {
	at := s.units[min(s.i, len(s.units)-1)].off
	s.lost = &shellLostAt{offset: at, what: what, hint: hint}
	s.stopped = true
}

func (s *shellScanner) problem(part int, kind problemKind, region int) {
	s.problems = append(s.problems, shellProblem{part: part, kind: kind, region: region})
}

func (s *shellScanner) step() {
	u := s.units[s.i]
	f := s.top()
	if u.part >= 0 {
		s.part(u.part, f)
		s.i++
		return
	}
	switch f.kind {
	case frameTop, frameSubst:
		s.unquoted(u.r, f)
	case frameDouble:
		s.double(u.r)
	case frameSingle:
		s.closeOn(u.r, '\'')
	case frameDollarSingle:
		s.dollarSingle(u.r)
	case frameBackquote:
		s.backquote(u.r)
	case frameParam:
		s.param(u.r)
	case frameArith:
		s.arith(u.r, f)
	case frameComment:
		if u.r == '\n' {
			s.stack = s.stack[:len(s.stack)-1] // the newline ends the command too
			return
		}
		s.i++
	}
}

// part records the context of a ${} part, or the problem with it.
func (s *shellScanner) part(i int, f *frame) {
	switch f.kind {
	case frameTop, frameSubst:
		s.quoting[i] = ShellWord
		s.wordStart = false
	case frameDouble:
		s.quoting[i] = ShellDouble
	case frameSingle:
		s.quoting[i] = ShellSingle
	default:
		s.problem(i, map[frameKind]problemKind{frameComment: problemComment, frameBackquote: problemBackquote,
			frameDollarSingle: problemDollarSingle, frameParam: problemParam, frameArith: problemArith}[f.kind], f.start)
	}
}

// unquoted reads one rune outside quotes.
func (s *shellScanner) unquoted(r rune, f *frame) {
	switch {
	case r == '\\':
		s.backslash()
		s.wordStart = false
	case r == '\'':
		s.push(frameSingle, 1, 0)
	case r == '"':
		s.push(frameDouble, 1, 0)
	case r == '`':
		s.push(frameBackquote, 1, 0)
	case r == '$':
		s.dollar(true)
	case r == '#' && s.wordStart:
		s.push(frameComment, 1, 0)
	case r == '<' && s.peek(1) == '<' && s.peek(2) != '<':
		s.heredocOperator()
	case r == '\n':
		s.newline()
	case r == '(' && s.peek(1) == '(' && s.wordStart: // bash's (( )) evaluates what it holds
		s.push(frameArith, 2, 2)
	case r == '(' || r == ')':
		s.paren(r, f)
	case strings.ContainsRune(" \t;&|<>", r):
		s.i++
		s.wordStart = true
	case s.wordStart && f.kind == frameSubst && s.isWord("case"):
		s.lose("case inside $( )", "its patterns' ) would end the $( ): move the case into a function, or out of the $( )")
	default:
		s.i++
		s.wordStart = false
	}
}

// paren counts parentheses in $( ), where the one that balances the
// opening ends it; at the top level they group commands or end case
// patterns, which changes no quoting.
func (s *shellScanner) paren(r rune, f *frame) {
	if f.kind == frameSubst {
		if r == '(' {
			f.depth++
		} else if f.depth--; f.depth == 0 {
			s.pop()
			return
		}
	}
	s.i++
	s.wordStart = true
}

// isWord reports whether the units at i spell word, followed by a blank,
// a line break or the end.
func (s *shellScanner) isWord(word string) bool {
	k := 0
	for _, w := range word {
		if s.peek(k) != w {
			return false
		}
		k++
	}
	next := s.peek(k)
	return next == 0 || next == ' ' || next == '\t' || next == '\n'
}

// backslash skips a backslash and the rune it escapes. A backslash before
// a ${} would escape the first character of the quoted value.
func (s *shellScanner) backslash() {
	if s.peek(1) == partRune {
		s.problem(s.units[s.i+1].part, problemBackslash, -1)
	}
	s.i = min(s.i+2, len(s.units))
}

// dollar reads a $ and what it starts: $( ), $(( )), bash's $[ ],
// ${NAME...}, and, outside double quotes, $'...' and $"...".
func (s *shellScanner) dollar(unquoted bool) {
	switch next := s.peek(1); {
	case next == '(' && s.peek(2) == '(':
		s.push(frameArith, 3, 2)
	case next == '[':
		s.push(frameArith, 2, 1)
		f := s.top()
		f.open, f.close = '[', ']'
	case next == '(':
		s.push(frameSubst, 2, 1)
	case next == '{':
		s.push(frameParam, 2, 0)
	case next == '\'' && unquoted:
		s.push(frameDollarSingle, 2, 0)
	case next == '"' && unquoted:
		s.push(frameDouble, 2, 0)
	default:
		s.i++
		s.wordStart = false
	}
}

// double reads one rune inside double quotes.
func (s *shellScanner) double(r rune) {
	switch r {
	case '"':
		s.pop()
	case '\\':
		s.backslash()
	case '`':
		s.push(frameBackquote, 1, 0)
	case '$':
		s.dollar(false)
	default:
		s.i++
	}
}

// closeOn leaves the frame at the rune end.
func (s *shellScanner) closeOn(r, end rune) {
	if r == end {
		s.pop()
		return
	}
	s.i++
}

// dollarSingle reads one rune inside $'...'. Shells differ on a backslash
// there (bash reads \' as a quote, dash as the end), so it stops the scan.
func (s *shellScanner) dollarSingle(r rune) {
	if r == '\\' {
		s.lose("a backslash inside $'...'", "shells read $'...' differently: write '...' or \"...\" instead")
		return
	}
	s.closeOn(r, '\'')
}

// backquote reads one rune inside `...`, where quotes nest in ways shells
// do not agree on.
func (s *shellScanner) backquote(r rune) {
	switch r {
	case '\\':
		if s.peek(1) == partRune {
			s.problem(s.units[s.i+1].part, problemBackquote, s.top().start)
		}
		s.i = min(s.i+2, len(s.units))
	case '\'', '"':
		s.lose("quotes inside backquotes", "write $( ) instead of backquotes")
	default:
		s.closeOn(r, '`')
	}
}

// param reads one rune inside ${NAME...}; only a plain one is followed.
func (s *shellScanner) param(r rune) {
	switch {
	case strings.ContainsRune("'\"`\\{", r) || (r == '$' && strings.ContainsRune("({", s.peek(1))):
		s.lose("quotes, braces or a substitution inside ${...}",
			`keep ${...} plain: assign what it needs to a variable first, v="${ item }", and write "$${NAME:-$v}"`)
	default:
		s.closeOn(r, '}')
	}
}

// arith reads one rune of shell arithmetic, where the shell evaluates
// what a value holds, quoted or not.
func (s *shellScanner) arith(r rune, f *frame) {
	switch r {
	case f.open:
		f.depth++
	case f.close:
		if f.depth--; f.depth == 0 {
			s.pop()
			return
		}
	case '\'', '"', '`', '\\':
		s.lose("quotes inside shell arithmetic", "take the quotes out of the arithmetic")
		return
	}
	s.i++
}

// newline ends a command line; the bodies of its here-documents follow.
func (s *shellScanner) newline() {
	s.i++
	s.wordStart = true
	for _, h := range s.pending {
		s.heredocBody(h)
	}
	s.pending = nil
}

// heredocOperator reads << or <<- and the delimiter word after it. The
// body starts at the next line; a ${} in the delimiter would let the value
// decide where it ends.
func (s *shellScanner) heredocOperator() {
	h := heredoc{start: s.units[s.i].off, stripTabs: s.peek(2) == '-'}
	s.i += 2
	if h.stripTabs {
		s.i++
	}
	for s.peek(0) == ' ' || s.peek(0) == '\t' {
		s.i++
	}
	delim, ok := s.heredocWord()
	if !ok {
		return
	}
	h.delim = delim
	s.pending = append(s.pending, h)
	s.wordStart = false
}

// heredocWord reads a here-document's delimiter, quotes removed.
func (s *shellScanner) heredocWord() (string, bool) {
	var b strings.Builder
	quoted := false
	for {
		switch r := s.peek(0); {
		case r == partRune:
			s.problem(s.units[s.i].part, problemHeredocWord, -1)
			s.stopped = true
			return "", false
		case r == '\'' || r == '"':
			quoted = true
			end := s.i + 1
			for end < len(s.units) && s.units[end].part < 0 && s.units[end].r != r {
				b.WriteRune(s.units[end].r)
				end++
			}
			if end == len(s.units) || s.units[end].part >= 0 {
				s.lose("a here-document's delimiter in quotes", "write the delimiter plainly, such as <<'EOF'")
				return "", false
			}
			s.i = end + 1
		case r == '\\' && s.peek(1) > 0:
			quoted = true
			b.WriteRune(s.peek(1))
			s.i += 2
		case r == 0 || strings.ContainsRune(" \t\n;&|<>()", r):
			if b.Len() == 0 && !quoted {
				s.lose("<< without a delimiter", "write the delimiter after <<, such as <<'EOF'")
				return "", false
			}
			return b.String(), true
		default:
			b.WriteRune(r)
			s.i++
		}
	}
}

// heredocBody skips the lines of a here-document up to and including its
// delimiter line. No ${} may stand in it: the shell expands what the body
// holds, and a value's line could end it.
func (s *shellScanner) heredocBody(h heredoc) {
	for s.i < len(s.units) {
		var line strings.Builder
		plain := true
		for ; s.i < len(s.units) && s.peek(0) != '\n'; s.i++ {
			if u := s.units[s.i]; u.part >= 0 {
				s.problem(u.part, problemHeredoc, h.start)
				plain = false
			} else {
				line.WriteRune(u.r)
			}
		}
		s.i = min(s.i+1, len(s.units)) // the line break
		text := line.String()
		if h.stripTabs {
			text = strings.TrimLeft(text, "\t")
		}
		if plain && text == h.delim {
			return
		}
	}
}

// shellUnits lays out a template's parts as the scanner reads them: the
// literal runes, each at its offset in the template's source ($${ stands
// for the two runes ${), and one unit per ${} part.
func shellUnits(parts []TemplatePart, src string) []shellUnit {
	text := []rune(src)
	var units []shellUnit
	for i, p := range parts {
		if p.Expr != "" {
			units = append(units, shellUnit{off: p.Offset - 2, part: i})
			continue
		}
		k := p.Offset
		for _, r := range p.Lit {
			if r == '{' && k+1 < len(text) && text[k] == '$' && text[k+1] == '{' {
				k++ // $${ is written for ${: skip its second $
			}
			units = append(units, shellUnit{r: r, off: k, part: -1})
			k++
		}
	}
	return units
}
