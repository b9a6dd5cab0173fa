#!/bin/bash
# Compare two threadlens binaries on the same command, alternating runs so
# both see the same machine state (this VM's timings drift by up to ±30%).
#
#   scripts/ab_cpu.sh OLD_BIN NEW_BIN RUNS ARGS...
#   e.g. scripts/ab_cpu.sh /tmp/tl_old target/release/threadlens 5 \
#          score -q /tmp/threadlens-bench-2e8.grouped.jsonl -o /tmp/o.jsonl
#
# Prints, per binary, the min and median CPU (user + sys) and wall seconds,
# and the median ratio of each new run to the old run just before it.
# Run from the repository root (the binaries read models/ from there).
set -euo pipefail
old=$1 new=$2 n=$3
shift 3
for _ in $(seq "$n"); do
  for b in old new; do
    bin=$old; [ "$b" = new ] && bin=$new
    /usr/bin/time -f "$b %U %S %e" "$bin" "$@" 2>&1 >/dev/null | tail -1
  done
done | python3 -c '
import sys, collections, statistics as st
cpu, wall = collections.defaultdict(list), collections.defaultdict(list)
for line in sys.stdin:
    b, u, s, e = line.split()
    cpu[b].append(float(u) + float(s)); wall[b].append(float(e))
for b in ("old", "new"):
    print(f"{b}: cpu min {min(cpu[b]):.2f} med {st.median(cpu[b]):.2f} s | wall min {min(wall[b]):.2f} med {st.median(wall[b]):.2f} s")
# Each new run against the old run just before it (the machine drifts
# less between neighbours than over the whole comparison).
rc = [n / o for o, n in zip(cpu["old"], cpu["new"])]
rw = [n / o for o, n in zip(wall["old"], wall["new"])]
print(f"new/old paired: cpu median {st.median(rc):.3f} | wall median {st.median(rw):.3f}")
'
