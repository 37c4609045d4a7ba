#!/usr/bin/env bash
# bench-keys.sh - `sesguard keys` against its peers on one source tree that
# is already in the page cache (default /usr/include), in the same run:
#   ripgrep     searching one AWS key-id regex (the speed floor: no rules,
#               no confirmation, no reports)
#   git-secrets (Debian package) with its AWS patterns, `--scan -r TREE`
#   secretlint  (npm, preset-recommend), installed outside the repository
#               (SECRETLINT=/path/to/node_modules/.bin/secretlint; skipped
#               when absent: `npm install --prefix /tmp/secretlint secretlint
#               @secretlint/secretlint-rule-preset-recommend`)
# Prints the hyperfine tables, the ratios and MB/s, and the machine.
# Usage: bench/bench-keys.sh path/to/sesguard   (use a Release build)
set -euo pipefail
bin=$(realpath "${1:?usage: bench-keys.sh path/to/sesguard}")
tree=${TREE:-/usr/include}
runs=${RUNS:-15}
secretlint=${SECRETLINT:-/tmp/secretlint/node_modules/.bin/secretlint}
re='(AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}'
for t in hyperfine rg git; do
  command -v "$t" >/dev/null || { echo "bench-keys: $t not installed" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg)"
bytes=$(du -sb "$tree" | cut -f1)
files=$(find "$tree" -type f | wc -l)
echo "tree:    $tree, $files files, $((bytes / 1000000)) MB"
echo "sesguard $("$bin" version), ripgrep $(rg --version | head -1 | cut -d' ' -f2), hyperscan $(pkg-config --modversion libhs 2>/dev/null || echo ?)"

# Warm the page cache and sesguard's compiled-rule cache.
rg --no-ignore --hidden -c x "$tree" >/dev/null 2>&1 || true
"$bin" keys --format json "$tree" >/dev/null || true

echo
echo "== sesguard keys vs ripgrep (one AWS key-id regex), $runs runs"
hyperfine -N -w 3 -r "$runs" -i --export-json "$work/rg.json" \
  "$bin keys --format json $tree" \
  "$bin keys --format json -j 1 $tree" \
  "rg --no-ignore --hidden -c '$re' $tree"

have_gs=0
if command -v git-secrets >/dev/null; then
  export GIT_CONFIG_GLOBAL="$work/gitconfig"
  git secrets --register-aws --global >/dev/null
  git init -q "$work/repo"
  have_gs=1
  echo
  echo "== git-secrets --scan -r (AWS patterns), 5 runs"
  (cd "$work/repo" && hyperfine -N -w 1 -r 5 -i --export-json "$work/gs.json" \
    "git secrets --scan -r $tree")
fi

# secretlint runs at about 1 MB/s and did not finish /usr/include (126 MB)
# in 40 minutes here, so it is measured on a subtree, beside sesguard on
# the same subtree (SECRETLINT_TREE; default TREE/linux when it exists).
have_sl=0
sltree=${SECRETLINT_TREE:-$tree/linux}
[ -d "$sltree" ] || sltree=$tree
if [ -x "$secretlint" ]; then
  printf '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}\n' > "$work/secretlintrc.json"
  have_sl=1
  slbytes=$(du -sb "$sltree" | cut -f1)
  echo
  echo "== secretlint (preset-recommend) vs sesguard on $sltree ($((slbytes / 1000000)) MB)"
  (cd "$sltree" && hyperfine -N -r 1 -i --export-json "$work/sl.json" \
    "$secretlint --secretlintrc $work/secretlintrc.json **/*")
  hyperfine -N -w 2 -r 10 -i --export-json "$work/slsg.json" "$bin keys --format json $sltree"
fi

# History: a throwaway repository holding the tree in 62 commits, then a
# commit that changes 1,500 headers (new blobs), packed by git gc;
# `keys --git` reads every distinct blob once. Only with HISTORY=1.
if [ "${HISTORY:-0}" = 1 ]; then
  r="$work/hist"
  git init -q -b main "$r"
  git -C "$r" config user.name bench; git -C "$r" config user.email bench@example.org
  git -C "$r" config gc.auto 0; git -C "$r" config gc.autoDetach false
  mapfile -t tops < <(ls "$tree")
  for ((i = 0; i < ${#tops[@]}; i += (${#tops[@]} + 60) / 61)); do
    for d in "${tops[@]:i:(${#tops[@]} + 60) / 61}"; do cp -r "$tree/$d" "$r/" 2>/dev/null || true; done
    git -C "$r" add -A . >/dev/null 2>&1; git -C "$r" commit -qm "add $i" >/dev/null 2>&1 || true
  done
  { find "$r" -path "$r/.git" -prune -o -name '*.h' -print || true; } | head -1500 |
    while read -r f; do echo "/* rev 2 */" >> "$f"; done || true
  git -C "$r" add -A . && git -C "$r" commit -qm touch >/dev/null
  git -C "$r" gc -q
  echo
  echo "== history: $(git -C "$r" rev-list --all | wc -l) commits," \
    "$(git -C "$r" cat-file --batch-all-objects --batch-check | awk '$2=="blob"{n++; s+=$3} END{printf "%d blobs, %.0f MB", n, s/1e6}')"
  hyperfine -N -w 1 -r 5 -i "$bin keys --git --format json $r"
fi

echo
python3 - "$work" "$bytes" "$have_gs" "$have_sl" "${slbytes:-0}" <<'PY'
import json, sys
work, size, gs, sl = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4] == "1"
slsize = int(sys.argv[5])
def res(f, i=0):
    r = json.load(open(f"{work}/{f}"))["results"][i]
    return r["mean"], r["user"] + r["system"]
def line(name, t, cpu, n, extra=""):
    print(f"{name:28s} {t*1000:9.1f} ms wall {cpu*1000:9.1f} ms cpu {n/t/1e6:8.1f} MB/s  {extra}")
(sg, sgc), (sg1, sg1c), (rg, rgc) = res("rg.json", 0), res("rg.json", 1), res("rg.json", 2)
line("sesguard keys (2 threads)", sg, sgc, size)
line("sesguard keys (-j 1)", sg1, sg1c, size)
line("ripgrep, one regex", rg, rgc, size,
     f"sesguard/ripgrep: wall {sg/rg:.2f}, cpu {sgc/rgc:.2f}")
if gs:
    g, gc = res("gs.json")
    line("git-secrets --scan -r", g, gc, size, f"git-secrets/sesguard: wall {g/sg:.1f}, cpu {gc/sgc:.1f}")
if sl:
    (s, sc), (k, kc) = res("sl.json"), res("slsg.json")
    line("secretlint (subtree)", s, sc, slsize)
    line("sesguard keys (subtree)", k, kc, slsize,
         f"secretlint/sesguard: wall {s/k:.0f}, cpu {sc/kc:.0f}")
PY
