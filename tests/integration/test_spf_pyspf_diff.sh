#!/bin/bash
# test_spf_pyspf_diff.sh - sesguard against the reference implementation
# on random policies: tests/conformance/spf/differential.py generates 120
# reproducible SPF set-ups (random directives, includes that pass, fail,
# are missing or broken, redirects, exp=, macros, A/AAAA/MX/PTR data),
# serves them from Debian's NSD on loopback and asks sesguard and Debian's
# python3-spf about four clients each; results and explanations must agree
# (one documented divergence in void-lookup counting is listed, not
# failed). Skips (exit 0, with a message) only if the nsd binary is missing.
set -euo pipefail
: "${SESGUARD:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/integration/nsd_lib.sh"
if ! nsd_find; then
    echo "SKIP: nsd is not installed (apt-get install nsd; scripts/setup does)"
    exit 0
fi
if ! /usr/bin/python3 -c 'import spf, dns.resolver' 2>/dev/null; then
    echo "FAIL: python3-spf is missing (scripts/setup installs it)" >&2
    exit 1
fi
exec /usr/bin/python3 "$SRCDIR/tests/conformance/spf/differential.py" "$SESGUARD" "$NSD_BIN" 120 7208
