#!/usr/bin/env bash
# Nightly metadata import with encord-meta, for cron.
#
#   nightly-import.sh [JOB_CONFIG]        (default: nightly.json next to this script)
#
# Every night gets its own directory with the run's log, failure report, summary and undo journal:
#   $ENCORD_META_HOME/2026-11-28/run-023000.log
#                               /failures-023000.csv    rows that failed (fix them, import this file to retry)
#                               /summary-023000.json    counts, durations, paths
#                               /undo-journal.jsonl     encord-meta rollback undo-journal.jsonl
# and one line per run is appended to $ENCORD_META_HOME/nightly.log.
#
# Exit code: encord-meta's own (0 ok, 3 some rows failed, 2 usage/config, 1 fatal, 130 interrupted).
# Anything but 0 is reported: mail(1) to $MAIL_TO when installed, else logger(1), else stderr (which cron
# mails to MAILTO).
#
# Environment:
#   ENCORD_META       how to run encord-meta (default: "encord-meta"; e.g. "npx --yes encord-meta",
#                     "node /opt/encord-meta/dist/cli/main.js")
#   ENCORD_META_HOME  where nights are kept (default: ~/.encord-meta/nightly)
#   SCHEMA_FILE       optional: verify the org schema against this file first; skip the import if it drifted
#   MAIL_TO           failure mail recipient (default: $USER)
#   KEEP_DAYS         nights kept (default: 30)
#   plus the credentials encord-meta reads: ENCORD_SSH_KEY_FILE (or "sshKey" in the config), ENCORD_DOMAIN.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
config="${1:-$here/nightly.json}"
read -r -a cmd <<<"${ENCORD_META:-encord-meta}"
home="${ENCORD_META_HOME:-$HOME/.encord-meta/nightly}"
night="$(date +%F)"
stamp="$(date +%H%M%S)"
dir="$home/$night"
mkdir -p "$dir"
log="$dir/run-$stamp.log"

notify() {
  local subject="encord-meta nightly $night on $(hostname): $1"
  if command -v mail >/dev/null 2>&1; then
    { echo "$1"; echo; echo "Log: $log"; echo; tail -n 40 "$log"; } | mail -s "$subject" "${MAIL_TO:-${USER:-root}}"
  elif command -v logger >/dev/null 2>&1; then
    logger -t encord-meta -p user.err "$subject (log: $log)"
  else
    echo "$subject (log: $log)" >&2
  fi
}

status=0
if [ -n "${SCHEMA_FILE:-}" ]; then
  "${cmd[@]}" --config "$config" schema verify "$SCHEMA_FILE" >>"$log" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    msg="the org schema differs from $SCHEMA_FILE (exit $status); import skipped"
    echo "$(date -Iseconds) $night $stamp: $msg" >>"$home/nightly.log"
    notify "$msg"
    exit "$status"
  fi
fi

"${cmd[@]}" --config "$config" import \
  --report "$dir/failures-$stamp.csv" \
  --summary "$dir/summary-$stamp.json" \
  --journal "$dir/undo-journal.jsonl" \
  >>"$log" 2>&1 || status=$?

case "$status" in
  0) msg="ok" ;;
  3) msg="finished, some rows failed: $dir/failures-$stamp.csv" ;;
  2) msg="usage or configuration error, nothing written" ;;
  130) msg="interrupted; the next run finishes the job" ;;
  *) msg="failed (exit $status)" ;;
esac
echo "$(date -Iseconds) $night $stamp: $msg (exit $status, log $log)" >>"$home/nightly.log"
[ "$status" -eq 0 ] || notify "$msg"

# Keep KEEP_DAYS nights of reports.
find "$home" -mindepth 1 -maxdepth 1 -type d -name '20??-??-??' -mtime +"${KEEP_DAYS:-30}" -exec rm -rf {} + 2>/dev/null || true
exit "$status"
