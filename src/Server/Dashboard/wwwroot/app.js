// StackScope dashboard: fleet, host and container pages over the query API. No framework and no chart
// library: charts are SVG drawn here, so the page needs nothing but ss-server (no CDN, no build step).
// Every text from the API (agent and container names are attacker-controlled) goes in via textContent.
"use strict";

// Beyond 7 days the server answers from its 5-minute and hour rollups (which keep each bucket's maximum too).
const RANGES = { "1h": 3600, "6h": 21600, "24h": 86400, "7d": 604800, "30d": 2592000, "90d": 7776000, "1y": 31536000 };
const state = { range: "1h", sort: { key: "containerName", dir: 1 }, filter: "", status: "", namespace: "", timer: null, session: null };
const view = document.getElementById("view");

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
  }
  for (const c of children.flat()) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function svgEl(tag, attrs = {}) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

class SignInRequired extends Error {}

async function api(path, body) {
  const init = { headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    // Every state change carries the CSRF token the session endpoint handed out.
    Object.assign(init, { method: "POST", body: JSON.stringify(body) });
    Object.assign(init.headers, { "Content-Type": "application/json", "X-CSRF-TOKEN": state.session?.csrfToken ?? "" });
  }
  const response = await fetch(path, init);
  const envelope = await response.json();
  if (response.status === 401 && !path.startsWith("/api/v1/auth/")) { state.session = null; throw new SignInRequired(); }
  if (!envelope.success) throw new Error(`${envelope.resultCode}: ${envelope.resultMessage}`);
  return envelope;
}

const fmt = (n, digits = 1) => (n == null ? "–" : Number(n).toFixed(digits));
const localTime = iso => new Date(iso).toLocaleString();
const enc = encodeURIComponent;

function setStatus(text, isError = false) {
  const s = document.getElementById("status");
  s.textContent = text;
  s.className = isError ? "error" : "muted";
}

function crumbs(...links) {
  const nav = document.getElementById("crumbs");
  nav.replaceChildren(...links.map(([text, href]) => el("a", { href }, text)));
}

// ---- charts -------------------------------------------------------------------------------------

function lineChart(title, history, series, unit, fixedMax, markers = []) {
  const W = 600, H = 180, L = 40, R = 8, T = 8, B = 22;
  const from = Date.parse(history.from), to = Date.parse(history.to), stepMs = history.stepSeconds * 1000;
  const points = history.points.map(p => ({ ...p, x: Date.parse(p.t) + stepMs / 2 }));
  const dataMax = Math.max(0, ...points.flatMap(p => series.map(s => p[s.key] ?? 0)));
  const max = fixedMax && dataMax <= fixedMax ? fixedMax : niceMax(dataMax);
  const sx = x => L + (W - L - R) * (x - from) / Math.max(1, to - from);
  const sy = y => T + (H - T - B) * (1 - y / max);
  const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title });
  for (let i = 0; i <= 4; i++) {
    const v = max * i / 4, y = sy(v);
    svg.append(svgEl("line", { class: "axis", x1: L, x2: W - R, y1: y, y2: y }));
    const label = svgEl("text", { x: L - 4, y: y + 3, "text-anchor": "end" });
    label.textContent = fmt(v, v < 10 ? 1 : 0);
    svg.append(label);
  }
  for (let i = 0; i <= 3; i++) {
    const t = from + (to - from) * i / 3;
    const label = svgEl("text", { x: sx(t), y: H - 6, "text-anchor": i === 0 ? "start" : i === 3 ? "end" : "middle" });
    label.textContent = new Date(t).toLocaleString([], to - from > 86400000 ? { month: "short", day: "numeric", hour: "2-digit" } : { hour: "2-digit", minute: "2-digit" });
    svg.append(label);
  }
  for (const s of series) {
    // A missing bucket (or one without this figure) is a gap in the data: the line stops there instead of being drawn across it.
    let d = "", prev = null;
    const drawn = points.filter(p => p[s.key] != null);
    for (const p of drawn) {
      const move = prev === null || p.x - prev.x > stepMs * 1.5;
      d += `${move ? "M" : "L"}${sx(p.x).toFixed(1)},${sy(p[s.key]).toFixed(1)}`;
      prev = p;
    }
    svg.append(svgEl("path", { d, class: s.cls, stroke: s.color, "data-series": s.key, "data-points": drawn.length }));
  }
  // Container events as marks across the chart: what happened is seen where the figures changed.
  for (const m of markers.filter(m => m.t >= from && m.t <= to)) {
    const x = sx(m.t).toFixed(1);
    const mark = svgEl("line", { class: `marker ${m.cls}`, x1: x, x2: x, y1: T, y2: H - B, "data-event": m.action });
    const tip = svgEl("title");
    tip.textContent = m.title;
    mark.append(tip);
    svg.append(mark);
  }
  const legend = series.map(s => el("span", { class: `legend ${s.color === "var(--mem)" ? "mem" : "cpu"}` }, s.label));
  return el("div", { class: "chart", "data-chart": title }, el("h4", {}, `${title} (${unit})`), svg, el("div", { class: "muted" }, legend,
    points.length === 0 ? "no data in this range" : `${points.length} points, ${stepText(history.stepSeconds)} each, ${history.tier === "raw" ? "raw samples" : `${history.tier} rollups`}`));
}

