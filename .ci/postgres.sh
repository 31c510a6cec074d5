#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test run, on a free local port, owned by this run.
#   source .ci/postgres.sh   -> starts it, exports MOCKMKTO_TEST_POSTGRES_URL, stops it when the shell exits
# Needs Debian's postgresql (installed by .ci/install-system.sh). PostgreSQL refuses to run as root, so
# as root the cluster belongs to the postgres user.
set -euo pipefail
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pg_dir=$(mktemp -d /tmp/mockmkto-pg.XXXXXX)
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$pg_dir"
  as_owner=(runuser -u postgres --)
fi
"${as_owner[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U mockmkto --auth=trust -E UTF8 --no-locale >/dev/null
# Throwaway data: durability off (fsync, full pages), enough connections for 4 workers x 2 Pythons' xdist.
"${as_owner[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -o \
  "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=300" \
  start >/dev/null
export MOCKMKTO_TEST_POSTGRES_URL="postgresql+psycopg://mockmkto@127.0.0.1:$pg_port/postgres"
export MOCKMKTO_TEST_PG_CTL="$pg_bin/pg_ctl" MOCKMKTO_TEST_PG_DATA="$pg_dir/data" MOCKMKTO_TEST_PG_OWNER="${as_owner[*]:-}"
mockmkto_pg_stop() {
  "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap mockmkto_pg_stop EXIT
echo "PostgreSQL for the tests: $MOCKMKTO_TEST_POSTGRES_URL"
