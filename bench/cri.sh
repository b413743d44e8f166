#!/usr/bin/env bash
# Agent on a Kubernetes node against the agent on a Docker host, in one run: 50 pods of one container each on a private
# containerd with its CRI plugin (scripts/cri.sh, made by the fake kubelet) beside 50 Docker containers; the CRI
# engine's and the Docker engine's sampling cycle, then two agents side by side over the same seconds (one reads
# containerd, one Docker; one server): CPU and the RSS high-water mark of each.
#   bench/cri.sh                                   (about 7 minutes)
#   CONTAINERS=100 SECONDS_MEASURED=600 INTERVAL=10 bench/cri.sh
#   BASE_BINARY=/path/to/older/ss-agent bench/cri.sh   (also prints the binary's growth over that build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh
containers=${CONTAINERS:-50}; interval=${INTERVAL:-10}; seconds=${SECONDS_MEASURED:-300}

dotnet build StackScope.slnx -c Release -nologo -v quiet
dotnet publish src/Agent -c Release -o .tmp/agent-aot -nologo -v quiet
bench=bench/StackScope.Bench.Agent/bin/Release/net10.0/StackScope.Bench.Agent.dll
docker_dir=.tmp/docker-bench cri_dir=.tmp/cri-bench
export DOCKER_HOST=$(scripts/dockerd.sh start "$docker_dir")
cri_host=$(scripts/cri.sh start "$cri_dir")
scripts/test-image.sh
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  ids=$(docker ps -aq --filter name=ssb- || true); [ -z "$ids" ] || docker rm -f $ids >/dev/null
  scripts/dockerd.sh stop "$docker_dir" || true
  scripts/cri.sh stop "$cri_dir" || true
}
trap cleanup EXIT

for i in $(seq 1 "$containers"); do docker run -d --network none --name "ssb-$i" ss-busybox:test sleep 36000 >/dev/null; done
dotnet "$bench" pods "$cri_host" "$containers"
sleep 2

echo "== sampling cycle, $containers running containers each"
dotnet "$bench" cycle "$DOCKER_HOST" 20 files
dotnet "$bench" cycle-cri "$cri_host" 20

echo "== two agents side by side, $seconds s, $interval s interval"
rm -f .tmp/bench-cri.db*
dotnet src/Server/bin/Release/net10.0/ss-server.dll --Urls http://127.0.0.1:5184 --Auth:Mode open --Storage:ConnectionString "Data Source=$root/.tmp/bench-cri.db" >/dev/null 2>&1 &
pids+=($!)
sleep 3
declare -A agent_of
for engine in docker containerd; do
  host=$DOCKER_HOST; [ "$engine" = docker ] || host=$cri_host
  .tmp/agent-aot/ss-agent --Agent:ServerUrl http://127.0.0.1:5184 --Agent:AgentId "bench-$engine" --Agent:IntervalSeconds "$interval" \
    --Agent:SpoolPath "$(mktemp -d)" --Agent:Engines:0:Type "$engine" --Agent:Engines:0:Host "$host" >".tmp/bench-cri-$engine.log" 2>&1 &
  agent_of[$engine]=$!; pids+=($!)
done
sleep 8   # start-up, priming and the first look at every container are not the steady state
declare -A cpu0 max_rss
for p in "${agent_of[@]}"; do cpu0[$p]=$(awk '{print $14+$15}' "/proc/$p/stat"); max_rss[$p]=0; done
for _ in $(seq 1 "$seconds"); do
  for p in "${agent_of[@]}"; do
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$p/status"); [ "$rss" -gt "${max_rss[$p]}" ] && max_rss[$p]=$rss
  done
  sleep 1
done
for engine in docker containerd; do
  p=${agent_of[$engine]}
  ticks=$(( $(awk '{print $14+$15}' "/proc/$p/stat") - cpu0[$p] ))
  echo "RESULT what=agent engine=$engine containers=$containers interval=$interval seconds=$seconds cpu_ticks=$ticks cpu_percent_of_one_core=$(awk -v n="$ticks" -v t="$(getconf CLK_TCK)" -v s="$seconds" 'BEGIN {printf "%.3f", n/t/s*100}') rss_max_mb=$(awk -v m="${max_rss[$p]}" 'BEGIN {printf "%.1f", m/1024}')"
done
size=$(stat -c %s .tmp/agent-aot/ss-agent)
echo "RESULT what=binary bytes=$size${BASE_BINARY:+ base_bytes=$(stat -c %s "$BASE_BINARY") growth_bytes=$((size - $(stat -c %s "$BASE_BINARY")))}"
