#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL 15 (the machine's own packages): a private data
# directory and port on loopback, trust authentication, stopped and removed on exit. The
# command sees ZKGATE_TEST_POSTGRES_URL (tests that need PostgreSQL fail without it).
#   scripts/with-postgres.sh cargo test --workspace
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then
  echo "PostgreSQL 15 server binaries not found in $PGBIN (Debian package postgresql-15)" >&2
  exit 1
fi
PGTMP=$(mktemp -d /tmp/zkgate-pg.XXXXXX)
PGPORT=${ZKGATE_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
# initdb refuses to run as root: run the server as the postgres user then.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres: "$PGTMP"; fi
pg_stop() {
  as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate stop > /dev/null 2>&1 || true
  rm -rf "$PGTMP"
}
trap pg_stop EXIT
as_pg "$PGBIN/initdb" -D "$PGTMP/data" -U zkgate --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync > /dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGTMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start > /dev/null
export ZKGATE_TEST_POSTGRES_URL="postgres://zkgate@127.0.0.1:$PGPORT/postgres?sslmode=disable"
echo "PostgreSQL 15 on 127.0.0.1:$PGPORT (throwaway, stopped on exit)" >&2
"$@"
