#!/bin/bash
# test_spf_nsd.sh - `sesguard spf` against a real authoritative server.
#
# Starts Debian's NSD on 127.0.0.1 (a free high port) with zones written
# here, points `sesguard spf --dns 127.0.0.1:PORT` at it (libunbound
# forwarding to NSD: real wire answers, multi-string TXT, CNAMEs, reverse
# zones, SERVFAIL from a zone NSD could not load) and asserts pass, fail
# with a macro explanation, softfail, neutral, none, permerror (syntax,
# two records, the 10-lookup limit, void lookups), temperror from a
# SERVFAIL and from a port nobody listens on (within the timeout, no
# hang), the HELO identity, and each result's exit status. Every case is
# cross-checked against Debian's python3-spf (pyspf) asking the same NSD.
# NSD is stopped on exit. Skips (exit 0, with a message) only if the nsd
# binary is missing.
set -euo pipefail
: "${SESGUARD:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/integration/nsd_lib.sh"
if ! nsd_find; then
    echo "SKIP: nsd is not installed (apt-get install nsd; scripts/setup does)"
    exit 0
fi
work=$(mktemp -d)
trap 'nsd_stop; rm -rf "$work"' EXIT

cat > "$work/example.com.zone" <<'ZONE'
$ORIGIN example.com.
$TTL 300
@        SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 300
@        NS  ns.example.com.
ns       A   127.0.0.1
@        TXT "v=spf1 ip4:192.0.2.0/26 include:_spf.example.net mx a:relay.example.com -all exp=why.example.com"
@        MX  10 mx.example.com.
mx       A   198.51.100.7
relay    CNAME relay-host.example.com.
relay-host AAAA 2001:db8:25::25
why      TXT "%{i} is not allowed to send mail as %{s}"
soft     TXT "v=spf1 ip4:192.0.2.1 ~all"
neutral  TXT "v=spf1 ?all"
nospf    TXT "not an spf record"
perm     TXT "v=spf1 ip4:192.0.2.300 -all"
dup      TXT "v=spf1 -all"
dup      TXT "v=spf1 +all"
loop     TXT "v=spf1 include:loop.example.com -all"
voids    TXT "v=spf1 a:nx1.example.com a:nx2.example.com a:nx3.example.com -all"
ptr      TXT "v=spf1 ptr:example.com -all"
host10   A   192.0.2.10
long     TXT ( "v=spf1 ip4:10.0.0.1 ip4:10.0.0.2 ip4:10.0.0.3 ip4:10.0.0.4 ip4:10.0.0.5 ip4:10.0.0.6 "
               "ip4:10.0.0.7 ip4:10.0.0.8 ip4:10.0.0.9 ip4:10.0.0.10 ip4:10.0.0.11 ip4:10.0.0.12 "
               "ip4:10.0.0.13 ip4:10.0.0.14 ip4:10.0.0.15 ip4:10.0.0.16 ip4:10.0.0.17 ip4:10.0.0.18 "
               "ip4:10.0.0.19 ip4:10.0.0.20 ip4:10.0.0.21 ip4:10.0.0.22 ip4:192.0.2.200 -all" )
broken   TXT "v=spf1 include:spf.broken.test -all"
helo     A   192.0.2.50
helo     TXT "v=spf1 a -all"
ZONE
cat > "$work/example.net.zone" <<'ZONE'
$ORIGIN example.net.
$TTL 300
@        SOA ns.example.net. hostmaster.example.net. 1 3600 600 86400 300
@        NS  ns.example.com.
_spf     TXT "v=spf1 ip4:203.0.113.0/24 ip6:2001:db8:1::/48 ~all"
ZONE
cat > "$work/reverse.zone" <<'ZONE'
$ORIGIN 2.0.192.in-addr.arpa.
$TTL 300
@        SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 300
@        NS  ns.example.com.
10       PTR host10.example.com.
11       PTR host10.example.com.
ZONE
# broken.test is configured but its file is missing: NSD answers SERVFAIL.
port=$(nsd_free_port)
nsd_start "$work" "$port" example.com=example.com.zone example.net=example.net.zone \
    2.0.192.in-addr.arpa=reverse.zone broken.test=missing.zone

dead=$(nsd_free_port) # nobody listens there
fails=0

# check NAME WANT-RESULT WANT-EXIT ARGS... : run sesguard, assert, cross-check
check() {
    local name=$1 want=$2 want_rc=$3
    shift 3
    local out rc=0
    out=$("$SESGUARD" spf --dns "127.0.0.1:$port" --timeout 3000 --format json "$@") || rc=$?
    local got
    got=$(printf '%s' "$out" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])')
    if [ "$got" != "$want" ] || [ "$rc" != "$want_rc" ]; then
        echo "FAIL $name: result $got (exit $rc), expected $want (exit $want_rc)"
        printf '%s\n' "$out"
        fails=$((fails + 1))
        return
    fi
    echo "ok   $name: $got"
}

