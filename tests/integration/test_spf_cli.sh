#!/bin/bash
# test_spf_cli.sh - `sesguard spf` as a command, offline (--dns-zone):
# exit statuses for every result class and for usage errors, --record,
# --identity helo, the text and JSON forms, Japanese output, and a clear
# "file:line: reason" for a broken zone file.
set -euo pipefail
: "${SESGUARD:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/z.zone" <<'ZONE'
$ORIGIN example.com.
$TTL 300
@      TXT "v=spf1 ip4:192.0.2.0/24 -all exp=why.example.com"
why    TXT "%{i} is not %{d}"
soft   TXT "v=spf1 ~all"
perm   TXT "v=spf1 frob -all"
slow   TYPE65280 \# 0
mx     A 192.0.2.9
mx     TXT "v=spf1 a -all"
ZONE
fails=0
expect() { # expect NAME WANT-EXIT CMD... ; output kept in $out
    local name=$1 want=$2 rc=0
    shift 2
    out=$("$@" 2>&1) || rc=$?
    if [ "$rc" != "$want" ]; then
        echo "FAIL $name: exit $rc, expected $want"
        printf '%s\n' "$out"
        fails=$((fails + 1))
        return 1
    fi
    echo "ok   $name"
}
has() { # has NAME TEXT : the last output contains TEXT
    if printf '%s' "$out" | grep -qF -- "$2"; then echo "ok   $1"; else
        echo "FAIL $1: no '$2' in:"; printf '%s\n' "$out"; fails=$((fails + 1)); fi
}
S() { "$SESGUARD" spf --dns-zone "$work/z.zone" "$@"; }

expect pass 0 S --ip 192.0.2.1 --sender a@example.com
has pass-text "SPF pass for example.com (MAIL FROM identity)"
has pass-why "ip4:192.0.2.0/24: match -> pass"
expect fail 1 S --ip 198.51.100.1 --sender a@example.com --format json
has fail-json '"explanation":"198.51.100.1 is not example.com"'
expect softfail 1 S --ip 198.51.100.1 --sender a@soft.example.com
expect none 0 S --ip 198.51.100.1 --sender a@nothing.example.com
expect permerror 2 S --ip 198.51.100.1 --sender a@perm.example.com --format json
has permerror-problem 'unknown mechanism'
expect temperror 2 S --ip 198.51.100.1 --sender a@slow.example.com --format json
has temperror-json '"result":"temperror"'
expect record 0 S --ip 203.0.113.7 --sender a@example.com --record 'v=spf1 ip4:203.0.113.0/24 -all'
expect helo-identity 0 S --ip 192.0.2.9 --helo mx.example.com --identity helo
expect null-sender 1 S --ip 192.0.2.10 --sender '' --helo mx.example.com
has null-sender-postmaster 'postmaster@mx.example.com'
expect ja 0 env LANG=ja_JP.UTF-8 "$SESGUARD" spf --lang ja --dns-zone "$work/z.zone" --ip 192.0.2.1 --sender a@example.com
has ja-text '決め手'
expect usage-none 2 "$SESGUARD" spf
expect usage-format 2 S --ip 192.0.2.1 --sender a@example.com --format xml
expect usage-both 2 S --dns 127.0.0.1 --ip 192.0.2.1 --sender a@example.com
expect usage-timeout 2 S --timeout 0 --ip 192.0.2.1 --sender a@example.com
expect usage-identity 2 S --identity envelope --ip 192.0.2.1 --sender a@example.com
expect bad-ip 2 S --ip 999.1.1.1 --sender a@example.com
printf 'ok.example. A 192.0.2.1\nbad.example. A 300.1.1.1\n' > "$work/bad.zone"
expect bad-zone 2 "$SESGUARD" spf --dns-zone "$work/bad.zone" --ip 192.0.2.1 --sender a@example.com
has bad-zone-line "bad.zone:2:"
expect help 0 "$SESGUARD" help spf
[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all spf CLI cases pass"
