#!/usr/bin/env bash
# npm test's static checks: the type check and the linter, side by side. Each is a single-threaded
# process, so on two cores together they take the longer one's time, not the sum. Each one's output
# is printed whole, after it ends, so the two never interleave.
set -uo pipefail
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
npm run -s typecheck >"$out/typecheck" 2>&1 &
typecheck=$!
npm run -s lint >"$out/lint" 2>&1 &
lint=$!
status=0
for check in typecheck lint; do
  if wait "${!check}"; then
    echo "$check: passed"
  else
    echo "$check: failed"
    cat "$out/$check"
    status=1
  fi
done
exit "$status"
