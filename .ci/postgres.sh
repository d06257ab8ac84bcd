#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for the integration tests.
#
# - Installs PostgreSQL from Debian's packages if no server binaries exist
#   under /usr/lib/postgresql/*/bin (the newest version found is used).
# - Creates (once) and starts a private cluster in $GDPR_PG_DIR (default
#   /tmp/gdpr-pg) listening ONLY on 127.0.0.1:$GDPR_PG_PORT (default 54329,
#   or the next free port if that one is taken by something else).
# - Superuser gdpr/gdpr, database gdpr_tests, scram-sha-256 auth over TCP.
# - Idempotent: if the cluster is already running it just prints the string.
# - Does not use systemd or the Debian default cluster (15/main, port 5432).
#
# Prints exactly ONE line on stdout: the Npgsql connection string.
# Everything else goes to stderr.
#
# Usage:  CONN="$(bash .ci/postgres.sh)"
# Stop:   bash .ci/postgres-stop.sh
set -euo pipefail

PG_ROOT="${GDPR_PG_DIR:-/tmp/gdpr-pg}"
PG_PORT="${GDPR_PG_PORT:-54329}"
PG_USER="${GDPR_PG_USER:-gdpr}"
PG_PASSWORD="${GDPR_PG_PASSWORD:-gdpr}"
PG_DB="${GDPR_PG_DB:-gdpr_tests}"
PG_WAIT_SECONDS="${GDPR_PG_WAIT_SECONDS:-60}"
PG_DATA="$PG_ROOT/data"
PG_SOCK="$PG_ROOT/sock"
PG_LOG="$PG_ROOT/postgres.log"

log() { echo "postgres.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

find_bindir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$d" && -x "$d/pg_ctl" && -x "$d/initdb" && -x "$d/postgres" ]]; then
    echo "$d"
  fi
}

# Run a command as the cluster owner (postgres refuses to run as root).
if [[ $EUID -eq 0 ]]; then
  as_pg() { (cd / && runuser -u postgres -- "$@"); }
  PG_OWNER=postgres
else
  as_pg() { (cd / && "$@"); }
  PG_OWNER="$(id -un)"
fi

# Start the server detached from every descriptor of ours. pg_ctl -l points
# the postmaster's stdout/stderr at the log file, but any other inherited fd
# (e.g. the pipe of a caller's "$(bash .ci/postgres.sh)") would be held open
# by the postmaster forever and make the caller hang.
start_server() {
  (
    cd /
    for fd in /proc/"$BASHPID"/fd/*; do
      fd="${fd##*/}"
      if [[ "$fd" -gt 2 ]]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    if [[ $EUID -eq 0 ]]; then
      exec runuser -u postgres -- "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" \
        -w -t "$PG_WAIT_SECONDS" </dev/null
    else
      exec "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t "$PG_WAIT_SECONDS" </dev/null
    fi
  )
}

