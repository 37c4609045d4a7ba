#!/usr/bin/env bash
# DKIM verification speed: signatures/s of `sesguard dkim --dns-zone` over
# messages signed twice (RSA-2048 rsa-sha256 relaxed/relaxed by the
# "customer", Ed25519 by the "relay", as SES-relayed mail is), next to
# Debian's python3-dkim (dkimpy) verifying the same messages with the same
# keys from a dictionary. Messages are made and signed here (dkimpy).
#
# usage: bench/bench-dkim.sh path/to/sesguard [MESSAGES]   (default 1000)
set -euo pipefail
bin=$(readlink -f "${1:?usage: bench-dkim.sh path/to/sesguard [messages]}")
n=${2:-1000}
PY=/usr/bin/python3
"$PY" -c 'import dkim, nacl' 2>/dev/null || { echo "bench-dkim: python3-dkim and python3-nacl needed" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "bench-dkim: hyperfine not installed" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$out/rsa.pem" 2>/dev/null
openssl pkey -in "$out/rsa.pem" -pubout -outform DER 2>/dev/null | base64 -w0 >"$out/rsa.spki"
"$PY" - "$out" "$n" <<'PY'
import base64, json, os, random, sys
import dkim, nacl.signing
out, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(1)
rsa = open(os.path.join(out, "rsa.pem"), "rb").read()
spki = open(os.path.join(out, "rsa.spki")).read().strip()
ed = nacl.signing.SigningKey(bytes(range(32)))
recs = {"rsa._domainkey.customer.example": "v=DKIM1; k=rsa; p=" + spki,
        "ed._domainkey.relay.example": "v=DKIM1; k=ed25519; p=" +
        base64.b64encode(bytes(ed.verify_key)).decode()}
with open(os.path.join(out, "keys.zone"), "w") as z:
    z.write("$TTL 300\n")
    for k, v in recs.items():
        z.write("%s. IN TXT %s\n" % (k, " ".join('"%s"' % v[i:i + 200] for i in range(0, len(v), 200))))
json.dump(recs, open(os.path.join(out, "keys.json"), "w"))
os.mkdir(os.path.join(out, "msgs"))
words = "invoice account verify password wallet urgent payment bank login update".split()
for i in range(n):
    body = "\r\n".join(" ".join(rnd.choice(words) for _ in range(12)) for _ in range(rnd.randrange(20, 80)))
    msg = ("From: Desk <desk@customer.example>\r\nTo: v%d@example.net\r\nSubject: %s\r\n"
           "Date: Mon, 1 Jun 2026 10:00:00 +0000\r\nMessage-ID: <%d@customer.example>\r\n"
           "MIME-Version: 1.0\r\n\r\n%s\r\n" % (i, " ".join(rnd.sample(words, 4)), i, body)).encode()
    msg = dkim.sign(msg, b"rsa", b"customer.example", rsa, canonicalize=(b"relaxed", b"relaxed")) + msg
    msg = dkim.sign(msg, b"ed", b"relay.example", base64.b64encode(bytes(ed)),
                    signature_algorithm=b"ed25519-sha256", canonicalize=(b"relaxed", b"relaxed")) + msg
    open(os.path.join(out, "msgs", "m%05d.eml" % i), "wb").write(msg)
PY
cat >"$out/dkimpy-verify.py" <<'PY'
import json, os, sys
import dkim
d = sys.argv[1]
recs = json.load(open(os.path.join(d, "keys.json")))
dns = lambda name, timeout=5: recs[name.decode().rstrip(".")].encode()
bad = 0
for f in sorted(os.listdir(os.path.join(d, "msgs"))):
    m = open(os.path.join(d, "msgs", f), "rb").read()
    v = dkim.DKIM(m)
    bad += not (v.verify(idx=0, dnsfunc=dns) and v.verify(idx=1, dnsfunc=dns))
sys.exit(1 if bad else 0)
PY
"$bin" dkim --dns-zone "$out/keys.zone" "$out"/msgs/* >/dev/null || { echo "bench-dkim: not every signature passed" >&2; exit 1; }
"$PY" "$out/dkimpy-verify.py" "$out" || { echo "bench-dkim: dkimpy disagrees" >&2; exit 1; }
bytes=$(cat "$out"/msgs/* | wc -c)
echo "messages: $n, 2 signatures each (rsa-sha256 2048-bit, ed25519-sha256), $((bytes / 1000)) KB"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
hyperfine --warmup 1 --runs 5 --export-json "$out/h.json" \
  -n "sesguard dkim" "'$bin' dkim --format json --dns-zone '$out/keys.zone' '$out'/msgs/* >/dev/null" \
  -n "dkimpy" "$PY '$out/dkimpy-verify.py' '$out'"
"$PY" - "$out/h.json" "$n" <<'PY'
import json, sys
h = json.load(open(sys.argv[1])); n = int(sys.argv[2])
t = {r["command"]: r["mean"] for r in h["results"]}
cpu = {r["command"]: r["user"] + r["system"] for r in h["results"]}
for k in ("sesguard dkim", "dkimpy"):
    print(f"{k}: {2 * n / t[k]:.0f} signatures/s wall, {2 * n / cpu[k]:.0f} per CPU second "
          f"({n / cpu[k]:.0f} messages per CPU second, one core)")
print(f"sesguard uses {cpu['dkimpy'] / cpu['sesguard dkim']:.1f}x less CPU than dkimpy")
PY
