#!/usr/bin/env bash
# test_dkim_cli.sh - `sesguard dkim` end to end: keys from --dns-zone
# files and from a real authoritative server (Debian's NSD on loopback,
# through libunbound with --dns 127.0.0.1:PORT); text and JSON output;
# stdin; --time against x= (Stalwart's real message 005); ARC reported
# beside DKIM (Stalwart's two-hop chain); exit statuses 0 (all pass),
# 1 (unsigned, failed, expired, DNS failure as temperror within the
# timeout), 2 (unreadable input, usage errors). NSD is stopped on exit;
# the NSD part is skipped (with a message) when nsd is not installed.
set -euo pipefail
: "${SESGUARD:?}" "${SRCDIR:?}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-}:exitcode=99 UBSAN_OPTIONS=${UBSAN_OPTIONS:-}:exitcode=99
. "$SRCDIR/tests/integration/nsd_lib.sh"
work=$(mktemp -d)
trap 'nsd_stop; rm -rf "$work"' EXIT
D=$SRCDIR/tests/data
fails=0
check() { # description, then a command that must succeed
    local what=$1
    shift
    if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fails=$((fails + 1)); fi
}
run() { # run sesguard dkim, keep stdout/stderr and the exit status
    rc=0
    "$SESGUARD" dkim "$@" >"$work/out" 2>"$work/err" || rc=$?
    [ "$rc" -le 2 ] || { cat "$work/err" >&2; echo "FAIL sesguard exited $rc" >&2; exit 1; }
}
has() { grep -q -- "$1" "$work/out"; }
jq_py() { /usr/bin/python3 -c "import json,sys; o=[json.loads(l) for l in open('$work/out')]; sys.exit(0 if ($1) else 1)"; }

# Zone files: RFC 8463 keys, and the Stalwart messages' keys ("name value"
# lines before the message), long values split into 200-byte strings.
zone_from_pairs() { # file with "name value" lines (until an empty line) -> zone on stdout
    /usr/bin/python3 - "$1" <<'PY'
import sys
print("$TTL 300")
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    if not line:
        break
    name, _, value = line.partition(" ")
    print("%s. IN TXT %s" % (name, " ".join('"%s"' % value[i:i + 200] for i in range(0, len(value), 200))))
PY
}
message_after_pairs() { sed '1,/^$/d' "$1"; }
{ echo '$TTL 300'; grep . "$D/dkim/rfc8463-dns-records.txt"; } >"$work/rfc8463.zone"
zone_from_pairs "$D/dkim/stalwart/005.txt" >"$work/s005.zone"
message_after_pairs "$D/dkim/stalwart/005.txt" >"$work/s005.eml"
zone_from_pairs "$D/arc/stalwart/002.txt" >"$work/arc2.zone"
message_after_pairs "$D/arc/stalwart/002.txt" >"$work/arc2.eml"
printf 'From: a@example.com\nSubject: unsigned\n\nhello\n' >"$work/unsigned.eml"
sed 's/We lost the game/We won the game/' "$D/dkim/rfc8463-A3-signed.eml" >"$work/changed.eml"

Z="--dns-zone $work/rfc8463.zone"
run $Z "$D/dkim/rfc8463-A3-signed.eml"
check "RFC 8463 A.3: exit 0" [ "$rc" -eq 0 ]
check "text names both passing signatures" sh -c "grep -c 'dkim=pass' '$work/out' | grep -qx 2"
check "text shows the ed25519 key" has "key=ed25519/256"

run $Z --format json "$D/dkim/rfc8463-A3-signed.eml" "$work/changed.eml"
check "changed body: exit 1" [ "$rc" -eq 1 ]
check "JSON: one line per message, schema 1" jq_py "len(o) == 2 and all(x['schema'] == 1 for x in o)"
check "JSON: first passes with domain, selector, algorithm" jq_py "[(s['domain'], s['selector'], s['algorithm'], s['result']) for s in o[0]['signatures']] == [('football.example.com', 'brisbane', 'ed25519-sha256', 'pass'), ('football.example.com', 'test', 'rsa-sha256', 'pass')]"
check "JSON: changed body fails with body hash mismatch" jq_py "all(s['result'] == 'fail' and s['reason'] == 'body hash mismatch' for s in o[1]['signatures'])"
check "JSON: arc none" jq_py "o[0]['arc']['result'] == 'none'"

