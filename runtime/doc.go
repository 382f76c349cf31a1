// Package runtime runs compiled pipelines (dsl.Plan) on a goroutine pool
// that keeps every stage's error policy exactly.
//
// The shape is errgroup's bounded pipeline: one feeder reads items lazily
// from the source, N workers run the initializer once and then items, and
// one collector delivers outcomes in the order asked for, running the
// callbacks one at a time. A semaphore of `window` slots bounds the items in
// flight, so memory does not grow with the number of items.
//
// Invariants:
//   - Every send and every wait selects on the run's context, except a
//     worker's hand-off of a finished outcome to the collector, which always
//     drains: a result that finished is never dropped.
//   - Each channel is closed by its only writer.
//   - The first failure that aborts the run is its cause
//     (context.WithCancelCause); later ones are recorded, not reported as
//     the cause.
//   - When Engine.Run returns, every goroutine and process it started has
//     ended.
//   - Every evaluation has a guard (budget.go) that stops it soon after its
//     step's context ends and fails it with kind limit past limits.memory.
//
// A failure is one record, Error, returned as data; runtime renders
// nothing (package present does). It may import dsl, builtins, files,
// proctree and table.
package runtime
