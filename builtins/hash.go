package builtins

import (
	"crypto/sha256"
	"encoding/hex"
)

// sha256Hex implements sha256(text): the SHA-256 digest of text as
// lower-case hex.
func sha256Hex(args ...any) (any, error) {
	text, err := oneString("sha256", args)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:]), nil
}
