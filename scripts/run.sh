#!/usr/bin/env bash
# The quick start: ss-server on the embedded default (SQLite in ./data), listening on
# http://127.0.0.1:5080, and an ss-agent reporting this machine and its Docker containers
# (DOCKER_HOST, else /var/run/docker.sock) every 10 s. Ctrl-C stops both.
# Nothing to install beyond the .NET SDK; without a Docker engine the agent reports the host alone.
# Extra arguments go to the server (e.g. --Urls http://127.0.0.1:6000 --Storage:Provider mysql ...).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dotnet build StackScope.slnx -c Release -nologo -v quiet

server_url=http://127.0.0.1:5080
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[$i]}" = "--Urls" ] && server_url=${args[$((i + 1))]}
done

dotnet src/Server/bin/Release/net10.0/ss-server.dll "$@" &
server=$!
# The agent spools until the server answers, so it needs no wait for the server's start.
dotnet src/Agent/bin/Release/net10.0/ss-agent.dll --Agent:ServerUrl "$server_url" --Agent:SpoolPath "$root/data/agent-spool" &
agent=$!
trap 'kill "$agent" "$server" 2>/dev/null || true; wait' EXIT INT TERM
echo "ss-server at $server_url, ss-agent reporting $(hostname) every 10 s; Ctrl-C stops both."
wait -n "$server" "$agent"
