package present

import (
	"encoding/json"
	"io"
	"slices"
	"strings"

	"github.com/poolflow/poolflow/dsl"
)

// Mask is what a secret's value is written as.
const Mask = "***"

// Redactor writes *** in place of every secret's value in what poolflow
// prints (spec.md §9.7): the value as it is, and as JSON writes it inside
// a string. The zero Redactor, or one of no secrets, changes nothing. It is
// safe for concurrent use.
type Redactor struct {
	r *strings.Replacer
}

// NewRedactor masks the values of the plan's secrets.
func NewRedactor(secrets []dsl.Secret) *Redactor {
	var values []string
	for _, s := range secrets {
		if s.Value == "" {
			continue
		}
		values = append(values, s.Value)
		if b, err := json.Marshal(s.Value); err == nil {
			if esc := string(b[1 : len(b)-1]); esc != s.Value {
				values = append(values, esc)
			}
		}
	}
	if len(values) == 0 {
		return &Redactor{}
	}
	// Longer first, so that a secret that holds another is masked whole.
	slices.SortFunc(values, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(values))
	for _, v := range values {
		pairs = append(pairs, v, Mask)
	}
	return &Redactor{r: strings.NewReplacer(pairs...)}
}

// String masks the secrets in s.
func (r *Redactor) String(s string) string {
	if r == nil || r.r == nil {
		return s
	}
	return r.r.Replace(s)
}

// Writer masks the secrets in what is written to w. Each Write must hold
// whole texts (poolflow writes whole lines), as a value cut between two
// writes would not be found.
func (r *Redactor) Writer(w io.Writer) io.Writer {
	if r == nil || r.r == nil {
		return w
	}
	return redactingWriter{r, w}
}

type redactingWriter struct {
	r *Redactor
	w io.Writer
}

func (rw redactingWriter) Write(p []byte) (int, error) {
	if _, err := rw.r.r.WriteString(rw.w, string(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}
