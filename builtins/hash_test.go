package builtins

import "testing"

func TestSHA256(t *testing.T) {
	runCases(t, "sha256", []callCase{
		{name: "empty", args: []any{""}, want: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{name: "abc", args: []any{"abc"}, want: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{name: "not a string", args: []any{nil}, err: "sha256: argument 1 is <nil>, want string"},
	})
}
