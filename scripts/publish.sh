#!/usr/bin/env bash
# Publishes both programs for Linux, as the packages and images ship them:
#   OUT/server  ss-server self-contained (no .NET runtime needed where it runs), without symbols
#   OUT/agent   ss-agent as its Native AOT binary and appsettings.json
# Warnings are errors: the agent's AOT and trim analysis included. Prints the folder that holds the programs.
#   scripts/publish.sh OUT
#   SS_PUBLISHED=DIR scripts/publish.sh OUT     publishes nothing and prints DIR (an earlier publish, e.g. test.sh's)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:?usage: scripts/publish.sh OUT}")
if [ -n "${SS_PUBLISHED:-}" ]; then
  echo "$SS_PUBLISHED"
  exit 0
fi
case "$(uname -m)" in x86_64) rid=linux-x64 ;; aarch64) rid=linux-arm64 ;; *) echo "publish: no .NET runtime id for $(uname -m)" >&2; exit 2 ;; esac
rm -rf "$out/server" "$out/agent"
dotnet publish "$root/src/Server" -c Release -r "$rid" --self-contained -warnaserror -nologo -v quiet -o "$out/server" >&2
find "$out/server" -name '*.pdb' -delete
# NuGet's SQLite library ships with its symbols; the published one needs none.
if command -v strip >/dev/null; then find "$out/server" -name 'libe_sqlite3.so' -exec strip --strip-unneeded {} +; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet publish "$root/src/Agent" -c Release -r "$rid" -warnaserror -nologo -v quiet -o "$work" >&2
mkdir -p "$out/agent"
install -m 0755 "$work/ss-agent" "$out/agent/ss-agent"
install -m 0644 "$work/appsettings.json" "$out/agent/appsettings.json"
echo "$out"
