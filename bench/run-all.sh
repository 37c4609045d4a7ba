#!/usr/bin/env bash
# Run every benchmark script in bench/ against the given sesguard binary.
set -euo pipefail
bin=${1:?usage: run-all.sh path/to/sesguard}
cd "$(dirname "$0")"
for b in bench-*.sh; do
  [ -e "$b" ] || continue
  echo "== $b"
  bash "$b" "$bin"
done
