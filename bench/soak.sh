#!/usr/bin/env bash
# Soak benchmark: ss-server (token auth on, MariaDB) at a steady open-loop rate for a long time.
# Records the server's resident memory at start and end (and its maximum), errors, and latency percentiles.
#   bench/soak.sh [SECONDS] [RATE]      (default 600 s at 500 reports/s, 10 containers each)
# Prints RESULT lines; BENCHMARKS.md holds the latest with the date and machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-600}
rate=${2:-500}
scripts/install-deps.sh
dotnet build StackScope.slnx -c Release -nologo -v quiet

db_dir=.tmp/mariadb-soak
scripts/mariadb.sh stop "$db_dir"; rm -rf "$db_dir"
conn=$(SS_MARIADB_BUFFER_POOL=1G scripts/mariadb.sh start "$db_dir" 33064)
server=""
trap '[ -z "$server" ] || kill "$server" 2>/dev/null || true; scripts/mariadb.sh stop "$db_dir" || true' EXIT
run=$(date +%H%M%S)
dotnet src/Server/bin/Release/net10.0/ss-server.dll --Urls http://127.0.0.1:5185 --Storage:Provider mysql \
  --Storage:ConnectionString "$conn;Database=ss_soak" > .tmp/bench-soak-server.log 2>&1 &
server=$!
for _ in $(seq 1 200); do curl -sf http://127.0.0.1:5185/readyz >/dev/null 2>&1 && break; sleep 0.1; done
echo "== soak: $rate reports/s for $seconds s against ss-server pid $server"
dotnet bench/StackScope.Bench.Ingest/bin/Release/net10.0/StackScope.Bench.Ingest.dll load --url http://127.0.0.1:5185 \
  --seconds "$seconds" --rate "$rate" --agents 500 --run "s$run" --warmup 10 \
  --tokens-mysql "$conn;Database=ss_soak" --server-pid "$server"
echo "server log: $(grep -c ' warn\| fail' .tmp/bench-soak-server.log || true) warning/error lines"
