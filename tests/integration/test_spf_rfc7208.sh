#!/bin/bash
# test_spf_rfc7208.sh - the RFC 7208 SPF test suite, in full, through the
# zone-file backend: tests/conformance/spf/rfc7208_zones.py turns each
# scenario's DNS data into a master file and each test into an
# expectation; run_suite.py runs `sesguard spf --dns-zone` on every test.
# Every test must pass (where the suite accepts alternative results, any
# of them; the list is printed).
#
# The suite comes from Debian's python3-spf (scripts/setup installs it);
# ../shared/conformance/spf/ is used only if that copy is missing.
set -euo pipefail
: "${SESGUARD:?}" "${SRCDIR:?}"
PY=/usr/bin/python3
suite=/usr/share/doc/python3-spf/rfc7208-tests.yml.gz
if [ ! -r "$suite" ]; then
    suite="$SRCDIR/../shared/conformance/spf/rfc7208-tests.yml"
fi
if [ ! -r "$suite" ]; then
    echo "FAIL: no RFC 7208 suite: install python3-spf (scripts/setup)" >&2
    exit 1
fi
if ! "$PY" -c 'import yaml' 2>/dev/null; then
    echo "FAIL: python3-yaml is missing (scripts/setup installs it)" >&2
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PY" "$SRCDIR/tests/conformance/spf/rfc7208_zones.py" "$suite" "$work"
"$PY" "$SRCDIR/tests/conformance/spf/run_suite.py" "$SESGUARD" "$work"
