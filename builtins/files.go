package builtins

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// readFile implements read_file(path): the whole file as a string.
func readFile(args ...any) (any, error) {
	ctx, p, err := ctxString("read_file", args)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(ScopeFrom(ctx).readPath(p))
	if err != nil {
		return nil, fileError("read_file", ScopeFrom(ctx).Dir, p, err)
	}
	return string(b), nil
}

// readLines implements read_lines(path): the file's lines without their
// "\n" or "\r\n" endings.
func readLines(args ...any) (any, error) {
	ctx, p, err := ctxString("read_lines", args)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(ScopeFrom(ctx).readPath(p))
	if err != nil {
		return nil, fileError("read_lines", ScopeFrom(ctx).Dir, p, err)
	}
	return splitLines(string(b)), nil
}

// splitLines splits text into lines. A final newline ends the last line
// rather than starting an empty one, and "" has no lines.
func splitLines(text string) []string {
	text = strings.TrimSuffix(text, "\n")
	if text == "" {
		return []string{}
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// exists implements exists(path): whether anything is at path.
func exists(args ...any) (any, error) {
	ctx, p, err := ctxString("exists", args)
	if err != nil {
		return nil, err
	}
	_, err = os.Stat(ScopeFrom(ctx).readPath(p))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return nil, fileError("exists", ScopeFrom(ctx).Dir, p, err)
}

// basename implements basename(path): the last element of path.
func basename(args ...any) (any, error) {
	p, err := oneString("basename", args)
	if err != nil {
		return nil, err
	}
	return filepath.Base(p), nil
}

// dirname implements dirname(path): all but the last element of path.
func dirname(args ...any) (any, error) {
	p, err := oneString("dirname", args)
	if err != nil {
		return nil, err
	}
	return filepath.Dir(p), nil
}
