#!/usr/bin/env bash
# Ingest benchmark: ss-server on MariaDB against the original's approach, same database.
#   bench/ingest.sh [SECONDS]      (default 20 s per phase)
#   SS_MARIADB_CONFIG=debian bench/ingest.sh ...   MariaDB with Debian's defaults instead of deploy/mariadb/stackscope.cnf
#   DROP_INDEXES="container.ix_container_agent_time" PHASES=mariadb bench/ingest.sh ...   the cost of secondary indexes:
#                                                   dropped from ss-server's schema before the load (queries need them)
#   PHASES=sqlite bench/ingest.sh ...               one phase alone (default "mariadb baseline sqlite"; sqlite: ss-server
#                                                   on its embedded default, WAL and synchronous=FULL, same load)
# Prints RESULT lines; copy them into BENCHMARKS.md with the date and machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-20}
scripts/install-deps.sh
dotnet build StackScope.slnx -c Release -nologo -v quiet

phases=${PHASES:-mariadb baseline sqlite}
db_dir=.tmp/mariadb-bench
scripts/mariadb.sh stop "$db_dir"; rm -rf "$db_dir"   # a fresh server: no dirty pages from earlier runs
if [[ " $phases " == *" mariadb "* || " $phases " == *" baseline "* ]]; then
# deploy/mariadb/stackscope.cnf as shipped (2G buffer pool and redo log); SS_MARIADB_CONFIG=debian for Debian's defaults.
conn=$(SS_MARIADB_BUFFER_POOL=2G SS_MARIADB_LOG_SIZE=2G scripts/mariadb.sh start "$db_dir" 33062)
echo "MariaDB configuration: ${SS_MARIADB_CONFIG:-production}"
fi
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; scripts/mariadb.sh stop "$db_dir" || true; }
trap cleanup EXIT
run=$(date +%H%M%S)
bench="dotnet bench/StackScope.Bench.Ingest/bin/Release/net10.0/StackScope.Bench.Ingest.dll"

wait_ready() {
  for _ in $(seq 1 200); do curl -sf "$1/readyz" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "server at $1 did not become ready" >&2; exit 1
}

# Where the two cores went during the closed loop (its warm-up included): ss-server, MariaDB, the rest (the load
# generator, mostly), idle; from /proc, in % of the machine.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
machine_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 + $6}' /proc/stat; }

# The closed loop (128 in flight) against ss-server, with that split, then the open loop at 70 % of the rate it reached.
#   closed_then_open URL SERVER_PID SPLIT_NAME DB_PID CLOSED_RUN OPEN_RUN [load arguments...]   (DB_PID empty: in process)
closed_then_open() {
  local url=$1 server=$2 split=$3 db=$4 closed_run=$5 open_run=$6
  shift 6
  local server0 server1 db0=0 db1=0 all0 all1 idle0 idle1 max_line
  server0=$(cpu_ticks "$server"); [ -z "$db" ] || db0=$(cpu_ticks "$db"); read -r all0 idle0 <<<"$(machine_ticks)"
  # Printed whole, then the RESULT line taken from it (a tee to /dev/stderr reopened a log file given as 2> and emptied it).
  local closed_out
  closed_out=$($bench load --url "$url" --seconds "$seconds" --concurrency 128 --run "$closed_run" --warmup 12 "$@")
  echo "$closed_out"
  max_line=$(grep '^RESULT mode' <<<"$closed_out")
  server1=$(cpu_ticks "$server"); [ -z "$db" ] || db1=$(cpu_ticks "$db"); read -r all1 idle1 <<<"$(machine_ticks)"
  awk -v n="$split" -v m="${db:+ mariadb}" -v s=$((server1 - server0)) -v d=$((db1 - db0)) -v a=$((all1 - all0)) -v i=$((idle1 - idle0)) \
    'BEGIN {printf "RESULT cpu_split %s server=%.0f%%", n, 100*s/a; if (m != "") printf "%s=%.0f%%", m, 100*d/a;
            printf " rest=%.0f%% idle=%.0f%% (of both cores)\n", 100*(a-i-s-d)/a, 100*i/a}'
  local rate70=$(( $(sed -E 's/.*reports_per_s=([0-9]+).*/\1/' <<<"$max_line") * 70 / 100 ))
  $bench load --url "$url" --seconds "$seconds" --rate "$rate70" --run "$open_run" --warmup 3 "$@"
}

if [[ " $phases " == *" mariadb "* ]]; then
echo "== ss-server (group commit, pooled connections), MariaDB, $seconds s per phase"
# SS_BENCH_CONNECTION_OPTIONS adds to ss-server's connection string (e.g. "Ignore Prepare=false" with a build that prepares its inserts).
SS_Storage__Provider=mysql SS_Storage__ConnectionString="$conn;Database=ss_bench_$run${SS_BENCH_CONNECTION_OPTIONS:+;$SS_BENCH_CONNECTION_OPTIONS}" \
  dotnet src/Server/bin/Release/net10.0/ss-server.dll --Urls http://127.0.0.1:5181 > .tmp/bench-server.log 2>&1 &
pids+=($!)
wait_ready http://127.0.0.1:5181
for index in ${DROP_INDEXES:-}; do
  mariadb -h 127.0.0.1 -P 33062 -u ss -pss "ss_bench_$run" -e "ALTER TABLE ${index%%.*} DROP INDEX ${index#*.}"
  echo "dropped index $index"
done
# Each simulated agent gets its token in the server's database first: ss-server refuses reports without one.
tokens=(--tokens-mysql "$conn;Database=ss_bench_$run")
closed_then_open http://127.0.0.1:5181 "${pids[0]}" closed_loop "$(cat "$db_dir/mysqld.pid")" "m$run" "r$run" "${tokens[@]}"
echo "server log lines (one per stored report): $(grep -c 'Stored report' .tmp/bench-server.log || true)"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
fi

if [[ " $phases " == *" baseline "* ]]; then
echo "== baseline (original approach: connection per request, one INSERT per row), same MariaDB"
$bench baseline-server --urls http://127.0.0.1:5182 --mysql "$conn;Database=ss_baseline_$run" > .tmp/bench-baseline.log 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do curl -s -o /dev/null http://127.0.0.1:5182/ && break; sleep 0.1; done
$bench load --url http://127.0.0.1:5182 --seconds "$seconds" --concurrency 128 --run "b$run"
$bench load --url http://127.0.0.1:5182 --seconds "$seconds" --concurrency 16 --run "c$run" --warmup 0
fi

if [[ " $phases " == *" sqlite "* ]]; then
echo "== ss-server on SQLite (WAL, synchronous=FULL), $seconds s per phase"
sqlite_db="$root/.tmp/bench-ingest-$run.db"
rm -f "$sqlite_db"*
dotnet src/Server/bin/Release/net10.0/ss-server.dll --Urls http://127.0.0.1:5184 --Storage:Provider sqlite \
  --Storage:ConnectionString "Data Source=$sqlite_db" > .tmp/bench-server-sqlite.log 2>&1 &
sqlite_server=$!
pids+=($sqlite_server)
wait_ready http://127.0.0.1:5184
closed_then_open http://127.0.0.1:5184 "$sqlite_server" sqlite_closed_loop "" "q$run" "p$run" --tokens-sqlite "$sqlite_db"
kill "$sqlite_server"; wait "$sqlite_server" 2>/dev/null || true
rm -f "$sqlite_db"*
fi
