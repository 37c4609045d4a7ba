#!/usr/bin/env bash
# Memory stays bounded however large the mbox: build an mbox of N copies of
# the sample messages (default 20000 messages, ~70 MB), run
# `sesguard mail --format json` over it, and print the peak resident memory
# next to the mbox size. usage: bench/bench-mbox-memory.sh path/to/sesguard [N]
set -euo pipefail
bin=$(readlink -f "${1:?usage: bench-mbox-memory.sh path/to/sesguard [N]}")
n=${2:-20000}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$here/../examples/mail" "$tmp/big.mbox" "$n" <<'PY'
import os, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
msgs = [open(os.path.join(src, f), "rb").read().replace(b"\r\n", b"\n") for f in sorted(os.listdir(src))]
with open(out, "wb") as f:
    for i in range(n):
        m = msgs[i % len(msgs)]
        f.write(b"From sender@example.jp Mon Nov 23 10:00:00 2026\n")
        f.write(b"\n".join(b">" + l if l.startswith(b"From ") else l for l in m.split(b"\n")))
        f.write(b"\n\n")
PY
size=$(stat -c %s "$tmp/big.mbox")
python3 - "$bin" "$tmp/big.mbox" "$size" <<'PY'
import resource, subprocess, sys, time
bin, path, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
t = time.time()
p = subprocess.run([bin, "mail", "--format", "json", path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
dt = time.time() - t
lines = p.stdout.count(b"\n")
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"mbox {size/1e6:.0f} MB, {lines} messages, peak RSS {rss/1024:.1f} MB, {dt:.1f} s")
PY
