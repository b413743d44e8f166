#!/usr/bin/env bash
# Builds the Debian packages ss-server and ss-agent with dpkg-deb (no debhelper) from scripts/publish.sh's output (the
# server self-contained, the agent as its Native AOT binary), each with its systemd unit, a default
# configuration in /etc/stackscope/ and its user created on install (deploy/debian/ holds the maintainer scripts).
#   scripts/build-debs.sh [OUT_DIR]     -> OUT_DIR/ss-server_VERSION_ARCH.deb, OUT_DIR/ss-agent_VERSION_ARCH.deb
#   SS_PUBLISHED=DIR scripts/build-debs.sh ...   packages an earlier scripts/publish.sh DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/.tmp/debs}")
version=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' "$root/Directory.Build.props")
arch=$(dpkg --print-architecture)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

package() { # name, description, user
  local name=$1 description=$2 dir="$work/$1"
  mkdir -p "$dir/DEBIAN" "$dir/lib/systemd/system" "$dir/etc/stackscope" "$dir/usr/bin" "$dir/usr/share/doc/$name"
  cp "$root/deploy/systemd/$name.service" "$dir/lib/systemd/system/"
  cp "$root/deploy/debian/$name.env" "$dir/etc/stackscope/${name#ss-}.env"
  cp "$root/README.md" "$dir/usr/share/doc/$name/README.md"
  cp "$root/deploy/debian/copyright" "$dir/usr/share/doc/$name/copyright"
  for script in postinst prerm postrm; do
    install -m 0755 "$root/deploy/debian/$name.$script" "$dir/DEBIAN/$script"
  done
  echo "/etc/stackscope/${name#ss-}.env" > "$dir/DEBIAN/conffiles"
  # A native package's changelog (lintian asks for one), from the version alone.
  printf '%s (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- StackScope team <team@stackscope.example.org>  %s\n' \
    "$name" "$version" "$version" "$(date -R -u -d @"${SOURCE_DATE_EPOCH:-$(date +%s)}")" | gzip -9n > "$dir/usr/share/doc/$name/changelog.gz"
  # Modes as Debian expects them: data and libraries 0644, programs 0755 (dotnet publish leaves 0744).
  find "$dir/usr" "$dir/etc" "$dir/lib" -type f -exec chmod 0644 {} +
  for program in "$dir/usr/lib/stackscope"/*/"$name" "$dir/usr/lib/stackscope"/*/createdump; do
    if [ -f "$program" ]; then chmod 0755 "$program"; fi
  done
  cat > "$dir/DEBIAN/control" <<CONTROL
Package: $name
Version: $version
Architecture: $arch
Maintainer: StackScope team <team@stackscope.example.org>
Depends: adduser, libc6, zlib1g, libssl3 | libssl1.1, ca-certificates
Section: admin
Priority: optional
Installed-Size: $(du -sk "$dir" | cut -f1)
Homepage: https://stackscope.invalid/
Description: $description
 StackScope monitors container hosts. ss-agent samples the host and every
 container of its engines (Docker, Podman) and pushes reports; ss-server
 stores them and serves a query API, a dashboard, metrics and alerts.
CONTROL
  find "$dir" -type d -exec chmod 0755 {} +
  dpkg-deb --root-owner-group --build "$dir" "$out/${name}_${version}_${arch}.deb" >/dev/null
  echo "$out/${name}_${version}_${arch}.deb"
}

published=$("$root/scripts/publish.sh" "$work/publish")
mkdir -p "$work/ss-server/usr/lib/stackscope" "$work/ss-server/usr/bin" "$work/ss-agent/usr/lib/stackscope" "$work/ss-agent/usr/bin"
cp -a "$published/server" "$work/ss-server/usr/lib/stackscope/server"
ln -s ../lib/stackscope/server/ss-server "$work/ss-server/usr/bin/ss-server"
package ss-server "StackScope server: ingest, query API, dashboard, metrics, alerts"

cp -a "$published/agent" "$work/ss-agent/usr/lib/stackscope/agent"
ln -s ../lib/stackscope/agent/ss-agent "$work/ss-agent/usr/bin/ss-agent"
package ss-agent "StackScope agent: host and container figures, pushed to ss-server"
