#!/bin/bash
# test_spf_rfc7208_nsd.sh - the RFC 7208 SPF suite served by a real
# authoritative server: each scenario's data as a root zone in Debian's
# NSD on loopback, `sesguard spf --dns 127.0.0.1:PORT` for every test
# (tests/conformance/spf/run_suite_nsd.py starts and stops NSD per
# scenario). Tests that need the suite's TIMEOUT entries, which no server
# can express, are compared with the zone backend on the same data.
# Skips (exit 0, with a message) only if the nsd binary is missing.
set -euo pipefail
: "${SESGUARD:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/integration/nsd_lib.sh"
if ! nsd_find; then
    echo "SKIP: nsd is not installed (apt-get install nsd; scripts/setup does)"
    exit 0
fi
PY=/usr/bin/python3
suite=/usr/share/doc/python3-spf/rfc7208-tests.yml.gz
[ -r "$suite" ] || suite="$SRCDIR/../shared/conformance/spf/rfc7208-tests.yml"
if [ ! -r "$suite" ] || ! "$PY" -c 'import yaml' 2>/dev/null; then
    echo "FAIL: the RFC 7208 suite or python3-yaml is missing (scripts/setup installs them)" >&2
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PY" "$SRCDIR/tests/conformance/spf/rfc7208_zones.py" "$suite" "$work"
"$PY" "$SRCDIR/tests/conformance/spf/run_suite_nsd.py" "$SESGUARD" "$NSD_BIN" "$work"
