#!/usr/bin/env python3
"""Turn compare.sh's raw results into the comparison table.

    report.py RESULTS_DIR

reads RESULTS_DIR/params.json (sizes, machine), checks.tsv (one line per
check run: workload, tool, exit status, peak RSS in kB, status, note) and
WORKLOAD.json (hyperfine's --export-json), and prints a Markdown table:

    workload | tool | median | ratio poolflow/peer | target | met? | peak RSS | notes

Medians are computed here from hyperfine's per-run times. A ratio below 1
means poolflow was faster. Targets that are not a ratio (an absolute time,
an efficiency, a memory bound) put their measured value in the ratio
column. Standard library only.
"""
import csv
import json
import os
import statistics
import sys

POOLFLOW = "poolflow"


class Results:
    def __init__(self, folder):
        self.folder = folder
        with open(os.path.join(folder, "params.json")) as fh:
            self.params = json.load(fh)
        self.checks = {}  # (workload, tool) -> dict
        path = os.path.join(folder, "checks.tsv")
        if os.path.exists(path):
            with open(path, newline="") as fh:
                for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                    workload, tool, code, rss, status, note = (row + [""] * 6)[:6]
                    c = self.checks.setdefault((workload, tool), {"status": "ok", "notes": []})
                    if status == "tree":
                        c["tree_kb"] = int(rss) if rss.isdigit() else None
                        continue
                    if code != "-":
                        c["exit"] = code
                    if rss.isdigit():
                        c["rss_kb"] = int(rss)
                    if status == "failed":
                        c["status"] = "failed"
                    if note:
                        c["notes"].append(note)
        self.medians = {}  # (workload, tool) -> seconds
        self.ran = set()
        for workload in ("trivial", "startup", "sleep", "abort", "csv", "csvbig", "csvabort", "exec", "lines", "sum"):
            if any(w == workload for w, _ in self.checks):
                self.ran.add(workload)
            path = os.path.join(folder, workload + ".json")
            if not os.path.exists(path):
                continue
            with open(path) as fh:
                for r in json.load(fh)["results"]:
                    self.medians[(workload, r["command"])] = statistics.median(r["times"])

    def median(self, workload, tool):
        return self.medians.get((workload, tool))

    def check(self, workload, tool):
        return self.checks.get((workload, tool), {"status": "missing", "notes": []})

    def tools(self, workload):
        return [t for w, t in self.checks if w == workload]


def fmt_time(s):
    if s is None:
        return "FAILED"
    if s < 1:
        return "%.1f ms" % (s * 1000)
    return "%.3f s" % s


def fmt_mb(kb):
    return "—" if kb is None else "%.1f MB" % (kb * 1024 / 1e6)


def yes(ok):
    return "yes" if ok else "**NO**"


class Table:
    def __init__(self, res):
        self.res = res
        self.rows = []
        self.missed = []

    def add(self, workload, tool, ratio="", target="", met="", notes=""):
        c = self.res.check(workload, tool)
        med = self.res.median(workload, tool)
        median = fmt_time(med) if (med is not None or c["status"] != "missing") else "—"
        notes = "; ".join(filter(None, [notes] + c["notes"]))
        rss = fmt_mb(c.get("rss_kb"))
        if c.get("tree_kb"):
            rss += " (tree %s)" % fmt_mb(c["tree_kb"])
        self.rows.append((workload, tool, median, ratio, target, met, rss, notes))
        if met.startswith("**NO"):
            detail = met[len("**NO**"):].strip(" ()") or ratio or median
            self.missed.append("%s: %s (%s: %s)" % (workload, target, tool, detail))

    # ratio_row adds a peer's row: the ratio poolflow/peer, judged by test
    # (a function of the ratio) when a target is given.
    def ratio_row(self, workload, peer, target="", test=None, speedup=False, notes=""):
        pf, other = self.res.median(workload, POOLFLOW), self.res.median(workload, peer)
        if pf is None or other is None:
            who = POOLFLOW if pf is None else peer
            self.add(workload, peer, "—", target, ("**NO** (%s failed)" % who) if target else "", notes)
            return
        r = pf / other
        text = ("%.2f×" if r >= 0.1 else "%.3f×") % r
        if speedup or r < 0.5:
            text += " (%.1f× faster)" % (1 / r)
        met = yes(test(r)) if test else ""
        self.add(workload, peer, text, target, met, notes)

    def render(self):
        head = ("workload", "tool", "median", "ratio poolflow/peer", "target", "met?", "peak RSS", "notes")
        out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for row in self.rows:
            out.append("| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |")
        return "\n".join(out)


def trivial(t, res):
    w = "trivial"
    t.add(w, POOLFLOW, notes="%d items, 2 workers, order input, jsonl to a file" % res.params["trivial_n"])
    t.ratio_row(w, "errgroup", "≤ 1.5×", lambda r: r <= 1.5)
    t.ratio_row(w, "py Pool.map", "≤ 1× (default chunksize)", lambda r: r <= 1.0)
    t.ratio_row(w, "py Pool.map chunksize=1", "≥ 40× faster", lambda r: 1 / r >= 40, speedup=True)


