#!/usr/bin/env bash
# Detection evaluation of `sesguard mail` on labelled folders of real mail,
# optionally next to rspamd and SpamAssassin (offline) on the same messages.
#
# usage: bench/eval-mail.sh [OPTIONS] [SESGUARD] [CORPUS]
#   SESGUARD  the binary (default: build/sesguard of this tree)
#   CORPUS    default ../shared/corpus beside the repository; when it is
#             absent the script says so and exits 0
# options:
#   --peers       also run rspamd 3.4 and SpamAssassin 4 offline on the
#                 same messages (see bench/peers-lib.sh for the set-up)
#   --sa-jobs N   spamd children / parallel spamc (default 2)
#   --sa-from DIR with --peers: run rspamd, but take SpamAssassin's results
#                 from an earlier --peers run kept with --keep DIR (its
#                 pass is the slow one), matched by message
#   --peers-from DIR  take the peer columns from an earlier --peers run kept
#                 with --keep DIR (same corpus: rspamd's and SpamAssassin's
#                 results do not depend on sesguard; the SpamAssassin pass
#                 takes ~20 min on a loaded 2-core machine); messages are
#                 matched by path and mbox index, and the table says so
#   --no-mixed    skip the unlabelled folders corpus/mixed/*
#   --misses      list phishing messages sesguard did not flag
#   --fps         list legitimate messages sesguard flagged
#   --top N       symbols shown per folder (default 8)
#   --json FILE   write a JSON summary (figures, exit codes, machine, times)
#   --keep DIR    keep the work files (reports, peer results) in DIR
# environment: EVAL_COMMIT names the commit the binary was built from
#   (default: git describe in the binary's directory)
#
# Labels come from the folder: corpus/phish/* is phishing, corpus/ham/* is
# legitimate; corpus/mixed/* is reported for information only. sesguard
# reads each top folder itself (mboxes and Maildirs included); messages are
# counted from its reports. The peers get the very same messages, one per
# request (mbox messages cut out at the positions sesguard reported).
#
# Exit: 0 done (whatever the detection rates: they are measured here, not
# tested), 2 usage, 3 sesguard crashed (exit code other than 0/1/2, or a
# sanitizer report) on some folder, or wrote a report that is not JSON.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

peers=0 sa_jobs=2 mixed=1 top=8 json_out="" keep="" rep_opts=() peers_from="" sa_from=""
args=()
while (($#)); do
  case $1 in
  --peers) peers=1 ;;
  --sa-jobs) sa_jobs=${2:?}; shift ;;
  --peers-from) peers_from=$(readlink -f "${2:?}"); shift ;;
  --sa-from) sa_from=$(readlink -f "${2:?}"); shift ;;
  --no-mixed) mixed=0 ;;
  --misses | --fps) rep_opts+=("$1") ;;
  --top) top=${2:?}; shift ;;
  --json) json_out=${2:?}; shift ;;
  --keep) keep=${2:?}; shift ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  -*) echo "eval-mail: unknown option $1" >&2; exit 2 ;;
  *) args+=("$1") ;;
  esac
  shift
done
sg=${args[0]:-$repo/build/sesguard}
corpus=${args[1]:-$repo/../shared/corpus}

if [ ! -d "$corpus" ]; then
  echo "eval-mail: corpus $corpus not present; nothing to evaluate"
  exit 0
fi
[ -x "$sg" ] || { echo "eval-mail: $sg is not an executable sesguard (build it, or give its path)" >&2; exit 2; }
sg=$(readlink -f "$sg")
corpus=$(readlink -f "$corpus")
[ -z "$json_out" ] || json_out=$(readlink -f "$json_out")
if [ -n "$sa_from" ]; then
  ((peers)) || { echo "eval-mail: --sa-from goes with --peers" >&2; exit 2; }
  [ -f "$sa_from/peers/sa.jsonl" ] && [ -f "$sa_from/run.json" ] ||
    { echo "eval-mail: $sa_from holds no kept --peers run" >&2; exit 2; }
fi
if [ -n "$peers_from" ]; then
  ((peers == 0)) || { echo "eval-mail: --peers and --peers-from exclude each other" >&2; exit 2; }
  [ -f "$peers_from/peers/manifest.tsv" ] && [ -f "$peers_from/run.json" ] ||
    { echo "eval-mail: $peers_from holds no kept --peers run" >&2; exit 2; }
  rep_opts+=(--peers-dir "$peers_from/peers")
fi

