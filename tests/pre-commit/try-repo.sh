#!/usr/bin/env bash
# Tests .pre-commit-hooks.yaml with the real pre-commit (PyPI): `pre-commit try-repo` on a
# scratch git repository. A bad Dockerfile must fail the hook, a clean one pass, and only
# Dockerfile-like names may be linted.
#
# Needs: pre-commit (pip install pre-commit), cargo. The first run builds Plimsoll in
# target/pre-commit (kept between runs); the build uses quick release settings.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# pre-commit's rust language runs `cargo install --path .`: keep its build out of the way
# and fast (this tests the hook definition, not the optimizer).
export CARGO_TARGET_DIR="$repo/target/pre-commit"
export CARGO_PROFILE_RELEASE_LTO=false
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
export CARGO_PROFILE_RELEASE_OPT_LEVEL=0
export PRE_COMMIT_HOME="$scratch/pre-commit-home"
export NO_COLOR=1

# The pre-commit that `python3 -m pip install pre-commit` installed, even where its script
# is not on the PATH yet (pyenv shims).
if python3 -c 'import pre_commit' 2>/dev/null; then
  pre_commit=(python3 -m pre_commit)
else
  pre_commit=(pre-commit)
fi

passed=0
failed=0
check() { # name, condition-command...
  local name="$1"
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok - $name"
  else
    failed=$((failed + 1))
    echo "FAIL - $name"
  fi
}

cd "$scratch"
git init -q work
cd work
git config user.email test@example.invalid
git config user.name test

hook=plimsoll-check
try() { # files... → sets $status and $output
  set +e
  output="$("${pre_commit[@]}" try-repo "$repo" "$hook" --files "$@" 2>&1)"
  status=$?
  set -e
}

# One run over a bad Dockerfile under every name the hook should take, and names it should
# leave alone (each try-repo builds the hook anew, so the runs are few).
bad='FROM debian:12\nRUN apt-get update && apt-get install -y curl\n'
linted=(Dockerfile Containerfile.prod api.Dockerfile web.containerfile sub/dockerfile)
skipped=(Dockerfile.bak Dockerfile.dockerignore notes.txt)
for name in "${linted[@]}" "${skipped[@]}"; do
  mkdir -p "$(dirname "$name")"
  printf "$bad" > "$name"
done
git add -A
try "${linted[@]}" "${skipped[@]}"
check "bad Dockerfiles fail the hook" test "$status" -ne 0
for name in "${linted[@]}"; do
  # Findings are shown as `path:line:column`.
  check "$name is linted" grep -Eq "(^|[ /])${name//./\\.}:2:" <<<"$output"
done
for name in "${skipped[@]}"; do
  check "$name is left alone" bash -c '! grep -q "$1" <<<"$2"' _ "$name:" "$output"
done
[ "$failed" -eq 0 ] || echo "$output"

digest=0000000000000000000000000000000000000000000000000000000000000000
printf 'FROM debian:12@sha256:%s\nUSER 1000\nCMD ["true"]\n' "$digest" > clean.Dockerfile
git add clean.Dockerfile
try clean.Dockerfile notes.txt
check "a clean Dockerfile passes" test "$status" -eq 0
check "and was linted" grep -q "plimsoll check\.*Passed" <<<"$output"
[ "$status" -eq 0 ] || echo "$output"

# The fix hook rewrites a fixable file (pre-commit then fails the commit so the fix can be
# reviewed and staged) and leaves the comment and layout untouched.
hook=plimsoll-fix
printf 'FROM debian:12@sha256:%s\n# keep me\nUSER 1000\nCMD python3 -m http.server\n' "$digest" > fixable.Dockerfile
git add fixable.Dockerfile
try fixable.Dockerfile
check "the fix hook reports that it changed the file" test "$status" -ne 0
check "the fix was written" grep -q 'CMD \["python3", "-m", "http.server"\]' fixable.Dockerfile
check "the rest of the file is untouched" grep -q '^# keep me$' fixable.Dockerfile
[ "$failed" -eq 0 ] || echo "$output"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
