package main

import (
	"io"
	"os"

	"github.com/fatih/color"
	"github.com/mattn/go-isatty"
	"github.com/poolflow/poolflow/present"
)

// useColor decides colour: always and never say so; auto colours only a
// terminal, and never when NO_COLOR is set.
func useColor(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" { // no-color.org: set and not empty
		return false
	}
	return isTerminal(w)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// styleFor returns the diagnostic style for writing to w.
func styleFor(mode string, w io.Writer) present.Style {
	if !useColor(mode, w) {
		return present.Style{}
	}
	paint := func(attrs ...color.Attribute) func(string) string {
		c := color.New(attrs...)
		c.EnableColor()
		return func(s string) string { return c.Sprint(s) }
	}
	return present.Style{
		Error:    paint(color.FgRed, color.Bold),
		Warning:  paint(color.FgYellow, color.Bold),
		Location: paint(color.Bold),
		Gutter:   paint(color.FgBlue),
		Caret:    paint(color.FgRed, color.Bold),
		Hint:     paint(color.FgCyan),
	}
}