function stepText(seconds) {
  return seconds % 86400 === 0 ? `${seconds / 86400} d` : seconds % 3600 === 0 ? `${seconds / 3600} h` : seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}

// Counters (bytes since the container started) become rates between neighbouring buckets: each bucket's largest
// count is its newest sample's, so the rate divides by the time between those samples. A counter that went down
// (a restart) starts afresh, so it leaves a gap rather than a negative rate.
function withRates(history, pairs) {
  const points = history.points.map(p => ({ ...p }));
  for (let i = 0; i < points.length; i++) {
    for (const [counter, rate] of pairs) {
      const prev = points[i - 1], cur = points[i];
      const seconds = prev ? (Date.parse(cur.lastSampleAt ?? cur.t) - Date.parse(prev.lastSampleAt ?? prev.t)) / 1000 : 0;
      cur[rate] = prev && prev[counter] != null && cur[counter] != null && cur[counter] >= prev[counter] && seconds > 0
        ? (cur[counter] - prev[counter]) / seconds : null;
    }
  }
  return { ...history, points };
}

const bytes = n => {
  if (n == null) return "–";
  const units = ["B", "kB", "MB", "GB", "TB"];
  let i = 0;
  while (Math.abs(n) >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${Number(n.toFixed(n < 10 && i ? 2 : 1))} ${units[i]}`;
};

function niceMax(v) {
  if (v <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  return [1, 2, 2.5, 5, 10].map(m => m * p).find(m => m >= v);
}

function sparkline(values) {
  const W = 120, H = 28, max = Math.max(100, ...values);
  const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, class: "spark", "aria-label": "CPU trend" });
  const d = values.map((v, i) => `${i ? "L" : "M"}${(W * i / Math.max(1, values.length - 1)).toFixed(1)},${(H - H * v / max).toFixed(1)}`).join("");
  svg.append(svgEl("path", { d, class: "avg", stroke: "var(--cpu)" }));
  return svg;
}

function rangeButtons(onChange) {
  return el("div", { class: "ranges" }, Object.keys(RANGES).map(r =>
    el("button", { class: r === state.range ? "active" : "", "data-range": r, onclick: () => { state.range = r; onChange(); } }, r)));
}

function rangeQuery() {
  const to = new Date(), from = new Date(to.getTime() - RANGES[state.range] * 1000);
  return `from=${enc(from.toISOString())}&to=${enc(to.toISOString())}`;
}

// ---- pages --------------------------------------------------------------------------------------

async function fleetPage() {
  crumbs();
  const { data: agents, pageInfo } = await api("/api/v1/agents?size=200");
  const cards = agents.map(a => {
    const running = a.containers.running || 0;
    const notRunning = Object.entries(a.containers).filter(([k]) => k !== "running").reduce((n, [, v]) => n + v, 0);
    return el("a", { class: `card ${a.online ? "" : "offline"}`, href: `#/agent/${enc(a.agentId)}`, "data-agent": a.agentId },
      el("h3", {}, a.agentId),
      el("span", { class: `badge ${a.online ? "online" : "offline"}` }, a.online ? "online" : "offline"),
      el("span", { class: "muted" }, ` last report ${localTime(a.lastReportAt)}`),
      el("div", { class: "figures" },
        el("div", {}, el("b", { "data-figure": "cpu" }, `${fmt(a.cpuPercent)} %`), el("span", { class: "muted" }, `CPU of ${a.cpuCount}`)),
        el("div", {}, el("b", { "data-figure": "memory" }, `${fmt(a.memoryPercent)} %`), el("span", { class: "muted" }, `of ${fmt(a.memoryTotalMiB / 1024)} GiB`))),
      sparkline(a.cpuTrend),
      el("div", { "data-figure": "containers" }, `${running} running · ${notRunning} not running`));
  });
  view.replaceChildren(el("h2", {}, `Fleet (${pageInfo.totalCount} agents)`),
    cards.length ? el("div", { class: "grid" }, cards) : el("p", { class: "muted" }, "No reports yet: start an ss-agent."));
  return Math.min(...agents.map(a => a.intervalSeconds), 10);
}