def startup(t, res):
    w = "startup"
    pf = res.median(w, POOLFLOW)
    met = yes(pf is not None and pf <= 0.010) if pf is not None else "**NO** (failed)"
    t.add(w, POOLFLOW, "(absolute)", "≤ 10 ms wall median", met,
          "3 items; %d runs" % res.params["startup_runs"])
    for tool in res.tools(w):
        if tool != POOLFLOW:
            t.ratio_row(w, tool)


def sleep(t, res):
    w = "sleep"
    p = res.params
    ideal = p["sleep_n"] * p["sleep_d_ms"] / 1000 / p["sleep_workers"]
    pf = res.median(w, POOLFLOW)
    if pf is None:
        t.add(w, POOLFLOW, "—", "ideal/median ≥ 0.95", "**NO** (failed)")
    else:
        t.add(w, POOLFLOW, "ideal/median = %.3f" % (ideal / pf), "ideal/median ≥ 0.95", yes(ideal / pf >= 0.95),
              "%d × sleep(%dms), %d workers: ideal %s" % (p["sleep_n"], p["sleep_d_ms"], p["sleep_workers"], fmt_time(ideal)))
    for tool in res.tools(w):
        if tool != POOLFLOW:
            m = res.median(w, tool)
            t.ratio_row(w, tool, notes=("ideal/median = %.3f" % (ideal / m)) if m else "")


def abort(t, res):
    w = "abort"
    ref = "poolflow startup (ref)"
    pf, start = res.median(w, POOLFLOW), res.median(w, ref)
    c = res.check(w, POOLFLOW)
    left = next((n.split("=", 1)[1] for n in c["notes"] if n.startswith("leftover=")), None)
    c["notes"] = [n for n in c["notes"] if not n.startswith("leftover=")]
    if pf is None or start is None:
        t.add(w, POOLFLOW, "—", "≤ 50 ms after the failure", "**NO** (failed)")
    else:
        after = pf - start
        t.add(w, POOLFLOW, "wall − startup = %.1f ms" % (after * 1000), "≤ 50 ms after the failure", yes(after <= 0.050),
              "%d × sh sleep %ss, 4 workers, item 2 exits 1" % (res.params["abort_n"], res.params["abort_secs"]))
    if left is not None:
        t.rows.append((w, POOLFLOW, "", "leftover sleep processes after exit: %s" % left, "none", yes(left == "0"), "", "pgrep -f on a unique argument, right after exit"))
        if left != "0":
            t.missed.append("abort: no sleep left (%s left)" % left)
    t.add(w, ref, notes="same hyperfine run: the start-up to subtract")
    for tool in res.tools(w):
        if tool in (POOLFLOW, ref):
            continue
        c = res.check(w, tool)
        for i, n in enumerate(c["notes"]):
            if n.startswith("leftover="):
                c["notes"][i] = "leftover sleep processes after exit: " + n.split("=", 1)[1]
        t.ratio_row(w, tool)


def rss_of(res, workload, tool, tree=False):
    c = res.check(workload, tool)
    if c["status"] != "ok":
        return None
    return (c.get("tree_kb") if tree else None) or c.get("rss_kb")


def rss_row(t, res, w, peer, target, limit, tree=False, notes=""):
    """A row judging poolflow's peak RSS against a peer's: met when
    poolflow's is at most limit times the peer's."""
    pf_kb, other_kb = rss_of(res, w, POOLFLOW), rss_of(res, w, peer, tree)
    if pf_kb is None or other_kb is None:
        t.rows.append((w, POOLFLOW + " vs " + peer, "", "—", target, "**NO** (a command failed)", "", ""))
        t.missed.append("%s: %s (a command failed)" % (w, target))
        return
    r = pf_kb / other_kb
    met = yes(r <= limit)
    t.rows.append((w, POOLFLOW + " vs " + peer, "", "RSS %.2f× (%s vs %s)" % (r, fmt_mb(pf_kb), fmt_mb(other_kb)), target, met, "", notes))
    if not met.startswith("yes"):
        t.missed.append("%s: %s (RSS %.2f×)" % (w, target, r))


def csv_(t, res):
    w = "csv"
    p = res.params
    t.add(w, POOLFLOW, notes="the seed job: %d files × %d rows, int schema, rows written as delivered, unique; %d workers (%d cores)"
          % (p["csv_files"], p["csv_rows"], p["csv_workers"], p["cores"]))
    t.ratio_row(w, "DuckDB", "≤ 1.0×", lambda r: r <= 1.0, notes="SELECT DISTINCT * FROM read_csv('dir/*.csv'), threads = workers; rows compared sorted")
    t.ratio_row(w, "errgroup", "≤ 1.0×", lambda r: r <= 1.0)
    peer = "py Pool.map"
    t.ratio_row(w, peer)
    t.ratio_row(w, "poolflow (value, no schema)", notes="uniq(flatten(results)): every row held to the end, as before output.rows")
    rss_row(t, res, w, "errgroup", "peak RSS ≤ errgroup's", 1.0)
    rss_row(t, res, w, peer, "peak RSS ≤ Python Pool's", 1.0, tree=True,
            notes="Python's figure is the sampled sum over its process tree")


