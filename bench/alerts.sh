#!/usr/bin/env bash
# Alert evaluation benchmark: the same fleet load (default 1000 agents x 20 containers every 10 s,
# 100 reports/s) against ss-server on MariaDB twice, alerts off and on (the default rules plus 20 metric rules and a
# webhook channel), comparing the server's CPU; with alerts on, the sample-to-webhook latency of 2000 notices.
#   bench/alerts.sh [SECONDS] [AGENTS] [CONTAINERS]     (WARMUP=seconds of load before CPU is counted; default 20)
#   ROUNDS=3 bench/alerts.sh ...                       off and on in turn, three times (this machine's CPU figures
#                                                      drift by several points from run to run: compare neighbours)
#   METRIC_RULES=0 bench/alerts.sh ...                 the defaults only, without the 20 metric rules
#   SIDE_BY_SIDE=1 SECOND_MODE=off bench/alerts.sh     an A/A run: both servers with alerts off, to see the method's own spread
#   HOT_EVERY=0 bench/alerts.sh ...                    no agent crosses the CPU rule: evaluation without notices
#   SIDE_BY_SIDE=1 bench/alerts.sh ...                 off and on at the same time, two servers on one MariaDB (two
#                                                      databases), each with its own load: both see the same drift
#   SIDE_BY_SIDE=1 SWAP_SIDES=1 ROUNDS=4 ...             the two servers trade places every second round
#   SERVER_ENV="DOTNET_X=1 ..." bench/alerts.sh ...     runtime settings for the servers alone (not the load generators)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-120}
agents=${2:-1000}
containers=${3:-20}
scripts/install-deps.sh
dotnet build StackScope.slnx -c Release -nologo -v quiet

rules=.tmp/bench-alert-rules.yaml
{
  echo "rules:"
  # The defaults (as a fresh install has them) ...
  cat <<'YAML'
  - {name: agent-silent, kind: absence, severity: critical, floor: 60s}
  - {name: container-exited-nonzero, kind: state, condition: exited_nonzero, severity: critical}
  - {name: container-oom-killed, kind: state, condition: oom_killed, severity: critical}
  - {name: container-unhealthy, kind: state, condition: unhealthy, for: 2m}
  - {name: container-restart-loop, kind: state, condition: restart_loop, count: 3, within: 10m, severity: critical}
  - {name: host-memory-high, kind: metric, metric: host.memory_percent, threshold: 90, clear: 85, for: 10m}
  - {name: host-disk-full, kind: metric, metric: host.disk_percent, threshold: 90, clear: 85, for: 10m}
  - {name: bench-host-cpu, kind: metric, metric: host.cpu_percent, threshold: 99, clear: 50}
YAML
  # ... and 20 metric rules over container and host figures, with windows.
  for i in $(seq 1 $(( ${METRIC_RULES:-20} / 2 ))); do
    echo "  - {name: bench-cpu-$i, kind: metric, metric: container.cpu_percent, threshold: $((200 + i)), window: 1m, aggregate: avg, for: 2m}"
    echo "  - {name: bench-mem-$i, kind: metric, metric: container.memory_percent, threshold: $((80 + i)), window: 5m, aggregate: max, for: 5m}"
  done
} > "$rules"

db_dir=.tmp/mariadb-alerts
hook_port=5199

# One server: alerts on or off ($1), on port $2 (its log .tmp/bench-alerts-server-PORT.log), database $3, webhook port
# $4; prints its pid.
start_server() {
  local enabled; enabled=$([ "$1" = on ] && echo true || echo false)
  # shellcheck disable=SC2086 # SERVER_ENV is a list of NAME=value words
  env ${SERVER_ENV:-} dotnet src/Server/bin/Release/net10.0/ss-server.dll --Urls "http://127.0.0.1:$2" --Storage:Provider mysql \
    --Storage:ConnectionString "$conn;Database=$3" --Auth:Mode open --Alerts:Enabled "$enabled" --Alerts:RulesFile "$root/$rules" \
    --Alerts:Channels:bench:Type webhook --Alerts:Channels:bench:Url "http://127.0.0.1:$4/hook" \
    > ".tmp/bench-alerts-server-$2.log" 2>&1 &
  echo $!
}

