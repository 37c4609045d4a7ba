#!/usr/bin/env bash
# test_keys_cli.sh - `sesguard keys` end to end on throwaway trees: exit
# codes, JSON Lines fields, SARIF, text advice, stdin, archives (tar.gz,
# zip, gzip), binaries, .git skipping, include/exclude globs, --gitignore,
# inline allow, baseline round trip, unreadable inputs, and the third-party
# CredSweeper samples in tests/data/keys/credsweeper/.
set -u
: "${SESGUARD:?}" "${SRCDIR:?}"
export SESGUARD_DATADIR="$SRCDIR/data" LANG=C.UTF-8 LANGUAGE=
T=$(mktemp -d)
export XDG_CACHE_HOME="$T/cache"
trap 'chmod -R u+rwx "$T"; rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# run ARGS...: sets rc, out, err
run() {
  out=$("$SESGUARD" keys "$@" 2>"$T/err"); rc=$?; err=$(cat "$T/err")
}
expect_rc() { [ "$rc" -eq "$1" ] && ok "$2 (exit $1)" || fail "$2: exit $rc, want $1; stderr: $err"; }
has() { grep -qF -- "$1" <<<"$out" && ok "$2" || fail "$2: output lacks '$1'"; }
hasnt() { grep -qF -- "$1" <<<"$out" && fail "$2: output has '$1'" || ok "$2"; }
count() { local n; n=$(grep -cF -- "$1" <<<"$out"); [ "$n" -eq "$2" ] && ok "$3 ($n)" || fail "$3: $n lines with '$1', want $2"; }

mkdir -p "$T/clean" "$T/tree/sub" "$T/tree/.git" "$T/tree/node_modules"
echo "nothing to see" > "$T/clean/a.txt"
run "$T/clean"; expect_rc 0 "clean tree"
has "0 new findings" "clean tree summary"

cat > "$T/tree/sub/app.env" <<'X'
# deployment settings
AWS_ACCESS_KEY_ID=ASIAY34FZKBOKMUTVV7A
AWS_SECRET_ACCESS_KEY=GTd7FguoV8FWnFbB0JxXujr4qqaaABvvLOzAxzXM
X
printf 'token: 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\n' > "$T/tree/.git/config"
printf 'token: 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\n' > "$T/tree/node_modules/x.js"
printf 'ELF\0\0 AKIASP2TPHJSQH3FJRUX\n' > "$T/tree/bin.o"
printf 'doc: AKIAIOSFODNN7EXAMPLE\nok: AKIASP2TPHJSQH3FJRUX # sesguard:allow\n' > "$T/tree/README.md"

run --format json "$T/tree"; expect_rc 1 "findings"
count '"rule":"aws-access-key-id"' 3 "key ids: app.env (1), README.md (2)"
has '"path":"'"$T"'/tree/sub/app.env","line":2,"column":19' "path, 1-based line and column"
has '"key_id":"ASIAY34FZKBOKMUTVV7A","account_id":"609629065308","key_kind":"temporary"' "account id decoded, temporary key"
has '"paired_secret":"GTd7****"' "id and secret reported as one pair, secret redacted"
hasnt 'GTd7FguoV8FWnFbB0JxXujr4qqaaABvvLOzAxzXM' "no secret in clear without --show-secrets"
hasnt '.git/config' ".git internals skipped"
hasnt 'bin.o' "binary file skipped"
has '"key_id":"AKIAIOSFODNN7EXAMPLE","account_id":null' "old-generation key has no account"
has '"example":true' "AWS documentation example marked"
has '"status":"allowed"' "inline allow"
has '"canary":true' "canary-token account marked"
has '"schema":1' "schema version"

run --format json --exclude node_modules "$T/tree"
hasnt 'node_modules' "--exclude prunes a directory"
run --format json --include '*.env' "$T/tree"
count '"rule"' 1 "--include keeps only matching files"
run --format json --scan-git-dir --include config "$T/tree"
has '.git/config' "--scan-git-dir scans .git as files"

# text: what to do now
run "$T/tree/sub"; expect_rc 1 "text findings"
has "update-access-key" "text advice: deactivate in IAM"
has "sesguard trail" "text advice: check CloudTrail with sesguard trail"
has "git filter-repo" "text advice: remove from history"
run --lang ja "$T/tree/sub"
has "一時キー" "Japanese text: key kind"
has "漏えいした AWS キーへの対応" "Japanese text: what to do now"

# SARIF 2.1.0
run --format sarif "$T/tree"
printf '%s' "$out" > "$T/out.sarif"
if python3 - "$T/out.sarif" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == "2.1.0", d["version"]
run = d["runs"][0]
ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
assert "aws-access-key-id" in ids and "sendgrid-api-key" in ids
res = run["results"]
assert res and all(r["ruleId"] in ids for r in res)
loc = res[0]["locations"][0]["physicalLocation"]
assert loc["region"]["startLine"] >= 1 and loc["artifactLocation"]["uri"]
assert any(r.get("suppressions") for r in res), "allowed finding not suppressed"
assert all("sesguard/v1" in r["partialFingerprints"] for r in res)
assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("file:///")
           for r in res), "absolute paths are file:// URIs"
