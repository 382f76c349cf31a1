package runtime

import (
	"context"
	"errors"

	"github.com/poolflow/poolflow/builtins"
	"github.com/poolflow/poolflow/table"
)

// Kind classifies a failure; spec.md §7 lists them.
type Kind string

// Error kinds.
const (
	KindExpr        Kind = "expr"
	KindAssert      Kind = "assert"
	KindExit        Kind = "exit"
	KindTimeout     Kind = "timeout"
	KindPanic       Kind = "panic"
	KindFail        Kind = "fail"
	KindData        Kind = "data"
	KindCancelled   Kind = "cancelled"
	KindInit        Kind = "init"
	KindCallback    Kind = "callback"
	KindSource      Kind = "source"
	KindOutput      Kind = "output"
	KindInterrupted Kind = "interrupted"
	KindLimit       Kind = "limit"
	KindMaxFailures Kind = "max_failures"
	KindCluster     Kind = "cluster"
)

// Kinds lists every kind, in spec.md §7's order.
var Kinds = []Kind{KindExpr, KindAssert, KindExit, KindTimeout, KindPanic, KindFail, KindData, KindCancelled, KindInit,
	KindCallback, KindSource, KindOutput, KindInterrupted, KindLimit, KindMaxFailures, KindCluster}

// ErrAborted is matched (errors.Is) by the error Run returns when the run
// was aborted, for whatever reason.
var ErrAborted = errors.New("run aborted")

// ErrInterrupted is the cause a caller gives when it cancels a run because
// of a signal; the run then ends with kind interrupted.
var ErrInterrupted = errors.New("interrupted")

// kindOf classifies the error of a step. run is the run's context: when it
// is done, whatever the step says, the step was cancelled.
func kindOf(run context.Context, err error) Kind {
	var pe *builtins.PanicError
	var fe *builtins.FailError
	var le *LimitError
	var de *table.DataError
	switch {
	case run.Err() != nil:
		return KindCancelled
	case errors.As(err, &le):
		return KindLimit
	case errors.As(err, &pe):
		return KindPanic
	case errors.As(err, &fe):
		return KindFail
	case errors.As(err, &de):
		return KindData
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout
	case errors.Is(err, context.Canceled):
		return KindCancelled
	}
	return KindExpr
}