rc=0
"$SESGUARD" dkim $Z - <"$D/dkim/rfc8463-A3-signed.eml" >"$work/out" 2>"$work/err" || rc=$?
check "stdin: exit 0" [ "$rc" -eq 0 ]
check "stdin: named -" has "^-:"

{ printf 'From someone@example.com Mon Jun  1 10:00:00 2026\n'; cat "$D/dkim/rfc8463-A3-signed.eml"; } >"$work/mboxed.eml"
run $Z "$work/mboxed.eml"
check "leading mbox From line skipped: exit 0" [ "$rc" -eq 0 ]

run $Z "$work/unsigned.eml"
check "unsigned: exit 1" [ "$rc" -eq 1 ]
check "unsigned: says so" has "no DKIM signature"

run $Z "$work/missing.eml" "$D/dkim/rfc8463-A3-signed.eml"
check "missing file: exit 2" [ "$rc" -eq 2 ]
check "missing file: named on stderr" grep -q "missing.eml" "$work/err"
check "missing file: the other message still verified" has "dkim=pass"
run --format yaml "$work/unsigned.eml"
check "bad --format: exit 2" [ "$rc" -eq 2 ]
run $Z
check "no MSG: exit 2" [ "$rc" -eq 2 ]
run --time soon $Z "$work/unsigned.eml"
check "bad --time: exit 2" [ "$rc" -eq 2 ]
run --dns-zone "$work/nonexistent.zone" "$work/unsigned.eml"
check "unreadable zone file: exit 2" [ "$rc" -eq 2 ]

# Stalwart 005 (topicbox.com) has t=1667843664 and x=1667930064.
run --dns-zone "$work/s005.zone" --time 1667900000 --format json "$work/s005.eml"
check "x= not reached: pass" jq_py "o[0]['signatures'][0]['result'] == 'pass' and o[0]['signatures'][0]['expires'] == 1667930064"
run --dns-zone "$work/s005.zone" --format json "$work/s005.eml"
check "x= passed (now): permerror, expired, exit 1" jq_py "o[0]['signatures'][0]['result'] == 'permerror' and 'expired' in o[0]['signatures'][0]['reason']"
check "expired: exit 1" [ "$rc" -eq 1 ]

run --dns-zone "$work/arc2.zone" --format json "$work/arc2.eml"
check "ARC two-hop chain passes" jq_py "o[0]['arc']['result'] == 'pass' and o[0]['arc']['instances'] == 2 and o[0]['arc']['sets'][1]['seal_domain'] == 'manchego.org' and o[0]['arc']['sets'][1]['seal_result'] == 'pass'"
run --dns-zone "$work/arc2.zone" "$work/arc2.eml"
check "ARC in text" has "arc=pass"

# The same keys served by a real authoritative server.
if nsd_find; then
    { echo '$ORIGIN football.example.com.'; echo '$TTL 300'
      echo '@ SOA ns.football.example.com. hostmaster.football.example.com. 1 3600 600 86400 300'
      echo '@ NS ns.football.example.com.'; echo 'ns A 127.0.0.1'
      grep . "$D/dkim/rfc8463-dns-records.txt"; } >"$work/football.zone"
    port=$(nsd_free_port)
    nsd_start "$work" "$port" football.example.com=football.zone
    run --dns "127.0.0.1:$port" --format json "$D/dkim/rfc8463-A3-signed.eml"
    check "NSD: both signatures pass over real DNS, exit 0" jq_py "[s['result'] for s in o[0]['signatures']] == ['pass', 'pass']"
    check "NSD: exit 0" [ "$rc" -eq 0 ]
    nsd_stop
    start=$(date +%s)
    run --dns "127.0.0.1:$port" --timeout 1000 --format json "$D/dkim/rfc8463-A3-signed.eml"
    end=$(date +%s)
    check "no server: temperror, exit 1" jq_py "all(s['result'] == 'temperror' for s in o[0]['signatures'])"
    check "no server: answered within the timeouts ($((end - start)) s)" [ $((end - start)) -lt 30 ]
else
    echo "SKIP: nsd is not installed; the real-DNS part was not run"
fi

[ "$fails" -eq 0 ] || { echo "$fails checks failed"; exit 1; }
echo "all checks passed"
