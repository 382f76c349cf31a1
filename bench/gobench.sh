#!/usr/bin/env bash
# gobench.sh: the Go benchmarks of the hot paths, summarised by benchstat.
#
#   bench/gobench.sh            # 6 runs of each benchmark, then benchstat
#   bench/gobench.sh OLD.txt    # also compare with an earlier run's output
#
# Benchmarks: runtime (per-item overhead of a trivial map, with and without
# the observer the CLI uses; the reorder window of order: input; retry
# bookkeeping), dsl (parse + compile of a 200-line pipeline; evaluating a
# realistic expression), builtins (uniq over 100k rows). -benchmem reports
# allocations. benchstat comes from the Go module proxy (golang.org/x/perf).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin

BENCHSTAT=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
out=$(mktemp -t poolflow-gobench.XXXXXX.txt)
go test -run '^$' -bench . -benchmem -count 6 ./runtime ./dsl ./builtins | tee "$out" >&2
echo "raw results: $out" >&2
if [[ $# -gt 0 ]]; then
	go run "$BENCHSTAT" "$1" "$out"
else
	go run "$BENCHSTAT" "$out"
fi
