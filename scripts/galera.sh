#!/usr/bin/env bash
# A three-node MariaDB Galera cluster on loopback as plain processes, with HAProxy in front as the one writer
# (the other nodes as backups, a health check that admits only a Synced node). No systemd.
#   scripts/galera.sh start DIR BASEPORT  -> prints five MySqlConnector connection strings (user ss, no database):
#                                           nodes n1, n2, n3 (ports BASEPORT+1..3), HAProxy's writer (BASEPORT), then
#                                           HAProxy's readers (BASEPORT+4: n2 and n3, the writer n1 as their backup)
#   scripts/galera.sh stop DIR
#   scripts/galera.sh sql DIR NODE SQL    -> runs SQL as root on node 1-3
#   scripts/galera.sh node-kill DIR NODE  -> SIGKILLs node 1-3 (a crash); node-start DIR NODE starts it again, Synced
#   scripts/galera.sh node-pause DIR NODE -> SIGSTOPs it (unreachable, as behind a partition); node-resume: SIGCONT, Synced
# Ports: gcomm BASEPORT+11..13, IST BASEPORT+21..23, SST BASEPORT+31..33: all on 127.0.0.1 (gmcast.listen_addr, or
# Galera listens on every address). Needs Debian's mariadb-server, galera-4, rsync and haproxy (install-deps.sh).
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
root=$(cd "$(dirname "$0")/.." && pwd)

cmd=${1:?usage: galera.sh start DIR BASEPORT | stop DIR | sql DIR NODE SQL}
dir=$(realpath -m "${2:?data folder}")

wait_gone() {
  local pid=$1
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

node_sql() { mariadb --no-defaults --socket="$dir/n$1/mysqld.sock" -uroot -N -e "$2"; }

wait_synced() {
  for _ in $(seq 1 600); do
    [ "$(node_sql "$1" "SHOW GLOBAL STATUS LIKE 'wsrep_local_state'" 2>/dev/null | awk '{print $2}')" = 4 ] && return 0
    sleep 0.2
  done
  echo "node n$1 did not reach Synced; see $dir/n$1/error.log" >&2; tail -30 "$dir/n$1/error.log" >&2; exit 1
}

# start_node N [--wsrep-new-cluster]: runs node N as mysql and waits until it is Synced (a node that was killed
# rejoins by a state transfer from its donor).
start_node() {
  local n=$1; shift
  local base; base=$(cat "$dir/base")
  setsid nohup mariadbd --defaults-file="$dir/n$n/galera.cnf" \
    "$@" --user=mysql --datadir="$dir/n$n/data" --tmpdir="$dir/n$n/tmp" --port=$((base + n)) --bind-address=127.0.0.1 \
    --socket="$dir/n$n/mysqld.sock" --pid-file="$dir/n$n/mysqld.pid" --log-error="$dir/n$n/error.log" \
    --innodb-buffer-pool-size=128M --innodb-log-file-size=64M --max-connections=300 >>"$dir/n$n/stdout.log" 2>&1 </dev/null &
  wait_synced "$n"
}

case "$cmd" in
start)
  base=${3:?base port}
  "$0" stop "$dir" 2>/dev/null || true
  rm -rf "$dir"; mkdir -p "$dir"
  members="gcomm://127.0.0.1:$((base + 11)),127.0.0.1:$((base + 12)),127.0.0.1:$((base + 13))"
  for n in 1 2 3; do
    mkdir -p "$dir/n$n/tmp"
    # rsync SST refuses to run as root: the nodes run as mysql, which must reach their folders.
    mariadb-install-db --no-defaults --user=mysql --datadir="$dir/n$n/data" --skip-test-db \
      --auth-root-authentication-method=socket >"$dir/n$n/install.log" 2>&1 || { cat "$dir/n$n/install.log" >&2; exit 1; }
    donor=$((n == 1 ? 2 : (n == 2 ? 3 : 2)))
    # The production settings (deploy/mariadb/stackscope.cnf and deploy/galera/60-galera.cnf), then what differs
    # for this node on loopback: its addresses, ports and donor.
    cat >"$dir/n$n/galera.cnf" <<CNF
