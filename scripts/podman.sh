#!/usr/bin/env bash
# Starts and stops a private rootful Podman API service (`podman system service`) as a plain process, with its own
# storage and configuration inside DIR: nothing of the machine's Podman is touched, no systemd, no network.
#   scripts/podman.sh start DIR   -> prints its address (unix socket inside DIR)
#   scripts/podman.sh stop DIR
#   scripts/podman.sh env DIR     -> the exports that point the podman CLI at it
# Debian's podman runs containers on this machine kind only with the default ulimits emptied (runc fails with
# "error setting rlimit ... operation not permitted" otherwise): containers.conf below does that.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
cmd=${1:?usage: podman.sh start DIR | stop DIR | env DIR}
dir=$(realpath -m "${2:?state folder}")
sock="$dir/podman.sock"
# Short run paths: conmon's attach sockets live under the run root and must stay under the 108-byte unix limit.
short="/run/ss-podman-$(echo -n "$dir" | md5sum | cut -c1-8)"

exports() {
  echo "export CONTAINERS_CONF=$dir/containers.conf CONTAINERS_STORAGE_CONF=$dir/storage.conf"
}

case "$cmd" in
start)
  command -v podman >/dev/null || { echo "podman not found: apt-get install podman" >&2; exit 3; }
  mkdir -p "$dir" "$short"
  cat > "$dir/containers.conf" <<CONF
[containers]
default_ulimits = []
netns = "none"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$dir/events.log"
tmp_dir = "$short/tmp"
static_dir = "$dir/libpod"
volume_path = "$dir/volumes"
CONF
  cat > "$dir/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$dir/storage"
runroot = "$short/run"
CONF
  eval "$(exports)"
  if [ -f "$dir/service.pid" ] && kill -0 "$(cat "$dir/service.pid")" 2>/dev/null; then
    echo "unix://$sock"; exit 0
  fi
  rm -f "$sock"
  setsid nohup podman system service --time=0 "unix://$sock" >"$dir/service.log" 2>&1 < /dev/null &
  echo $! > "$dir/service.pid"
  for _ in $(seq 1 300); do
    if [ -S "$sock" ] && podman --url "unix://$sock" version >/dev/null 2>&1; then echo "unix://$sock"; exit 0; fi
    sleep 0.1
  done
  echo "podman system service did not start; see $dir/service.log" >&2; tail -20 "$dir/service.log" >&2; exit 1
  ;;
stop)
  if [ -f "$dir/service.pid" ]; then
    pid=$(cat "$dir/service.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/service.pid"
  fi
  ;;
env) exports ;;
*) echo "usage: podman.sh start DIR | stop DIR | env DIR" >&2; exit 2 ;;
esac
