#!/usr/bin/env bash
# sesguard mail end to end on the bundled samples and fixtures: formats,
# languages, sources (file, directory, mbox on stdin), platform facts,
# exit codes and error reporting.
set -euo pipefail
: "${SESGUARD:?}" "${SRCDIR:?}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-}:exitcode=99 UBSAN_OPTIONS=${UBSAN_OPTIONS:-}:exitcode=99
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

rc=0
"$SESGUARD" mail --format json "$SRCDIR/examples/mail" >"$tmp/ex.jsonl" 2>"$tmp/ex.err" || rc=$?
[ "$rc" -le 1 ] || fail "examples: exit $rc: $(cat "$tmp/ex.err")"
[ "$(wc -l <"$tmp/ex.jsonl")" -eq 3 ] || fail "examples: expected 3 reports"

python3 - "$tmp/ex.jsonl" <<'PY'
import json, sys
reports = {}
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    assert r["schema"] == 1, r["schema"]
    reports[r["source"]["path"].rsplit("/", 1)[-1]] = r
ses = reports["ses-phish-ja.eml"]
assert ses["subject"] == "【重要】Amazonアカウントの支払い情報を更新してください", ses["subject"]
assert ses["from"]["display_name"] == "Amazon.co.jp", ses["from"]
assert ses["from"]["org_domain"] == "tokyo-kogyo-parts.example", ses["from"]
p = ses["platform"]
assert p and p["name"] == "amazon-ses", p
assert p["region"] == "ap-northeast-1", p
assert p["account"] == "c2VzZ3VhcmQtZGVtby1hY2NvdW50LWhhc2gtMDAwMDE=", p
assert abs(p["date_skew_s"]) <= 2, p
dkim = sorted(i["domain"] for i in ses["identities"] if i["role"] == "dkim")
assert dkim == ["amazonses.com", "tokyo-kogyo-parts.example"], dkim
anchors = [u for u in ses["urls"] if u["kind"] == "anchor"]
assert anchors and anchors[0]["text"] == "https://www.amazon.co.jp/ap/signin", anchors
assert anchors[0]["org_domain"] == "account-verify-center.top", anchors[0]
assert "ご注文ありがとうございました" not in ses["text"], "hidden HTML text leaked"
assert "24時間以内" in ses["text"]
nl = reports["newsletter.eml"]
assert nl["platform"]["name"] == "sendgrid" and nl["platform"]["account"] == "5343763", nl["platform"]
pe = reports["personal-ja.eml"]
assert pe["platform"] is None, pe["platform"]
assert pe["subject"] == "来週の打ち合わせ"
assert pe["from"]["display_name"] == "田中"
assert "来週の打ち合わせの資料を添付します" in pe["text"]
att = pe["attachments"][0]
assert att["filename"] == "打ち合わせ資料.csv" and att["size"] > 0 and len(att["sha256"]) == 64, att
PY

# with the samples' configuration: trusted boundary, offline DNS from the
# zone file, so SPF/DKIM/DMARC are verified here
"$SESGUARD" mail --format json --config "$SRCDIR/examples/sesguard.conf" "$SRCDIR/examples/mail" \
  >"$tmp/auth.jsonl" 2>"$tmp/auth.err" || true
python3 - "$tmp/auth.jsonl" <<'PY'
import json, sys
rs = {json.loads(l)["source"]["path"].rsplit("/", 1)[-1]: json.loads(l) for l in open(sys.argv[1], encoding="utf-8")}
ses = rs["ses-phish-ja.eml"]
a = ses["auth"]
assert a["source"] == "verified", a
assert a["spf"]["result"] == "pass" and a["spf"]["domain"] == "ap-northeast-1.amazonses.com", a["spf"]
assert sorted((d["domain"], d["result"]) for d in a["dkim"]) == [("amazonses.com", "pass"), ("tokyo-kogyo-parts.example", "pass")], a["dkim"]
assert a["dmarc"]["result"] == "pass" and a["dmarc"]["policy"] == "quarantine", a["dmarc"]
assert ses["envelope"]["client_ip"] == "23.251.234.5", ses["envelope"]
# passing everything does not whitewash the impersonation
assert ses["verdict"] == "phishing", ses["verdict"]
names = {s["name"] for s in ses["symbols"]}
assert {"BRAND_DISPLAY_NAME", "PLATFORM_IMPERSONATION", "AUTH_PASS_NOT_TRUST"} <= names, names
for name in ("newsletter.eml", "personal-ja.eml"):
    r = rs[name]
    assert r["auth"]["dmarc"]["result"] == "pass", (name, r["auth"])
    assert r["verdict"] == "clean", (name, r["symbols"])
PY
grep -q . "$tmp/auth.err" && { cat "$tmp/auth.err" >&2; fail "unexpected diagnostics with the samples' configuration"; }

# a forged From: the personal sample replayed from another server fails
# SPF, and DMARC (p=reject) for example.jp
"$SESGUARD" mail --format json --dns-zone "$SRCDIR/examples/dns.zone" --ip 198.51.100.66 \
  --helo spoof.example --mail-from tanaka@example.jp "$SRCDIR/examples/mail/personal-ja.eml" \
  >"$tmp/spoof.jsonl" || true
python3 - "$tmp/spoof.jsonl" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1], encoding="utf-8").read())
a = r["auth"]
assert a["spf"]["result"] == "fail", a["spf"]
names = {s["name"] for s in r["symbols"]}
assert "SPF_FAIL" in names, names
PY

