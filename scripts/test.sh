#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine with the .NET SDK: installs what is missing (MariaDB,
# Docker Engine, Podman, busybox), starts MariaDB and a three-node Galera cluster on loopback ports, dockerd, Podman's API service and containerd's CRI without a network, builds the
# local test image, builds with warnings as errors and runs every test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/install-deps.sh

mkdir -p .tmp
rm -rf .tmp/mariadb-private-* .tmp/test-results
db_dir=.tmp/mariadb-test
# Below 32768: Linux hands out 32768-60999 as the local ports of outgoing connections (ip_local_port_range), and one
# of them (a Galera node's connection to another) once held a port the cluster's HAProxy was about to bind.
db_port=${SS_TEST_MYSQL_PORT:-23061}
# Another checkout's test database may hold the port: take the next free one.
while (echo > "/dev/tcp/127.0.0.1/$db_port") 2>/dev/null; do db_port=$((db_port + 1)); done
SS_TEST_MYSQL=$(scripts/mariadb.sh start "$db_dir" "$db_port")
export SS_TEST_MYSQL
docker_dir=.tmp/docker-test
podman_dir=.tmp/podman-test
galera_dir=.tmp/galera-test
trap 'scripts/mariadb.sh stop "$db_dir" || true; scripts/galera.sh stop "$galera_dir" || true; scripts/dockerd.sh stop "$docker_dir" || true; scripts/podman.sh stop "$podman_dir" || true; scripts/cri.sh stop "${cri_dir:-.tmp/cri-test}" || true' EXIT
echo "test.sh: MariaDB on 127.0.0.1:$db_port"

# A three-node Galera cluster and HAProxy (its writer) on the next free block of 40 ports.
galera_port=${SS_TEST_GALERA_PORT:-23100}
galera_ports_taken() {
  local offset
  for offset in 0 1 2 3 4 11 12 13 21 22 23 31 32 33; do
    (echo > "/dev/tcp/127.0.0.1/$(($1 + offset))") 2>/dev/null && return 0
  done
  return 1
}
while galera_ports_taken "$galera_port"; do galera_port=$((galera_port + 40)); done
SS_TEST_GALERA=$(scripts/galera.sh start "$galera_dir" "$galera_port" | paste -sd'|')
SS_TEST_GALERA_DIR=$(realpath "$galera_dir")
export SS_TEST_GALERA SS_TEST_GALERA_DIR
echo "test.sh: Galera nodes on 127.0.0.1:$((galera_port + 1))-$((galera_port + 3)), HAProxy writer on $galera_port, readers on $((galera_port + 4))"

SS_TEST_DOCKER_HOST=$(scripts/dockerd.sh start "$docker_dir")
export SS_TEST_DOCKER_HOST
DOCKER_HOST=$SS_TEST_DOCKER_HOST scripts/test-image.sh
# Containers left by an interrupted earlier run.
leftovers=$(DOCKER_HOST=$SS_TEST_DOCKER_HOST docker ps -aq --filter name=sst- || true)
[ -z "$leftovers" ] || DOCKER_HOST=$SS_TEST_DOCKER_HOST docker rm -f $leftovers >/dev/null
# ... and the networks and volumes of an interrupted compose test (its projects are named sst-compose-<id>).
for kind in network volume; do
  leftovers=$(DOCKER_HOST=$SS_TEST_DOCKER_HOST docker "$kind" ls -q --filter name=sst-compose- || true)
  [ -z "$leftovers" ] || DOCKER_HOST=$SS_TEST_DOCKER_HOST docker "$kind" rm $leftovers >/dev/null || true
done
echo "test.sh: dockerd at $SS_TEST_DOCKER_HOST"

SS_TEST_PODMAN_HOST=$(scripts/podman.sh start "$podman_dir")
SS_TEST_PODMAN_DIR=$(realpath "$podman_dir")
export SS_TEST_PODMAN_HOST SS_TEST_PODMAN_DIR
(
  eval "$(scripts/podman.sh env "$podman_dir")"
  IMAGE_CLI=podman scripts/test-image.sh
  leftovers=$(podman ps -aq --filter name=sst- || true)
  [ -z "$leftovers" ] || podman rm -f -t 0 $leftovers >/dev/null
)
echo "test.sh: podman API service at $SS_TEST_PODMAN_HOST"

# containerd with its CRI plugin, as a Kubernetes node runs it (the tests make its images and act as kubelet).
cri_dir=.tmp/cri-test
scripts/cri.sh stop "$cri_dir" >/dev/null 2>&1 || true
SS_TEST_CRI_HOST=$(scripts/cri.sh start "$cri_dir")
SS_TEST_CRI_DIR=$(realpath "$cri_dir")
export SS_TEST_CRI_HOST SS_TEST_CRI_DIR
echo "test.sh: containerd (CRI) at $SS_TEST_CRI_HOST"

dotnet build StackScope.slnx -c Release -warnaserror -nologo -v quiet
# The OpenAPI validator the API document test runs (locked versions, from the npm registry).
npm ci --prefix tests/OpenApi --no-audit --no-fund --loglevel=error
# Style gate: the code is as dotnet format would leave it (whitespace, .editorconfig rules, unused usings).
dotnet format StackScope.slnx --verify-no-changes -v quiet
echo "test.sh: dotnet format: no changes needed"
# The agent ships as Native AOT: its publish must stay free of trim/AOT warnings (they are errors here).
SS_PUBLISHED= scripts/publish.sh .tmp/publish >/dev/null
echo "test.sh: ss-agent Native AOT publish: no warnings ($(du -h .tmp/publish/agent/ss-agent | cut -f1)); ss-server self-contained"
# The end-to-end tests run this binary, the one users get; the packages and images they build reuse this publish
# (scripts/publish.sh, called by build-debs.sh and build-images.sh, answers with SS_PUBLISHED).
export SS_TEST_AGENT_BINARY="$root/.tmp/publish/agent/ss-agent" SS_PUBLISHED="$root/.tmp/publish"

log=.tmp/test-output.log
set +e
# -m:1: one test project at a time, so the end-to-end CPU comparisons do not share the cores with other suites.
dotnet test StackScope.slnx -c Release --no-build --nologo -m:1 \
  --results-directory .tmp/test-results --logger "trx" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line in the plain form CI reads: "N passed, N failed".
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