PY
then ok "SARIF structure"; else fail "SARIF structure"; fi

# stdin
out=$(printf 'MAILGUN_API_KEY=key-eba456bf92d5d98065e5751f75143a5f\n' | "$SESGUARD" keys --format json -); rc=$?
expect_rc 1 "stdin"
has '"rule":"mailgun-api-key","name":"Mailgun API key","provider":"mailgun","path":"-","line":1' "stdin finding"

# archives
mkdir -p "$T/arc/in"
cp "$T/tree/sub/app.env" "$T/arc/in/"
(cd "$T/arc" && tar czf conf.tgz in && zip -qr conf.zip in && gzip -c in/app.env > app.env.gz && rm -r in)
run --format json "$T/arc"
has 'conf.tgz!in/app.env' "tar.gz member"
has 'conf.zip!in/app.env' "zip member"
has '"path":"'"$T"'/arc/app.env.gz"' "gzip file"
run --format json --no-archives "$T/arc"; expect_rc 0 "--no-archives"
head -c 100 "$T/arc/conf.tgz" > "$T/arc/broken.tgz"
run --format json "$T/arc/broken.tgz" "$T/tree/sub"; expect_rc 1 "a corrupt archive is a warning, not an input error"
grep -q "broken.tgz" <<<"$err" && ok "corrupt archive named on stderr" || fail "corrupt archive named on stderr: $err"

# --gitignore (only when asked)
mkdir -p "$T/gi"; git -C "$T/gi" init -q
printf 'secret.env\n' > "$T/gi/.gitignore"
printf 'SENDGRID=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\n' > "$T/gi/secret.env"
run "$T/gi"; expect_rc 1 "ignored file still scanned by default"
run --gitignore "$T/gi"; expect_rc 0 "--gitignore skips ignored files"

# baseline round trip
"$SESGUARD" keys --format json "$T/tree" > "$T/baseline.jsonl"
run --baseline "$T/baseline.jsonl" "$T/tree"; expect_rc 0 "baseline accepts known findings"
printf 'AWS_SECRET_ACCESS_KEY=cU1vsHiQMaRiNTN9Ox98whGcTZc1UWb5fxzpF7ST\n' > "$T/tree/new.env"
run --format json --baseline "$T/baseline.jsonl" "$T/tree"; expect_rc 1 "new finding beyond baseline"
count '"status":"new"' 1 "only the new finding is new"
printf 'garbage\n' > "$T/bad-baseline"
run --baseline "$T/bad-baseline" "$T/tree"; expect_rc 2 "malformed baseline"

# --show-secrets and the SES SMTP passwords of a found secret
run --format json --show-secrets "$T/tree/sub"
has 'GTd7FguoV8FWnFbB0JxXujr4qqaaABvvLOzAxzXM' "--show-secrets"
has '"ses_smtp_passwords":{"us-east-1":"B' "derived SMTP passwords with --show-secrets"

# errors: missing input still scans the rest, exit 2
run --format json "$T/missing" "$T/tree/sub"; expect_rc 2 "missing input"
has 'ASIAY34FZKBOKMUTVV7A' "other inputs still scanned"
grep -q "missing" <<<"$err" && ok "error names the input" || fail "error names the input: $err"
if [ "$(id -u)" -ne 0 ]; then
  mkdir -p "$T/locked"; echo x > "$T/locked/f"; chmod 000 "$T/locked/f"
  run "$T/locked"; expect_rc 2 "unreadable file"
fi
run --bogus; expect_rc 2 "unknown option"
run; expect_rc 2 "no path"
run --format html "$T/clean"; expect_rc 2 "format not allowed"
run --help; expect_rc 0 "help"

# third-party samples (CredSweeper, MIT): expectations in ORIGIN.md
CS="$SRCDIR/tests/data/keys/credsweeper"
run --format json "$CS"
hasnt 'AKIA0ON7V2DD57PL3JXM' "impossible key id (contains 0) not reported"
has '"path":"'"$CS"'/aws_multi.md","line":8' "secret by SecretAccessKey keyword"
hasnt 'aws_multi_fp' "EUROPEASIA... and image base64 not reported"
count 'slack_token.hs' 1 "one Slack bot token"
count '"path":"'"$CS"'/brevo"' 2 "two Brevo keys"
hasnt 'github_classic_token' "GitHub tokens with bad length/checksum not reported"
hasnt 'sendgrid_api_key' "not a SendGrid key shape"
count 'pem_key.p.rsa' 1 "PEM private key"

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
