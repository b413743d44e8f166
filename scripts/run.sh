#!/usr/bin/env bash
# The quick start: ss-server on the embedded default (SQLite in ./data), listening on
# http://127.0.0.1:5080, and an ss-agent reporting this machine and its Docker containers
# (DOCKER_HOST, else /var/run/docker.sock) every 10 s. Ctrl-C stops both.
# Nothing to install beyond the .NET SDK; without a Docker engine the agent reports the host alone.
# Sign-in is on: the first run issues the local agent's token (data/agent.token) and a dashboard user
# "admin" with a generated password (printed once, kept in data/admin.password); both files are
# readable only by you, and later runs reuse them.
# Extra arguments go to the server (e.g. --Urls http://127.0.0.1:6000 --Storage:Provider mysql ...).
# SS_RUN_DATA moves the data folder (default ./data).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dotnet build StackScope.slnx -c Release -nologo -v quiet

server_url=http://127.0.0.1:5080
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[$i]}" = "--Urls" ] && server_url=${args[$((i + 1))]}
done

server_dll=src/Server/bin/Release/net10.0/ss-server.dll
agent_id=$(hostname | tr -c 'A-Za-z0-9._\n-' '-' | cut -c1-64)
data=${SS_RUN_DATA:-$root/data}
mkdir -p "$data"
chmod 700 "$data"
# The embedded database and the cookie keys live in the data folder; the caller's arguments come last and win.
settings=(--Storage:ConnectionString "Data Source=$data/stackscope.db" --Auth:KeysPath "$data/keys" "$@")
if [ ! -s "$data/agent.token" ]; then
  # A token is shown once: replace whatever earlier token this agent had, keep the new one for the agent.
  dotnet "$server_dll" agent revoke "$agent_id" "${settings[@]}" >/dev/null 2>&1 || true
  (umask 077; dotnet "$server_dll" agent add "$agent_id" "${settings[@]}" > "$data/agent.token.new")
  mv "$data/agent.token.new" "$data/agent.token"
fi
first_sign_in=""
if [ ! -s "$data/admin.password" ] && [ -z "$(dotnet "$server_dll" user list "${settings[@]}")" ]; then
  (umask 077; dotnet "$server_dll" user add admin --admin --generate-password "${settings[@]}" > "$data/admin.password")
  first_sign_in=$(cat "$data/admin.password")
fi

dotnet "$server_dll" "${settings[@]}" &
server=$!
# The agent spools until the server answers, so it needs no wait for the server's start.
dotnet src/Agent/bin/Release/net10.0/ss-agent.dll --Agent:ServerUrl "$server_url" --Agent:AgentId "$agent_id" \
  --Agent:TokenFile "$data/agent.token" --Agent:SpoolPath "$data/agent-spool" &
agent=$!
trap 'kill "$agent" "$server" 2>/dev/null || true; wait' EXIT INT TERM
echo "ss-server at $server_url, ss-agent '$agent_id' reporting every 10 s; Ctrl-C stops both."
if [ -n "$first_sign_in" ]; then
  echo "Dashboard first sign-in: user 'admin', password '$first_sign_in' (kept in $data/admin.password)."
elif [ -s "$data/admin.password" ]; then
  echo "Dashboard sign-in: user 'admin', password in $data/admin.password."
else
  echo "Dashboard sign-in: the users made with 'ss-server user add'."
fi
wait -n "$server" "$agent"
