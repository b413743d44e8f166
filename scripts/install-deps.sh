#!/usr/bin/env bash
# Installs the Debian packages the tests and benchmarks need, only those missing. Idempotent.
#   mariadb-server: the MySQL-compatible database the production provider is tested against.
#   docker.io:      the Docker Engine the agent samples (dockerd, started by scripts/dockerd.sh).
#   busybox-static: the only thing inside the test image (scripts/test-image.sh); nothing is pulled.
#   chromium:       the browser the dashboard tests drive through Playwright (never a downloaded one).
#   faketime:       runs a real agent with its clock an hour ahead (the clock-skew fault test).
#   clang, zlib1g-dev: the native toolchain the agent's Native AOT publish links with.
#   nodejs, npm:    run the OpenAPI validator the API document test uses (tests/OpenApi, from the npm registry).
#   python3-aiosmtpd: the SMTP server on loopback the alert mail tests deliver to.
#   podman:         the second engine the agent reports (its API service started by scripts/podman.sh).
#   prometheus:     promtool checks /metrics, and a real Prometheus on loopback scrapes it.
#   docker-compose: runs deploy/compose's example (server + agent images) on the test dockerd.
#   systemd:        systemd-analyze verifies the units in deploy/systemd and rates their exposure (nothing is started).
#   galera-4, rsync, haproxy: a three-node Galera cluster on loopback (scripts/galera.sh) with HAProxy as its writer;
#                   rsync carries a joining node's state snapshot.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

need=()
command -v mariadbd >/dev/null 2>&1 || need+=(mariadb-server)
command -v mariadb >/dev/null 2>&1 || need+=(mariadb-client)
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
[ -x /bin/busybox ] || need+=(busybox-static)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v faketime >/dev/null 2>&1 || need+=(faketime)
{ command -v clang >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1; } || need+=(clang)
[ -e /usr/include/zlib.h ] || need+=(zlib1g-dev)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
[ -x /usr/bin/aiosmtpd ] || need+=(python3-aiosmtpd)
command -v podman >/dev/null 2>&1 || need+=(podman)
{ [ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ]; } || need+=(prometheus)
[ -x /usr/bin/systemd-analyze ] || need+=(systemd)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
[ -e /usr/lib/galera/libgalera_smm.so ] || need+=(galera-4)
command -v rsync >/dev/null 2>&1 || need+=(rsync)
command -v haproxy >/dev/null 2>&1 || need+=(haproxy)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root (or sudo) to install: ${need[*]}" >&2; exit 1; }
  sudo="sudo"
fi

echo "install-deps: installing ${need[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${need[@]}"
