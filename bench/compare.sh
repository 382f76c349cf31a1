#!/usr/bin/env bash
# compare.sh: time poolflow against the programs people write instead of it
# (a hand-written Go program on errgroup, Python multiprocessing.Pool, GNU
# parallel, xargs -P), workload by workload, and print a table of medians,
# ratios and whether each target is met. See bench/README.md.
#
#   bench/compare.sh [--quick] [--only NAME[,NAME...]] [--runs N]
#                    [--save DIR] [--keep]
#
#   --quick      fewer runs and smaller sizes: a smoke test of a minute or two
#   --only NAMES run only these workloads: trivial startup sleep abort csv
#                csvbig csvabort exec lines sum (comma-separated, or --only
#                given several times)
#   --runs N     hyperfine runs per command (default 5, --quick 2)
#   --save DIR   copy the raw results (hyperfine JSON, checks, table) to DIR
#   --keep       keep the temporary folder (binaries, data, outputs, logs)
#
# Every ratio compares commands timed in the same hyperfine run, so they
# share the machine's state; absolute times are only used where the target
# is absolute. Works from any directory; needs Go (PATH or /usr/local/go),
# python3 and, if missing, installs parallel, hyperfine, time and Node.js
# with apt, and DuckDB's npm package @duckdb/node-api into the temporary
# folder (the csv workload's DuckDB peer).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
ALL_WORKLOADS=(trivial startup sleep abort csv csvbig csvabort exec lines sum)

# ---------------------------------------------------------------- options

QUICK=0
ONLY=()
RUNS=""
SAVE=""
KEEP=0

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

