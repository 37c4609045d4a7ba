#!/usr/bin/env bash
# DMARC cross-check against Debian's python3-authheaders (ValiMail's
# reference library, with dkimpy): random From domains, DKIM signers and
# DMARC records under the reserved example.com/.net/.org names; both sides
# read the same records (a zone file for sesguard, a lookup function for
# authheaders) and must give the same DMARC result. SPF is left out of
# both (no SPF records), so alignment comes from DKIM alone.
#
# Policy is compared only where the record has no sp=: authheaders reports
# sp= even for mail from the organisational domain itself, where RFC 7489
# 6.3 applies p=.
set -euo pipefail
: "${SESGUARD:?}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-}:exitcode=99 UBSAN_OPTIONS=${UBSAN_OPTIONS:-}:exitcode=99
py=/usr/bin/python3 # Debian's python, where python3-authheaders lives
"$py" -c 'import authheaders, dkim' || { echo "FAIL: python3-authheaders / python3-dkim missing (scripts/setup installs them)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
openssl genrsa -out "$tmp/k.pem" 2048 2>/dev/null
"$py" - "$SESGUARD" "$tmp" "${SEED:-20261127}" <<'PY'
import base64, json, random, re, subprocess, sys
import authheaders, dkim

bin, tmp, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(seed)
key = open(f"{tmp}/k.pem", "rb").read()
der = subprocess.run(["openssl", "rsa", "-in", f"{tmp}/k.pem", "-pubout", "-outform", "DER"],
                     capture_output=True, check=True).stdout
pub = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
orgs = ["example.com", "example.net", "example.org"]
pols = ["none", "quarantine", "reject"]

def record():
    if rnd.random() < 0.2:
        return None
    r = "v=DMARC1; p=" + rnd.choice(pols)
    if rnd.random() < 0.4:
        r += "; adkim=s"
    if rnd.random() < 0.3:
        r += "; sp=" + rnd.choice(pols)
    return r

cases = agree = 0
seen = {}
for i in range(80):
    recs = {}
    for o in orgs:
        r = record()
        if r:
            recs[f"_dmarc.{o}."] = r
    org = rnd.choice(orgs)
    frm = org if rnd.random() < 0.5 else "mail." + org
    if rnd.random() < 0.2:
        sub = record()
        if sub:
            recs[f"_dmarc.mail.{org}."] = sub
    signer = rnd.choice(orgs + ["mail." + o for o in orgs] + [None])
    msg = (f"From: Someone <x@{frm}>\r\nTo: y@example.org\r\nSubject: case {i}\r\n"
           f"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <{i}@example.org>\r\n\r\nbody {i}\r\n").encode()
    if signer:
        recs[f"s1._domainkey.{signer}."] = pub
        msg = dkim.sign(msg, b"s1", signer.encode(), key, include_headers=[b"from", b"to", b"subject", b"date"]) + msg
    def dnsfunc(name, timeout=5):
        n = name.decode() if isinstance(name, bytes) else name
        return recs.get(n if n.endswith(".") else n + ".")
    ref = authheaders.authenticate_message(msg, "ref", spf=False, dkim=True, dmarc=True, dnsfunc=dnsfunc)
    m = re.search(r"dmarc=(\w+)", ref)
    rp = re.search(r"policy\.dmarc=(\w+)", ref)
    zone = f"{tmp}/z{i}.zone"
    with open(zone, "w") as z:
        for name, txt in recs.items():
            chunks = " ".join('"' + txt[k:k + 200] + '"' for k in range(0, len(txt), 200))
            z.write(f"{name} TXT {chunks}\n")
    path = f"{tmp}/m{i}.eml"
    open(path, "wb").write(msg)
    p = subprocess.run([bin, "dmarc", "--format", "json", "--dns-zone", zone, "--ip", "192.0.2.200",
                        "--mail-from", "bounce@unrelated.example", path], capture_output=True)
    assert p.returncode in (0, 1), (i, p.returncode, p.stderr.decode())
    ours = json.loads(p.stdout)
    cases += 1
    same = ours["result"] == m.group(1)
    rec = recs.get(f"_dmarc.{frm}.") or recs.get(f"_dmarc.{org}.") or ""
    if same and ours["result"] == "fail" and "sp=" not in rec and rp:
        same = ours["policy"] == rp.group(1)
    if not same:
        print(f"case {i}: From {frm}, signer {signer}, records {recs and {k: v for k, v in recs.items() if k.startswith('_dmarc')}}")
        print(f"  authheaders: {ref}")
        print(f"  sesguard:    {ours['result']} policy={ours['policy']}")
    agree += same
    seen[ours["result"]] = seen.get(ours["result"], 0) + 1
print(f"DMARC cross-check: {agree}/{cases} agree with python3-authheaders; results {seen}")
# the random cases must exercise every outcome, or the check proves little
assert all(seen.get(r, 0) > 5 for r in ("pass", "fail", "none")), seen
sys.exit(0 if agree == cases else 1)
PY