# an mbox on stdin: three messages, indexed
"$SESGUARD" mail --format json - <"$SRCDIR/tests/data/mail/three.mbox" >"$tmp/mbox.jsonl" || true
python3 - "$tmp/mbox.jsonl" <<'PY'
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert [r["source"]["index"] for r in rs] == [0, 1, 2], rs
assert [r["subject"] for r in rs] == ["one", "two", "three"]
assert all(r["source"]["path"] == "-" for r in rs)
PY

# a missing input: exit 2, named on stderr, the other input still reported
rc=0
"$SESGUARD" mail --format json "$tmp/no-such-file.eml" "$SRCDIR/examples/mail/personal-ja.eml" \
  >"$tmp/miss.jsonl" 2>"$tmp/miss.err" || rc=$?
[ "$rc" -eq 2 ] || fail "missing input: exit $rc, want 2"
grep -q "no-such-file.eml" "$tmp/miss.err" || fail "missing input not named on stderr"
[ "$(wc -l <"$tmp/miss.jsonl")" -eq 1 ] || fail "the readable input was not reported"

# text in both languages
"$SESGUARD" mail --lang en "$SRCDIR/examples/mail/personal-ja.eml" >"$tmp/en.txt" || true
grep -q "Verdict:" "$tmp/en.txt" || fail "English text report lacks 'Verdict:'"
grep -q "打ち合わせ資料.csv" "$tmp/en.txt" || fail "attachment name missing from text report"
"$SESGUARD" mail --lang ja "$SRCDIR/examples/mail/personal-ja.eml" >"$tmp/ja.txt" || true
grep -q "判定:" "$tmp/ja.txt" || fail "Japanese text report lacks '判定:'"

# one SES account sending for three unrelated companies, as an mbox: the
# text run lists the account once at the end, in either language; JSON
# Lines stay one object per message
acct=c2VzZ3VhcmQtZGVtby1hY2NvdW50LWhhc2gtMDAwMDk=
for d in maple-staffing.example kobe-parts.example north-clinic.example; do
  printf 'From ses@example Mon Nov 23 01:00:00 2026\n'
  printf 'Received: from a1-2.smtp-out.us-west-2.amazonses.com (a1-2.smtp-out.us-west-2.amazonses.com [54.240.1.2]) by mx.other.example with ESMTPS id A\n'
  printf 'Feedback-ID: 1.us-west-2.%s:AmazonSES\n' "$acct"
  printf 'From: "Notice" <info@%s>\nTo: user@example.jp\nSubject: notice\n' "$d"
  printf 'Date: Mon, 23 Nov 2026 01:00:00 +0000\nMessage-ID: <m1@%s>\n\nhello\n\n' "$d"
done >"$tmp/acct.mbox"
"$SESGUARD" mail --lang en "$tmp/acct.mbox" >"$tmp/acct.txt" || true
grep -q "Amazon SES account $acct, 3 From domains: kobe-parts.example, maple-staffing.example, north-clinic.example" \
  "$tmp/acct.txt" || fail "run-level account list missing: $(tail -3 "$tmp/acct.txt")"
[ "$(grep -c "account $acct, [0-9]* From domains:" "$tmp/acct.txt")" -eq 1 ] || fail "account listed more than once"
"$SESGUARD" mail --lang ja "$tmp/acct.mbox" >"$tmp/acct-ja.txt" || true
grep -q "Amazon SES アカウント $acct、送信元ドメイン 3 件" "$tmp/acct-ja.txt" ||
  fail "Japanese account list missing"
"$SESGUARD" mail --format json "$tmp/acct.mbox" >"$tmp/acct.jsonl" || true
[ "$(wc -l <"$tmp/acct.jsonl")" -eq 3 ] || fail "JSON Lines gained a non-message line"
"$SESGUARD" mail --lang en "$SRCDIR/examples/mail" >"$tmp/noacct.txt" || true
! grep -q "Sending-platform accounts" "$tmp/noacct.txt" || fail "account section without accounts"

# start-up caches (compiled literal sets, the simplified-Chinese bitmap):
# a cold run, a warm run and a run over a damaged cache give the same report
printf 'From: a@shop.example\nSubject: x\nContent-Type: text/plain; charset=utf-8\n\n%s\n' \
  'お客样のカードは一时停止されました。ご确认ください。' >"$tmp/simp.eml"
cache="$tmp/cache"
for run in cold warm damaged; do
  if [ "$run" = damaged ]; then
    for f in "$cache"/sesguard/*; do printf 'x' >"$f"; done
  fi
  XDG_CACHE_HOME="$cache" "$SESGUARD" mail --format json "$tmp/simp.eml" >"$tmp/simp-$run.jsonl" || true
  grep -q '"JA_SIMPLIFIED_CHINESE"' "$tmp/simp-$run.jsonl" || fail "$run cache: JA_SIMPLIFIED_CHINESE missing"
done
ls "$cache"/sesguard/han-*.bin >/dev/null 2>&1 || fail "no bitmap cache written"
ls "$cache"/sesguard/lit-*.hsdb >/dev/null 2>&1 || fail "no literal-set cache written"
cmp -s "$tmp/simp-cold.jsonl" "$tmp/simp-warm.jsonl" || fail "warm cache changed the report"
cmp -s "$tmp/simp-cold.jsonl" "$tmp/simp-damaged.jsonl" || fail "damaged cache changed the report"
[ "$(wc -c <"$(ls "$cache"/sesguard/han-*.bin | head -1)")" -gt 1 ] || fail "damaged bitmap not rewritten"

# usage errors
rc=0; "$SESGUARD" mail --format yaml "$SRCDIR/examples/mail" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "bad --format: exit $rc"
rc=0; "$SESGUARD" mail >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "no PATH: exit $rc"
echo "mail CLI: ok"
