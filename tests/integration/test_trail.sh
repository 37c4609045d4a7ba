#!/usr/bin/env bash
# test_trail.sh - `sesguard trail` and `sesguard iam` end to end: exit codes,
# every delivery shape, stdin, the S3 layout, benign look-alikes, bad input
# that is reported while the rest goes on, HTML escaping, --lang ja, and an
# evaluation over the real logs in ../shared/cloudtrail when present.
# Gets $SESGUARD, $SRCDIR, $BUILDDIR from ctest.
set -uo pipefail
: "${SESGUARD:?}" "${SRCDIR:?}"
D="$SRCDIR/tests/data/trail"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
expect_rc() { # expect_rc WANT DESCRIPTION -- command...
    local want=$1 what=$2
    shift 3
    "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    if [ "$rc" -eq "$want" ]; then ok "$what (exit $rc)"; else bad "$what: exit $rc, expected $want"; cat "$T/err"; fi
}
# pyq FILE EXPR: evaluate a Python expression over the JSON Lines in FILE (as `rows`)
pyq() {
    python3 - "$1" "$2" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(eval(sys.argv[2]))
PY
}
check() { # check FILE EXPR DESCRIPTION
    local v
    v=$(pyq "$1" "$2" 2>&1)
    if [ "$v" = "True" ]; then ok "$3"; else bad "$3 ($2 -> $v)"; fi
}

# --- the attack, in every shape -------------------------------------------
for f in attack/records.json attack/array.json attack/lines.jsonl attack/eventbridge.jsonl \
    attack/lookup-events.json attack/lake.json s3; do
    expect_rc 1 "trail $f finds the incident" -- "$SESGUARD" trail --format json "$D/$f"
    cp "$T/out" "$T/$(basename "$f").jsonl"
    check "$T/out" 'len(rows) == 2 and rows[0]["severity"] == "critical" and rows[0]["schema"] == 1' "$f: the takeover is critical"
    check "$T/out" 'rows[1]["access_key_id"] == "AKIA5QWTE7PERSIST2QA" and rows[1]["created_by"] == "AKIA5QWTE7LEAKEDKEY4" and "created_key_used" in rows[1]["detections"]' "$f: the persistence key, used later, is linked to its creator"
    check "$T/out" 'rows[0]["access_key_id"] == "AKIA5QWTE7LEAKEDKEY4" and rows[0]["principal"].endswith("user/ses-mailer")' "$f: key and principal"
    check "$T/out" '{"ses_recon","ses_production_access","ses_production_burst","ses_identity_created","ses_sending_enabled","iam_user_created","iam_policy_ses","trail_tampering","new_source_ip","attacker_user_agent","access_denied_storm"} <= set(rows[0]["detections"])' "$f: detections"
    check "$T/out" '{"T1078.004","T1496.004","T1136.003","T1098.001","T1562.008"} <= set(rows[0]["attack"])' "$f: ATT&CK ids"
    check "$T/out" 'len(rows[0]["regions"]) == 17 and rows[0]["production_burst"]["regions"] == 17 and "203.0.113.66" in rows[0]["source_ips"]' "$f: regions, burst, IPs"
    check "$T/out" 'all(set(e) >= {"time","source","name","region","ip","result"} for e in rows[0]["events"]) and [e["time"] for e in rows[0]["events"]] == sorted(e["time"] for e in rows[0]["events"])' "$f: ordered timeline"
done
cmp -s "$T/records.json.jsonl" "$T/lake.json.jsonl" && cmp -s "$T/records.json.jsonl" "$T/lookup-events.json.jsonl" &&
    ok "same report from every shape" || bad "reports differ between shapes"

# stdin, plain and gzip; the json-c reference reader agrees
expect_rc 1 "trail from stdin" -- bash -c "cat '$D/attack/records.json' | '$SESGUARD' trail --format json -"
cmp -s "$T/out" "$T/records.json.jsonl" && ok "stdin = file" || bad "stdin report differs"
gz=$(find "$D/s3" -name '*us-east-1_20250512T0315Z*.json.gz' | head -1)
expect_rc 1 "trail gzip from stdin" -- bash -c "cat '$gz' | '$SESGUARD' trail --format json"
expect_rc 1 "json-c reader" -- "$SESGUARD" trail --parser json-c --format json "$D/s3"
cmp -s "$T/out" "$T/s3.jsonl" && ok "json-c reader = fast reader" || bad "readers disagree"

# several reader threads give the same report as one
expect_rc 1 "--jobs 1" -- "$SESGUARD" trail --jobs 1 --format json "$D/s3"
cp "$T/out" "$T/jobs1"
expect_rc 1 "--jobs 4" -- "$SESGUARD" trail --jobs 4 --format json "$D/s3" "$D/attack/lines.jsonl"
expect_rc 1 "--jobs 1, same files" -- "$SESGUARD" trail --jobs 1 --format json "$D/s3" "$D/attack/lines.jsonl"
"$SESGUARD" trail --jobs 4 --format json "$D/s3" "$D/attack/lines.jsonl" >"$T/jobs4" 2>/dev/null
cmp -s "$T/out" "$T/jobs4" && ok "--jobs 4 = --jobs 1" || bad "report depends on --jobs"
expect_rc 2 "--jobs 0 is refused" -- "$SESGUARD" trail --jobs 0 "$D/s3"

