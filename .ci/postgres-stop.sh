#!/usr/bin/env bash
# Stop the throwaway test cluster started by .ci/postgres.sh (if it runs).
set -euo pipefail
exec 1>&2

PG_ROOT="${GDPR_PG_DIR:-/tmp/gdpr-pg}"
PG_DATA="$PG_ROOT/data"

log() { echo "postgres-stop.sh: $*" >&2; }

PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [[ -z "$PG_BIN" || ! -x "$PG_BIN/pg_ctl" ]]; then
  log "PostgreSQL is not installed; nothing to stop"
  exit 0
fi
if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
  log "no cluster in $PG_DATA; nothing to stop"
  exit 0
fi

if [[ $EUID -eq 0 ]]; then
  as_pg() { (cd / && runuser -u postgres -- "$@"); }
else
  as_pg() { (cd / && "$@"); }
fi

if as_pg "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1; then
  as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60
  log "stopped"
else
  log "cluster in $PG_DATA is not running"
fi