# The servers are started in a subshell (to return their pids), so they are not this shell's children to wait for.
stop_servers() {
  kill "$@" 2>/dev/null || true
  for pid in "$@"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; done
}

# A MariaDB of its own for each round, so no round starts with another's dirty pages; sets $conn.
fresh_mariadb() {
  scripts/mariadb.sh stop "$db_dir"; rm -rf "$db_dir"
  conn=$(SS_MARIADB_BUFFER_POOL=1G scripts/mariadb.sh start "$db_dir" 33065)
}

wait_ready() {
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "server on port $1 did not become ready" >&2; return 1
}

# The load for one server: mode ($1), port ($2), server pid ($3), webhook port ($4).
load() {
  dotnet bench/StackScope.Bench.Ingest/bin/Release/net10.0/StackScope.Bench.Ingest.dll alerts --url "http://127.0.0.1:$2" \
    --server-pid "$3" --agents "$agents" --containers "$containers" --seconds "$seconds" --warmup "${WARMUP:-20}" --hot-every "${HOT_EVERY:-10}" --hook-port "$4" --run "a$1$(date +%H%M%S)"
}

if [ -n "${SIDE_BY_SIDE:-}" ]; then
  for round in $(seq 1 "${ROUNDS:-1}"); do
    fresh_mariadb
    # SWAP_SIDES=1: every second round the servers trade places (port, start order, which load runs in the background),
    # so whatever favours one place falls on each mode in turn.
    first=off; second=${SECOND_MODE:-on}
    if [ -n "${SWAP_SIDES:-}" ] && [ $((round % 2)) -eq 0 ]; then first=${SECOND_MODE:-on}; second=off; fi
    a=$(start_server "$first" 5186 "ss_alerts_a" 5198)
    b=$(start_server "$second" 5187 "ss_alerts_b" "$hook_port")
    trap 'kill "$a" "$b" 2>/dev/null || true; scripts/mariadb.sh stop "$db_dir" || true' EXIT
    wait_ready 5186; wait_ready 5187
    echo "== round $round, side by side: $agents agents x $containers containers every 10 s for $seconds s to each server ($first: pid $a on 5186, $second: pid $b on 5187)"
    load "$first" 5186 "$a" 5198 | sed "s/^RESULT alerts /RESULT alerts $first (5186): /" > .tmp/bench-alerts-a.out &
    a_load=$!
    load "$second" 5187 "$b" "$hook_port" | sed "s/^RESULT alerts /RESULT alerts $second (5187): /"
    wait "$a_load"; cat .tmp/bench-alerts-a.out
    stop_servers "$a" "$b"
    echo "server logs: $(cat .tmp/bench-alerts-server-5186.log .tmp/bench-alerts-server-5187.log | grep -c ' warn\| fail' || true) warning/error lines"
  done
  scripts/mariadb.sh stop "$db_dir"
  exit 0
fi

for mode in $(for _ in $(seq 1 "${ROUNDS:-1}"); do echo off on; done); do
  fresh_mariadb
  server=$(start_server "$mode" 5186 ss_alerts "$hook_port")
  trap 'kill "$server" 2>/dev/null || true; scripts/mariadb.sh stop "$db_dir" || true' EXIT
  wait_ready 5186
  echo "== alerts $mode: $agents agents x $containers containers every 10 s for $seconds s (server pid $server)"
  load "$mode" 5186 "$server" "$hook_port"
  stop_servers "$server"
  echo "server log ($mode): $(grep -c ' warn\| fail' .tmp/bench-alerts-server-5186.log || true) warning/error lines"
done
scripts/mariadb.sh stop "$db_dir"
