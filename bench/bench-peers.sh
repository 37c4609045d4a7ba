#!/usr/bin/env bash
# Speed of full offline analysis, messages/s per core: `sesguard mail
# --format json` next to rspamd 3.4 and SpamAssassin 4 (Debian), on the same
# messages in the same run.
#
# usage: bench/bench-peers.sh [--sa-every K] [--keep DIR] [SESGUARD] [CORPUS]
#   SESGUARD   default build/sesguard (use a Release build)
#   CORPUS     default ../shared/corpus; absent: says so and exits 0
#   --sa-every SpamAssassin is ~50x slower than the others: it is timed on
#              every K-th message (default 8); sesguard and rspamd are timed
#              on that sample too, so that each ratio compares equal inputs
#   --keep DIR keep the work files: the message set, results.tsv, rspamd's
#              per-message results (one pass) and SpamAssassin's scores
#
# The messages: every message sesguard reports under corpus/{phish,ham,
# mixed}/*, one file each (mbox messages cut out), exactly what
# bench/eval-mail.sh --peers gives the peers. Per-core rate = messages /
# CPU seconds of the process doing the analysis:
#   sesguard: user+sys of the command (hyperfine, 1 warm-up, 3 runs; one
#             process, one thread)
#   rspamd:   utime+stime of its single normal worker (count = 1) from
#             /proc/PID/stat before and after one pass of rspamc, with 1 and
#             with 2 requests in flight; the client's own time is excluded
#   SpamAssassin: utime+stime of spamd's one child (--local), spamc one
#             message at a time
# Wall-clock rates are printed too, but on a shared 2-core machine they
# depend on the neighbours; CPU time does not.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
every=8 keep=""
args=()
while (($#)); do
  case $1 in
  --sa-every) every=${2:?}; shift ;;
  --keep) keep=${2:?}; shift ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  -*) echo "bench-peers: unknown option $1" >&2; exit 2 ;;
  *) args+=("$1") ;;
  esac
  shift
done
sg=${args[0]:-$repo/build/sesguard}
corpus=${args[1]:-$repo/../shared/corpus}
if [ ! -d "$corpus" ]; then
  echo "bench-peers: corpus $corpus not present; nothing to measure"
  exit 0
