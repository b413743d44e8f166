#!/usr/bin/env bash
# Starts and stops a private MariaDB server as a plain process: its own data folder, loopback only, no systemd.
#   scripts/mariadb.sh start DIR PORT   -> prints a MySqlConnector connection string (user ss, no database)
#   scripts/mariadb.sh stop DIR
# Needs Debian's mariadb-server (scripts/install-deps.sh installs it).
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

cmd=${1:?usage: mariadb.sh start DIR PORT | stop DIR}
dir=$(realpath -m "${2:?data folder}")

wait_gone() {
  local pid=$1
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

case "$cmd" in
start)
  port=${3:?port}
  command -v mariadbd >/dev/null || { echo "mariadbd not found: apt-get install mariadb-server" >&2; exit 3; }
  mkdir -p "$dir"
  if [ -f "$dir/mysqld.pid" ] && kill -0 "$(cat "$dir/mysqld.pid")" 2>/dev/null; then
    "$0" stop "$dir"
  fi
  if [ ! -d "$dir/data/mysql" ]; then
    mariadb-install-db --no-defaults --user=root --datadir="$dir/data" --skip-test-db \
      --auth-root-authentication-method=socket >"$dir/install.log" 2>&1 \
      || { cat "$dir/install.log" >&2; exit 1; }
  fi
  # The production configuration (deploy/mariadb/stackscope.cnf: durable commits, a large redo log, background
  # flushing for SSDs); memory and redo log smaller for the tests' instances unless asked (SS_MARIADB_BUFFER_POOL,
  # SS_MARIADB_LOG_SIZE). SS_MARIADB_CONFIG=debian starts Debian's defaults instead (the benchmarks' "before").
  # A temp folder of its own: a MariaDB starting with the shared /tmp removes the "#sql" files of another running
  # there (seen as "Error on delete of '/tmp/#sql-temptable-...'" mid-query when the tests start a private one).
  mkdir -p "$dir/tmp"
  if [ "${SS_MARIADB_CONFIG:-production}" = debian ]; then
    config=(--no-defaults)
  else
    config=(--defaults-file="$(cd "$(dirname "$0")/.." && pwd)/deploy/mariadb/stackscope.cnf"
      --innodb-buffer-pool-size="${SS_MARIADB_BUFFER_POOL:-512M}" --innodb-log-file-size="${SS_MARIADB_LOG_SIZE:-512M}")
  fi
  setsid nohup mariadbd "${config[@]}" --user=root --datadir="$dir/data" --tmpdir="$dir/tmp" --port="$port" --bind-address=127.0.0.1 \
    --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" --log-error="$dir/error.log" \
    --max-connections=500 >"$dir/stdout.log" 2>&1 < /dev/null &
  for _ in $(seq 1 300); do
    if mariadb-admin --no-defaults --socket="$dir/mysqld.sock" -uroot ping >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  mariadb-admin --no-defaults --socket="$dir/mysqld.sock" -uroot ping >/dev/null 2>&1 \
    || { echo "mariadbd did not start; see $dir/error.log" >&2; tail -20 "$dir/error.log" >&2; exit 1; }
  mariadb --no-defaults --socket="$dir/mysqld.sock" -uroot -e \
    "CREATE USER IF NOT EXISTS 'ss'@'127.0.0.1' IDENTIFIED BY 'ss'; GRANT ALL PRIVILEGES ON *.* TO 'ss'@'127.0.0.1';"
  echo "Server=127.0.0.1;Port=$port;User ID=ss;Password=ss"
  ;;
stop)
  if [ -f "$dir/mysqld.pid" ]; then
    pid=$(cat "$dir/mysqld.pid")
    kill "$pid" 2>/dev/null || true
    wait_gone "$pid"
    rm -f "$dir/mysqld.pid"
  fi
  ;;
*)
  echo "usage: mariadb.sh start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
