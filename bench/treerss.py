#!/usr/bin/env python3
"""Peak resident memory of a whole process tree, sampled.

    treerss.py OUTFILE -- COMMAND [ARG...]

runs COMMAND, and every 10 ms adds up the resident set (VmRSS) of it and
all its descendants; when it exits, writes "PEAK_KB EXIT_STATUS" to
OUTFILE and exits with the command's status.

GNU time's %M is the peak RSS of the single largest process of the tree
(Linux's ru_maxrss), which understates a multi-process program such as a
Python Pool: its parent and its workers each hold memory at once. This
gives the sum. Being sampled, it can miss a peak shorter than 10 ms.
"""
import os
import subprocess
import sys
import time


def children(pid):
    kids = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, tid)) as fh:
                kids.extend(int(k) for k in fh.read().split())
    except OSError:
        pass
    return kids


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(root):
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss_kb(pid)
        todo.extend(children(pid))
    return total


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    out, cmd = sys.argv[1], sys.argv[3:]
    proc = subprocess.Popen(cmd)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_kb(proc.pid))
        time.sleep(0.01)
    with open(out, "w") as fh:
        fh.write("%d %d\n" % (peak, proc.returncode))
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
