#!/usr/bin/env bash
# bench/eval-mail.sh runs end to end on the labelled corpora in
# ../shared/corpus (when present): it prints a table row for every folder
# under corpus/phish/ and corpus/ham/, and no folder made sesguard crash
# (exit code other than 0/1/2, or a sanitizer report; ASan/UBSan are told
# to exit 99). Detection rates are measured by the script, not asserted
# here. Without the corpus: SKIP, pass.
set -euo pipefail
: "${SESGUARD:?}" "${SRCDIR:?}"
corpus="$SRCDIR/../shared/corpus"
if [ ! -d "$corpus/phish" ] && [ ! -d "$corpus/ham" ]; then
  echo "SKIP: $corpus not present; evaluation run not done"
  exit 0
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-}:exitcode=99 UBSAN_OPTIONS=${UBSAN_OPTIONS:-}:exitcode=99
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
# labelled folders only: the unlabelled ones are read by test_mail_corpus
bash "$SRCDIR/bench/eval-mail.sh" --no-mixed --top 3 --json "$tmp/summary.json" \
  "$SESGUARD" "$corpus" >"$tmp/out" 2>"$tmp/err" || rc=$?
cat "$tmp/out"
if [ "$rc" -ne 0 ]; then
  head -40 "$tmp/err" >&2
  echo "FAIL: bench/eval-mail.sh exited $rc (3: sesguard crashed on a folder)" >&2
  exit 1
fi
fail=0
for d in "$corpus"/phish/*/ "$corpus"/ham/*/; do
  [ -d "$d" ] || continue
  key=$(basename "$(dirname "$d")")/$(basename "$d")
  if ! grep -qE "^\| $key \| [0-9]+ \| [0-9.]+ \| [0-9.]+ \|" "$tmp/out"; then
    echo "FAIL: no table row for $key" >&2
    fail=1
  fi
done
python3 - "$tmp/summary.json" <<'PY' || fail=1
import json, sys
s = json.load(open(sys.argv[1]))
bad = {k: v["sesguard_exit"] for k, v in s["folders"].items() if v["sesguard_exit"] not in (0, 1, 2)}
assert not bad and not s["crashed"], f"sesguard crashed: {bad}"
assert all(v["bad_json"] == 0 for v in s["folders"].values()), "a report line is not JSON"
n = sum(v["messages"] for v in s["folders"].values())
assert n > 0, "no message reported"
print(f"evaluated {n} labelled messages in {len(s['folders'])} folders without a crash")
PY
exit "$fail"