# pyspf NAME IP SENDER HELO WANT : the reference implementation on the same server
pyspf() {
    local name=$1 ip=$2 sender=$3 helo=$4 want=$5 got
    got=$(/usr/bin/python3 - "$port" "$ip" "$sender" "$helo" <<'PY'
import sys
import dns.resolver
import spf
port, ip, sender, helo = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
r = dns.resolver.Resolver(configure=False)
r.nameservers = ['127.0.0.1']
r.port = port
r.lifetime = 5
dns.resolver.default_resolver = r
res, code, exp = spf.query(i=ip, s=sender, h=helo).check()
print({'error': 'temperror', 'unknown': 'permerror'}.get(res, res))
PY
) || got="pyspf-crashed"
    if [ "$got" != "$want" ]; then
        echo "FAIL $name: pyspf says $got, sesguard $want"
        fails=$((fails + 1))
    else
        echo "ok   $name: pyspf agrees ($got)"
    fi
}

# case NAME WANT EXIT IP SENDER [HELO]
case_() {
    local name=$1 want=$2 rc=$3 ip=$4 sender=$5 helo=${6:-mail.example.org}
    check "$name" "$want" "$rc" --ip "$ip" --sender "$sender" --helo "$helo"
    pyspf "$name" "$ip" "$sender" "$helo" "$want"
}

case_ ip4-pass        pass      0 192.0.2.10     alice@example.com
case_ include-pass    pass      0 203.0.113.5    alice@example.com
case_ include-ip6     pass      0 2001:db8:1::5  alice@example.com
case_ mx-pass         pass      0 198.51.100.7   alice@example.com
case_ a-cname-ip6     pass      0 2001:db8:25::25 alice@example.com
case_ mapped-v4       pass      0 ::ffff:192.0.2.11 alice@example.com
case_ fail            fail      1 198.51.100.99  alice@example.com
case_ softfail        softfail  1 192.0.2.99     bob@soft.example.com
case_ neutral         neutral   0 192.0.2.99     bob@neutral.example.com
case_ none-no-record  none      0 192.0.2.99     bob@nospf.example.com
case_ none-nxdomain   none      0 192.0.2.99     bob@nx.example.com
case_ permerror-syntax permerror 2 192.0.2.99    bob@perm.example.com
case_ permerror-two   permerror 2 192.0.2.99     bob@dup.example.com
case_ permerror-loop  permerror 2 192.0.2.99     bob@loop.example.com
case_ permerror-void  permerror 2 192.0.2.99     bob@voids.example.com
case_ ptr-pass        pass      0 192.0.2.10     bob@ptr.example.com
case_ ptr-fail        fail      1 192.0.2.12     bob@ptr.example.com
case_ long-txt        pass      0 192.0.2.200    bob@long.example.com
case_ servfail        temperror 2 192.0.2.99     bob@broken.example.com
case_ helo-identity   pass      0 192.0.2.50     ""  helo.example.com

# the explanation comes from exp= on the real server, macros expanded
exp=$("$SESGUARD" spf --dns "127.0.0.1:$port" --format json --ip 198.51.100.99 \
      --sender alice@example.com | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["explanation"])') || true
if [ "$exp" = "198.51.100.99 is not allowed to send mail as alice@example.com" ]; then
    echo "ok   explanation: $exp"
else
    echo "FAIL explanation: '$exp'"
    fails=$((fails + 1))
fi

# a server nobody answers: temperror within the timeout, never a hang
start=$(date +%s)
rc=0
out=$(timeout 30 "$SESGUARD" spf --dns "127.0.0.1:$dead" --timeout 1000 --format json \
      --ip 192.0.2.10 --sender alice@example.com) || rc=$?
took=$(( $(date +%s) - start ))
if [ "$rc" = 2 ] && printf '%s' "$out" | grep -q '"result":"temperror"' && [ "$took" -le 10 ]; then
    echo "ok   dead server: temperror in ${took}s"
else
    echo "FAIL dead server: exit $rc after ${took}s: $out"
    fails=$((fails + 1))
fi

# text output says why
if "$SESGUARD" spf --dns "127.0.0.1:$port" --ip 203.0.113.5 --sender alice@example.com \
       | grep -q 'decided by: include:_spf.example.net in the record of example.com'; then
    echo "ok   text output"
else
    echo "FAIL text output"
    fails=$((fails + 1))
fi

nsd_stop
if [ "$fails" -ne 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "all NSD cases pass"
