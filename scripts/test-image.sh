#!/usr/bin/env bash
# Builds the local test image "ss-busybox:test" from Debian's busybox-static: a rootfs with
# /bin/busybox and its applet links, imported with `docker import`. Nothing is pulled.
#   DOCKER_HOST=unix://... scripts/test-image.sh
#   IMAGE_CLI=podman scripts/test-image.sh     (the same image for Podman, through `podman import`)
set -euo pipefail
image=ss-busybox:test
cli=${IMAGE_CLI:-docker}
if $cli image inspect "$image" >/dev/null 2>&1; then exit 0; fi
busybox=/bin/busybox
[ -x "$busybox" ] || busybox=/usr/bin/busybox
[ -x "$busybox" ] || { echo "busybox not found: apt-get install busybox-static" >&2; exit 3; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/etc"
cp "$busybox" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"
tar -C "$root" -c . | $cli import -c 'CMD ["/bin/sh"]' - "$image" >/dev/null
echo "built $image"
