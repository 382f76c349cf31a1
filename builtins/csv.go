package builtins

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"reflect"

	"github.com/poolflow/poolflow/table"
)

// readCSV implements read_csv(path[, schema]): the rows of a CSV file with
// a header row, read by package table's one codec. With a schema (which
// the compiler passes as a zero row of its type in place of its name), a
// list of rows of that type, each cell checked and typed; without one, a
// list of rows of the header's own type, every cell a string. An empty
// file gives an empty list, or with a schema an error. A cell that does
// not fit is a *table.DataError, whose message is the failure's.
func readCSV(args ...any) (any, error) {
	ctx, rest, err := ctxArgs("read_csv", args, len(args)-1)
	if err != nil {
		return nil, err
	}
	if len(rest) < 1 || len(rest) > 2 {
		return nil, fmt.Errorf("read_csv: want 1 or 2 arguments, got %d", len(rest))
	}
	p, ok := rest[0].(string)
	if !ok {
		return nil, fmt.Errorf("read_csv: path must be a string, got %T", rest[0])
	}
	schema, err := schemaArg(rest[1:])
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(ScopeFrom(ctx).readPath(p))
	if err != nil {
		return nil, fileError("read_csv", ScopeFrom(ctx).Dir, p, err)
	}
	return decodeCSV(ctx, p, data, schema)
}

// decodeCSV reads the rows of data, after asking the budget for what they
// will take: the text, which string cells share, and a row per line.
func decodeCSV(ctx context.Context, name string, data []byte, schema *table.Schema) (any, error) {
	lines := bytes.Count(data, []byte{'\n'}) + 1
	r, err := table.NewTextReader(name, string(data), schema)
	if err != nil {
		return nil, err
	}
	rowSize := int64(elemSize)
	if l := r.Layout(); l != nil {
		rowSize += int64(l.Type.Size())
	}
	if err := allow(ctx, int64(len(data))+product(int64(lines), rowSize)); err != nil {
		return nil, err
	}
	return r.ReadAll(ctx, lines)
}

// schemaArg is the schema of read_csv's optional second argument: a zero
// row of the schema's type.
func schemaArg(rest []any) (*table.Schema, error) {
	if len(rest) == 0 {
		return nil, nil
	}
	l, ok := table.LayoutOf(reflect.TypeOf(rest[0]))
	if !ok || l.Schema.Name == "" {
		return nil, fmt.Errorf("read_csv: the schema must be the name of a schema of schemas:, written as a string")
	}
	return l.Schema, nil
}

// readCSVTypes gives a read_csv call its type: a list of rows of the
// schema's type, or without a schema a list whose rows the checker does
// not know.
func readCSVTypes(args []reflect.Type) (reflect.Type, error) {
	if len(args) > 0 {
		args = args[1:] // the context
	}
	if len(args) < 1 || len(args) > 2 {
		return nil, fmt.Errorf("read_csv: want a path and, optionally, a schema's name; got %d arguments", len(args))
	}
	if k := args[0].Kind(); k != reflect.String && k != reflect.Interface {
		return nil, fmt.Errorf("read_csv: the path must be a string, got %s", args[0])
	}
	if len(args) == 1 {
		return reflect.TypeOf([]any{}), nil
	}
	if l, ok := table.LayoutOf(args[1]); ok && l.Schema.Name != "" {
		return reflect.SliceOf(l.Type), nil
	}
	return nil, fmt.Errorf("read_csv: the schema must be the name of a schema of schemas:, written as a string")
}
