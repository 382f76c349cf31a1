#!/usr/bin/env python3
"""Generate the benchmark's input data (standard library only, deterministic).

    gen_data.py DIR [--files 200] [--rows 5000] [--dup 0.3] [--seed 1]

writes DIR/csv/part-NNN.csv: FILES CSV files of ROWS rows each, with the
header shipmentId,processing_time_epoch. About DUP of all rows repeat a row
of an earlier file exactly (same shipmentId, same epoch), so a dedupe of the
concatenation drops about that share of the rows.
"""
import argparse
import csv
import os
import random


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--dup", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    rnd = random.Random(args.seed)
    out = os.path.join(args.dir, "csv")
    os.makedirs(out, exist_ok=True)
    seen = []  # rows of the files written so far, to copy duplicates from
    next_id = 0
    dups = 0
    for f in range(args.files):
        rows = []
        for _ in range(args.rows):
            if seen and rnd.random() < args.dup:
                rows.append(seen[rnd.randrange(len(seen))])
                dups += 1
            else:
                rows.append(("SHP%09d" % next_id, str(1700000000 + rnd.randrange(10_000_000))))
                next_id += 1
        with open(os.path.join(out, "part-%03d.csv" % f), "w", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(("shipmentId", "processing_time_epoch"))
            w.writerows(rows)
        seen.extend(rows)
    total = args.files * args.rows
    print("csv: %d files x %d rows, %d duplicate rows (%.1f%%), %d distinct"
          % (args.files, args.rows, dups, 100.0 * dups / max(total, 1), total - dups))


if __name__ == "__main__":
    main()
