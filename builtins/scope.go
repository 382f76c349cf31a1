package builtins

import (
	"context"
	"net/http"
	"os"
	"sync"

	"github.com/poolflow/poolflow/files"
)

// Scope is what the runtime tells builtins about the call site. It travels
// in the context given to builtins; see [WithScope]. A Scope may be shared
// by concurrent calls but must not be changed once it is attached to a
// context that builtins may see. The zero Scope resolves paths against the
// working directory and logs to stderr as item 0; outside an item, set
// Index to -1.
type Scope struct {
	// Dir is the directory relative paths resolve against; "" means the
	// process working directory.
	Dir string
	// Log receives each line written by log(); nil writes the line and a
	// newline to os.Stderr, one whole line at a time.
	Log func(line string)
	// Index is the item index log() puts in front of its lines; -1 when the
	// call is not made for an item (an initializer or a done callback).
	Index int
	// HTTP is the client http_get uses; nil means a package default client.
	HTTP *http.Client
	// Warn receives what a builtin finds worth saying but not an error,
	// such as a glob that matched nothing; nil drops it.
	Warn func(message string)
	// Read hears each path a builtin reads (resolved), so that a run can
	// tell what an item depended on; nil drops them.
	Read func(path string)
}

// readPath resolves p for reading and tells Read.
func (s *Scope) readPath(p string) string {
	path := s.Path(p)
	if s.Read != nil {
		s.Read(path)
	}
	return path
}

// warn sends message to s.Warn, if any.
func (s *Scope) warn(message string) {
	if s.Warn != nil {
		s.Warn(message)
	}
}

type scopeKey struct{}

// defaultHTTP is the client http_get uses when the Scope names none. It has
// no timeout of its own: the step's context bounds each request.
var defaultHTTP = &http.Client{}

// stderrMu keeps lines written by concurrent log() calls whole.
var stderrMu sync.Mutex

// WithScope returns a copy of ctx carrying s.
func WithScope(ctx context.Context, s *Scope) context.Context {
	return context.WithValue(ctx, scopeKey{}, s)
}

// ScopeFrom returns the Scope carried by ctx. It never returns nil: without
// one, or with a nil ctx, it returns a fresh default Scope (Dir "", Index -1).
func ScopeFrom(ctx context.Context) *Scope {
	if ctx != nil {
		if s, ok := ctx.Value(scopeKey{}).(*Scope); ok && s != nil {
			return s
		}
	}
	return &Scope{Index: -1}
}

// Path resolves p against s.Dir, unless p is absolute or s.Dir is "".
func (s *Scope) Path(p string) string {
	if s == nil {
		return p
	}
	return files.Resolve(s.Dir, p)
}

// client returns the HTTP client to use for this scope.
func (s *Scope) client() *http.Client {
	if s.HTTP != nil {
		return s.HTTP
	}
	return defaultHTTP
}

// logLine sends line to s.Log, or to os.Stderr when s.Log is nil.
func (s *Scope) logLine(line string) {
	if s.Log != nil {
		s.Log(line)
		return
	}
	stderrMu.Lock()
	defer stderrMu.Unlock()
	os.Stderr.WriteString(line + "\n")
}
