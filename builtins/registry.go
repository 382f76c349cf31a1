package builtins

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/conf"
)

// ContextVar is the name of the environment variable that carries the
// step's context.Context. Expressions compiled with [Options] need it in
// their environment; expr passes it to every builtin whose first parameter
// is a context.Context.
const ContextVar = "ctx"

// Builtin is one function expressions may call.
type Builtin struct {
	// Name is what expressions call it by.
	Name string
	// Doc is one line for `poolflow builtins`, such as
	// "read_csv(path) -> list of maps: rows of a CSV file with a header row".
	Doc string
	// Signature is the human form, such as
	// "read_csv(path string) []map[string]string".
	Signature string
	// Fn is the raw implementation. When the first parameter of Types is a
	// context.Context, args[0] is that context. Fn does not recover panics;
	// [Options] wraps it so that they become *PanicError.
	Fn func(args ...any) (any, error)
	// Types are the expr type signatures, such as
	// new(func(context.Context, string) []map[string]string); there is at
	// least one, and several are overloads. Their results leave out the
	// error that Fn returns separately.
	Types []any
	// SideEffects is true when calling it changes the world: it writes
	// files, uses the network, sleeps or logs. Dry runs never call these.
	SideEffects bool
	// Validate, when set, checks the argument types of a call and gives
	// its result type in place of Types, as some of expr's own builtins
	// do; Types[0] still says whether the context comes first.
	Validate func(args []reflect.Type) (reflect.Type, error)
}

// registry is every builtin, sorted by name.
var registry = sortByName([]Builtin{
	{
		Name:        "append_file",
		Doc:         "append_file(path, line): append line and a newline to a file, creating it if needed",
		Signature:   "append_file(path string, line string)",
		Fn:          appendFile,
		Types:       []any{new(func(context.Context, string, string) any)},
		SideEffects: true,
	},
	{
		Name:      "basename",
		Doc:       "basename(path) -> string: the last element of a path",
		Signature: "basename(path string) string",
		Fn:        basename,
		Types:     []any{new(func(string) string)},
	},
	{
		Name:      "dirname",
		Doc:       "dirname(path) -> string: a path without its last element",
		Signature: "dirname(path string) string",
		Fn:        dirname,
		Types:     []any{new(func(string) string)},
	},
	{
		Name:      "env",
		Doc:       "env(name[, default]) -> string: an environment variable, or default when it is unset or empty",
		Signature: "env(name string[, default string]) string",
		Fn:        env,
		// Overloads are tried in order, and a call that fits none reports
		// the last one's error, which for env(1) should be about name.
		Types: []any{new(func(string, string) string), new(func(string) string)},
	},
	{
		Name:      "exists",
		Doc:       "exists(path) -> bool: whether a file or directory exists",
		Signature: "exists(path string) bool",
		Fn:        exists,
		Types:     []any{new(func(context.Context, string) bool)},
	},
	{
		Name:      "fail",
		Doc:       "fail(message): fail the item with message",
		Signature: "fail(message string)",
		Fn:        fail,
		Types:     []any{new(func(string) any)},
	},
	{
		Name:      "flatten",
		Doc:       "flatten(list) -> list: the elements of list and of the lists in it, in order, as one list",
		Signature: "flatten(list []any) []any",
		Fn:        asExpr(flatten),
		Types:     []any{new(func(context.Context, any) []any)},
		Validate:  flattenTypes,
	},
	{
		Name:      "join",
		Doc:       "join(list[, sep]) -> string: the strings of a list, with sep between them",
		Signature: "join(list []string[, sep string]) string",
		Fn:        asExpr(join),
		Types:     withContext("join"),
	},
	{
		Name:      "repeat",
		Doc:       "repeat(s, n) -> string: s written n times",
		Signature: "repeat(s string, n int) string",
		Fn:        asExpr(repeat),
		Types:     withContext("repeat"),
	},
	{
		Name:      "replace",
		Doc:       "replace(s, old, new[, n]) -> string: s with the first n (or every) old replaced by new",
		Signature: "replace(s string, old string, new string[, n int]) string",
		Fn:        asExpr(replace),
		Types:     withContext("replace"),
	},
	{
		Name:      "split",
		Doc:       "split(s, sep[, n]) -> list of strings: s cut at each sep, into at most n parts",
		Signature: "split(s string, sep string[, n int]) []string",
		Fn:        asExpr(split),
		Types:     withContext("split"),
	},
	{
		Name:      "splitAfter",
		Doc:       "splitAfter(s, sep[, n]) -> list of strings: as split, each part keeping its sep",
		Signature: "splitAfter(s string, sep string[, n int]) []string",
		Fn:        asExpr(splitAfter),
		Types:     withContext("splitAfter"),
	},
	{
		Name:      "string",
		Doc:       "string(v) -> string: v as text, as Go's %v writes it",
		Signature: "string(v any) string",
		Fn:        asExpr(stringOf),
		Types:     withContext("string"),
	},
	{
		Name:      "toJSON",
		Doc:       "toJSON(v) -> string: v as JSON, indented by two spaces",
		Signature: "toJSON(v any) string",
		Fn:        asExpr(toJSON),
		Types:     withContext("toJSON"),
	},
	{
		Name:      "glob",
		Doc:       "glob(pattern) -> list of strings: sorted paths matching a pattern such as \"data/*.csv\"",
		Signature: "glob(pattern string) []string",
		Fn:        glob,
		Types:     []any{new(func(context.Context, string) []string)},
	},
	{
		Name:        "http_get",
		Doc:         "http_get(url) -> response: GET url; the result has status, body and headers",
		Signature:   "http_get(url string) {status int, body string, headers map[string]string}",
		Fn:          httpGet,
		Types:       []any{new(func(context.Context, string) HTTPResponse)},
		SideEffects: true,
	},
	{
		Name:        "log",
		Doc:         "log(values...): write the values to the log as one line",
		Signature:   "log(values ...any)",
		Fn:          logFn,
		Types:       []any{new(func(context.Context, ...any) any)},
		SideEffects: true,
	},
	{
		Name:      "put",
		Doc:       "put(map, key, value) -> map: a copy of map with key set to value, for a fold's counts per group",
		Signature: "put(m map[string]any, key string, value any) map[string]any",
		Fn:        put,
		Types:     []any{new(func(context.Context, map[string]any, string, any) map[string]any)},
	},
	{
		Name:      "read_csv",
		Doc:       "read_csv(path[, schema]) -> list of rows: rows of a CSV file with a header row, checked and typed by a schema of schemas:",
		Signature: "read_csv(path string[, schema name]) []row",
		Fn:        readCSV,
		// Variadic, so that the compiler takes the schema's row as one
		// more argument; Validate checks the arguments and gives the type.
		Types:    []any{new(func(context.Context, string, ...any) []any)},
		Validate: readCSVTypes,
	},
	{
		Name:      "read_file",
		Doc:       "read_file(path) -> string: the contents of a file",
		Signature: "read_file(path string) string",
		Fn:        readFile,
		Types:     []any{new(func(context.Context, string) string)},
	},
	{
		Name:      "read_json",
		Doc:       "read_json(path) -> any: the JSON value in a file",
		Signature: "read_json(path string) any",
		Fn:        readJSON,
		Types:     []any{new(func(context.Context, string) any)},
	},
	{
		Name:      "read_lines",
		Doc:       "read_lines(path) -> list of strings: the lines of a file",
		Signature: "read_lines(path string) []string",
		Fn:        readLines,
		Types:     []any{new(func(context.Context, string) []string)},
	},
	{
		Name:      "sha256",
		Doc:       "sha256(text) -> string: the SHA-256 digest of text in hex",
		Signature: "sha256(text string) string",
		Fn:        sha256Hex,
		Types:     []any{new(func(string) string)},
	},
	{
		Name:        "sleep",
		Doc:         "sleep(d): wait for a duration such as \"10ms\" or duration(\"1s\")",
		Signature:   "sleep(d string or duration)",
		Fn:          sleep,
		Types:       []any{new(func(context.Context, string) any), new(func(context.Context, time.Duration) any)},
		SideEffects: true,
	},
	{
		Name:      "uniq",
		Doc:       "uniq(list) -> list: the list without repeated values, first occurrences in order",
		Signature: "uniq(list []any) []any",
		Fn:        uniq,
		Types:     []any{new(func(any) []any)},
	},
	{
		Name:        "write_file",
		Doc:         "write_file(path, text): replace a file's contents atomically; its directory must exist",
		Signature:   "write_file(path string, text string)",
		Fn:          writeFile,
		Types:       []any{new(func(context.Context, string, string) any)},
		SideEffects: true,
	},
})