if [ -n "$keep" ]; then
  mkdir -p "$keep"
  work=$(readlink -f "$keep")
  rm -rf "${work:?}/sg" "${work:?}/peers" "$work/folders.tsv" "$work/run.json"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/eval-mail.XXXXXX")
fi
mkdir -p "$work/sg"
# shellcheck source=bench/peers-lib.sh
source "$here/peers-lib.sh"
cleanup() {
  peers_stop_all
  if [ -z "$keep" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
groups=(phish ham)
((mixed)) && groups+=(mixed)
: >"$work/folders.tsv"
for g in "${groups[@]}"; do
  [ -d "$corpus/$g" ] || continue
  for d in "$corpus/$g"/*/; do
    [ -d "$d" ] || continue
    printf '%s/%s\t%s\n' "$g" "$(basename "$d")" "${d%/}" >>"$work/folders.tsv"
  done
done
[ -s "$work/folders.tsv" ] || { echo "eval-mail: no folder under $corpus/{phish,ham}"; exit 0; }

# sesguard, one run per top folder; its CPU time is summed for the notes
export ASAN_OPTIONS=${ASAN_OPTIONS:-}:exitcode=99 UBSAN_OPTIONS=${UBSAN_OPTIONS:-}:exitcode=99
TIMEFORMAT='%R %U %S'
crashed=0
while IFS=$'\t' read -r key dir; do
  base=$work/sg/${key//\//__}
  rc=0
  { time "$sg" mail --format json "$dir" >"$base.jsonl" 2>"$base.err"; } 2>>"$work/sg/times" || rc=$?
  if grep -qE 'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer' "$base.err"; then
    rc=99
  fi
  echo "$rc" >"$base.rc"
  if ((rc > 2)); then
    crashed=1
    echo "eval-mail: sesguard exited $rc on $dir" >&2
    grep -v '^sesguard: ' "$base.err" | head -20 >&2 || true
  fi
done <"$work/folders.tsv"
read -r sg_wall sg_cpu < <(awk '{w += $1; c += $2 + $3} END {printf "%.3f %.3f\n", w, c}' "$work/sg/times")
sg_n=$(cat "$work"/sg/*.jsonl | wc -l)

rs_cpu="" rs_wall="" rs_n="" sa_cpu="" sa_wall="" sa_n=""
if ((peers)); then
  mkdir -p "$work/peers/rspamd"
  python3 "$here/eval-mail.py" split "$work"
  total=$(wc -l <"$work/peers/manifest.tsv")
  if peers_have_rspamd && peers_rspamd_start "$work" 1; then
    w=$(peers_rspamd_workers)
    c0=$(peers_cpu_seconds $w)
    t0=$(date +%s.%N)
    while IFS=$'\t' read -r key _; do
      d=$work/peers/in/${key//\//__}
      [ -n "$(ls -A "$d")" ] || continue
      # two requests in flight keep the single worker busy between files
      rspamc -h "127.0.0.1:$PEERS_RSPAMD_PORT" -t 60 -n 2 --json "$d"/* \
        >"$work/peers/rspamd/${key//\//__}.json" 2>"$work/peers/rspamd/${key//\//__}.err" || true
    done <"$work/folders.tsv"
    t1=$(date +%s.%N)
    c1=$(peers_cpu_seconds $w)
    rs_cpu=$(python3 -c "print(round($c1 - $c0, 2))")
    rs_wall=$(python3 -c "print(round($t1 - $t0, 2))")
    rs_n=$total
    peers_stop_pid "$PEERS_RSPAMD_PID"
    PEERS_RSPAMD_PID=""
  else
    echo "eval-mail: rspamd not available; its column is left empty" >&2
  fi
  if [ -n "$sa_from" ]; then
    python3 "$here/eval-mail.py" sa-from "$work" "$sa_from"
  elif peers_have_spamd && peers_spamd_start "$work" "$sa_jobs"; then
    kids=$(peers_spamd_children)
    c0=$(peers_cpu_seconds $kids)
    t0=$(date +%s.%N)
    python3 "$here/eval-mail.py" sa "$work" "$PEERS_SPAMD_PORT" "$sa_jobs"
    t1=$(date +%s.%N)
    c1=$(peers_cpu_seconds $kids)
    sa_cpu=$(python3 -c "print(round($c1 - $c0, 2))")
    sa_wall=$(python3 -c "print(round($t1 - $t0, 2))")
    sa_n=$total
    peers_stop_pid "$PEERS_SPAMD_PID"
    PEERS_SPAMD_PID=""
  else
    echo "eval-mail: spamd not available; its column is left empty" >&2
  fi
fi

# the run, for the JSON summary and the notes
python3 - "$work/run.json" <<PY
import json, sys
def num(s):
    return float(s) if s else None
run = {
  "date_utc": "$started",
  "machine": {"nproc": $(nproc), "cpu": "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"},
  "sesguard": {"binary": "$sg", "version": "$("$sg" --version 2>/dev/null | head -1)",
               "commit": "${EVAL_COMMIT:-$(git -C "$(dirname "$sg")" describe --always --dirty 2>/dev/null || echo unknown)}",
               "messages": $sg_n, "wall_s": num("$sg_wall"), "cpu_s": num("$sg_cpu")},
  "corpus": "$corpus",
  "rspamd": {"version": "$(rspamd --version 2>/dev/null | head -1 | sed 's/.*version //')", "messages": num("$rs_n"),
             "wall_s": num("$rs_wall"), "worker_cpu_s": num("$rs_cpu")} if "$rs_n" else None,
  "spamassassin": {"version": "$(spamassassin --version 2>/dev/null | head -1 | sed 's/.*version //')", "messages": num("$sa_n"),
                   "children": $sa_jobs, "wall_s": num("$sa_wall"), "children_cpu_s": num("$sa_cpu")} if "$sa_n" else None,
}
if "$sa_from":
    old = json.load(open("$sa_from/run.json"))
    if old.get("spamassassin"):
        run["spamassassin"] = dict(old["spamassassin"], from_run=old["date_utc"])
if "$peers_from":
    old = json.load(open("$peers_from/run.json"))
    for k in ("rspamd", "spamassassin"):
        if old.get(k):
            run[k] = dict(old[k], from_run=old["date_utc"])
json.dump(run, open(sys.argv[1], "w"), indent=1)
PY

echo "sesguard: $sg ($("$sg" --version 2>/dev/null | head -1)), corpus: $corpus"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
rc=0
python3 "$here/eval-mail.py" report "$work" --top "$top" ${rep_opts[@]+"${rep_opts[@]}"} \
  ${json_out:+--json "$json_out"} || rc=$?
echo
rate() { python3 -c "import sys; n,c=float(sys.argv[1]),float(sys.argv[2]); print(f'{n/c:.0f}' if c>0 else '-')" "$1" "$2"; }
echo "CPU time of this run: sesguard $sg_n messages in ${sg_cpu} s CPU (${sg_wall} s wall), $(rate "$sg_n" "$sg_cpu") messages/s per core"
if [ -n "$peers_from" ] || [ -n "$sa_from" ]; then
  python3 - "$work/run.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for k, cpu, what in (("rspamd", "worker_cpu_s", "1 worker"), ("spamassassin", "children_cpu_s", "spamd children")):
    v = r.get(k)
    if not v or "from_run" not in v:
        continue
    if v.get(cpu):
        print(f"  {k} ({what}), run of {v['from_run']}: {v['messages']:.0f} messages in {v[cpu]} s CPU ({v['wall_s']} s wall), {v['messages'] / v[cpu]:.0f} messages/s per core")
    else:
        print(f"  {k} ({what}), run of {v['from_run']}: {v['messages']:.0f} messages, CPU time not recorded ({v.get('wall_s')} s wall)")
PY
  [ -z "$sa_from" ] || echo "SpamAssassin column: from the run of $(python3 -c "import json; print(json.load(open('$sa_from/run.json'))['date_utc'])") kept in $sa_from, on the same messages"
  [ -z "$peers_from" ] || echo "peer columns: from the run of $(python3 -c "import json; print(json.load(open('$peers_from/run.json'))['date_utc'])") kept in $peers_from, on the same messages"
fi
[ -z "$rs_n" ] || echo "  rspamd (1 worker): $rs_n messages in ${rs_cpu} s worker CPU (${rs_wall} s wall), $(rate "$rs_n" "$rs_cpu") messages/s per core"
[ -z "$sa_n" ] || echo "  SpamAssassin ($sa_jobs spamd children): $sa_n messages in ${sa_cpu} s children CPU (${sa_wall} s wall), $(rate "$sa_n" "$sa_cpu") messages/s per core"
if ((peers)) || [ -n "$peers_from" ]; then
  echo "notes: rspamd and SpamAssassin flag spam as well as phishing (their scores are spam scores);"
  echo "  they run offline here (no DNS, RBLs, Bayes, fuzzy or network rules; see bench/peers-lib.sh)."
fi
if ((crashed)) && ((rc == 0)); then rc=3; fi
exit "$rc"
