#!/usr/bin/env bash
# Ingest on a three-node Galera cluster (through HAProxy's writer port) beside one MariaDB, in the same run and in turn
# (single, cluster, single, cluster), each followed by the database's own ceiling for the rows just stored (LOAD DATA
# of the same rows in batches of the same size, no HTTP); then the writer-kill gap on the cluster: the longest time
# without a stored report when the writer node is SIGKILLed under load.
#   bench/galera.sh [SECONDS]     (default 20 s per closed loop)
# Everything shares the machine's cores: the cluster's three mariadbd, HAProxy, ss-server and the load generator.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-20}
scripts/install-deps.sh
dotnet build StackScope.slnx -c Release -nologo -v quiet

single_dir=.tmp/mariadb-galera-bench
cluster_dir=.tmp/galera-bench
scripts/mariadb.sh stop "$single_dir"; rm -rf "$single_dir"
scripts/galera.sh stop "$cluster_dir"; rm -rf "$cluster_dir"
single=$(scripts/mariadb.sh start "$single_dir" 33066)
mapfile -t nodes < <(scripts/galera.sh start "$cluster_dir" 33600)
writer=${nodes[3]}
server=""
trap '[ -z "$server" ] || kill "$server" 2>/dev/null || true; scripts/mariadb.sh stop "$single_dir" || true; scripts/galera.sh stop "$cluster_dir" || true' EXIT
bench="dotnet bench/StackScope.Bench.Ingest/bin/Release/net10.0/StackScope.Bench.Ingest.dll"
run=$(date +%H%M%S)

start_server() { # $1: connection string with its database
  dotnet src/Server/bin/Release/net10.0/ss-server.dll --Urls http://127.0.0.1:5186 --Storage:Provider mysql \
    --Storage:ConnectionString "$1" --Alerts:Enabled false --Retention:Enabled false --Logging:LogLevel:Default Warning \
    > ".tmp/bench-galera-server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do curl -sf http://127.0.0.1:5186/readyz >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "ss-server did not become ready" >&2; exit 1
}

stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }

# $1: label, $2: server connection string (no database), $3: its database name
ingest_then_ceiling() {
  echo "== $1: ss-server, closed loop (128 in flight), $seconds s"
  start_server "$2;Database=$3"
  $bench load --url http://127.0.0.1:5186 --seconds "$seconds" --concurrency 128 --run "$3" --warmup 12 \
    --tokens-mysql "$2;Database=$3" | sed "s/^RESULT /RESULT $1 /"
  stop_server
  echo "== $1: the same rows by LOAD DATA, no HTTP"
  $bench ceiling --mysql "$2" --source "$3" --batch 100 --writers 2 | sed "s/^RESULT /RESULT $1 /"
}

for round in 1 2; do
  ingest_then_ceiling "single_$round" "$single" "gb_single_${run}_$round"
  ingest_then_ceiling "cluster_$round" "$writer" "gb_cluster_${run}_$round"
done

echo "== the writer node SIGKILLed under an open-loop load of 300 reports/s, on the cluster"
start_server "$writer;Database=gb_gap_$run"
$bench load --url http://127.0.0.1:5186 --seconds 45 --rate 300 --run "gl$run" --warmup 0 \
  --tokens-mysql "$writer;Database=gb_gap_$run" > .tmp/bench-galera-gap-load.log 2>&1 &
load=$!
sleep 2
$bench gap --url http://127.0.0.1:5186 --seconds 40 --tokens-mysql "$writer;Database=gb_gap_$run" > .tmp/bench-galera-gap.log 2>&1 &
gap=$!
sleep 15
victim=$(mariadb --no-defaults -h 127.0.0.1 -P 33600 -uss -pss -N -e "SELECT @@wsrep_node_name")
echo "killing the writer, node ${victim: -1}, at $(date +%T.%N | cut -c1-12)"
scripts/galera.sh node-kill "$cluster_dir" "${victim: -1}"
wait "$gap" || true
wait "$load" || true
grep '^RESULT' .tmp/bench-galera-gap.log
grep '^RESULT' .tmp/bench-galera-gap-load.log | sed 's/^RESULT /RESULT gap_load /'
stop_server
scripts/galera.sh node-start "$cluster_dir" "${victim: -1}"