// byName indexes registry.
var byName = indexByName(registry)

func sortByName(bs []Builtin) []Builtin {
	slices.SortFunc(bs, func(a, b Builtin) int { return strings.Compare(a.Name, b.Name) })
	return bs
}

func indexByName(bs []Builtin) map[string]Builtin {
	m := make(map[string]Builtin, len(bs))
	for _, b := range bs {
		m[b.Name] = b
	}
	return m
}

// All returns every builtin, sorted by name. The slice is a copy; callers
// may change it.
func All() []Builtin {
	return slices.Clone(registry)
}

// Lookup returns the builtin called name.
func Lookup(name string) (Builtin, bool) {
	b, ok := byName[name]
	return b, ok
}

// Options returns the expr options that make every builtin callable: one
// expr.Function per builtin, each turning a panic into a *PanicError, and
// expr.WithContext(ContextVar). The environment must declare ContextVar as
// a context.Context.
func Options() []expr.Option {
	return options(registry)
}

// options returns the expr options for bs.
func options(bs []Builtin) []expr.Option {
	opts := make([]expr.Option, 0, len(bs)+1)
	for _, b := range bs {
		opts = append(opts, function(b))
	}
	return append(opts, expr.WithContext(ContextVar))
}

// function is the expr option that makes b callable.
func function(b Builtin) expr.Option {
	add := expr.Function(b.Name, Guard(b.Name, b.Fn), b.Types...)
	if b.Validate == nil {
		return add
	}
	return func(c *conf.Config) {
		add(c)
		c.Functions[b.Name].Validate = b.Validate
	}
}