async function hostPage(agentId) {
  crumbs([agentId, `#/agent/${enc(agentId)}`]);
  const base = `/api/v1/agents/${enc(agentId)}`;
  const [host, containers, events, disks, alerts] = await Promise.all([api(`${base}/host?${rangeQuery()}`), api(`${base}/containers?size=200`),
    api(`${base}/events?size=100&${rangeQuery()}`), api(`${base}/filesystems`), alertsFor(agentId)]);
  const h = host.data;
  const markers = [...markersOf(events.data.filter(e => eventClass(e))), ...alerts.markers];
  const charts = el("div", { class: "charts" },
    lineChart("Host CPU", h, [{ key: "cpuAvg", cls: "avg", color: "var(--cpu)", label: "average" }, { key: "cpuMax", cls: "max", color: "var(--cpu)", label: "maximum" }], "%", 100, markers),
    lineChart("Host memory", h, [{ key: "memoryPercentAvg", cls: "avg", color: "var(--mem)", label: "average" }, { key: "memoryPercentMax", cls: "max", color: "var(--mem)", label: "maximum" }], "%", 100, markers),
    lineChart("Host load", h, [{ key: "load1Avg", cls: "avg", color: "var(--cpu)", label: "1-minute average" }, { key: "load1Max", cls: "max", color: "var(--cpu)", label: "maximum" }], "runnable tasks"));
  const table = el("div", { class: "table-wrap" });
  const renderTable = () => table.replaceChildren(containerTable(agentId, containers.data));
  const filter = el("input", { type: "search", placeholder: "filter by name", value: state.filter, "aria-label": "filter by name",
    oninput: e => { state.filter = e.target.value; renderTable(); } });
  const statuses = [...new Set(containers.data.map(c => c.status))].sort();
  const select = el("select", { "aria-label": "filter by status", onchange: e => { state.status = e.target.value; renderTable(); } },
    el("option", { value: "" }, "all statuses"), statuses.map(s => el("option", s === state.status ? { value: s, selected: "" } : { value: s }, s)));
  renderTable();
  view.replaceChildren(el("h2", {}, agentId), rangeButtons(route), charts, alerts.section,
    el("h3", {}, `Containers (${containers.pageInfo.totalCount})`), el("div", { class: "controls" }, filter, select, namespaceSelect(containers.data, renderTable)), table,
    el("h3", {}, "Container events"), eventList(agentId, events.data, events.pageInfo.totalCount),
    el("h3", {}, "Disk usage"), el("div", { class: "table-wrap" }, fileSystemTable(disks.data.fileSystems)));
}

