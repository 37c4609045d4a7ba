#!/bin/bash
# test_dns_dnssec_nsd.sh - DNSSEC through the unbound backend, against NSD.
#
# Signs example.com with ldns-signzone (a fresh ECDSA key), serves it from
# Debian's NSD on loopback, and runs `sesguard spf` with the key as trust
# anchor (config dns_trust_anchor): the signed answer validates (pass).
# Then NSD serves a copy whose SPF record was changed after signing: with
# the anchor the answer is bogus, hence temperror ("DNSSEC bogus"); without
# it (validation off by default) the forged record is believed (fail).
# Skips (exit 0, with a message) if nsd or ldnsutils is missing.
set -euo pipefail
: "${SESGUARD:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/integration/nsd_lib.sh"
if ! nsd_find; then
    echo "SKIP: nsd is not installed (apt-get install nsd; scripts/setup does)"
    exit 0
fi
if ! command -v ldns-signzone > /dev/null || ! command -v ldns-keygen > /dev/null; then
    echo "SKIP: ldnsutils is not installed (apt-get install ldnsutils; scripts/setup does)"
    exit 0
fi
work=$(mktemp -d)
trap 'nsd_stop; rm -rf "$work"' EXIT
cd "$work"
cat > example.com.zone <<'ZONE'
$ORIGIN example.com.
$TTL 300
@   SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 300
@   NS  ns.example.com.
ns  A   127.0.0.1
@   TXT "v=spf1 ip4:192.0.2.0/24 -all"
ZONE
key=$(ldns-keygen -a ECDSAP256SHA256 -k example.com)
ldns-signzone -n example.com.zone "$key"
sed 's|ip4:192.0.2.0/24|ip4:198.51.100.0/24|' example.com.zone.signed > forged.zone
grep -q 'ip4:198.51.100.0/24' forged.zone

fails=0
run() { # run NAME WANT CONFIG : sesguard spf with that config, result must be WANT
    local name=$1 want=$2 conf=$3 out got
    out=$("$SESGUARD" spf --config "$conf" --timeout 3000 --format json \
          --ip 192.0.2.5 --sender alice@example.com) || true
    got=$(printf '%s' "$out" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])')
    if [ "$got" = "$want" ]; then
        echo "ok   $name: $got"
    else
        echo "FAIL $name: $got, expected $want"
        printf '%s\n' "$out"
        fails=$((fails + 1))
    fi
    LAST=$out
}

port=$(nsd_free_port)
printf 'dns_server = 127.0.0.1:%s\ndns_trust_anchor = %s/%s.key\n' "$port" "$work" "$key" > anchored.conf
printf 'dns_server = 127.0.0.1:%s\n' "$port" > plain.conf

nsd_start "$work" "$port" example.com=example.com.zone.signed
run signed-validates pass anchored.conf
nsd_stop

nsd_start "$work" "$port" example.com=forged.zone
run forged-is-bogus temperror anchored.conf
if printf '%s' "$LAST" | grep -q 'DNSSEC bogus'; then
    echo "ok   forged-is-bogus: the problem names DNSSEC"
else
    echo "FAIL forged-is-bogus: no 'DNSSEC bogus' in the problem"
    fails=$((fails + 1))
fi
run forged-without-anchor fail plain.conf
nsd_stop

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "DNSSEC cases pass"
