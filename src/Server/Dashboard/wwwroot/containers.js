// StackScope dashboard: a host's tables: its containers (grouped by Kubernetes namespace and pod where the agent reads
// a node's CRI), their events and its file systems. Uses el(), enc(), fmt(), localTime(), route() and state from app.js,
// loaded after this file; every API text goes in via textContent.
"use strict";

// What stands out: a non-zero exit, an OOM kill, a health check failing.
function eventClass(e) {
  if (e.action === "oom" || (e.action === "die" && e.exitCode !== 0 && e.exitCode != null)) return "bad";
  if ((e.action === "health_status" && e.health === "unhealthy") || e.action === "kill") return "warn";
  return "";
}

function eventDetail(e) {
  if (e.action === "die") return `exit code ${e.exitCode ?? "?"}`;
  if (e.action === "health_status") return e.health;
  if (e.action === "kill") return e.signal != null ? `signal ${e.signal}` : "";
  if (e.action === "oom") return "killed by the OOM killer";
  return "";
}

const markersOf = events => events.map(e => ({ t: Date.parse(e.at), action: e.action, cls: eventClass(e),
  title: `${localTime(e.at)} ${e.containerName}: ${e.action} ${eventDetail(e)}` }));

// A container whose events span several ids ran several times: a Kubernetes restart is a new attempt with an id of
// its own (Docker keeps the id). Each event then names its attempt, oldest 1.
function attemptsOf(events) {
  const byName = new Map();
  for (const e of [...events].sort((a, b) => a.timeNano - b.timeNano)) {
    const ids = byName.get(e.containerName) ?? byName.set(e.containerName, []).get(e.containerName);
    if (!ids.includes(e.containerId)) ids.push(e.containerId);
  }
  return e => { const ids = byName.get(e.containerName); return ids.length > 1 ? ids.indexOf(e.containerId) + 1 : null; };
}

function eventList(agentId, events, total) {
  if (!events.length) return el("p", { class: "muted", "data-events": "0" }, "No container events in this range.");
  const attempt = attemptsOf(events);
  return el("div", {}, el("ol", { class: "events", "data-events": events.length }, events.map(e =>
    el("li", { class: eventClass(e), "data-event": e.action, "data-container": e.containerName },
      el("time", { datetime: e.at }, localTime(e.at)), " ",
      el("a", { href: `#/agent/${enc(agentId)}/container/${enc(e.containerName)}` }, e.containerName), " ",
      attempt(e) ? el("span", { class: "muted", "data-attempt": attempt(e), title: `container id ${e.containerId}` }, `attempt ${attempt(e)} `) : "",
      el("b", {}, e.action), " ", eventDetail(e), e.source === "reconciled" ? el("span", { class: "muted", title: "reconstructed from the engine's state: the event stream did not see it" }, " (reconciled)") : ""))),
    total > events.length ? el("p", { class: "muted" }, `${events.length} newest of ${total}`) : "");
}

// The namespaces of a Kubernetes node's pods, to show one; nothing for a host without pods.
function namespaceSelect(rows, onChange) {
  const namespaces = [...new Set(rows.map(r => r.namespace).filter(n => n))].sort();
  if (!namespaces.length) return "";
  if (!namespaces.includes(state.namespace)) state.namespace = "";
  return el("select", { "aria-label": "filter by namespace", "data-namespaces": "", onchange: e => { state.namespace = e.target.value; onChange(); } },
    el("option", { value: "" }, "all namespaces"), namespaces.map(n => el("option", n === state.namespace ? { value: n, selected: "" } : { value: n }, n)));
}

function containerTable(agentId, rows) {
  const columns = [["containerName", "Name"], ["engineType", "Engine"], ["status", "Status"], ["health", "Health"], ["restartCount", "Restarts", true], ["cpuPercent", "CPU %", true],
    ["memoryUsageMiB", "Memory MiB", true], ["memoryPercent", "Memory %", true]];
  const needle = state.filter.toLowerCase();
  const bySort = (a, b) => (a[state.sort.key] > b[state.sort.key] ? 1 : a[state.sort.key] < b[state.sort.key] ? -1 : 0) * state.sort.dir;
  const podKey = r => r.pod ? `${r.namespace ?? ""}/${r.pod}` : "";
  // Pod containers stay together under their pod (namespaces, then pods, by name), sorted within it; the others first.
  const shown = rows.filter(r => (!needle || r.containerName.toLowerCase().includes(needle)) && (!state.status || r.status === state.status)
      && (!state.namespace || r.namespace === state.namespace))
    .sort((a, b) => podKey(a).localeCompare(podKey(b)) || bySort(a, b));
  const head = el("tr", {}, columns.map(([key, label, num]) => el("th", { class: num ? "num" : "", "data-sort": key, onclick: () => {
    state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : 1 }; route(); } }, label + (state.sort.key === key ? (state.sort.dir > 0 ? " ▲" : " ▼") : ""))));
  const body = [];
  let group = "";
  for (const r of shown) {
    if (podKey(r) && podKey(r) !== group) {
      group = podKey(r);
      const inPod = shown.filter(o => podKey(o) === group);
      body.push(el("tr", { class: "pod", "data-pod": group }, el("th", { colspan: columns.length },
        el("span", { class: "muted" }, "pod "), r.pod, el("span", { class: "muted" }, ` in ${r.namespace} · ${inPod.length} container${inPod.length > 1 ? "s" : ""}`))));
    }
    body.push(containerRow(agentId, r));
  }
  return el("table", {}, el("thead", {}, head), el("tbody", {}, body));
}

function containerRow(agentId, r) {
  return el("tr", { "data-container": r.containerName, "data-pod-of": r.pod ? `${r.namespace}/${r.pod}` : "" },
    el("td", {}, el("a", { href: `#/agent/${enc(agentId)}/container/${enc(r.containerName)}` }, r.containerName)),
    el("td", { "data-engine": r.engineType }, r.engineType),
    el("td", { class: `status-${r.status}` }, r.status, r.oomKilled ? el("span", { class: "bad", title: "its last run was ended by the OOM killer" }, " OOM") : "",
      r.status === "exited" && r.exitCode ? el("span", { class: "muted" }, ` (${r.exitCode})`) : ""),
    el("td", { class: `health-${r.health ?? "none"}`, "data-health": r.health ?? "" }, r.health ?? "–"),
    el("td", { class: `num ${r.restartCount > 0 ? "warn" : ""}`, "data-restarts": r.restartCount ?? "" }, r.restartCount ?? "–"),
    el("td", { class: "num" }, fmt(r.cpuPercent, 2)), el("td", { class: "num" }, fmt(r.memoryUsageMiB, 2)), el("td", { class: "num" }, fmt(r.memoryPercent, 2)));
}

function fileSystemTable(fileSystems) {
  if (!fileSystems.length) return el("p", { class: "muted" }, "No file systems reported.");
  return el("table", { class: "filesystems" }, el("thead", {}, el("tr", {}, el("th", {}, "Mount point"), el("th", {}, "Type"),
    el("th", { class: "num" }, "Used"), el("th", { class: "num" }, "Size"), el("th", {}, "Use %"))),
  el("tbody", {}, fileSystems.map(f => el("tr", { "data-mount": f.mountPoint },
    el("td", {}, f.mountPoint), el("td", {}, f.fsType), el("td", { class: "num" }, bytes(f.usedBytes)), el("td", { class: "num" }, bytes(f.totalBytes)),
    el("td", {}, el("meter", { min: 0, max: 100, low: 80, high: 90, optimum: 0, value: Math.min(100, f.usedPercent) }), ` ${fmt(f.usedPercent)} %`)))));
}