while (($#)); do
	case $1 in
	--quick) QUICK=1 ;;
	--only)
		[[ $# -ge 2 ]] || { usage >&2; exit 2; }
		IFS=, read -r -a names <<<"$2"
		ONLY+=("${names[@]}")
		shift
		;;
	--only=*) IFS=, read -r -a names <<<"${1#--only=}"; ONLY+=("${names[@]}") ;;
	--runs)
		[[ $# -ge 2 ]] || { usage >&2; exit 2; }
		RUNS=$2
		shift
		;;
	--save)
		[[ $# -ge 2 ]] || { usage >&2; exit 2; }
		SAVE=$2
		shift
		;;
	--keep) KEEP=1 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "compare.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
for name in "${ONLY[@]}"; do
	if [[ " ${ALL_WORKLOADS[*]} " != *" $name "* ]]; then
		echo "compare.sh: unknown workload '$name' (have: ${ALL_WORKLOADS[*]})" >&2
		exit 2
	fi
done
((${#ONLY[@]})) || ONLY=("${ALL_WORKLOADS[@]}")
if [[ -n $SAVE ]]; then
	mkdir -p "$SAVE"
	SAVE=$(cd "$SAVE" && pwd)
fi

# ------------------------------------------------------------------ sizes

if ((QUICK)); then
	: "${RUNS:=2}"
	TRIVIAL_N=20000
	SLEEP_N=100
	ABORT_N=16
	ABORT_SECS=0.50 # each item's sleep; keep the dot: per-tool tokens append digits
	CSV_FILES=20
	CSV_ROWS=2000
	CSVBIG_FILES=100
	CSVABORT_BAD=4 # the bad file's index, from 0
	EXEC_N=300
	LINES_N=500000
	SUM_N=200000
else
	: "${RUNS:=5}"
	TRIVIAL_N=100000
	SLEEP_N=400
	ABORT_N=64
	ABORT_SECS=2.00
	CSV_FILES=200
	CSV_ROWS=5000
	CSVBIG_FILES=2000
	CSVABORT_BAD=36 # file 37 of 200
	EXEC_N=2000
	LINES_N=10000000
	SUM_N=2000000
fi
if ! [[ $RUNS =~ ^[0-9]+$ ]] || ((RUNS < 2)); then
	echo "compare.sh: --runs wants an integer ≥ 2" >&2
	exit 2
fi
SLEEP_D_MS=10
SLEEP_WORKERS=8
STARTUP_RUNS=$((RUNS * 10)) # start-up runs are cheap and noisy: take more
CORES=$(nproc)
CSV_WORKERS=$((CORES < 4 ? CORES : 4)) # 4 workers, or fewer on a smaller machine

# ------------------------------------------------------- temp dir, cleanup

WORK=$(mktemp -d "${TMPDIR:-/tmp}/poolflow-bench.XXXXXX")
STATE=$WORK/state # run journals (spec.md §6.9), kept out of the repository
BIN=$WORK/bin DATA=$WORK/data OUT=$WORK/out RES=$WORK/results LOGS=$WORK/logs
mkdir -p "$BIN" "$DATA" "$OUT" "$RES" "$LOGS"

cleanup() {
	local status=$?
	if ((KEEP)); then
		echo "compare.sh: kept $WORK" >&2
	else
		rm -rf "$WORK"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

note() { printf '==> %s\n' "$*" >&2; }

# ---------------------------------------------------------- dependencies

# install_deps installs, from Debian's packages, the tools that are missing.
install_deps() {
	local missing=()
	command -v parallel >/dev/null || missing+=(parallel)
	command -v hyperfine >/dev/null || missing+=(hyperfine)
	[[ -x /usr/bin/time ]] || missing+=(time)
	command -v pgrep >/dev/null || missing+=(procps)
	command -v xargs >/dev/null || missing+=(findutils)
	if want csv; then
		command -v node >/dev/null || missing+=(nodejs)
		command -v npm >/dev/null || missing+=(npm)
	fi
	((${#missing[@]})) || return 0
	note "installing ${missing[*]}"
	local sudo=()
	((EUID == 0)) || sudo=(sudo)
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$LOGS/apt.log" 2>&1
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >>"$LOGS/apt.log" 2>&1 || {
		cat "$LOGS/apt.log" >&2
		return 1
	}
}

find_tools() {
	if ! command -v go >/dev/null; then
		[[ -x /usr/local/go/bin/go ]] || { echo "compare.sh: Go not found" >&2; exit 1; }
		PATH=/usr/local/go/bin:$PATH
	fi
	# The interpreter itself, not a version manager's shim (pyenv's adds
	# ~100 ms to every start).
	PY=$(python3 -c 'import sys; print(sys.executable)')
}

# build compiles poolflow from this work tree and the errgroup peer (its own
# module; golang.org/x/sync comes from the Go module proxy).
build() {
	note "building poolflow and the errgroup peer"
	(cd "$ROOT" && go build -o "$BIN/poolflow" ./cmd/poolflow)
	(cd "$BENCH_DIR/errgroup" && go build -o "$BIN/errgroup" .)
	PF=$BIN/poolflow EG=$BIN/errgroup PEERS=$BENCH_DIR/py/peers.py WL=$BENCH_DIR/workloads
	if want csv; then
		note "installing @duckdb/node-api (npm) for the DuckDB peer"
		mkdir -p "$WORK/duckdb"
		cp "$BENCH_DIR/duckdb/csv.mjs" "$WORK/duckdb/"
		(cd "$WORK/duckdb" && npm install --no-audit --no-fund --silent @duckdb/node-api >"$LOGS/npm.log" 2>&1) || {
			cat "$LOGS/npm.log" >&2
			exit 1
		}
		DUCK=$WORK/duckdb/csv.mjs
	fi
}

# gen_data writes the inputs the selected workloads read.
gen_data() {
	if want csv || want csvabort; then
		note "generating $CSV_FILES CSV files × $CSV_ROWS rows"
		"$PY" "$BENCH_DIR/gen_data.py" "$DATA" --files "$CSV_FILES" --rows "$CSV_ROWS" >"$LOGS/gen_data.log"
	fi
	if want csvabort; then
		# the same files with an empty processing_time_epoch in the middle
		# of file CSVABORT_BAD; and, for reference, the files before it and
		# it, good
		local bad name i
		bad=$(printf 'part-%03d.csv' "$CSVABORT_BAD")
		mkdir -p "$DATA/csvbad" "$DATA/csvhead"
		for name in "$DATA"/csv/*.csv; do ln -s "$name" "$DATA/csvbad/"; done
		rm "$DATA/csvbad/$bad"
		awk -F, -v OFS=, -v at=$((CSV_ROWS / 2)) 'NR == at { $2 = "" } { print }' "$DATA/csv/$bad" >"$DATA/csvbad/$bad"
		CSVABORT_LINE=$((CSV_ROWS / 2))
		for ((i = 0; i <= CSVABORT_BAD; i++)); do
			name=$(printf 'part-%03d.csv' "$i")
			ln -s "$DATA/csv/$name" "$DATA/csvhead/$name"
		done
	fi
	if want csvbig; then
		note "generating $CSVBIG_FILES CSV files × $CSV_ROWS rows"
		"$PY" "$BENCH_DIR/gen_data.py" "$DATA/big" --files "$CSVBIG_FILES" --rows "$CSV_ROWS" >"$LOGS/gen_data_big.log"
	fi
	if want sum; then
		seq 1 "$SUM_N" >"$DATA/sum.txt"
	fi
	if want lines; then
		note "generating a file of $LINES_N lines"
		seq 1 "$LINES_N" >"$DATA/lines.txt"
		seq 1 $((LINES_N / 10)) >"$DATA/lines-tenth.txt"
	fi
	seq 0 $((EXEC_N - 1)) >"$DATA/items-exec.txt"
	seq 0 $((ABORT_N - 1)) >"$DATA/items-abort.txt"
}

want() { [[ " ${ONLY[*]} " == *" $1 "* ]]; }

# ----------------------------------------------------- measuring helpers
#
# A workload declares its commands with `cmd LABEL EXPECTED_EXIT ARGV...`,
# then calls `check` (one run each under GNU time: exit status, peak RSS,
# outputs) and `time_all` (one hyperfine run of every command that passed
# the check). Results go to $RES: WORKLOAD.json (hyperfine) and checks.tsv
# (workload, tool, exit, peak RSS kB, status, note), read by report.py.

LABELS=() CMDS=() EXPECT=()

cmd() {
	local label=$1 expect=$2
	shift 2
	LABELS+=("$label")
	EXPECT+=("$expect")
	CMDS+=("$(printf '%q ' "$@")")
}

reset_cmds() { LABELS=() CMDS=() EXPECT=() PASSED=(); }

# record WORKLOAD TOOL EXIT RSS_KB STATUS NOTE appends one line to checks.tsv.
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RES/checks.tsv"; }

# run_checked WORKLOAD INDEX: runs command INDEX once under GNU time; sets
# RC and RSS_KB; stdout and stderr go to $LOGS.
run_checked() {
	local workload=$1 i=$2 log=$LOGS/$1.$2
	RC=0
	eval "/usr/bin/time -f %M -o $log.rss ${CMDS[$i]}" >"$log.out" 2>"$log.err" || RC=$?
	RSS_KB=$(tail -n 1 "$log.rss")
}

# first_reason FILE: the most telling line of a failed command's stderr.
first_reason() {
	{ grep -m1 -E '= error:' "$1" || grep -m1 -iE 'error|failed' "$1" || tail -n 1 "$1" || true; } |
		sed 's/^[[:space:]]*//'
}

# check WORKLOAD runs every command once; those that exit as expected go
# into PASSED (indexes), the others are recorded as failed with the most
# telling line of their stderr. Output checks follow (same_output).
check() {
	local workload=$1 i
	PASSED=()
	for i in "${!CMDS[@]}"; do
		run_checked "$workload" "$i"
		if [[ $RC == "${EXPECT[$i]}" ]]; then
			PASSED+=("$i")
			record "$workload" "${LABELS[$i]}" "$RC" "$RSS_KB" ok ""
		else
			local why
			why=$(first_reason "$LOGS/$workload.$i.err")
			record "$workload" "${LABELS[$i]}" "$RC" "$RSS_KB" failed "exit $RC, want ${EXPECT[$i]}: $(echo "$why" | tr '\t' ' ' | cut -c1-160)"
			note "$workload: ${LABELS[$i]} exited $RC (want ${EXPECT[$i]}); left out of the timing"
		fi
	done
}

# same_output WORKLOAD REFERENCE FILE LABEL: a tool's output must equal the
# reference's byte for byte, or the tool is dropped from the timing.
same_output() {
	local workload=$1 ref=$2 file=$3 label=$4 i kept=() passed=0
	[[ -f $ref ]] || return 0
	for i in "${PASSED[@]}"; do [[ ${LABELS[$i]} != "$label" ]] || passed=1; done
	((passed)) || return 0 # already recorded as failed
	if [[ -f $file ]] && cmp -s "$ref" "$file"; then return 0; fi
	note "$workload: $label wrote a different output than the reference; left out of the timing"
	record "$workload" "$label" - - failed "output differs from $(basename "$ref")"
	for i in "${PASSED[@]}"; do [[ ${LABELS[$i]} == "$label" ]] || kept+=("$i"); done
	PASSED=("${kept[@]}")
}

# same_rows WORKLOAD REFERENCE FILE LABEL: as same_output, for a tool that
# writes the same rows in another order (SELECT DISTINCT): the header must
# be the same, the rows the same once sorted.
same_rows() {
	local workload=$1 ref=$2 file=$3 label=$4
	[[ -f $ref && -f $file ]] && [[ $(head -n 1 "$ref") == "$(head -n 1 "$file")" ]] &&
		cmp -s <(tail -n +2 "$ref" | LC_ALL=C sort) <(tail -n +2 "$file" | LC_ALL=C sort) && return 0
	local i kept=()
	note "$workload: $label wrote other rows than the reference; left out of the timing"
	record "$workload" "$label" - - failed "rows differ from $(basename "$ref") (sorted)"
	for i in "${PASSED[@]}"; do [[ ${LABELS[$i]} == "$label" ]] || kept+=("$i"); done
	PASSED=("${kept[@]}")
}

# time_all WORKLOAD [HYPERFINE_ARGS...]: one hyperfine run of the commands
# that passed the check.
time_all() {
	local workload=$1 i args=()
	shift
	((${#PASSED[@]})) || { note "$workload: nothing to time"; return 0; }
	for i in "${PASSED[@]}"; do args+=(-n "${LABELS[$i]}" "${CMDS[$i]}"); done
	note "$workload: timing ${#PASSED[@]} commands"
	hyperfine -N --style basic --warmup 1 --runs "$RUNS" "$@" \
		--export-json "$RES/$workload.json" "${args[@]}" >&2
}

# ------------------------------------------------------------- workloads

# trivial: per-item overhead; results kept in input order, written as JSON
# lines. Outputs must be identical across tools.
bench_trivial() {
	reset_cmds
	local n=$TRIVIAL_N
	cmd poolflow 0 "$PF" run --state "$STATE" -q "$WL/trivial.yaml" -p "n=$n" -p "out=$OUT/trivial-poolflow.jsonl"
	cmd errgroup 0 "$EG" trivial -n "$n" -workers 2 -out "$OUT/trivial-errgroup.jsonl"
	cmd "py Pool.map" 0 "$PY" "$PEERS" trivial -n "$n" --workers 2 --out "$OUT/trivial-py.jsonl"
	cmd "py Pool.map chunksize=1" 0 "$PY" "$PEERS" trivial -n "$n" --workers 2 --chunksize 1 --out "$OUT/trivial-py1.jsonl"
	check trivial
	local ref=$OUT/trivial-errgroup.jsonl
	same_output trivial "$ref" "$OUT/trivial-poolflow.jsonl" poolflow
	same_output trivial "$ref" "$OUT/trivial-py.jsonl" "py Pool.map"
	same_output trivial "$ref" "$OUT/trivial-py1.jsonl" "py Pool.map chunksize=1"
	time_all trivial
}

# startup: the fixed cost of one run of a 3-item file.
bench_startup() {
	reset_cmds
	cmd poolflow 0 "$PF" run --state "$STATE" -q "$WL/startup.yaml"
	cmd errgroup 0 "$EG" startup
	cmd "py Pool(2) 3 items" 0 "$PY" "$PEERS" startup
	cmd "py -c Pool(2).close()" 0 "$PY" -c 'import multiprocessing as m; m.Pool(2).close()'
	check startup
	RUNS=$STARTUP_RUNS time_all startup
}

# sleep: 400 × 10 ms on 8 workers; the ideal is n × d / workers.
bench_sleep() {
	reset_cmds
	cmd poolflow 0 "$PF" run --state "$STATE" -q "$WL/sleep.yaml" -p "n=$SLEEP_N" -p "d=${SLEEP_D_MS}ms"
	cmd errgroup 0 "$EG" sleep -n "$SLEEP_N" -d "${SLEEP_D_MS}ms" -workers "$SLEEP_WORKERS"
	cmd "py Pool.map" 0 "$PY" "$PEERS" sleep -n "$SLEEP_N" --workers "$SLEEP_WORKERS" --seconds "0.0$SLEEP_D_MS"
	check sleep
	time_all sleep
}

# abort: item 2 fails at once, every other item sleeps ABORT_SECS. Every
# tool gets its own sleep duration (a unique token, e.g. 2.00123451) so
# that pgrep finds exactly its leftovers. The check run counts the `sleep`
# processes still alive right after the tool exited, then waits them out.
bench_abort() {
	reset_cmds
	local k=0 tokens=()
	token() { tokens+=("${ABORT_SECS}0$$$k"); k=$((k + 1)); }
	token
	cmd poolflow 1 "$PF" run --state "$STATE" -q "$WL/abort.yaml" -p "n=$ABORT_N" -p fail=2 -p "secs=${tokens[0]}"
	# poolflow's start-up, in the same hyperfine run, to subtract
	cmd "poolflow startup (ref)" 0 "$PF" run --state "$STATE" -q "$WL/startup.yaml"
	tokens+=("")
	token
	cmd "GNU parallel --halt now,fail=1" 1 parallel --will-cite --halt now,fail=1 -j4 \
		"if [ {} = 2 ]; then exit 1; fi; sleep ${tokens[2]}" :::: "$DATA/items-abort.txt"
	token
	cmd "py imap_unordered+terminate" 1 "$PY" "$PEERS" abort -n "$ABORT_N" --workers 4 --fail 2 --secs "${tokens[3]}" --mode fast
	token
	cmd "py Pool.map" 1 "$PY" "$PEERS" abort -n "$ABORT_N" --workers 4 --fail 2 --secs "${tokens[4]}" --mode map
	token
	cmd "errgroup" 1 "$EG" abort -n "$ABORT_N" -workers 4 -fail 2 -secs "${tokens[5]}"

	local i left
	PASSED=()
	for i in "${!CMDS[@]}"; do
		run_checked abort "$i"
		left="" # the `sleep` processes (not their sh -c parents) still alive
		if [[ -n ${tokens[$i]} ]]; then
			left=leftover=$(pgrep -c -f -- "^sleep ${tokens[$i]}\$" || true)
		fi
		if [[ $RC == "${EXPECT[$i]}" ]]; then
			PASSED+=("$i")
			record abort "${LABELS[$i]}" "$RC" "$RSS_KB" ok "$left"
		else
			record abort "${LABELS[$i]}" "$RC" "$RSS_KB" failed "exit $RC, want ${EXPECT[$i]}; $left"
		fi
		[[ -z ${tokens[$i]} ]] || wait_gone "${tokens[$i]}"
	done
	time_all abort -i
	# the peers that leave sleeps behind did so on every run: let them end
	for i in "${!tokens[@]}"; do [[ -z ${tokens[$i]} ]] || wait_gone "${tokens[$i]}"; done
}

# wait_gone TOKEN waits (bounded) until no `sleep TOKEN` process is left.
wait_gone() {
	local deadline=$((SECONDS + 10))
	while pgrep -f -- "^sleep $1\$" >/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
}

# csv: read, concatenate, dedupe, write CSV. Outputs must be identical.
# Peak RSS: GNU time's (largest single process), and for every tool the
# sampled sum over its process tree (treerss.py), which is what a Pool costs.
bench_csv() {
	reset_cmds
	cmd poolflow 0 "$PF" run --state "$STATE" -q "$WL/csv.yaml" -w "$CSV_WORKERS" -p "pattern=$DATA/csv/*.csv" -p "out=$OUT/csv-poolflow.csv"
	cmd errgroup 0 "$EG" csv -in "$DATA/csv" -workers "$CSV_WORKERS" -out "$OUT/csv-errgroup.csv"
	cmd "py Pool.map" 0 "$PY" "$PEERS" csv --in "$DATA/csv" --workers "$CSV_WORKERS" --out "$OUT/csv-py.csv"
	cmd "DuckDB" 0 node "$DUCK" "$DATA/csv" "$OUT/csv-duckdb.csv" "$CSV_WORKERS"
	cmd "poolflow --no-state" 0 "$PF" run --no-state -q "$WL/csv.yaml" -w "$CSV_WORKERS" -p "pattern=$DATA/csv/*.csv" -p "out=$OUT/csv-poolflow-nostate.csv"
	cmd "poolflow (value, no schema)" 0 "$PF" run --state "$STATE" -q "$WL/csv-value.yaml" -w "$CSV_WORKERS" -p "pattern=$DATA/csv/*.csv" -p "out=$OUT/csv-poolflow-value.csv"
	check csv
	local ref=$OUT/csv-errgroup.csv
	same_output csv "$ref" "$OUT/csv-poolflow.csv" poolflow
	same_output csv "$ref" "$OUT/csv-py.csv" "py Pool.map"
	same_output csv "$ref" "$OUT/csv-poolflow-value.csv" "poolflow (value, no schema)"
	same_output csv "$ref" "$OUT/csv-poolflow-nostate.csv" "poolflow --no-state"
	same_rows csv "$ref" "$OUT/csv-duckdb.csv" DuckDB
	local i tree
	for i in "${!CMDS[@]}"; do
		eval "$PY $BENCH_DIR/treerss.py $LOGS/csv.$i.tree -- ${CMDS[$i]}" >/dev/null 2>&1 || true
		tree=$(cut -d' ' -f1 "$LOGS/csv.$i.tree" 2>/dev/null || echo -)
		record csv "${LABELS[$i]}" - "$tree" tree ""
	done
	time_all csv
}

# csvbig: the seed job on ten times the files (10,000,000 rows): poolflow
# holds a hash per row, the errgroup program every row. Peak RSS is the
# point; outputs must be identical.
bench_csvbig() {
	reset_cmds
	cmd poolflow 0 "$PF" run --state "$STATE" -q "$WL/csv.yaml" -w "$CSV_WORKERS" -p "pattern=$DATA/big/csv/*.csv" -p "out=$OUT/csvbig-poolflow.csv"
	cmd errgroup 0 "$EG" csv -in "$DATA/big/csv" -workers "$CSV_WORKERS" -out "$OUT/csvbig-errgroup.csv"
	check csvbig
	same_output csvbig "$OUT/csvbig-errgroup.csv" "$OUT/csvbig-poolflow.csv" poolflow
	RUNS=2 time_all csvbig
}

# csvabort: the seed job over the files with a null in the int column of
# file CSVABORT_BAD+1, abort-all: the run must exit 1 with the file, the
# line and the column. The time from reading the bad file to exiting is
# estimated as the bad run's median minus that of a good run over the files
# up to the bad one, timed in the same hyperfine run.
bench_csvabort() {
	reset_cmds
	cmd poolflow 1 "$PF" run --state "$STATE" -q "$WL/csv.yaml" -w "$CSV_WORKERS" -p "pattern=$DATA/csvbad/*.csv" -p "out=$OUT/csvabort.csv"
	cmd "poolflow, files up to the bad one (ref)" 0 "$PF" run --state "$STATE" -q "$WL/csv.yaml" -w "$CSV_WORKERS" -p "pattern=$DATA/csvhead/*.csv" -p "out=$OUT/csvhead.csv"
	check csvabort
	local want
	want=$(printf 'part-%03d.csv:%d:2: column processing_time_epoch: empty cell' "$CSVABORT_BAD" "$CSVABORT_LINE")
	if ! grep -qF -- "$want" "$LOGS/csvabort.0.err"; then
		record csvabort poolflow - - failed "the message does not say $want"
	fi
	time_all csvabort -i
}

# sum: count and sum SUM_N numbers with a fold; nothing is kept.
bench_sum() {
	reset_cmds
	cmd poolflow 0 "$PF" run --state "$STATE" -q "$WL/sum.yaml" -p "path=$DATA/sum.txt"
	cmd "py imap_unordered" 0 "$PY" "$PEERS" sum --in "$DATA/sum.txt" --workers 2
	check sum
	local pf py
	pf=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["n"], d["sum"])' "$LOGS/sum.0.out" 2>/dev/null || echo x)
	py=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["n"], d["sum"])' "$LOGS/sum.1.out" 2>/dev/null || echo y)
	[[ $pf == "$py" ]] || record sum poolflow - - failed "count and sum $pf, Python says $py"
	time_all sum
}

# exec: a process per item, no shell.
bench_exec() {
	reset_cmds
	cmd poolflow 0 "$PF" run --state "$STATE" -q "$WL/exec.yaml" -p "n=$EXEC_N"
	cmd "xargs -P2 -n1" 0 xargs -a "$DATA/items-exec.txt" -P2 -n1 /bin/true
	cmd "GNU parallel -j2" 0 parallel --will-cite -j2 /bin/true :::: "$DATA/items-exec.txt"
	cmd errgroup 0 "$EG" exec -n "$EXEC_N" -workers 2
	check exec
	time_all exec
}

# lines: a streamed source, results not kept. Peak RSS is the point; the
# order-input run is also measured on a tenth of the lines, so that
# "bounded" means "does not grow with the number of lines".
bench_lines() {
	reset_cmds
	cmd poolflow 0 "$PF" run --state "$STATE" -q "$WL/lines.yaml" -p "path=$DATA/lines.txt"
	cmd "poolflow order:input" 0 "$PF" run --state "$STATE" -q "$WL/lines-input.yaml" -p "path=$DATA/lines.txt"
	cmd errgroup 0 "$EG" lines -in "$DATA/lines.txt" -workers 2
	check lines
	local timed=("${PASSED[@]}")
	# the same two pipelines on a tenth of the lines: RSS only, not timed
	cmd "poolflow (1/10 lines)" 0 "$PF" run --state "$STATE" -q "$WL/lines.yaml" -p "path=$DATA/lines-tenth.txt"
	cmd "poolflow order:input (1/10 lines)" 0 "$PF" run --state "$STATE" -q "$WL/lines-input.yaml" -p "path=$DATA/lines-tenth.txt"
	local i
	for i in 3 4; do
		run_checked lines "$i"
		record lines "${LABELS[$i]}" "$RC" "$RSS_KB" "$([[ $RC == 0 ]] && echo ok || echo failed)" ""
	done
	PASSED=("${timed[@]}")
	time_all lines
}

# ------------------------------------------------------------------ main

install_deps
find_tools
build
gen_data

"$PY" - "$RES/params.json" <<EOF
import json, os, platform, subprocess, sys, time
go = subprocess.run(["go", "version"], capture_output=True, text=True).stdout.strip()
json.dump({
    "quick": bool($QUICK), "runs": $RUNS, "startup_runs": $STARTUP_RUNS,
    "cores": $CORES, "csv_workers": $CSV_WORKERS,
    "trivial_n": $TRIVIAL_N, "sleep_n": $SLEEP_N, "sleep_d_ms": $SLEEP_D_MS,
    "sleep_workers": $SLEEP_WORKERS, "abort_n": $ABORT_N, "abort_secs": "$ABORT_SECS",
    "csv_files": $CSV_FILES, "csv_rows": $CSV_ROWS, "exec_n": $EXEC_N, "lines_n": $LINES_N,
    "csvbig_files": $CSVBIG_FILES, "csvabort_bad": $CSVABORT_BAD, "sum_n": $SUM_N,
    "loadavg_start": os.getloadavg(), "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    "go": go, "python": platform.python_version(), "kernel": platform.release(),
}, open(sys.argv[1], "w"), indent=1)
EOF
if [[ -f $LOGS/gen_data.log ]]; then cat "$LOGS/gen_data.log" >&2; fi

for name in "${ONLY[@]}"; do
	note "workload $name"
	"bench_$name"
done

"$PY" "$BENCH_DIR/report.py" "$RES" | tee "$RES/table.md"
if [[ -n $SAVE ]]; then
	cp -r "$RES"/. "$SAVE"/
	note "results saved in $SAVE"
fi
