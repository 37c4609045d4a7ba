#!/usr/bin/env bash
# test_dkim_authmilter.sh - `sesguard dkim` against the results that
# Authentication::Milter (Mail::DKIM) recorded for the real Google-signed
# messages of its test suite, used in place from
# ../shared/conformance/auth-milter (Perl licence terms: not copied here).
# Its DNS mock file is turned into an RFC 1035 zone (only _domainkey TXT
# records; quoted and unquoted character-strings joined); every
# DKIM-Signature whose result the milter wrote into the example output
# (dkim=... header.d= header.s=) must get the same result from sesguard.
# Skips (exit 0, with a message) when the suite is absent.
set -euo pipefail
: "${SESGUARD:?}" "${SRCDIR:?}"
suite="$SRCDIR/../shared/conformance/auth-milter/t"
if [ ! -f "$suite/zonefile" ]; then
    echo "SKIP: $suite not present"
    exit 0
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-}:exitcode=99 UBSAN_OPTIONS=${UBSAN_OPTIONS:-}:exitcode=99
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$suite" "$work" "$SESGUARD" <<'PY'
import json, os, re, shlex, subprocess, sys
suite, work, sesguard = sys.argv[1:4]

# Mock zone: one record per line, or spread over lines inside ( ).
records, buf, depth = [], "", 0
for line in open(os.path.join(suite, "zonefile"), encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith(";") or not line.strip():
        continue
    buf = buf + " " + line if buf else line
    depth += line.count("(") - line.count(")")
    if depth <= 0:
        records.append(buf)
        buf, depth = "", 0
with open(os.path.join(work, "keys.zone"), "w") as z:
    z.write("$TTL 300\n")
    for r in records:
        m = re.match(r"(\S+)\s+(?:\d+\s+)?(?:IN\s+)?TXT\s+(.*)$", r)
        if not m or "._domainkey." not in m.group(1):
            continue
        name = m.group(1) if m.group(1).endswith(".") else m.group(1) + "."
        toks = shlex.split(m.group(2).replace("(", " ").replace(")", " "), posix=True)
        if toks:
            z.write("%s IN TXT %s\n" % (name, " ".join('"%s"' % t for t in toks)))

src = os.path.join(suite, "data", "source")
ex = os.path.join(suite, "data", "example")
want_re = re.compile(r"(?<![-\w])dkim=(\w+)\b[^;]*?header\.d=([^\s;]+)(?:[^;]*?header\.s=([^\s;]+))?")
checked = bad = 0
for f in sorted(os.listdir(src)):
    msg = open(os.path.join(src, f), "rb").read()
    if not re.search(rb"(?mi)^DKIM-Signature:", msg):
        continue
    base = f[:-4]
    expect = None
    for cand in (base + ".eml", base + ".smtp.eml", base + ".local.eml", base + "_hide_none.eml"):
        p = os.path.join(ex, cand)
        if os.path.exists(p):
            found = want_re.findall(open(p, encoding="utf-8", errors="replace").read())
            if found:
                expect = found
                break
    if expect is None:
        print("no recorded result for %s; not compared" % f)
        continue
    out = subprocess.run([sesguard, "dkim", "--format", "json", "--dns-zone",
                          os.path.join(work, "keys.zone"), os.path.join(src, f)],
                         capture_output=True)
    if out.returncode > 2:
        sys.stderr.write(out.stderr.decode(errors="replace"))
        sys.exit("FAIL: sesguard exited %d on %s" % (out.returncode, f))
    sigs = json.loads(out.stdout)["signatures"]
    for result, d, s in expect:
        mine = [x for x in sigs if x["domain"] == d and (not s or x["selector"] == s)]
        if not mine:
            continue  # e.g. X-Google-DKIM, which is not a DKIM-Signature
        checked += 1
        ok = mine[0]["result"] == result
        bad += not ok
        print("%s %s d=%s s=%s: milter %s, sesguard %s (%s)" % (
            "ok  " if ok else "FAIL", f, d, mine[0]["selector"], result, mine[0]["result"],
            mine[0]["reason"]))
print("auth-milter: %d signatures compared, %d disagree" % (checked, bad))
sys.exit(1 if bad or checked == 0 else 0)
PY
