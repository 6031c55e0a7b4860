#!/usr/bin/env bash
# npm test: the static checks (checks.sh: the type check and lint, one pass) and Jest, side by side. The checks
# take the first seconds of the run; Jest fills the rest. Their result is printed as soon as they
# end; npm test fails if either fails.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/checks.sh &
checks=$!
node_modules/.bin/jest "$@"
jest_status=$?
wait "$checks"
checks_status=$?
if [ "$checks_status" -ne 0 ]; then
  echo "npm test: the static checks failed (their output is above)"
fi
[ "$jest_status" -eq 0 ] && [ "$checks_status" -eq 0 ]
