#!/usr/bin/env bash
# /metrics at fleet size: 1000 agents x 20 containers, plus one agent whose report is as large as ingest takes (1,000
# containers with 200-character names), in MariaDB; then sequential plain and gzip scrapes and 16 scrapes 8 at a time
# against ss-server, with the server's CPU time for each.
#   bench/metrics.sh [AGENTS] [CONTAINERS]
#   BEFORE=/path/to/other/checkout bench/metrics.sh    the same measurement against that checkout's build too
#                                                      (built there first), in the same run, for a ratio
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
agents=${1:-1000}
containers=${2:-20}
scripts/install-deps.sh
dotnet build StackScope.slnx -c Release -nologo -v quiet
db_dir=.tmp/mariadb-metrics
scripts/mariadb.sh stop "$db_dir"; rm -rf "$db_dir"
conn=$(scripts/mariadb.sh start "$db_dir" 33064)
server=""
trap '[ -z "$server" ] || kill "$server" 2>/dev/null || true; scripts/mariadb.sh stop "$db_dir" || true' EXIT
bench="dotnet bench/StackScope.Bench.Ingest/bin/Release/net10.0/StackScope.Bench.Ingest.dll"
storage=(--Storage:Provider mysql --Storage:ConnectionString "$conn;Database=ss_metrics")
$bench metrics-seed --mysql "$conn;Database=ss_metrics" --agents "$agents" --containers "$containers"
token=$(dotnet src/Server/bin/Release/net10.0/ss-server.dll token add bench-scraper "${storage[@]}")

# $1: label, $2: the ss-server.dll to run
measure() {
  dotnet "$2" --Urls http://127.0.0.1:5185 "${storage[@]}" --Logging:LogLevel:Default Warning \
    > ".tmp/bench-metrics-$1.log" 2>&1 &
  server=$!
  for _ in $(seq 1 150); do curl -sf http://127.0.0.1:5185/readyz >/dev/null 2>&1 && break; sleep 0.2; done
  $bench metrics-measure --url http://127.0.0.1:5185 --token "$token" --pid "$server" --label "$1"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

if [ -n "${BEFORE:-}" ]; then
  (cd "$BEFORE" && dotnet build src/Server -c Release -nologo -v quiet)
  measure before "$BEFORE/src/Server/bin/Release/net10.0/ss-server.dll"
fi
measure current src/Server/bin/Release/net10.0/ss-server.dll
