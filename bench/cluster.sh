#!/usr/bin/env bash
# bench/cluster.sh: what a distributed run costs (spec.md §6.12). It times
# the trivial and the exec workloads in one process against one submitter
# (--cluster embedded, --local-workers 0) with two local `poolflow worker`
# processes of one slot each (the same 2 slots in all), and the time from
# an item's abort-all failure to every worker process's exit.
#
#   bench/cluster.sh            # 2,000 trivial items, 500 exec items, 5 runs each, 5 abort runs
#   bench/cluster.sh --quick    # 200 and 50 items, 2 runs
#
# Needs Go; builds poolflow from this work tree into a temporary folder,
# which it removes. Prints a Markdown table on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
trivial=2000 execs=500 runs=5
if [[ ${1:-} == --quick ]]; then trivial=200 execs=50 runs=2; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$here" && go build -o "$tmp/poolflow" ./cmd/poolflow)
pf=$tmp/poolflow
cd "$tmp"

cat > trivial.yaml <<YAML
version: 1
name: trivial
workers: 2
items: {range: [0, $trivial]}
map:
  steps:
    - expr: item * 2
output: {value: len(results), to: out.json}
YAML
cat > exec.yaml <<YAML
version: 1
name: exec
workers: 2
items: {range: [0, $execs]}
map:
  steps:
    - exec: [/bin/true]
output: {value: len(results), to: out.json}
YAML
cat > abort.yaml <<'YAML'
version: 1
name: abort
workers: 16
items: {range: [0, 16]}
map:
  steps:
    - if: item == 0
      sh: 'until [ $(ls started 2>/dev/null | wc -l) -ge 15 ]; do sleep 0.01; done; date +%s%N > failed-at; exit 1'
    - sh: 'touch started/${item}; sleep 30'
  on_error: abort-all
YAML

now() { date +%s%N; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# local FILE: nanoseconds of one single-process run.
local_run() {
	local t0; t0=$(now)
	"$pf" run --quiet --no-state "$1"
	echo $(($(now) - t0))
}

# cluster FILE SLOTS: nanoseconds of one distributed run, from the
# submitter's start (its server included) to the last process's exit.
cluster_run() {
	local p id t0 pids=()
	p=$(port) id=r$RANDOM
	t0=$(now)
	"$pf" run --quiet --no-state --cluster embedded --listen 127.0.0.1:$p --local-workers 0 --run-id $id "$1" & pids+=($!)
	for _ in 1 2; do "$pf" worker --cluster nats://127.0.0.1:$p --run $id --workers "$2" 2>/dev/null & pids+=($!); done
	wait "${pids[@]}" || true
	echo $(($(now) - t0))
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { awk -v n="$1" 'BEGIN {printf "%.1f ms", n/1e6}'; }

echo "| workload | one process | submitter + 2 worker processes | per-item overhead |"
echo "|---|---|---|---|"
for w in trivial exec; do
	n=$trivial; [[ $w == exec ]] && n=$execs
	l=$(for _ in $(seq $runs); do local_run $w.yaml; done | median)
	c=$(for _ in $(seq $runs); do cluster_run $w.yaml 1; done | median)
	per=$(awk -v c="$c" -v l="$l" -v n="$n" 'BEGIN {printf "%.0f µs", (c-l)/n/1e3}')
	echo "| $w, $n items, 2 slots | $(ms "$l") | $(ms "$c") | $per |"
done

# abort: 2 worker processes of 8 slots; item 0 fails once the 15 others
# sleep; the figure is from its failure to the last worker's exit.
lags=()
for _ in $(seq $runs); do
	rm -rf started failed-at && mkdir started
	p=$(port) id=a$RANDOM
	"$pf" run --quiet --no-state --cluster embedded --listen 127.0.0.1:$p --local-workers 0 --run-id $id abort.yaml 2>/dev/null & sub=$!
	w=()
	for _ in 1 2; do "$pf" worker --cluster nats://127.0.0.1:$p --run $id --workers 8 2>/dev/null & w+=($!); done
	wait "${w[@]}" || true
	ended=$(now)
	wait $sub || true
	lags+=($((ended - $(cat failed-at))))
done
lag=$(printf '%s\n' "${lags[@]}" | median)
echo "| abort-all: 16 items on 2 workers × 8 slots, item 0 fails | | | every worker exited $(ms "$lag") after the failure (median of $runs) |"