# --- benign look-alikes -----------------------------------------------------
expect_rc 0 "Trusted Advisor reading quotas in every region is not an incident" -- "$SESGUARD" trail --format json "$D/benign/trusted-advisor.json"
expect_rc 0 "an application polling its quota is not an incident" -- "$SESGUARD" trail --format json "$D/benign/app-polling.json"
"$SESGUARD" trail --format json "$D/benign/admin-verifies-domain.json" >"$T/out" 2>/dev/null
check "$T/out" 'all(r["severity"] in ("low","medium") for r in rows)' "an administrator verifying a domain is not high"

# --- bad input is reported, the rest goes on ----------------------------------
expect_rc 2 "bad files give exit 2" -- "$SESGUARD" trail --format json "$D/bad/not-json.json" "$D/bad/truncated.json.gz" "$D/attack/records.json" "$D/no-such-file.json"
grep -q "not-json.json" "$T/err" && grep -q "truncated.json.gz" "$T/err" && grep -q "no-such-file.json" "$T/err" &&
    ok "each bad file named on stderr" || bad "bad files not named: $(cat "$T/err")"
check "$T/out" 'len(rows) == 2 and rows[0]["severity"] == "critical"' "the good file was still read"
expect_rc 0 "odd fields are tolerated" -- "$SESGUARD" trail "$D/bad/odd-fields.json"
expect_rc 2 "unknown format" -- "$SESGUARD" trail --format sarif "$D/attack/records.json"
expect_rc 2 "unknown option" -- "$SESGUARD" trail --bogus "$D/attack/records.json"
expect_rc 2 "missing option value" -- "$SESGUARD" trail --format
expect_rc 0 "help" -- "$SESGUARD" help trail

# --- text, HTML, Japanese -------------------------------------------------------
expect_rc 1 "text report" -- "$SESGUARD" trail --lang en "$D/attack/records.json"
grep -q "Deactivate the access key now" "$T/out" && grep -q "CRITICAL" "$T/out" && ok "text has response steps" || bad "text lacks response steps"
expect_rc 1 "html report" -- "$SESGUARD" trail --format html "$D/attack/records.json" "$D/hostile/markup.json"
grep -q "<svg" "$T/out" && ! grep -q "<script" "$T/out" && grep -q "&lt;script&gt;" "$T/out" &&
    ok "html has an SVG timeline and escapes log strings" || bad "html"
if [ -n "${BUILDDIR:-}" ] && [ -f "$BUILDDIR/locale/ja/LC_MESSAGES/sesguard.mo" ]; then
    expect_rc 1 "Japanese text report" -- env SESGUARD_LOCALEDIR="$BUILDDIR/locale" "$SESGUARD" trail --lang ja "$D/attack/records.json"
    grep -q "アクセスキー" "$T/out" && ok "Japanese response steps" || bad "no Japanese in the report"
else
    echo "skip Japanese report: no compiled translations in \$BUILDDIR/locale"
fi

# --- iam -------------------------------------------------------------------------
R="$D/iam/credential-report.csv"
expect_rc 1 "iam finds stale keys" -- "$SESGUARD" iam --format json --now 2025-06-01T00:00:00Z "$R"
check "$T/out" 'all({"user","check","severity","control","advice","key"} <= set(r) for r in rows) and len(rows) == 12' "iam JSON Lines fields"
check "$T/out" '("<root_account>","root_access_key","IAM.4") in [(r["user"],r["check"],r["control"]) for r in rows]' "iam root access key (IAM.4)"
check "$T/out" '("bob","console_no_mfa") in [(r["user"],r["check"]) for r in rows] and ("ci-deploy","key_created_with_user") in [(r["user"],r["check"]) for r in rows]' "iam MFA and created-with-user"
"$SESGUARD" iam --format json --now 2025-06-01 "$R" >"$T/out2" 2>/dev/null
cmp -s "$T/out" "$T/out2" && ok "--now is reproducible (date alone = midnight UTC)" || bad "--now not reproducible"
expect_rc 1 "iam from stdin" -- bash -c "'$SESGUARD' iam --now 2025-06-01 - < '$R'"
expect_rc 2 "iam bad --now" -- "$SESGUARD" iam --now yesterday "$R"
expect_rc 2 "iam missing file" -- "$SESGUARD" iam "$D/iam/nope.csv"
expect_rc 2 "iam not a report" -- "$SESGUARD" iam "$D/attack/records.json"
expect_rc 2 "iam without a report" -- "$SESGUARD" iam

# --- evaluation on real logs (read-only, optional) -----------------------------
REAL="$SRCDIR/../shared/cloudtrail/invictus-aws-dataset"
if [ -d "$REAL" ]; then
    "$SESGUARD" trail --format json "$REAL" >"$T/real" 2>"$T/realerr"
    rc=$?
    echo "evaluation: $REAL (Stratus Red Team simulation, no SES events): exit $rc, $(wc -l <"$T/real") incidents"
    python3 - "$T/real" <<'PY'
import json, sys
for r in map(json.loads, open(sys.argv[1])):
    print(f'  {r["severity"]:8} {r["access_key_id"] or r["principal"]:22} {",".join(r["detections"])}')
PY
    check "$T/real" 'any(r["access_key_id"] == "AKIATFQR7NSC8Q4X20BJ" and {"trail_tampering","iam_user_created","iam_access_key_other","iam_role_trust_external"} <= set(r["detections"]) for r in rows)' "real logs: the simulation key's persistence and tampering are found"
    check "$T/real" 'not any(r["ses_chain"] or any(d.startswith("ses_") for d in r["detections"]) for r in rows)' "real logs: no SES detection on logs without SES events"
    [ "$rc" -eq 1 ] && ok "real logs: exit 1" || bad "real logs: exit $rc"
else
    echo "skip evaluation over real CloudTrail logs: $REAL is absent"
fi

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
