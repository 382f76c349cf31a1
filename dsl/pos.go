package dsl

import (
	"strconv"
)

// Pos is a position in a pipeline file. Line and Col are 1-based and count
// characters, not bytes; the zero Pos means "unknown".
type Pos struct {
	File string
	Line int
	Col  int
}

// IsValid reports whether p points somewhere.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String formats p as FILE:LINE:COL, the form editors and compilers use.
func (p Pos) String() string {
	if !p.IsValid() {
		return p.File
	}
	return p.File + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
}

// Before reports whether p comes before q in the same file.
func (p Pos) Before(q Pos) bool {
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Col < q.Col
}

// Range is a stretch of a pipeline file: From is its first character, To
// its last. A zero To means only From is known: one character.
type Range struct {
	From, To Pos
}

// At is the range of one character at p.
func At(p Pos) Range { return Range{From: p} }

// Over is the range of n characters from p on one line.
func Over(p Pos, n int) Range {
	if n <= 1 || !p.IsValid() {
		return At(p)
	}
	return Range{From: p, To: Pos{File: p.File, Line: p.Line, Col: p.Col + n - 1}}
}

// Width is how many characters of From's line the range covers: to To
// when it is on that line, else one.
func (r Range) Width() int {
	if !r.To.IsValid() || r.To.Line != r.From.Line || r.To.Col < r.From.Col {
		return 1
	}
	return r.To.Col - r.From.Col + 1
}

// End is the range's last character: To, or From when To is not known.
func (r Range) End() Pos {
	if r.To.IsValid() {
		return r.To
	}
	return r.From
}
