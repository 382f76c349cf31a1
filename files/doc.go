// Package files is poolflow's one way to touch the user's files: where a
// relative path resolves, how a file is replaced atomically, and how a
// pattern is globbed. The runtime (output, reports, item sources) and the
// builtins (write_file, glob, read_*) both use it, so that the same path
// means the same file and a written file gets the same mode whoever writes
// it.
//
// It imports only the standard library.
package files
