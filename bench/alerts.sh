#!/usr/bin/env bash
# Alert evaluation benchmark (issue #12): the same fleet load (default 1000 agents x 20 containers every 10 s,
# 100 reports/s) against ss-server on MariaDB twice, alerts off and on (the default rules plus 20 metric rules and a
# webhook channel), comparing the server's CPU; with alerts on, the sample-to-webhook latency of 2000 notices.
#   bench/alerts.sh [SECONDS] [AGENTS] [CONTAINERS]     (WARMUP=seconds of load before CPU is counted; default 20)
#   ROUNDS=3 bench/alerts.sh ...                       off and on in turn, three times (this machine's CPU figures
#                                                      drift by several points from run to run: compare neighbours)
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
  for i in $(seq 1 10); do
    echo "  - {name: bench-cpu-$i, kind: metric, metric: container.cpu_percent, threshold: $((200 + i)), window: 1m, aggregate: avg, for: 2m}"
    echo "  - {name: bench-mem-$i, kind: metric, metric: container.memory_percent, threshold: $((80 + i)), window: 5m, aggregate: max, for: 5m}"
  done
} > "$rules"

db_dir=.tmp/mariadb-alerts
hook_port=5199
for mode in $(for _ in $(seq 1 "${ROUNDS:-1}"); do echo off on; done); do
  scripts/mariadb.sh stop "$db_dir"; rm -rf "$db_dir"
  conn=$(SS_MARIADB_BUFFER_POOL=1G scripts/mariadb.sh start "$db_dir" 33065)
  enabled=$([ "$mode" = on ] && echo true || echo false)
  dotnet src/Server/bin/Release/net10.0/ss-server.dll --Urls http://127.0.0.1:5186 --Storage:Provider mysql \
    --Storage:ConnectionString "$conn;Database=ss_alerts" --Auth:Mode open --Alerts:Enabled "$enabled" --Alerts:RulesFile "$root/$rules" \
    --Alerts:Channels:bench:Type webhook --Alerts:Channels:bench:Url "http://127.0.0.1:$hook_port/hook" \
    > ".tmp/bench-alerts-server-$mode.log" 2>&1 &
  server=$!
  trap 'kill "$server" 2>/dev/null || true; scripts/mariadb.sh stop "$db_dir" || true' EXIT
  for _ in $(seq 1 300); do curl -sf http://127.0.0.1:5186/readyz >/dev/null 2>&1 && break; sleep 0.1; done
  echo "== alerts $mode: $agents agents x $containers containers every 10 s for $seconds s (server pid $server)"
  dotnet bench/StackScope.Bench.Ingest/bin/Release/net10.0/StackScope.Bench.Ingest.dll alerts --url http://127.0.0.1:5186 \
    --server-pid "$server" --agents "$agents" --containers "$containers" --seconds "$seconds" --warmup "${WARMUP:-20}" --hook-port "$hook_port" --run "a$mode$(date +%H%M%S)"
  kill "$server"; wait "$server" 2>/dev/null || true
  echo "server log ($mode): $(grep -c ' warn\| fail' ".tmp/bench-alerts-server-$mode.log" || true) warning/error lines"
done
scripts/mariadb.sh stop "$db_dir"
