#!/usr/bin/env bash
# Starts and stops a private Docker Engine as a plain process: no bridge, no iptables, no systemd.
#   scripts/dockerd.sh start DIR   -> prints its DOCKER_HOST (unix socket inside DIR)
#   scripts/dockerd.sh stop DIR
# Needs Debian's docker.io (scripts/install-deps.sh installs it). Containers get no network.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
cmd=${1:?usage: dockerd.sh start DIR | stop DIR}
dir=$(realpath -m "${2:?state folder}")
sock="$dir/docker.sock"

case "$cmd" in
start)
  command -v dockerd >/dev/null || { echo "dockerd not found: apt-get install docker.io" >&2; exit 3; }
  mkdir -p "$dir"
  if [ -f "$dir/dockerd.pid" ] && kill -0 "$(cat "$dir/dockerd.pid")" 2>/dev/null; then
    echo "unix://$sock"; exit 0
  fi
  # A short exec-root: containerd's socket paths must stay under the 108-byte unix socket limit.
  exec_root="/run/ss-docker-$(echo -n "$dir" | md5sum | cut -c1-8)"
  setsid nohup dockerd --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
    --data-root="$dir/data" --exec-root="$exec_root" --pidfile="$dir/dockerd.pid" \
    -H "unix://$sock" >"$dir/dockerd.log" 2>&1 < /dev/null &
  for _ in $(seq 1 300); do
    if docker -H "unix://$sock" version >/dev/null 2>&1; then echo "unix://$sock"; exit 0; fi
    sleep 0.1
  done
  echo "dockerd did not start; see $dir/dockerd.log" >&2; tail -20 "$dir/dockerd.log" >&2; exit 1
  ;;
stop)
  if [ -f "$dir/dockerd.pid" ]; then
    pid=$(cat "$dir/dockerd.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/dockerd.pid"
  fi
  ;;
*) echo "usage: dockerd.sh start DIR | stop DIR" >&2; exit 2 ;;
esac
