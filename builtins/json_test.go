package builtins

import "testing"

func TestReadJSON(t *testing.T) {
	runCases(t, "read_json", []callCase{
		{name: "object", files: map[string]string{"a.json": `{"n": 3, "f": 2.5, "s": "x", "l": [1, 2.0, null, true]}`},
			args: []any{"a.json"},
			want: map[string]any{"n": 3, "f": 2.5, "s": "x", "l": []any{1, 2, nil, true}}},
		{name: "big integer", files: map[string]string{"a.json": `9007199254740993`}, args: []any{"a.json"},
			want: 9007199254740993},
		{name: "huge number", files: map[string]string{"a.json": `1e300`}, args: []any{"a.json"}, want: 1e300},
		{name: "string", files: map[string]string{"a.json": ` "x" ` + "\n"}, args: []any{"a.json"}, want: "x"},
		{name: "syntax error", files: map[string]string{"a.json": "{\n  \"a\": 1,\n  }"}, args: []any{"a.json"},
			err: "read_json: a.json:3:3: invalid character '}' looking for beginning of object key string"},
		{name: "trailing value", files: map[string]string{"a.json": "{}\n {}"}, args: []any{"a.json"},
			err: "read_json: a.json:2:2: unexpected data after the JSON value"},
		{name: "truncated", files: map[string]string{"a.json": `{"a": [1,`}, args: []any{"a.json"},
			err: `read_json: "a.json": unexpected end of JSON input`},
		{name: "empty", files: map[string]string{"a.json": " \n"}, args: []any{"a.json"},
			err: `read_json: "a.json": no JSON value in file`},
		{name: "missing", args: []any{"a.json"}, err: `read_json: "a.json": no such file or directory (looked for $DIR/a.json)`},
	})
}
