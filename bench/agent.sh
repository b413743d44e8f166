#!/usr/bin/env bash
# Agent benchmark: sampling cycle time with 10, 50 and 100 running containers against the
# original's approach, and the agent's RSS and CPU over 60 s with 50 containers at a 10 s interval
# against `docker stats --no-stream` called at that interval and prometheus-node-exporter scraped at it (host only).
#   bench/agent.sh [all|cycle|resources|compare]   (all: about 8 minutes; the original's approach waits ~2 s per container)
#   CONTAINERS=100 bench/agent.sh resources              (default 50 running containers)
#   AGENT_BINARY=/path/to/ss-agent bench/agent.sh resources   (another build, e.g. an older commit's, for before/after)
#   INTERVAL=1 CONTAINERS=30 SECONDS_MEASURED=600 bench/agent.sh resources   (interval, and a longer window: at 0.05 %
#                                                   of a core, 60 s is 3 clock ticks of CPU)
#   COMPARE="before=/path/old/ss-agent after=.tmp/agent-aot/ss-agent" SECONDS_MEASURED=300 bench/agent.sh compare
#                                                   several builds side by side on the same containers and server, over
#                                                   the same seconds (a label=binary pair each; label=binary@VAR=value
#                                                   adds an environment variable, e.g. @DOTNET_GCgen0size=0x40000)
set -euo pipefail
what=${1:-all}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh
command -v /usr/bin/time >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q time; }
if ! command -v prometheus-node-exporter >/dev/null; then
  # Installed, not started: its package would start a service on every address (policy-rc.d says no while it installs).
  [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; added_policy=1; }
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus-node-exporter
  [ -z "${added_policy:-}" ] || rm -f /usr/sbin/policy-rc.d
fi

dotnet build StackScope.slnx -c Release -nologo -v quiet
dotnet publish src/Agent -c Release -o .tmp/agent-aot -nologo -v quiet
docker_dir=.tmp/docker-bench
export DOCKER_HOST=$(scripts/dockerd.sh start "$docker_dir")
scripts/test-image.sh
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  ids=$(docker ps -aq --filter name=ssb- || true); [ -z "$ids" ] || docker rm -f $ids >/dev/null
  scripts/dockerd.sh stop "$docker_dir" || true
}
trap cleanup EXIT

ensure_running() {
  local want=$1 have
  have=$(docker ps -q --filter name=ssb- | wc -l)
  for i in $(seq $((have + 1)) "$want"); do
    docker run -d --network none --name "ssb-$i" ss-busybox:test sleep 36000 >/dev/null
  done
}

# Exactly N running test containers and a fresh ss-server for the agents to deliver to. Open mode: the agent measured
# delivers every report, as in production (a refused agent would only grow its spool).
start_fleet() {
  ensure_running "$1"
  docker ps -q --filter name=ssb- | tail -n +$(($1 + 1)) | xargs -r docker rm -f >/dev/null
  rm -f "$root/.tmp/bench-agent.db"*
  dotnet src/Server/bin/Release/net10.0/ss-server.dll --Urls http://127.0.0.1:5183 --Auth:Mode open --Storage:ConnectionString "Data Source=$root/.tmp/bench-agent.db" >/dev/null 2>&1 &
  pids+=($!)
  sleep 3
}

# CPU (user + system ticks) and the RSS high-water mark sampled every second, of each process given, over the same
# $seconds; cpu_percent PID and rss_max_mb PID then give its figures.
declare -A cpu0 max_rss
watch_processes() {
  local p rss
  for p in "$@"; do cpu0[$p]=$(awk '{print $14+$15}' "/proc/$p/stat"); max_rss[$p]=0; done
  for _ in $(seq 1 "$seconds"); do
    for p in "$@"; do
      rss=$(awk '/VmRSS/ {print $2}' "/proc/$p/status")
      [ "$rss" -gt "${max_rss[$p]}" ] && max_rss[$p]=$rss
    done
    sleep 1
  done
}
cpu_ticks_since_watch() { echo $(( $(awk '{print $14+$15}' "/proc/$1/stat") - cpu0[$1] )); }
cpu_percent() { awk -v n="$(cpu_ticks_since_watch "$1")" -v t="$(getconf CLK_TCK)" -v s="$seconds" 'BEGIN {printf "%.3f", n/t/s*100}'; }
rss_max_mb() { awk -v m="${max_rss[$1]}" 'BEGIN {printf "%.1f", m/1024}'; }