!include $root/deploy/mariadb/stackscope.cnf
!include $root/deploy/galera/60-galera.cnf
[mariadbd]
wsrep_cluster_name=stackscope_test
wsrep_cluster_address=$members
wsrep_node_address=127.0.0.1:$((base + 10 + n))
wsrep_node_name=n$n
wsrep_provider_options="base_port=$((base + 10 + n));gmcast.listen_addr=tcp://127.0.0.1:$((base + 10 + n));ist.recv_addr=127.0.0.1:$((base + 20 + n));gcache.size=128M"
wsrep_sst_receive_address=127.0.0.1:$((base + 30 + n))
wsrep_sst_donor=n$donor,
CNF
  done
  chown -R mysql:mysql "$dir"
  chmod o+x "$dir" "$(dirname "$dir")" 2>/dev/null || true
  echo "$base" >"$dir/base"
  for n in 1 2 3; do
    first=(); [ "$n" = 1 ] && first=(--wsrep-new-cluster)
    start_node "$n" "${first[@]}"
    if [ "$n" = 1 ]; then
      node_sql 1 "CREATE USER 'ss'@'127.0.0.1' IDENTIFIED BY 'ss'; GRANT ALL PRIVILEGES ON *.* TO 'ss'@'127.0.0.1'; CREATE USER 'haproxy'@'127.0.0.1';"
    fi
  done

  # HAProxy: one writer, the others backups; a node counts only while Synced (deploy/haproxy's check script).
  cat >"$dir/haproxy.cfg" <<CFG
global
    external-check
    insecure-fork-wanted
    maxconn 2000
    pidfile $dir/haproxy.pid
defaults
    mode tcp
    timeout connect 2s
    timeout client 1h
    timeout server 1h
listen galera_writer
    bind 127.0.0.1:$base
    option external-check
    external-check command $root/deploy/haproxy/galera-synced.sh
    external-check path "/usr/bin:/bin"
    default-server inter 2s fastinter 500ms downinter 2s fall 2 rise 3 on-marked-down shutdown-sessions on-marked-up shutdown-backup-sessions
    server n1 127.0.0.1:$((base + 1)) check
    server n2 127.0.0.1:$((base + 2)) check backup
    server n3 127.0.0.1:$((base + 3)) check backup
listen galera_readers
    bind 127.0.0.1:$((base + 4))
    balance leastconn
    option external-check
    external-check command $root/deploy/haproxy/galera-synced.sh
    external-check path "/usr/bin:/bin"
    default-server inter 2s fastinter 500ms downinter 2s fall 2 rise 3 on-marked-down shutdown-sessions
    server n2 127.0.0.1:$((base + 2)) check
    server n3 127.0.0.1:$((base + 3)) check
    server n1 127.0.0.1:$((base + 1)) check backup
CFG
  haproxy -f "$dir/haproxy.cfg" -D >"$dir/haproxy.log" 2>&1 || { cat "$dir/haproxy.log" >&2; exit 1; }
  for _ in $(seq 1 100); do
    mariadb --no-defaults -h 127.0.0.1 -P "$base" -uss -pss -N -e "SELECT 1" >/dev/null 2>&1 && break
    sleep 0.2
  done
  for n in 1 2 3; do echo "Server=127.0.0.1;Port=$((base + n));User ID=ss;Password=ss"; done
  echo "Server=127.0.0.1;Port=$base;User ID=ss;Password=ss"
  echo "Server=127.0.0.1;Port=$((base + 4));User ID=ss;Password=ss"
  ;;
stop)
  if [ -f "$dir/haproxy.pid" ]; then
    kill "$(cat "$dir/haproxy.pid")" 2>/dev/null || true
    rm -f "$dir/haproxy.pid"
  fi
  for n in 3 2 1; do
    if [ -f "$dir/n$n/mysqld.pid" ]; then
      pid=$(cat "$dir/n$n/mysqld.pid")
      kill "$pid" 2>/dev/null || true
      wait_gone "$pid"
      rm -f "$dir/n$n/mysqld.pid"
    fi
  done
  ;;
sql)
  node_sql "${3:?node 1-3}" "${4:?SQL}"
  ;;
node-kill)
  n=${3:?node 1-3}
  pid=$(cat "$dir/n$n/mysqld.pid")
  kill -9 "$pid"
  wait_gone "$pid"
  rm -f "$dir/n$n/mysqld.pid"
  ;;
node-start)
  start_node "${3:?node 1-3}"
  ;;
node-pause)
  kill -STOP "$(cat "$dir/n${3:?node 1-3}/mysqld.pid")"
  ;;
node-resume)
  kill -CONT "$(cat "$dir/n${3:?node 1-3}/mysqld.pid")"
  wait_synced "$3"
  ;;
*)
  echo "usage: galera.sh start DIR BASEPORT | stop DIR | sql DIR NODE SQL | node-kill|node-start|node-pause|node-resume DIR NODE" >&2
  exit 2
  ;;
esac
