#!/usr/bin/env bash
# Agent benchmark (issue #3): sampling cycle time with 10, 50 and 100 running containers against the
# original's approach, and the agent's RSS and CPU over 60 s with 50 containers at a 10 s interval
# against `docker stats --no-stream` called at that interval.
#   bench/agent.sh [all|cycle|resources]   (all: about 8 minutes; the original's approach waits ~2 s per container)
#   CONTAINERS=100 bench/agent.sh resources              (default 50 running containers)
#   AGENT_BINARY=/path/to/ss-agent bench/agent.sh resources   (another build, e.g. an older commit's, for before/after)
set -euo pipefail
what=${1:-all}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh
command -v /usr/bin/time >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q time; }

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
agent_binary=${AGENT_BINARY:-.tmp/agent-aot/ss-agent}
echo "== resources over 60 s, $containers running containers, 10 s interval, $agent_binary"
ensure_running "$containers"
docker ps -q --filter name=ssb- | tail -n +$((containers + 1)) | xargs -r docker rm -f >/dev/null
rm -f "$root/.tmp/bench-agent.db"*
# Open mode: the agent measured delivers every report, as in production (a refused agent would only grow its spool).
dotnet src/Server/bin/Release/net10.0/ss-server.dll --Urls http://127.0.0.1:5183 --Auth:Mode open --Storage:ConnectionString "Data Source=$root/.tmp/bench-agent.db" >/dev/null 2>&1 &
pids+=($!)
sleep 3
spool=$(mktemp -d)
"$agent_binary" --Agent:ServerUrl http://127.0.0.1:5183 --Agent:IntervalSeconds 10 --Agent:SpoolPath "$spool" >.tmp/bench-agent.log 2>&1 &
agent=$!
pids+=($agent)
sleep 5   # start-up and priming are not the steady state
ticks=$(getconf CLK_TCK)
cpu0=$(awk '{print $14+$15}' /proc/$agent/stat)
max_rss=0
for _ in $(seq 1 60); do
  rss=$(awk '/VmRSS/ {print $2}' /proc/$agent/status)
  [ "$rss" -gt "$max_rss" ] && max_rss=$rss
  sleep 1
done
cpu1=$(awk '{print $14+$15}' /proc/$agent/stat)
rss_end=$(awk '/VmRSS/ {print $2}' /proc/$agent/status)
echo "RESULT what=ss-agent-aot binary=$agent_binary containers=$containers seconds=60 cpu_percent_of_one_core=$(awk -v a=$cpu0 -v b=$cpu1 -v t=$ticks 'BEGIN {printf "%.3f", (b-a)/t/60*100}') rss_end_mb=$((rss_end / 1024)) rss_max_mb=$((max_rss / 1024)) spool_left=$(ls "$spool"/*.json 2>/dev/null | wc -l)"

cpu_total=0; rss_peak=0
for _ in $(seq 1 6); do
  out=$( { /usr/bin/time -f "%U %S %M" docker stats --no-stream >/dev/null; } 2>&1 )
  read -r u s m <<<"$out"
  cpu_total=$(awk -v c=$cpu_total -v u=$u -v s=$s 'BEGIN {print c+u+s}')
  [ "$m" -gt "$rss_peak" ] && rss_peak=$m
  sleep 10
done
echo "RESULT what=docker-stats-no-stream containers=$containers seconds=60 cpu_percent_of_one_core=$(awk -v c=$cpu_total 'BEGIN {printf "%.3f", c/60*100}') rss_max_mb=$((rss_peak / 1024)) (client process only; the daemon's share is not counted)"
