#!/usr/bin/env bash
# Every benchmark and the full-size soak, at the sizes recorded in BENCHMARKS.md (about 30–40 min on the
# 2-core reference machine). Output goes to the terminal and to $LOG; the RESULT and SOAK lines are
# repeated at the end. Needs the build (npm run build).
#
#   scripts/bench/run-all.sh [log-file]
set -euo pipefail
cd "$(dirname "$0")/../.."
LOG="${1:-/tmp/encord-meta-bench/run-all-$(date -u +%Y%m%dT%H%M%SZ).log}"
mkdir -p "$(dirname "$LOG")"
[ -f dist/cli/main.js ] || { echo "build first: npm run build" >&2; exit 2; }
# Freeze the build under test: others may rebuild dist/ while this runs for half an hour.
SNAP="$(mktemp -d /tmp/encord-meta-dist-XXXXXX)"
cp -r dist package.json "$SNAP/"
ln -s "$PWD/node_modules" "$SNAP/node_modules"
trap 'rm -rf "$SNAP"' EXIT
export ENCORD_META_DIST="$SNAP/dist"
echo "===== build under test: copy of dist/ in $SNAP" | tee -a "$LOG"
run() {
  echo "===== $(date -u +%FT%TZ) \$ $*" | tee -a "$LOG"
  local start=$SECONDS
  "$@" 2>&1 | tee -a "$LOG" || echo "!!!!! exit $? from: $*" | tee -a "$LOG"
  echo "===== took $((SECONDS - start)) s" | tee -a "$LOG"
}
run scripts/bench-import
run npx tsx scripts/bench/rate-limit.ts
run npx tsx scripts/bench/nightly.ts
run npx tsx scripts/bench/memory.ts
run npx tsx scripts/soak/soak.ts
echo "===== summary ($LOG)"
grep -E '^(machine:|RESULT |SOAK )' "$LOG"