if [ "$what" = compare ]; then
  containers=${CONTAINERS:-50}; interval=${INTERVAL:-10}; seconds=${SECONDS_MEASURED:-300}
  start_fleet "$containers"
  declare -A agent_of
  for spec in ${COMPARE:?COMPARE=\"label=binary ...\"}; do
    label=${spec%%=*}; rest=${spec#*=}; binary=${rest%%@*}; extra=(); [ "$rest" = "$binary" ] || extra=("${rest#*@}")
    env "${extra[@]}" "$binary" --Agent:ServerUrl http://127.0.0.1:5183 --Agent:AgentId "bench-$label" --Agent:IntervalSeconds "$interval" \
      --Agent:SpoolPath "$(mktemp -d)" >".tmp/bench-agent-$label.log" 2>&1 &
    agent_of[$label]=$!; pids+=($!)
  done
  sleep 8   # start-up, priming and the first inspect of every container are not the steady state
  watch_processes "${agent_of[@]}"
  for l in "${!agent_of[@]}"; do
    a=${agent_of[$l]}
    echo "RESULT what=compare label=$l containers=$containers interval=$interval seconds=$seconds cpu_ticks=$(cpu_ticks_since_watch "$a") cpu_percent_of_one_core=$(cpu_percent "$a") rss_max_mb=$(rss_max_mb "$a")"
  done
  exit 0
fi

if [ "$what" != resources ]; then
echo "== sampling cycle"
for n in 10 50 100; do
  ensure_running "$n"
  sleep 2
  dotnet bench/StackScope.Bench.Agent/bin/Release/net10.0/StackScope.Bench.Agent.dll cycle "$DOCKER_HOST" 5 files
  dotnet bench/StackScope.Bench.Agent/bin/Release/net10.0/StackScope.Bench.Agent.dll cycle "$DOCKER_HOST" 5 api
done
fi
[ "$what" != cycle ] || exit 0

containers=${CONTAINERS:-50}
interval=${INTERVAL:-10}
seconds=${SECONDS_MEASURED:-60}
agent_binary=${AGENT_BINARY:-.tmp/agent-aot/ss-agent}
echo "== resources over $seconds s, $containers running containers, $interval s interval, $agent_binary; node_exporter beside it"
start_fleet "$containers"
spool=$(mktemp -d)
"$agent_binary" --Agent:ServerUrl http://127.0.0.1:5183 --Agent:IntervalSeconds "$interval" --Agent:SpoolPath "$spool" >.tmp/bench-agent.log 2>&1 &
agent=$!
pids+=($agent)
# node_exporter (host figures only, Debian's defaults), scraped at the agent's interval, over the same seconds.
prometheus-node-exporter --web.listen-address=127.0.0.1:9199 >.tmp/bench-node-exporter.log 2>&1 &
exporter=$!
pids+=($exporter)
for _ in $(seq 1 50); do curl -sf -o /dev/null http://127.0.0.1:9199/metrics && break; sleep 0.1; done
(while kill -0 "$exporter" 2>/dev/null; do curl -s -o /dev/null http://127.0.0.1:9199/metrics || true; sleep "$interval"; done) &
pids+=($!)
sleep 5   # start-up and priming are not the steady state

watch_processes "$agent" "$exporter"
echo "RESULT what=ss-agent-aot binary=$agent_binary containers=$containers interval=$interval seconds=$seconds cpu_percent_of_one_core=$(cpu_percent "$agent") rss_end_mb=$(($(awk '/VmRSS/ {print $2}' /proc/$agent/status) / 1024)) rss_max_mb=$(rss_max_mb "$agent") spool_left=$(ls "$spool"/*.json 2>/dev/null | wc -l)"
echo "RESULT what=node-exporter interval=$interval seconds=$seconds cpu_percent_of_one_core=$(cpu_percent "$exporter") rss_max_mb=$(rss_max_mb "$exporter") (host only, scraped every $interval s)"

cpu_total=0; rss_peak=0
runs=$((seconds / interval))
for _ in $(seq 1 "$runs"); do
  out=$( { /usr/bin/time -f "%U %S %M" docker stats --no-stream >/dev/null; } 2>&1 )
  read -r u s m <<<"$out"
  cpu_total=$(awk -v c=$cpu_total -v u=$u -v s=$s 'BEGIN {print c+u+s}')
  [ "$m" -gt "$rss_peak" ] && rss_peak=$m
  sleep "$interval"
done
echo "RESULT what=docker-stats-no-stream containers=$containers interval=$interval seconds=$seconds cpu_percent_of_one_core=$(awk -v c=$cpu_total -v s=$seconds 'BEGIN {printf "%.3f", c/s*100}') rss_max_mb=$((rss_peak / 1024)) (client process only; the daemon's share is not counted)"