fi
[ -x "$sg" ] || { echo "bench-peers: $sg is not an executable sesguard" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "bench-peers: hyperfine not installed" >&2; exit 2; }
sg=$(readlink -f "$sg")
# shellcheck source=bench/peers-lib.sh
source "$here/peers-lib.sh"
if [ -n "$keep" ]; then
  rm -rf "$keep"
  mkdir -p "$keep"
  work=$(readlink -f "$keep")
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/bench-peers.XXXXXX")
fi
cleanup() {
  peers_stop_all
  if [ -z "$keep" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# the message set: sesguard's reports per folder, then one file per message
bash "$here/eval-mail.sh" --keep "$work/eval" "$sg" "$corpus" >/dev/null
python3 "$here/eval-mail.py" split "$work/eval"
all=$work/eval/peers/in
cut -f3 "$work/eval/peers/manifest.tsv" >"$work/all.list"
n_all=$(wc -l <"$work/all.list")
mkdir -p "$work/sample"
awk -v k="$every" 'NR % k == 1' "$work/all.list" >"$work/sample.list"
i=0
while read -r f; do
  ln -s "$(readlink -f "$f")" "$work/sample/$(printf '%06d' $i).eml"
  i=$((i + 1))
done <"$work/sample.list"
n_sample=$(wc -l <"$work/sample.list")
sample=$work/sample

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "messages: $n_all (every message of $corpus/{phish,ham,mixed}/*), SpamAssassin sample: $n_sample (every ${every}th)"
echo "sesguard: $sg ($("$sg" --version | head -1)), $(rspamd --version | head -1), SpamAssassin $(spamassassin --version | head -1 | sed 's/.*version //')"
echo

: >"$work/results.tsv" # engine, set, messages, wall s, cpu s
hf() { # name dir n
  hyperfine -N --warmup 1 --runs 3 --ignore-failure --export-json "$work/h.json" \
    "$sg mail --format json $2" >/dev/null 2>&1 ||
    hyperfine --warmup 1 --runs 3 --ignore-failure --export-json "$work/h.json" \
      "'$sg' mail --format json '$2' >/dev/null 2>&1" >/dev/null 2>&1
  python3 - "$work/h.json" "$1" "$3" >>"$work/results.tsv" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"sesguard\t{sys.argv[2]}\t{sys.argv[3]}\t{r['mean']:.3f}\t{r['user'] + r['system']:.3f}")
PY
}
echo "sesguard (hyperfine) ..." >&2
hf all "$all" "$n_all"
hf sample "$sample" "$n_sample"

rspamd_pass() { # set list n parallel
  local w c0 c1 t0 t1
  w=$(peers_rspamd_workers)
  c0=$(peers_cpu_seconds $w)
  t0=$(date +%s.%N)
  xargs -a "$2" rspamc -h "127.0.0.1:$PEERS_RSPAMD_PORT" -t 60 -n "$4" --json \
    >"$work/rspamd-${1}-n$4.json" 2>/dev/null || true
  t1=$(date +%s.%N)
  c1=$(peers_cpu_seconds $w)
  python3 -c "print(f'rspamd\t$1 (-n $4)\t$3\t{$t1 - $t0:.3f}\t{$c1 - $c0:.3f}')" >>"$work/results.tsv"
}
if peers_have_rspamd; then
  echo "rspamd ..." >&2
  peers_rspamd_start "$work" 1
  head -300 "$work/all.list" | xargs rspamc -h "127.0.0.1:$PEERS_RSPAMD_PORT" -t 60 >/dev/null 2>&1 || true # warm-up
  rspamd_pass all "$work/all.list" "$n_all" 1
  rspamd_pass all "$work/all.list" "$n_all" 2
  rspamd_pass sample "$work/sample.list" "$n_sample" 1
  peers_stop_pid "$PEERS_RSPAMD_PID"
  PEERS_RSPAMD_PID=""
fi
if peers_have_spamd; then
  echo "SpamAssassin ..." >&2
  peers_spamd_start "$work" 1
  head -20 "$work/sample.list" | while read -r f; do spamc -d 127.0.0.1 -p "$PEERS_SPAMD_PORT" -c <"$f" >/dev/null || true; done # warm-up
  kid=$(peers_spamd_children)
  c0=$(peers_cpu_seconds $kid)
  t0=$(date +%s.%N)
  while read -r f; do
    printf '%s\t%s\n' "$f" "$(spamc -d 127.0.0.1 -p "$PEERS_SPAMD_PORT" -s $((64 << 20)) -t 120 -c <"$f" || true)"
  done <"$work/sample.list" >"$work/sa-sample.tsv"
  t1=$(date +%s.%N)
  c1=$(peers_cpu_seconds $kid)
  python3 -c "print(f'SpamAssassin\tsample\t$n_sample\t{$t1 - $t0:.3f}\t{$c1 - $c0:.3f}')" >>"$work/results.tsv"
  peers_stop_pid "$PEERS_SPAMD_PID"
  PEERS_SPAMD_PID=""
fi

python3 - "$work/results.tsv" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
per_core = {}
print("| engine | messages | wall s | CPU s | messages/s (wall) | messages/s per core (CPU) | sesguard per-core rate / this |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
sg = {r[1]: int(r[2]) / float(r[4]) for r in rows if r[0] == "sesguard" and float(r[4]) > 0}
for eng, s, n, wall, cpu in rows:
    n, wall, cpu = int(n), float(wall), float(cpu)
    rate = n / cpu if cpu > 0 else float("nan")
    base = s.split(" ")[0]
    ratio = "" if eng == "sesguard" else (f"{sg[base] / rate:.1f}x" if base in sg and rate == rate else "-")
    print(f"| {eng} | {n} ({s}) | {wall:.2f} | {cpu:.2f} | {n / wall:.0f} | {rate:.0f} | {ratio} |")
PY
echo
echo "notes: sesguard runs without network and without rules that need it; the peers run offline too"
echo "  (bench/peers-lib.sh: no DNS, RBLs, Bayes, fuzzy, Redis). rspamd's rate excludes rspamc and"
echo "  the HTTP round trip's client side; SpamAssassin's excludes spamc and spamd's parent."
