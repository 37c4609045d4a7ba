#!/usr/bin/env bash
# sesguard dmarc on the signed samples with the offline zone file: pass for
# the real envelope, DKIM-aligned pass from another IP, fail when neither
# aligns; exit codes; usage errors.
set -euo pipefail
: "${SESGUARD:?}" "${SRCDIR:?}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-}:exitcode=99 UBSAN_OPTIONS=${UBSAN_OPTIONS:-}:exitcode=99
fail() { echo "FAIL: $*" >&2; exit 1; }
zone="$SRCDIR/examples/dns.zone"
ex="$SRCDIR/examples/mail"

out=$("$SESGUARD" dmarc --format json --dns-zone "$zone" --ip 23.251.234.5 \
  --mail-from 0106@ap-northeast-1.amazonses.com --authserv-id mx.example.jp "$ex/ses-phish-ja.eml")
python3 -c '
import json, sys
r = json.loads(sys.argv[1])
assert r["result"] == "pass" and r["policy"] == "quarantine", r
assert r["from_domain"] == "tokyo-kogyo-parts.example", r
assert r["spf"]["result"] == "pass", r["spf"]
assert {d["domain"] for d in r["dkim"] if d["result"] == "pass"} == {"amazonses.com", "tokyo-kogyo-parts.example"}, r["dkim"]
assert r["authentication_results"].startswith("mx.example.jp;"), r["authentication_results"]
' "$out" || fail "SES sample"

# a modified body breaks both signatures; from a foreign IP SPF fails too
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sed 's/Amazon.co.jp カスタマーサービス/Amazon.co.jp サポート/' "$ex/personal-ja.eml" >"$tmp/p.eml"
printf '\r\nadded line\r\n' >>"$tmp/p.eml"
rc=0
out=$("$SESGUARD" dmarc --format json --dns-zone "$zone" --ip 198.51.100.66 \
  --mail-from tanaka@example.jp "$tmp/p.eml") || rc=$?
[ "$rc" -eq 1 ] || fail "tampered mail: exit $rc, want 1"
python3 -c '
import json, sys
r = json.loads(sys.argv[1])
assert r["result"] == "fail" and r["policy"] == "reject", r
assert r["spf"]["result"] == "fail", r["spf"]
assert all(d["result"] == "fail" for d in r["dkim"]), r["dkim"]
' "$out" || fail "tampered personal sample"

rc=0; "$SESGUARD" dmarc --ip 192.0.2.1 "$ex/personal-ja.eml" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "missing --mail-from: exit $rc"
rc=0; "$SESGUARD" dmarc --dns-zone "$zone" --ip 192.0.2.1 --mail-from a@example.jp /nonexistent >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "missing file: exit $rc"
echo "dmarc CLI: ok"
