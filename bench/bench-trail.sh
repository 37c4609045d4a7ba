#!/usr/bin/env bash
# bench-trail.sh - `sesguard trail` on gzip-compressed CloudTrail, against
# `gunzip -c` alone and against jq running one filter, on the same files in
# the same hyperfine run (the issue's targets: >= 200,000 records/s per
# core, within 2x of gunzip, >= 5x faster than jq). Also the json-c
# reference reader, to show why the fast path exists.
#
# usage: bench/bench-trail.sh path/to/sesguard [RECORDS]
#   RECORDS defaults to 1,000,000; the corpus is generated once by
#   bench/gen-trail-corpus.py into $TRAIL_BENCH_DIR (default
#   /tmp/sesguard-trail-bench-RECORDS) and reused. RUNS (default 3) sets
#   hyperfine's runs. Needs python3, hyperfine and jq.
set -euo pipefail
bin=$(realpath "${1:?usage: bench-trail.sh path/to/sesguard [RECORDS]}")
n=${2:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
dir=${TRAIL_BENCH_DIR:-/tmp/sesguard-trail-bench-$n}
runs=${RUNS:-3}
for tool in python3 hyperfine jq gunzip; do
    command -v "$tool" >/dev/null || { echo "bench-trail: $tool is needed" >&2; exit 2; }
done
[ -d "$dir/AWSLogs" ] || python3 "$here/gen-trail-corpus.py" "$dir" "$n"
files="$dir.files"
find "$dir" -name '*.json.gz' | sort >"$files"
gz=$(du -cb $(cat "$files") | tail -1 | cut -f1)
raw=$(xargs -a "$files" gunzip -c | wc -c)
echo "corpus: $n records in $(wc -l <"$files") files, $((gz / 1000000)) MB gzip, $((raw / 1000000)) MB JSON"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "sesguard: $bin"
json="$dir.hyperfine.json"
# sesguard exits 1 when it finds incidents (the corpus hides one): -i.
hyperfine -i --warmup 1 --runs "$runs" --export-json "$json" \
    -n "sesguard trail" "$bin trail --format json $dir > /dev/null" \
    -n "sesguard trail --jobs 1" "$bin trail --jobs 1 --format json $dir > /dev/null" \
    -n "gunzip -c" "xargs -a $files gunzip -c > /dev/null" \
    -n "jq filter" "xargs -a $files gunzip -c | jq -c '.Records[] | select(.eventSource == \"ses.amazonaws.com\" and .eventName == \"PutAccountDetails\")' > /dev/null" \
    -n "sesguard trail --parser json-c --jobs 1" "$bin trail --parser json-c --jobs 1 --format json $dir > /dev/null"
python3 - "$json" "$n" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
n = int(sys.argv[2])
def cpu(r): return r["user"] + r["system"]
sg, sg1, gz, jq, jc = (res[k] for k in ("sesguard trail", "sesguard trail --jobs 1", "gunzip -c",
                                          "jq filter", "sesguard trail --parser json-c --jobs 1"))
print()
print(f"{'command':40} {'wall s':>8} {'cpu s':>8} {'records/s/core':>15}")
for k, r in res.items():
    print(f"{k:40} {r['mean']:8.2f} {cpu(r):8.2f} {n / cpu(r):15,.0f}")
print()
print(f"sesguard records/s per core (cpu, --jobs 1): {n / cpu(sg1):,.0f}  (target >= 200,000)")
print(f"sesguard --jobs 1 / gunzip: wall {sg1['mean'] / gz['mean']:.2f}x, cpu {cpu(sg1) / cpu(gz):.2f}x  (target <= 2x)")
print(f"sesguard (all cores) / gunzip: wall {sg['mean'] / gz['mean']:.2f}x")
print(f"jq / sesguard: wall {jq['mean'] / sg['mean']:.1f}x (all cores), {jq['mean'] / sg1['mean']:.1f}x (--jobs 1); cpu {cpu(jq) / cpu(sg1):.1f}x  (target >= 5x)")
print(f"json-c reader / fast reader (--jobs 1): wall {jc['mean'] / sg1['mean']:.1f}x, cpu {cpu(jc) / cpu(sg1):.1f}x")
PY
