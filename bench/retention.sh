#!/usr/bin/env bash
# Retention benchmark, on this machine's MariaDB and SQLite:
#  1. 50 agents x 20 containers: a year of hour rows and 30 days of 5-minute rows written straight into the tiers, the
#     last hour as raw reports; `ss-server maintenance run` then rolls that hour up (its cost), and long charts are
#     timed against ss-server; bytes per row and per container-day, and a year's projection;
#  2. ingest throughput (closed loop, 128 in flight) without maintenance, then with the server running it every 30 s
#     (ten times the default frequency);
#  3. SQLite: 9 days of raw history, expiry of the days past retention while a writer commits beside it.
#   bench/retention.sh [LOAD_SECONDS]     (default 60; PHASES="mariadb sqlite" by default, either alone to run one)
# MariaDB gets a 6 GiB buffer pool (SS_MARIADB_BUFFER_POOL): the seeded tiers are 5.6 GB; with 2 GiB the year chart
# reads cold pages (measured in BENCHMARKS.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-60}
scripts/install-deps.sh
dotnet build StackScope.slnx -c Release -nologo -v quiet
phases=${PHASES:-mariadb sqlite}
db_dir=.tmp/mariadb-retention
bench="dotnet bench/StackScope.Bench.Ingest/bin/Release/net10.0/StackScope.Bench.Ingest.dll"
ss="dotnet src/Server/bin/Release/net10.0/ss-server.dll"
if [[ " $phases " == *" mariadb "* ]]; then
scripts/mariadb.sh stop "$db_dir"; rm -rf "$db_dir"
conn=$(SS_MARIADB_BUFFER_POOL=${SS_MARIADB_BUFFER_POOL:-6G} scripts/mariadb.sh start "$db_dir" 33066)
server=""
trap '[ -z "$server" ] || kill "$server" 2>/dev/null || true; scripts/mariadb.sh stop "$db_dir" || true' EXIT
storage=(--Storage:Provider mysql --Storage:ConnectionString "$conn;Database=ss_retention")

echo "== seed the tiers and an hour of raw reports"
$bench retention-seed --mysql "$conn;Database=ss_retention" --agents 50 --containers 20
echo "== maintenance: roll up the raw hour of 1,000 containers"
/usr/bin/time -f "RESULT maintenance process: %e s wall, %U s user, %S s system, %M KiB max RSS" $ss maintenance run "${storage[@]}"

$ss "${storage[@]}" --Urls http://127.0.0.1:5187 --Retention:Enabled false > .tmp/bench-retention-server.log 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:5187/readyz >/dev/null 2>&1 && break; sleep 0.2; done
$ss token revoke bench-reader "${storage[@]}" 2>/dev/null || true
token=$($ss token add bench-reader "${storage[@]}")
echo "== long charts"
$bench retention-measure --url http://127.0.0.1:5187 --rounds 30 --token "$token"
echo "== disk"
$bench retention-disk --mysql "$conn;Database=ss_retention"

echo "== ingest without maintenance, then with it every 30 s ($seconds s each)"
tokens=(--tokens-mysql "$conn;Database=ss_retention")
$bench load --url http://127.0.0.1:5187 --seconds "$seconds" --concurrency 128 --run "rn$(date +%H%M%S)" --warmup 10 "${tokens[@]}"
kill "$server"; wait "$server" 2>/dev/null || true
$ss "${storage[@]}" --Urls http://127.0.0.1:5187 --Retention:IntervalMinutes 0.5 > .tmp/bench-retention-server2.log 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:5187/readyz >/dev/null 2>&1 && break; sleep 0.2; done
$bench load --url http://127.0.0.1:5187 --seconds "$seconds" --concurrency 128 --run "rm$(date +%H%M%S)" --warmup 10 "${tokens[@]}"
echo "maintenance runs during the load: $(grep -c 'Maintenance: rolled up' .tmp/bench-retention-server2.log || true)"
grep 'Maintenance: rolled up' .tmp/bench-retention-server2.log || true
kill "$server"; wait "$server" 2>/dev/null || true; server=""
scripts/mariadb.sh stop "$db_dir"
fi

if [[ " $phases " == *" sqlite "* ]]; then
echo "== SQLite: expiry beside a writer"
rm -f .tmp/bench-retention.db*
$bench retention-sqlite --path "$root/.tmp/bench-retention.db" --agents 10 --containers 20 --days 9 --command "$ss"
fi