is_running() { as_pg "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1; }

# Port of the running cluster (4th line of postmaster.pid).
running_port() { sed -n '4p' "$PG_DATA/postmaster.pid" 2>/dev/null | tr -d '[:space:]'; }

port_in_use() { (exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_ready() {
  local port="$1" i
  for ((i = 0; i < PG_WAIT_SECONDS; i++)); do
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 2; then
      return 0
    fi
    sleep 1
  done
  [[ -f "$PG_LOG" ]] && tail -n 50 "$PG_LOG" >&2
  die "server on 127.0.0.1:$port not ready after ${PG_WAIT_SECONDS}s"
}

psql_local() {
  # Superuser over the private unix socket (trust), no password needed.
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$1" -U "$PG_USER" -d postgres "${@:2}"
}

ensure_database() {
  local port="$1" exists
  exists="$(psql_local "$port" -tA -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")"
  if [[ "$exists" != "1" ]]; then
    log "creating database $PG_DB"
    psql_local "$port" -c "CREATE DATABASE \"$PG_DB\" OWNER \"$PG_USER\""
  fi
}

# Everything in main() writes to stderr; it sets the global $port.
main() {
  # --- 1. install -----------------------------------------------------------
  PG_BIN="$(find_bindir)"
  if [[ -z "$PG_BIN" ]]; then
    [[ $EUID -eq 0 ]] || die "PostgreSQL is not installed and we are not root"
    log "installing PostgreSQL from Debian packages..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq </dev/null
    apt-get install -y -qq --no-install-recommends postgresql </dev/null
    PG_BIN="$(find_bindir)"
    [[ -n "$PG_BIN" ]] || die "no server binaries under /usr/lib/postgresql/*/bin after install"
  fi
  log "using $PG_BIN"
  if [[ $EUID -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "system user 'postgres' does not exist"
  fi

  # --- 2. already running? --------------------------------------------------
  if [[ -f "$PG_DATA/PG_VERSION" ]] && is_running; then
    port="$(running_port)"
    [[ -n "$port" ]] || die "cluster running but cannot read its port from $PG_DATA/postmaster.pid"
    log "cluster already running on 127.0.0.1:$port"
    wait_ready "$port"
    ensure_database "$port"
    return 0
  fi

  # --- 3. create the cluster (once) -----------------------------------------
  mkdir -p "$PG_ROOT"
  chown "$PG_OWNER" "$PG_ROOT"
  chmod 0700 "$PG_ROOT"
  local major
  major="$(basename "$(dirname "$PG_BIN")")"
  if [[ -f "$PG_DATA/PG_VERSION" && "$(cat "$PG_DATA/PG_VERSION")" != "$major" ]]; then
    log "existing cluster is version $(cat "$PG_DATA/PG_VERSION"), binaries are $major: recreating"
    rm -rf "$PG_DATA"
  fi
  if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
    log "initdb in $PG_DATA"
    rm -rf "$PG_DATA"
    local pwfile="$PG_ROOT/pwfile"
    (umask 077 && printf '%s\n' "$PG_PASSWORD" >"$pwfile")
    chown "$PG_OWNER" "$pwfile"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_USER" --pwfile="$pwfile" \
      --encoding=UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 --no-sync
    rm -f "$pwfile"
    echo "include_if_exists = 'gdpr-test.conf'" >>"$PG_DATA/postgresql.conf"
    cat >"$PG_DATA/pg_hba.conf" <<HBA
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   scram-sha-256
HBA
    chown "$PG_OWNER" "$PG_DATA/pg_hba.conf"
  fi

  # --- 4. pick a free port and (re)write the settings -----------------------
  port="$PG_PORT"
  local i
  for ((i = 0; i < 20; i++)); do
    port_in_use "$port" || break
    log "port $port is in use, trying $((port + 1))"
    port=$((port + 1))
  done
  ! port_in_use "$port" || die "no free port in $PG_PORT..$port"

  mkdir -p "$PG_SOCK"
  chown "$PG_OWNER" "$PG_SOCK"
  chmod 0700 "$PG_SOCK"
  cat >"$PG_DATA/gdpr-test.conf" <<CONF
# Written by .ci/postgres.sh on every start: throwaway test cluster.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$PG_SOCK'
max_connections = 200
password_encryption = 'scram-sha-256'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  chown "$PG_OWNER" "$PG_DATA/gdpr-test.conf"

  # --- 5. start and wait ----------------------------------------------------
  touch "$PG_LOG"
  chown "$PG_OWNER" "$PG_LOG"
  log "starting cluster on 127.0.0.1:$port (log: $PG_LOG)"
  if ! start_server; then
    tail -n 50 "$PG_LOG" >&2 || true
    die "pg_ctl start failed"
  fi
  wait_ready "$port"
  ensure_database "$port"
}

port=""
main >&2
echo "Host=127.0.0.1;Port=$port;Username=$PG_USER;Password=$PG_PASSWORD;Database=$PG_DB"
