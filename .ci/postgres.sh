#!/usr/bin/env bash
# Run the test suite against a real PostgreSQL server that this script installs and starts
# on loopback, in a throw-away cluster, and stops afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "==> Installing PostgreSQL"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGDATA=$(mktemp -d /tmp/zhengwu-pg.XXXXXX)
# Below the kernel's ephemeral range (32768–60999), where the benchmarks' and tests' loopback
# connections take their local ports (one took 55432 once and PostgreSQL could not listen);
# the first free port from 25432 on.
free_port() {
  python3 - <<'PY'
import socket
for port in range(25432, 25532):
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
PY
}
PGPORT=${ZHENGWU_PG_PORT:-$(free_port)}
chown postgres "$PGDATA"
run_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
run_pg "$PGBIN/initdb -D $PGDATA -A trust -U postgres -E UTF8 --locale=C.UTF-8" >/dev/null
run_pg "$PGBIN/pg_ctl -D $PGDATA -l $PGDATA/server.log -w -o \"-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off\" start" >/dev/null
stop() { run_pg "$PGBIN/pg_ctl -D $PGDATA -m fast stop" >/dev/null 2>&1 || true; rm -rf "$PGDATA"; }
trap stop EXIT
echo "==> PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT"
# The all-roles schemathesis run fuzzes the HTTP layer with 2 examples per operation and role on
# SQLite (make test), with the coverage phase (boundary values of every parameter, four fifths
# of that file's time) as anonymous, the applicants and the case-handling staff. Here: 1
# example, and the coverage phase as anonymous and every other staff role (电子监察, the
# catalogue admin, the hall manager, 帮代办员, the 12345 operator), so each CI run sends it as
# every role once (tests/api/test_schemathesis.py checks this line against its sets); its
# invalid values and unexpected methods, refused before any role or database matters, went
# as anonymous and a signed-in role on SQLite, so here the coverage phase sends valid values
# only (an empty ZHENGWU_SCHEMATHESIS_VALIDATION_ROLES).
# What this run is for is the database: the tests that touch none, and further walks of the
# state machines, ran on SQLite already (tests/budget.py).
ZHENGWU_TESTS_DB_ONLY=1 ZHENGWU_STATEFUL_EXAMPLES=${ZHENGWU_STATEFUL_EXAMPLES:-20} \
ZHENGWU_SCHEMATHESIS_EXAMPLES=${ZHENGWU_SCHEMATHESIS_EXAMPLES:-1} \
ZHENGWU_SCHEMATHESIS_COVERAGE_ROLES=${ZHENGWU_SCHEMATHESIS_COVERAGE_ROLES:-anonymous,supervisor,catalog_admin,hall_manager,proxy_agent,hotline_operator} \
ZHENGWU_SCHEMATHESIS_VALIDATION_ROLES=${ZHENGWU_SCHEMATHESIS_VALIDATION_ROLES-} \
DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/zhengwu" .venv/bin/python -m pytest -q -m "not browser" --durations=25
