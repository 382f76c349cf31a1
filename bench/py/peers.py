#!/usr/bin/env python3
"""The Python peers of poolflow's benchmarks: multiprocessing.Pool code as
people write it, standard library only.

    peers.py trivial -n 100000 --workers 2 --out out.jsonl [--chunksize 1]
    peers.py startup
    peers.py sleep   -n 400 --workers 8 --seconds 0.01
    peers.py abort   -n 64 --workers 4 --fail 2 --secs 2 --mode fast|map
    peers.py csv     --in DIR --out out.csv --workers 2
    peers.py sum     --in FILE --workers 2

Each subcommand does what the poolflow pipeline of the same name in
bench/workloads/ does. Exit status: 0 on success, 1 when an item failed.
"""
import argparse
import csv
import glob
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time


def square_plus_one(x):
    return x * x + 1


def double(x):
    return x * 2


def write_atomic(path, write):
    """Write a file through a temporary file renamed into place, as
    poolflow and the errgroup peer do."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".")
    try:
        with os.fdopen(fd, "w", newline="") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def trivial(args):
    """Pool.map over range(n), then one JSON line per result."""
    with multiprocessing.Pool(args.workers) as pool:
        if args.chunksize:
            results = pool.map(square_plus_one, range(args.n), chunksize=args.chunksize)
        else:
            results = pool.map(square_plus_one, range(args.n))  # default chunksize

    def write(fh):
        for r in results:
            fh.write(json.dumps(r))
            fh.write("\n")

    write_atomic(args.out, write)


def startup(args):
    """A pool of two workers over three items: the start-up cost."""
    with multiprocessing.Pool(2) as pool:
        pool.map(double, [1, 2, 3])


def sleep(args):
    with multiprocessing.Pool(args.workers) as pool:
        pool.map(time.sleep, [args.seconds] * args.n)


class ItemFailed(Exception):
    pass


def run_item(job):
    """One abort item: `sh -c 'sleep SECS'`, or `sh -c 'exit 1'` for the
    failing one. A failure raises, as check=True does."""
    index, fail, secs = job
    script = "exit 1" if index == fail else "sleep " + secs
    done = subprocess.run(["/bin/sh", "-c", script])
    if done.returncode != 0:
        raise ItemFailed("item %d: exit status %d" % (index, done.returncode))
    return index


def abort(args):
    """Two ways people write "die when any item fails".

    map:  plain Pool.map. It raises the first exception, but only once
          every item has run: ~n*secs/workers seconds.
    fast: imap_unordered with chunksize 1, and terminate() at the first
          exception (the Stack Overflow answer). It returns at once, but
          terminate() SIGTERMs the worker processes only: the `sleep`
          processes they started are orphaned and run on.
    """
    jobs = [(i, args.fail, args.secs) for i in range(args.n)]
    pool = multiprocessing.Pool(args.workers)
    try:
        if args.mode == "map":
            pool.map(run_item, jobs)
        else:
            for _ in pool.imap_unordered(run_item, jobs, chunksize=1):
                pass
    except ItemFailed as e:
        pool.terminate()
        print("failed:", e, file=sys.stderr)
        sys.exit(1)
    pool.close()
    pool.join()


def read_rows(path):
    """The rows of one CSV file, without its header, as tuples (hashable)."""
    with open(path, newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        return header, [tuple(row) for row in reader]


def csv_dedupe(args):
    """Pool.map(read_rows, files), concatenate, drop duplicate rows with a
    set (keeping the first of each, in order), write one CSV."""
    files = sorted(glob.glob(os.path.join(args.input, "*.csv")))
    with multiprocessing.Pool(args.workers) as pool:
        per_file = pool.map(read_rows, files)
    seen = set()
    unique = []
    for _, rows in per_file:
        for row in rows:
            if row not in seen:
                seen.add(row)
                unique.append(row)

    def write(fh):
        w = csv.writer(fh, lineterminator="\n")
        if per_file:
            w.writerow(per_file[0][0])
        w.writerows(unique)

    write_atomic(args.out, write)


def lines_sum(args):
    """Count and sum the numbers of a file, one per line, with
    Pool.imap_unordered and a running sum: nothing is kept."""
    n = total = 0
    with multiprocessing.Pool(args.workers) as pool, open(args.input) as fh:
        for v in pool.imap_unordered(int, fh, chunksize=args.chunksize):
            n += 1
            total += v
    print(json.dumps({"n": n, "sum": total}))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("trivial")
    p.add_argument("-n", type=int, default=100000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out", default="out.jsonl")
    p.add_argument("--chunksize", type=int, default=0, help="0: Pool.map's default")
    p.set_defaults(func=trivial)

    p = sub.add_parser("startup")
    p.set_defaults(func=startup)

    p = sub.add_parser("sleep")
    p.add_argument("-n", type=int, default=400)
    p.add_argument("--workers", type=int, default=8)
    p.add_argument("--seconds", type=float, default=0.01)
    p.set_defaults(func=sleep)

    p = sub.add_parser("abort")
    p.add_argument("-n", type=int, default=64)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--fail", type=int, default=2)
    p.add_argument("--secs", default="2")
    p.add_argument("--mode", choices=["fast", "map"], default="fast")
    p.set_defaults(func=abort)

    p = sub.add_parser("csv")
    p.add_argument("--in", dest="input", required=True)
    p.add_argument("--out", default="out.csv")
    p.add_argument("--workers", type=int, default=2)
    p.set_defaults(func=csv_dedupe)

    p = sub.add_parser("sum")
    p.add_argument("--in", dest="input", required=True)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--chunksize", type=int, default=1000)
    p.set_defaults(func=lines_sum)

    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
