#!/usr/bin/env bash
# Starts (once) a throw-away PostgreSQL server on loopback for the test suite and prints its URL.
# Installs Debian's postgresql when no server binaries are present. Used by `make test`.
set -euo pipefail
PORT="${GAIBU_PG_PORT:-54329}"
DIR="${GAIBU_PG_DIR:-/tmp/gaibu-test-pg}"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
BIN="$(pgbin)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "Installing Debian's postgresql (apt-get)…" >&2
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  BIN="$(pgbin)"
fi

# PostgreSQL refuses to run as root: use the postgres system user then.
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if ! run "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
  if [ ! -f "$DIR/PG_VERSION" ]; then
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$DIR"
    run "$BIN/initdb" -D "$DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  run "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
      -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
fi
echo "postgresql://postgres@127.0.0.1:$PORT/postgres"
