#!/usr/bin/env bash
# Starts and stops a private containerd with its CRI plugin as a plain process, as a Kubernetes node runs it but
# without kubelet: its own root, state, sockets, runc root and (empty) CNI folders inside DIR; pods run on the
# host's network only. Nothing of the machine's containerd (or dockerd's) is touched.
#   scripts/cri.sh start DIR   -> prints its address (unix socket inside DIR)
#   scripts/cri.sh stop DIR    -> removes what the tests left in it, ends containerd
# Needs containerd and runc (Debian's docker.io depends on both). restrict_oom_score_adj is required where root lacks
# CAP_SYS_RESOURCE (containers on this machine kind): a pod sandbox asks for a negative oom_score_adj, and runc fails
# with "can't get final child's PID from pipe: EOF" without it.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
cmd=${1:?usage: cri.sh start DIR | stop DIR}
dir=$(realpath -m "${2:?state folder}")
sock="$dir/containerd.sock"
# A short state folder: the shims' sockets live under it and must stay under the 108-byte unix socket limit.
state="/run/ss-cri-$(echo -n "$dir" | md5sum | cut -c1-8)"

ctr_() { ctr --address "$sock" -n k8s.io "$@"; }

case "$cmd" in
start)
  command -v containerd >/dev/null || { echo "containerd not found: apt-get install containerd (docker.io brings it)" >&2; exit 3; }
  mkdir -p "$dir/root" "$dir/opt" "$dir/runc" "$dir/cni/bin" "$dir/cni/net.d" "$state"
  if [ -f "$dir/containerd.pid" ] && kill -0 "$(cat "$dir/containerd.pid")" 2>/dev/null; then
    echo "unix://$sock"; exit 0
  fi
  cat > "$dir/config.toml" <<CONF
version = 2
root = "$dir/root"
state = "$state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
[debug]
  address = ""
  level = "info"
[metrics]
  address = ""

[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "$dir/opt"
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "docker.io/library/ss-pause:test"
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
    disable_apparmor = true
    restrict_oom_score_adj = true
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = false
          Root = "$dir/runc"
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "$dir/cni/bin"
      conf_dir = "$dir/cni/net.d"
CONF
  rm -f "$sock"
  setsid nohup containerd --config "$dir/config.toml" >"$dir/containerd.log" 2>&1 < /dev/null &
  echo $! > "$dir/containerd.pid"
  for _ in $(seq 1 300); do
    if [ -S "$sock" ] && ctr --address "$sock" version >/dev/null 2>&1; then echo "unix://$sock"; exit 0; fi
    sleep 0.1
  done
  echo "containerd did not start; see $dir/containerd.log" >&2; tail -20 "$dir/containerd.log" >&2; exit 1
  ;;
stop)
  if [ -S "$sock" ]; then
    # What tests left: every task killed, every container (pods' sandboxes included) removed.
    for id in $(ctr_ tasks ls -q 2>/dev/null || true); do ctr_ tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true; done
    sleep 0.5
    for id in $(ctr_ tasks ls -q 2>/dev/null || true); do ctr_ tasks delete -f "$id" >/dev/null 2>&1 || true; done
    for id in $(ctr_ containers ls -q 2>/dev/null || true); do ctr_ containers rm "$id" >/dev/null 2>&1 || true; done
  fi
  if [ -f "$dir/containerd.pid" ]; then
    pid=$(cat "$dir/containerd.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/containerd.pid"
  fi
  # The test pods' cgroup parents the CRI plugin leaves behind (pod UIDs "sstest-..."; rmdir refuses a busy one).
  for controller in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ -d "$controller/kubepods" ] || continue
    find "$controller/kubepods" -depth -type d -name 'podsstest-*' -exec rmdir {} \; 2>/dev/null || true
    rmdir "$controller/kubepods/besteffort" "$controller/kubepods/burstable" "$controller/kubepods" 2>/dev/null || true
  done
  grep -qs " $state/" /proc/mounts || rm -rf "$state"
  ;;
*) echo "usage: cri.sh start DIR | stop DIR" >&2; exit 2 ;;
esac
