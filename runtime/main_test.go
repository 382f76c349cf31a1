package runtime

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when any test leaves a goroutine behind,
// including after an abort or a timeout.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
