#!/usr/bin/env bash
# Query benchmark: 50 agents x 20 containers x 24 h of 10 s reports (~8.6 M container rows) in
# MariaDB, then the dashboard's API calls timed against ss-server.
#   bench/query.sh [HOURS]     (default 24; seeding takes a few minutes)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
hours=${1:-24}
scripts/install-deps.sh
dotnet build StackScope.slnx -c Release -nologo -v quiet
db_dir=.tmp/mariadb-query
scripts/mariadb.sh stop "$db_dir"; rm -rf "$db_dir"
conn=$(SS_MARIADB_BUFFER_POOL=4G scripts/mariadb.sh start "$db_dir" 33063)
server=""
trap '[ -z "$server" ] || kill "$server" 2>/dev/null || true; scripts/mariadb.sh stop "$db_dir" || true' EXIT
bench="dotnet bench/StackScope.Bench.Ingest/bin/Release/net10.0/StackScope.Bench.Ingest.dll"
$bench query-seed --mysql "$conn;Database=ss_query" --agents 50 --containers 20 --hours "$hours"
dotnet src/Server/bin/Release/net10.0/ss-server.dll --Urls http://127.0.0.1:5184 --Storage:Provider mysql \
  --Storage:ConnectionString "$conn;Database=ss_query" > .tmp/bench-query-server.log 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:5184/readyz >/dev/null 2>&1 && break; sleep 0.2; done
# The query API wants a reader: a read token, made the way an operator makes one.
storage=(--Storage:Provider mysql --Storage:ConnectionString "$conn;Database=ss_query")
dotnet src/Server/bin/Release/net10.0/ss-server.dll token revoke bench-reader "${storage[@]}" 2>/dev/null || true
token=$(dotnet src/Server/bin/Release/net10.0/ss-server.dll token add bench-reader "${storage[@]}")
$bench query-measure --url http://127.0.0.1:5184 --rounds 30 --token "$token"
