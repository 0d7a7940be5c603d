#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster of its own (system binaries, a free
# port on 127.0.0.1, trust authentication) and SESAME_TEST_POSTGRES_URL pointing at it.
# The cluster is stopped and deleted when the command ends.
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ]; then
  echo "PostgreSQL server binaries not found (scripts/setup.sh --postgres installs them)" >&2
  exit 1
fi

workdir=$(mktemp -d /tmp/sesame-pg-XXXXXX)
as_owner=()
if [ "$(id -u)" = 0 ]; then
  # initdb refuses to run as root: the cluster belongs to the postgres user.
  chown postgres: "$workdir"
  as_owner=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

"${as_owner[@]}" "$pg_bin/initdb" -D "$workdir/data" -A trust -U postgres --no-sync >/dev/null
stop() {
  "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap stop EXIT
pg_options="-p $port -k $workdir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off"
"${as_owner[@]}" "$pg_bin/pg_ctl" -D "$workdir/data" -l "$workdir/log" -w -o "$pg_options" start >/dev/null

export SESAME_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
# For the reliability suite's database-loss scenario: stop and start this cluster.
export SESAME_TEST_PG_STOP="${as_owner[*]} $pg_bin/pg_ctl -D $workdir/data -m fast -w stop"
export SESAME_TEST_PG_START="${as_owner[*]} $pg_bin/pg_ctl -D $workdir/data -l $workdir/log -w -o '$pg_options' start"
"$@"
