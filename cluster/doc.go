// Package cluster carries one run's items, results and state over NATS
// JetStream, so that the same pipeline file runs across many machines
// (spec.md §6.12).
//
// A submitter (Submit) publishes the pipeline and its hash in the runs
// bucket, creates the run's work-queue stream with one shared durable pull
// consumer, and is the runtime's Remote: each item the run hands out is
// one message, published only when a window place takes it, so no more
// than the window is ever on the queue. Workers (Worker) join the runs
// they find, check that they can run the pipeline (the same hash, the
// programs on PATH), start their slots (the initializer once per slot),
// pull items with explicit acks, keep long items leased with InProgress,
// and store each result in the run's bucket under the item's index with
// Create: the first result of an item wins, a redelivered item's second
// one is dropped, and a work message is acked only once its result is
// stored. The run's state key, which every worker watches, carries
// abort-all and the end of the run.
//
// Names, for a run ID: the stream PF_ID on the subject poolflow.ID.items,
// its consumer workers, the bucket PF_ID (keys: state, result.N,
// joined.NODE, retired.NODE.SLOT, refused.NODE, abort) and the key ID of
// the bucket poolflow-runs, which lists the runs workers may join.
//
// It may import runtime, dsl, builtins and journal.
package cluster
