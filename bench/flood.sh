#!/usr/bin/env bash
# Connection flood: 20,000 idle connections from two client processes against ss-server at its
# default limits on this machine, while one kept-alive client posts a report every second. Bounded: the flood
# holds for 30 s, then everything is closed and the script stops by itself. Loopback only.
#   bench/flood.sh [CONNECTIONS]   (default 20000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
total=${1:-20000}
dotnet build StackScope.slnx -c Release -nologo -v quiet
data=$(mktemp -d)
port=5191
dotnet src/Server/bin/Release/net10.0/ss-server.dll --Urls "http://127.0.0.1:$port" --Auth:Mode open \
  --Storage:ConnectionString "Data Source=$data/flood.db" > .tmp/bench-flood-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
grep -h "Connections:" .tmp/bench-flood-server.log || true

python3 - "$port" "$total" "$server" <<'PY'
import json, socket, sys, threading, time, http.client, multiprocessing
port, total, pid = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])

def hold(count, seconds, out):
    held = []
    for _ in range(count):
        s = socket.socket(); s.setblocking(False)
        try: s.connect(("127.0.0.1", port))
        except BlockingIOError: pass
        except OSError: s.close(); continue
        held.append(s)
    time.sleep(1)
    sent = 0
    for s in held:
        try: s.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); sent += 1
        except OSError: pass
    out.put(sent)
    time.sleep(seconds)
    for s in held: s.close()

def rss_fds():
    rss = next(l for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS")).split()[1]
    import os; return int(rss) // 1024, len(os.listdir(f"/proc/{pid}/fd"))

agent = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
def report(i):
    body = json.dumps({"engine_type":"docker","agent_id":"flood-agent","ser_cpu_count":1,"ser_cpu_percent":1,"ser_memory_total":100,
        "ser_memory_used":10,"ser_memory_percent":10,"ser_get_datetime":time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),"container_stats":[]})
    agent.request("POST", "/api/v1/monitor-info", body, {"Content-Type": "application/json"})
    r = agent.getresponse(); r.read(); return r.status
print("before:", "rss_mib=%d fds=%d" % rss_fds(), "agent:", report(0))
q = multiprocessing.Queue()
procs = [multiprocessing.Process(target=hold, args=(total // 2, 30, q)) for _ in range(2)]
for p in procs: p.start()
ok = fail = 0
for i in range(40):
    time.sleep(1)
    try: ok += report(i) == 200
    except Exception: fail += 1
    if i % 10 == 9: print(f"t={i+1}s", "rss_mib=%d fds=%d" % rss_fds(), f"agent_ok={ok} agent_failed={fail}", flush=True)
for p in procs: p.join()
sent = q.get() + q.get()
time.sleep(2)
fresh = http.client.HTTPConnection("127.0.0.1", port, timeout=10); fresh.request("GET", "/healthz"); status = fresh.getresponse().status
print(f"RESULT connections={total} requests_sent_on_them={sent} server_alive=1 agent_ok={ok} agent_failed={fail} fresh_healthz={status}", "rss_mib=%d fds=%d" % rss_fds())
PY
kill -0 $server && echo "server still running"
