package present

// Style colours the parts of rendered text. Each field may be nil, which
// leaves that part plain; the zero Style renders plain text. The CLI fills
// it from github.com/fatih/color; this package never decides colour.
type Style struct {
	Error    func(string) string // the word "error"
	Warning  func(string) string // the word "warning"
	Location func(string) string // FILE:LINE:COL
	Gutter   func(string) string // line numbers and the bar
	Caret    func(string) string // ^^^ under the source
	Hint     func(string) string // "= hint:" lines
}

func paint(f func(string) string, s string) string {
	if f == nil {
		return s
	}
	return f(s)
}