async function containerPage(agentId, name) {
  crumbs([agentId, `#/agent/${enc(agentId)}`], [name, `#/agent/${enc(agentId)}/container/${enc(name)}`]);
  const [history, events, alerts] = await Promise.all([api(`/api/v1/agents/${enc(agentId)}/containers/${enc(name)}/history?${rangeQuery()}`),
    api(`/api/v1/agents/${enc(agentId)}/events?container=${enc(name)}&size=100&${rangeQuery()}`), alertsFor(agentId, name)]);
  const h = withRates(history.data, [["netRxMax", "netRx"], ["netTxMax", "netTx"], ["blockReadMax", "blockRead"], ["blockWriteMax", "blockWrite"]]);
  const markers = [...markersOf(events.data), ...alerts.markers];
  const timeline = el("div", { class: "timeline", "aria-label": "status over time" });
  const from = Date.parse(h.from), to = Date.parse(h.to), step = h.stepSeconds * 1000;
  const byStart = new Map(h.points.map(p => [Date.parse(p.t), p]));
  for (let t = Math.floor(from / step) * step; t <= to; t += step) {
    const p = byStart.get(t);
    timeline.append(el("span", { class: !p ? "gap" : p.runningSamples === p.samples ? "up" : "down",
      title: `${new Date(t).toLocaleString()}: ${p ? `${p.runningSamples}/${p.samples} samples running` : "no data"}` }));
  }
  view.replaceChildren(el("h2", {}, name), el("p", { class: "muted" }, `on ${agentId}`), rangeButtons(route),
    el("div", { class: "charts" },
      lineChart("Container CPU", h, [{ key: "cpuAvg", cls: "avg", color: "var(--cpu)", label: "average" }, { key: "cpuMax", cls: "max", color: "var(--cpu)", label: "maximum" }], "%", undefined, markers),
      lineChart("Container memory", h, [{ key: "memoryAvg", cls: "avg", color: "var(--mem)", label: "average" }, { key: "memoryMax", cls: "max", color: "var(--mem)", label: "maximum" }], "MiB", undefined, markers),
      lineChart("NET I/O", h, [{ key: "netRx", cls: "avg", color: "var(--cpu)", label: "received" }, { key: "netTx", cls: "avg", color: "var(--mem)", label: "sent" }], "bytes/s", undefined, markers),
      lineChart("BLOCK I/O", h, [{ key: "blockRead", cls: "avg", color: "var(--cpu)", label: "read" }, { key: "blockWrite", cls: "avg", color: "var(--mem)", label: "written" }], "bytes/s", undefined, markers),
      lineChart("PIDS", h, [{ key: "pidsAvg", cls: "avg", color: "var(--cpu)", label: "average" }, { key: "pidsMax", cls: "max", color: "var(--cpu)", label: "maximum" }], "processes", undefined, markers)),
    alerts.section, el("h3", {}, "Status over time"), timeline, el("p", { class: "muted" }, "green: running, red: not running, empty: no report"),
    el("h3", {}, "Events"), eventList(agentId, events.data, events.pageInfo.totalCount));
}

// ---- sign-in ------------------------------------------------------------------------------------

async function loadSession() {
  state.session = (await api("/api/v1/auth/session")).data;
  const account = document.getElementById("account");
  account.replaceChildren();
  if (state.session.mode === "token" && state.session.signedIn) {
    account.append(el("span", { class: "muted", "data-user": state.session.username }, state.session.username),
      el("button", { type: "button", id: "sign-out", onclick: signOut }, "Sign out"));
  }
}

function signInPage(message) {
  crumbs();
  const error = el("p", { class: "error", role: "alert" }, message ?? "");
  const form = el("form", { class: "sign-in", onsubmit: async e => {
    e.preventDefault();
    const data = new FormData(form);
    try {
      await api("/api/v1/auth/sign-in", { username: data.get("username"), password: data.get("password") });
      await loadSession();
      route();
    } catch (err) {
      error.textContent = err.message.replace(/^\d+: /, "");
      await loadSession(); // a fresh CSRF token for the next try
    }
  } },
    el("h2", {}, "Sign in"),
    el("label", {}, "Username", el("input", { name: "username", autocomplete: "username", required: "" })),
    el("label", {}, "Password", el("input", { name: "password", type: "password", autocomplete: "current-password", required: "" })),
    el("button", { type: "submit" }, "Sign in"), error);
  view.replaceChildren(form);
  form.querySelector("input").focus();
}

async function signOut() {
  await api("/api/v1/auth/sign-out", {});
  await loadSession();
  signInPage("Signed out.");
}

// ---- routing and refresh ------------------------------------------------------------------------

async function route() {
  clearTimeout(state.timer);
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  let refreshSeconds = 10;
  try {
    if (!state.session) await loadSession();
    if (state.session.mode === "token" && !state.session.signedIn) { signInPage(); setStatus(""); return; }
    if (parts[0] === "agent" && parts[2] === "container") await containerPage(parts[1], parts.slice(3).join("/"));
    else if (parts[0] === "agent" && parts[1]) await hostPage(parts[1]);
    else if (parts[0] === "storage") refreshSeconds = await storagePage();
    else if (parts[0] === "alerts") refreshSeconds = await alertsPage(parts[1] === "rule" ? parts.slice(2).join("/") : undefined);
    else refreshSeconds = await fleetPage();
    setStatus(`updated ${new Date().toLocaleTimeString()}`);
  } catch (e) {
    if (e instanceof SignInRequired) { await loadSession().catch(() => {}); signInPage("Your session ended; sign in again."); return; }
    setStatus(e.message, true);
  }
  state.timer = setTimeout(route, Math.max(5, refreshSeconds) * 1000);
}

window.addEventListener("hashchange", route);
route();
