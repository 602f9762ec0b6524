#!/usr/bin/env bash
# `make reliability`: every reliability row — the fault rows on the real engine (fast
# and full: SYMPHONY_RELIABILITY_FULL=1) and the hostile-input suite — then
# RELIABILITY.md from the rows they wrote. Exits with the tests' status, after the
# report is written either way (a failing row is part of the record).
set -uo pipefail
cd "$(dirname "$0")/.."

ROWS=${RELIABILITY_ROWS_DIR:-$(mktemp -d /tmp/symphony-reliability.XXXXXX)}
mkdir -p "$ROWS"
rm -f "$ROWS"/fault-*.json "$ROWS"/hostile.json
export SYMPHONY_RELIABILITY_FULL=1 SYMPHONY_RELIABILITY_ROWS="$ROWS" SYMPHONY_RELIABILITY_OUT="$ROWS/hostile.json"

# RELIABILITY_ONLY=faults (or hostile) runs one part; the report then says so in its command.
mapfile -t FILES < <(find "test/reliability/${RELIABILITY_ONLY:-}" -name '*.test.ts' | sort)
echo "reliability: ${#FILES[@]} test files; rows in $ROWS"
started=$(date +%s)
node --import tsx --test --test-reporter=spec --test-timeout=1200000 "${FILES[@]}" 2>&1 | tee "$ROWS/run.log"
status=${PIPESTATUS[0]}
seconds=$(( $(date +%s) - started ))

node --import tsx scripts/reliability-report.ts --rows "$ROWS" --command "${RELIABILITY_COMMAND:-${RELIABILITY_ONLY:+RELIABILITY_ONLY=$RELIABILITY_ONLY }make reliability}" --status "$status" --seconds "$seconds" --out RELIABILITY.md
echo "reliability: run log and rows in $ROWS"
exit "$status"