def csvbig(t, res):
    w = "csvbig"
    p = res.params
    t.add(w, POOLFLOW, notes="%d files × %d rows; outputs byte-identical (else FAILED)" % (p["csvbig_files"], p["csv_rows"]))
    t.ratio_row(w, "errgroup")
    rss_row(t, res, w, "errgroup", "peak RSS ≤ 1/3 of errgroup's", 1 / 3)


def csvabort(t, res):
    w = "csvabort"
    ref = "poolflow, files up to the bad one (ref)"
    pf, head = res.median(w, POOLFLOW), res.median(w, ref)
    target = "exit 1 ≤ 100 ms after the bad file is read"
    if pf is None or head is None:
        t.add(w, POOLFLOW, "—", target, "**NO** (failed)")
        return
    after = pf - head
    t.add(w, POOLFLOW, "bad run − ref = %.1f ms" % (after * 1000), target, yes(after <= 0.100),
          "a null in the int column of file %d of %d, abort-all; message with file, line and column checked"
          % (res.params["csvabort_bad"] + 1, res.params["csv_files"]))
    t.add(w, ref, notes="the good files up to and with the bad one, same hyperfine run")


def sum_(t, res):
    w = "sum"
    kb = rss_of(res, w, POOLFLOW)
    t.add(w, POOLFLOW, "peak RSS %s" % fmt_mb(kb) if kb else "—", "peak RSS ≤ 30 MB",
          yes(kb is not None and kb * 1024 <= 30e6) if kb else "**NO** (failed)",
          "count and sum of %d lines with output.fold" % res.params["sum_n"])
    t.ratio_row(w, "py imap_unordered", notes="Pool(2).imap_unordered(int, file, chunksize=1000) and a running sum")


def exec_(t, res):
    w = "exec"
    t.add(w, POOLFLOW, notes="%d × exec /bin/true, 2 workers" % res.params["exec_n"])
    t.ratio_row(w, "xargs -P2 -n1", "≤ 1.1×", lambda r: r <= 1.1)
    t.ratio_row(w, "GNU parallel -j2", "≥ 5× faster", lambda r: 1 / r >= 5, speedup=True)
    t.ratio_row(w, "errgroup")


def lines(t, res):
    w = "lines"
    n = res.params["lines_n"]
    full, tenth = res.check(w, POOLFLOW), res.check(w, "poolflow (1/10 lines)")
    kb = full.get("rss_kb") if full["status"] == "ok" else None
    t.add(w, POOLFLOW, "peak RSS %s" % fmt_mb(kb) if kb else "—", "peak RSS ≤ 50 MB",
          yes(kb is not None and kb * 1024 <= 50e6) if kb else "**NO** (failed)",
          "%d lines, order completion; 1/10 of the lines: %s" % (n, fmt_mb(tenth.get("rss_kb"))))
    inp, inp_tenth = res.check(w, "poolflow order:input"), res.check(w, "poolflow order:input (1/10 lines)")
    a, b = inp.get("rss_kb"), inp_tenth.get("rss_kb")
    if inp["status"] == "ok" and a and b:
        t.add(w, "poolflow order:input", "peak RSS %s (%s at 1/10 the lines)" % (fmt_mb(a), fmt_mb(b)),
              "bounded: ≤ 1.5× the RSS at 1/10 the lines", yes(a <= 1.5 * b))
    else:
        t.add(w, "poolflow order:input", "—", "bounded", "**NO** (failed)")
    t.ratio_row(w, "errgroup", notes="bufio.Scanner + errgroup, nothing kept")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    res = Results(sys.argv[1])
    t = Table(res)
    for name, fn in (("trivial", trivial), ("startup", startup), ("sleep", sleep), ("abort", abort),
                     ("csv", csv_), ("csvbig", csvbig), ("csvabort", csvabort), ("exec", exec_), ("lines", lines),
                     ("sum", sum_)):
        if name in res.ran:
            fn(t, res)
    p = res.params
    print("poolflow benchmarks, %s; %s%d cores, load average at start %.2f; %s; Python %s; hyperfine --warmup 1 --runs %d"
          % (p["date"], "QUICK (smaller sizes); " if p["quick"] else "", p["cores"], p["loadavg_start"][0],
             p["go"], p["python"], p["runs"]))
    print()
    print(t.render())
    print()
    if t.missed:
        print("Targets missed:")
        for m in t.missed:
            print("- " + m)
    else:
        print("Every target was met.")


if __name__ == "__main__":
    main()
