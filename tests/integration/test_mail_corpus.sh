#!/usr/bin/env bash
# Every message of the real-mail corpora in ../shared/corpus (when present)
# goes through `sesguard mail` under ASan/UBSan without a sanitizer report
# or crash, and every report is valid JSON. Prints what it read.
set -euo pipefail
: "${SESGUARD:?}" "${SRCDIR:?}"
corpus="$SRCDIR/../shared/corpus"
if [ ! -d "$corpus" ]; then
  echo "SKIP: $corpus not present; corpus run not done"
  exit 0
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-}:exitcode=99 UBSAN_OPTIONS=${UBSAN_OPTIONS:-}:exitcode=99
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
"$SESGUARD" mail --format json "$corpus" >"$tmp/out.jsonl" 2>"$tmp/err" || rc=$?
if [ "$rc" -gt 2 ]; then
  head -50 "$tmp/err" >&2
  echo "FAIL: sesguard mail exited $rc on the corpus" >&2
  exit 1
fi
# stderr may only hold one-line input errors
if grep -v '^sesguard: ' "$tmp/err" | grep -q .; then
  grep -v '^sesguard: ' "$tmp/err" | head -20 >&2
  echo "FAIL: unexpected diagnostics on stderr" >&2
  exit 1
fi
python3 - "$tmp/out.jsonl" "$tmp/err" <<'PY'
import json, sys, collections
n = 0; plat = collections.Counter(); anom = collections.Counter(); verdict = collections.Counter()
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    n += 1
    plat[(r["platform"] or {}).get("name", "-")] += 1
    verdict[r["verdict"]] += 1
    for a in r["anomalies"]:
        anom[a["name"]] += 1
errs = sum(1 for _ in open(sys.argv[2], encoding="utf-8", errors="replace"))
print(f"corpus: {n} messages, {errs} unreadable inputs")
print("platforms:", dict(plat.most_common()))
print("verdicts:", dict(verdict))
print("anomalies:", dict(anom.most_common(12)))
assert n > 1000, "too few messages parsed"
PY
