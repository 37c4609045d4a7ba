#!/usr/bin/env bash
# test_keys_git.sh - `sesguard keys --git` on throwaway repositories made
# with the git CLI: a key committed and later deleted is found in history
# (and not by a plain scan of the working tree), reported with the commit
# that introduced it, its path and author date; a blob reachable from
# several branches and tags is reported once; keys only on a side branch, a
# tag or a detached commit are found; a bare repository works; a path that
# is not a repository is an input error; the pre-commit hook in
# docs/keys.md refuses a commit that adds a token.
set -u
: "${SESGUARD:?}" "${SRCDIR:?}"
export SESGUARD_DATADIR="$SRCDIR/data" LANG=C.UTF-8 LANGUAGE=
T=$(mktemp -d)
export XDG_CACHE_HOME="$T/cache"
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
run() { out=$("$SESGUARD" keys "$@" 2>"$T/err"); rc=$?; err=$(cat "$T/err"); }
expect_rc() { [ "$rc" -eq "$1" ] && ok "$2 (exit $1)" || fail "$2: exit $rc, want $1; stderr: $err"; }
has() { grep -qF -- "$1" <<<"$out" && ok "$2" || fail "$2: output lacks '$1'"; }
hasnt() { grep -qF -- "$1" <<<"$out" && fail "$2: output has '$1'" || ok "$2"; }
count() { local n; n=$(grep -cF -- "$1" <<<"$out"); [ "$n" -eq "$2" ] && ok "$3 ($n)" || fail "$3: $n lines with '$1', want $2"; }

R="$T/repo"
git init -q -b main "$R"
g() { git -C "$R" "$@"; }
g config user.name "Dev One"
g config user.email dev@example.org
g config commit.gpgsign false
echo "# app" > "$R/README.md"
g add . && GIT_AUTHOR_DATE="2024-01-02T03:04:05Z" g commit -qm init
printf 'AWS_ACCESS_KEY_ID=ASIAY34FZKBOKMUTVV7A\nAWS_SECRET_ACCESS_KEY=GTd7FguoV8FWnFbB0JxXujr4qqaaABvvLOzAxzXM\n' > "$R/deploy.env"
g add . && GIT_AUTHOR_DATE="2024-02-03T04:05:06Z" g commit -qm "add deploy settings"
intro=$(g rev-parse HEAD)
echo more >> "$R/README.md"
g add . && g commit -qm readme
g rm -q deploy.env && g commit -qm "remove secrets"
# the same file content on another branch and a tag: one blob, one finding
g checkout -qb side "$intro"
printf 'SENDGRID_API_KEY=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\n' > "$R/mail.cfg"
g add . && g commit -qm "side branch mail"
side=$(g rev-parse HEAD)
g checkout -q main
g tag v1 "$intro"
# a key only reachable from a tag
g checkout -q --detach "$intro"
printf 'token=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\n' > "$R/gh.txt"
g add . && g commit -qm "tagged only"
tagged=$(g rev-parse HEAD)
g tag only-tag
g checkout -q main

run --format json "$R"; expect_rc 0 "working tree: key removed, history not reported by a plain scan"
run --format json --git "$R"; expect_rc 1 "history scan"
count '"key_id":"ASIAY34FZKBOKMUTVV7A"' 1 "deleted key found once"
has '"path":"deploy.env","line":1' "path inside the repository and line"
has '"commit":"'"$intro"'","author_date":"2024-02-03T04:05:06Z","author":"Dev One <dev@example.org>"' "introducing commit, author date and author"
has '"commit":"'"$side"'"' "side-branch key reported with its commit"
has '"commit":"'"$tagged"'"' "tag-only key found"
count '"rule"' 3 "three distinct findings (each unique blob once)"

# the same content committed again later (another path) is the same blob: no second finding
g show "$intro:deploy.env" > "$R/copy.env"
g add . && g commit -qm "copy"
run --format json --git "$R"
count '"key_id":"ASIAY34FZKBOKMUTVV7A"' 1 "re-added identical blob scanned once"

# bare clone
git clone -q --bare "$R" "$T/bare.git"
run --format json --git "$T/bare.git"; expect_rc 1 "bare repository"
has '"commit":"'"$intro"'"' "bare: introducing commit"

# text output names the commit
run --git "$R"
has "introduced in commit ${intro:0:12}" "text names the commit"

# the pre-commit hook documented in docs/keys.md, taken from the document
H="$T/hooked"
git init -q -b main "$H"
git -C "$H" config user.name "Dev One"
git -C "$H" config user.email dev@example.org
sed -n '/^#!\/bin\/sh/,/^```$/p' "$SRCDIR/docs/keys.md" | sed '$d' |
  sed -e 's/--baseline .sesguard-baseline.jsonl //' -e "s|sesguard keys|'$SESGUARD' keys|" \
  > "$H/.git/hooks/pre-commit"
chmod +x "$H/.git/hooks/pre-commit"
grep -q 'checkout-index' "$H/.git/hooks/pre-commit" && ok "hook extracted from docs" || fail "hook extracted from docs"
echo "hello" > "$H/a.txt"
git -C "$H" add a.txt
git -C "$H" commit -qm clean >/dev/null 2>&1 && ok "hook lets a clean commit through" || fail "hook refused a clean commit"
printf 'token=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\n' > "$H/b.txt"
git -C "$H" add b.txt
if git -C "$H" commit -qm leak >/dev/null 2>&1; then fail "hook let a token through"; else ok "hook refuses a commit adding a token"; fi
printf 'token=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 # sesguard:allow test\n' > "$H/b.txt"
git -C "$H" add b.txt
git -C "$H" commit -qm allowed >/dev/null 2>&1 && ok "hook honours sesguard:allow" || fail "hook ignored sesguard:allow"

# not a repository
mkdir -p "$T/plain"
run --git "$T/plain"; expect_rc 2 "not a repository"

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
