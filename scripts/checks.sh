#!/usr/bin/env bash
# npm test's static checks: the type check and the linter, side by side, so together they take the
# longer one's time, not the sum. The type check runs on TypeScript 7's native compiler (package
# alias typescript7: the same diagnostics as 5.9, at less than half its CPU here); lint is oxlint,
# its type-aware rules on TypeScript 7 too (oxlint-tsgolint): the rules ESLint and typescript-eslint
# applied here, at about a third of their CPU. Each one's output is printed whole, after it ends,
# so the two never interleave.
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
