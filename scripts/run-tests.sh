#!/usr/bin/env bash
# Runs the given test files under c8 (coverage floor from .c8rc.json) and ends with a
# short summary: tests, pass, fail, skipped and coverage, as the last lines.
#   scripts/run-tests.sh test/a.test.ts test/b.test.ts …
# Exit status: the test runner's, or c8's when the coverage floor is not met.
set -uo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp -t symphony-tests.XXXXXX)
trap 'rm -f "$log"' EXIT

npx c8 node --import tsx --test --test-reporter=spec --test-timeout=180000 "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# node's spec reporter ends with "ℹ tests N", "ℹ pass N", …; c8's text-summary with "Lines : 97.66% ( … )".
count() { grep -E "^ℹ $1 [0-9]+$" "$log" | tail -1 | awk '{print $3}'; }
percent() { grep -E "^$1 +: " "$log" | tail -1 | sed -E 's/^[A-Za-z]+ +: ([0-9.]+%).*/\1/'; }
tests=$(count tests); pass=$(count pass); fail=$(count fail); skipped=$(count skipped)
floor=$(grep -qE 'ERROR: Coverage for .* does not meet' "$log" && echo 'below the floor' || echo 'floor met')

echo
echo '──────── summary ────────'
echo "tests ${tests:-?}, pass ${pass:-?}, fail ${fail:-?}, skipped ${skipped:-0}"
echo "coverage: lines $(percent Lines), branches $(percent Branches), functions $(percent Functions) ($floor)"
echo "${pass:-0} passed, ${fail:-0} failed, ${skipped:-0} skipped"
exit "$status"
