#!/usr/bin/env bash
# Builds the container images stackscope/ss-server:TAG and stackscope/ss-agent:TAG (TAG: the version, and latest)
# from deploy/docker/*.Dockerfile without a registry: nothing is pulled. The base, stackscope/base:TAG, is made here
# from this machine's own libraries (what ldd shows the binaries need, OpenSSL, which .NET loads at run time, and
# the CA certificates) and imported with `docker import`: no shell, no package manager, nothing else.
#   DOCKER_HOST=... scripts/build-images.sh                  publishes first (scripts/publish.sh)
#   SS_PUBLISHED=DIR scripts/build-images.sh                 uses an earlier scripts/publish.sh DIR
#   SS_IMAGE_TAG=TAG scripts/build-images.sh                 tags TAG only (default: the version and latest)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' "$root/Directory.Build.props")
tags=(${SS_IMAGE_TAG:-$version latest})
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
published=$("$root/scripts/publish.sh" "$work/publish")

# The base: the C library and the loader, libstdc++, OpenSSL, CA certificates, and the two service users.
base=$work/rootfs
mkdir -p "$base/etc/ssl/certs" "$base/tmp" "$base/run" "$base/host"
chmod 1777 "$base/tmp"
libraries() {
  ldd "$published/agent/ss-agent" "$published/server/ss-server" "$published"/server/*.so 2>/dev/null |
    sed -n 's/^\s*\(\S*\s=>\s\)\?\(\/\S*\)\s(0x.*/\2/p'
  # .NET opens OpenSSL by name when it first needs TLS (System.Security.Cryptography.Native.OpenSsl): from the folder
  # that holds the C library.
  local folder
  folder=$(dirname "$(ldd "$published/agent/ss-agent" | sed -n 's/^\s*libc\.so\.6 => \(\S*\) .*/\1/p')")
  for library in libssl.so.3 libcrypto.so.3; do
    if [ -e "$folder/$library" ]; then echo "$folder/$library"; fi
  done
}
for library in $(libraries | sort -u); do
  case "$library" in "$published"/*) continue ;; esac # the runtime's own, already in the program's folder
  mkdir -p "$base$(dirname "$library")"
  cp -L "$library" "$base$library"
done
cp -L /etc/ssl/certs/ca-certificates.crt "$base/etc/ssl/certs/ca-certificates.crt"
cat > "$base/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/usr/sbin/nologin
stackscope:x:10001:10001:StackScope server:/var/lib/stackscope:/usr/sbin/nologin
stackscope-agent:x:10002:10002:StackScope agent:/var/lib/stackscope-agent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
PASSWD
printf 'root:x:0:\nstackscope:x:10001:\nstackscope-agent:x:10002:\nnogroup:x:65534:\n' > "$base/etc/group"
echo 'hosts: files dns' > "$base/etc/nsswitch.conf"
tar -C "$base" --numeric-owner --owner=0 --group=0 -c . |
  docker import -c 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' -m "StackScope base $version" - "stackscope/base:${tags[0]}" >/dev/null

# The build context: the published programs and an empty folder for the state directories.
context=$work/context
mkdir -p "$context/state"
cp -a "$published/server" "$published/agent" "$context/"
for program in ss-server ss-agent; do
  args=()
  for tag in "${tags[@]}"; do args+=(-t "stackscope/$program:$tag"); done
  # The classic builder: it needs no buildx plugin and builds FROM a local image without a registry.
  DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE=stackscope/base:${tags[0]}" -f "$root/deploy/docker/$program.Dockerfile" \
    "${args[@]}" "$context" >/dev/null 2>"$work/build.log" || { cat "$work/build.log" >&2; exit 1; }
  echo "stackscope/$program:${tags[0]}"
done
