#!/usr/bin/env bash
# Starts ss-server on the embedded default (SQLite in ./data), listening on http://127.0.0.1:5080.
# Nothing to install beyond the .NET SDK. Extra arguments go to the server (e.g. --Urls http://127.0.0.1:6000).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
exec dotnet run --project src/Server -c Release -- "$@"
