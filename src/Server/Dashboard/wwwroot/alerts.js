// StackScope dashboard: the alerts page (firing now, recent incidents, channels with "send test", rules with an
// editor, maintenance windows) and the alert lists and chart markers of the host and container pages. Uses the
// helpers of app.js (el, api, state, view, fmt, localTime, enc); loaded first, its functions are called later.
"use strict";

const METRICS = ["host.cpu_percent", "host.memory_percent", "host.swap_percent", "host.disk_percent", "host.load1", "host.load5", "host.load15",
  "container.cpu_percent", "container.memory_percent", "container.memory_mb", "container.pids", "container.restart_count"];
const CONDITIONS = ["exited_nonzero", "oom_killed", "unhealthy", "restart_loop", "not_running", "running_below"];
const isAdmin = () => state.session?.admin === true;
const list = text => (text ?? "").split(",").map(s => s.trim()).filter(Boolean);
// Scope patterns, comma-separated: a comma inside a set ("[a,b]*") belongs to the pattern; "[,]" writes a literal one.
const patterns = text => {
  const out = []; let current = "", depth = 0;
  for (const c of text ?? "") {
    if (c === "[" && depth === 0) depth = 1;
    else if (c === "]" && depth === 1 && !/\[!?$/.test(current)) depth = 0;
    if (c === "," && depth === 0) { out.push(current); current = ""; } else current += c;
  }
  out.push(current);
  return out.map(s => s.trim()).filter(Boolean);
};
const joinPatterns = items => items.map(p => p.replace(/,(?![^[]*\])/g, "[,]")).join(", ");
// "key=pattern": the key ends at the first "=", the pattern may hold more.
const labelPair = item => { const i = item.indexOf("="); return i < 0 ? [item.trim(), "*"] : [item.slice(0, i).trim(), item.slice(i + 1).trim()]; };

function incidentClass(i) { return i.resolvedAt ? "" : i.severity === "critical" ? "bad" : "warn"; }

function incidentTable(incidents, withAck) {
  if (!incidents.length) return el("p", { class: "muted", "data-incidents": "0" }, "None.");
  return el("div", { class: "table-wrap" }, el("table", { class: "incidents", "data-incidents": incidents.length },
    el("thead", {}, el("tr", {}, ["Rule", "Target", "Since", "Lasted", "Value", "Peak", "", ""].map(h => el("th", {}, h)))),
    el("tbody", {}, incidents.map(i => el("tr", { class: incidentClass(i), "data-rule": i.rule, "data-target": i.target },
      el("td", {}, el("b", {}, i.rule), " ", el("span", { class: "muted" }, i.severity)),
      el("td", {}, i.containerName
        ? el("a", { href: `#/agent/${enc(i.agentId)}/container/${enc(i.containerName)}` }, i.target)
        : el("a", { href: `#/agent/${enc(i.agentId)}` }, i.target), el("div", { class: "muted summary" }, i.summary)),
      el("td", {}, el("time", { datetime: i.startedAt }, localTime(i.startedAt))),
      el("td", {}, i.resolvedAt ? `${fmt(i.durationSeconds / 60, 1)} min` : "firing"),
      el("td", { class: "num" }, fmt(i.value, 2)), el("td", { class: "num" }, fmt(i.peak, 2)),
      el("td", {}, [i.backfilled ? el("span", { class: "badge", title: "found in reports that arrived late" }, "backfilled") : "",
        i.flapping ? el("span", { class: "badge warn" }, "flapping") : "",
        i.ackedBy ? el("span", { class: "badge", title: `until ${localTime(i.ackedUntil)}` }, `acked by ${i.ackedBy}`) : ""]),
      el("td", {}, withAck && isAdmin() && !i.resolvedAt && !i.ackedBy
        ? el("button", { type: "button", "data-ack": i.id, onclick: async () => { await send(`/api/v1/alerts/incidents/${i.id}/ack`, "POST", { minutes: 60 }); route(); } }, "Ack 1 h")
        : ""))))));
}

async function send(path, method, body, contentType = "application/json") {
  const response = await fetch(path, {
    method, credentials: "same-origin",
    headers: { Accept: "application/json", "Content-Type": contentType, "X-CSRF-TOKEN": state.session?.csrfToken ?? "" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const envelope = await response.json();
  if (!envelope.success) throw new Error(envelope.resultMessage);
  return envelope;
}

// The incidents of one host or container, and their times as chart markers.
async function alertsFor(agentId, containerName) {
  const q = `agent=${enc(agentId)}${containerName ? `&container=${enc(containerName)}` : ""}&size=20`;
  const incidents = (await api(`/api/v1/alerts/incidents?${q}`)).data;
  const markers = incidents.map(i => ({ t: Date.parse(i.startedAt), action: "alert", cls: `alert ${incidentClass(i) || "resolved"}`,
    title: `${localTime(i.startedAt)} alert ${i.rule}: ${i.summary}` }));
  return { incidents, markers, section: el("section", { class: "alerts" }, el("h3", {}, "Alerts"), incidentTable(incidents, true)) };
}

function ruleSummary(r) {
  if (r.kind === "metric") return `${r.metric} ${r.aggregate !== "avg" || r.window ? `${r.aggregate} over ${r.window ?? 0} s ` : ""}${r.op} ${r.threshold}` +
    (r.clear !== r.threshold ? ` (clears ${r.clear})` : "");
  if (r.kind === "state") return r.condition + (r.count ? ` ${r.count}${r.within ? ` within ${r.within} s` : ""}` : "");
  return `silent for max(3 x interval, ${r.floor} s)`;
}

function scopeSummary(s) {
  const parts = [...(s.agents.length ? [`agents ${s.agents.join(", ")}`] : []), ...(s.containers.length ? [`containers ${s.containers.join(", ")}`] : []),
    ...(s.images.length ? [`images ${s.images.join(", ")}`] : []), ...Object.entries(s.labels).map(([k, v]) => `${k}=${v}`)];
  return parts.length ? parts.join("; ") : "everything";
}

function rulesTable(rules, managedBy, onEdit) {
  return el("div", { class: "table-wrap" }, el("table", { class: "rules", "data-rules": rules.length },
    el("thead", {}, el("tr", {}, ["Rule", "Condition", "For", "Scope", "Channels", ""].map(h => el("th", {}, h)))),
    el("tbody", {}, rules.map(r => el("tr", { "data-rule": r.name, class: r.enabled ? "" : "muted" },
      el("td", {}, el("b", {}, r.name), " ", el("span", { class: "muted" }, r.enabled ? r.severity : "disabled")),
      el("td", {}, ruleSummary(r)), el("td", {}, `${r.for} s`), el("td", {}, scopeSummary(r.scope)),
      el("td", {}, r.channels.length ? r.channels.join(", ") : "all"),
      el("td", {}, isAdmin() && managedBy === "api" ? [
        el("button", { type: "button", onclick: () => onEdit(r) }, "Edit"), " ",
        el("button", { type: "button", onclick: async () => { if (confirm(`Delete rule ${r.name}?`)) { await send(`/api/v1/alerts/rules/${enc(r.name)}`, "DELETE"); route(); } } }, "Delete"),
      ] : ""))))));
}

// The rule editor: one form for the three kinds; fields of other kinds are hidden and not sent.
function ruleEditor(rule) {
  const r = rule ?? { name: "", kind: "metric", enabled: true, severity: "warning", metric: "host.cpu_percent", op: ">=", aggregate: "avg",
    for: 0, scope: { agents: [], containers: [], images: [], labels: {} }, channels: [] };
  const error = el("p", { class: "error", role: "alert" });
  const field = (label, name, value, attrs = {}) => el("label", { "data-for": attrs["data-for"] ?? "" }, label,
    el("input", { name, value: value ?? "", ...attrs }));
  const select = (label, name, options, value, kinds = "") => el("label", { "data-for": kinds }, label,
    el("select", { name }, options.map(o => { const opt = el("option", { value: o }, o); if (o === value) opt.selected = true; return opt; })));
  const form = el("form", { class: "rule-editor", onsubmit: async e => {
    e.preventDefault();
    const d = new FormData(form), kind = d.get("kind");
    const body = { name: d.get("name"), kind, severity: d.get("severity"), enabled: d.get("enabled") === "on", for: d.get("for") || "0s",
      scope: { agents: patterns(d.get("agents")), containers: patterns(d.get("containers")), images: patterns(d.get("images")),
        labels: Object.fromEntries(patterns(d.get("labels")).map(labelPair)) },
      channels: list(d.get("channels")) };
    if (d.get("description")) body.description = d.get("description");
    if (d.get("repeat")) body.repeat = d.get("repeat");
    if (kind === "metric") Object.assign(body, { metric: d.get("metric"), op: d.get("op"), threshold: Number(d.get("threshold")),
      aggregate: d.get("aggregate"), window: d.get("window") || "0s", ...(d.get("clear") ? { clear: Number(d.get("clear")) } : {}) });
    if (kind === "state") Object.assign(body, { condition: d.get("condition"),
      ...(d.get("count") ? { count: Number(d.get("count")) } : {}), ...(d.get("within") ? { within: d.get("within") } : {}) });
    if (kind === "absence" && d.get("floor")) body.floor = d.get("floor");
    try {
      await send(`/api/v1/alerts/rules/${enc(body.name)}`, "PUT", body);
      location.hash = "#/alerts";
      route();
    } catch (err) { error.textContent = err.message; }
  } },
    el("h3", {}, rule ? `Edit ${r.name}` : "New rule"),
    field("Name", "name", r.name, rule ? { readonly: "" } : { required: "" }),
    select("Kind", "kind", ["metric", "state", "absence"], r.kind),
    select("Severity", "severity", ["warning", "critical"], r.severity),
    select("Metric", "metric", METRICS, r.metric, "metric"), select("Operator", "op", [">=", ">", "<=", "<"], r.op ?? ">=", "metric"),
    field("Threshold", "threshold", r.threshold, { type: "number", step: "any", "data-for": "metric" }),
    field("Clears at", "clear", r.clear, { type: "number", step: "any", "data-for": "metric" }),
    select("Aggregate", "aggregate", ["avg", "min", "max"], r.aggregate ?? "avg", "metric"),
    field("Window (e.g. 5m)", "window", r.window ? `${r.window}s` : "", { "data-for": "metric" }),
    select("Condition", "condition", CONDITIONS, r.condition, "state"),
    field("Count", "count", r.count, { type: "number", "data-for": "state" }), field("Within (e.g. 10m)", "within", r.within ? `${r.within}s` : "", { "data-for": "state" }),
    field("Floor (e.g. 60s)", "floor", r.floor ? `${r.floor}s` : "", { "data-for": "absence" }),
    field("For (e.g. 2m)", "for", `${r.for}s`), field("Repeat every (e.g. 1h)", "repeat", r.repeat ? `${r.repeat}s` : ""),
    field("Description", "description", r.description),
    field("Agents (patterns, comma-separated)", "agents", joinPatterns(r.scope.agents)),
    field("Containers", "containers", joinPatterns(r.scope.containers)), field("Images", "images", joinPatterns(r.scope.images)),
    field("Labels (key=pattern, ...)", "labels", joinPatterns(Object.entries(r.scope.labels).map(([k, v]) => `${k}=${v}`))),
    field("Channels (empty: all)", "channels", r.channels.join(", ")),
    el("label", {}, el("input", { type: "checkbox", name: "enabled", ...(r.enabled ? { checked: "" } : {}) }), " enabled"),
    el("button", { type: "submit" }, "Save rule"), error);
  const showKind = () => {
    const kind = form.elements.kind.value;
    for (const label of form.querySelectorAll("label[data-for]")) label.hidden = label.dataset.for !== "" && label.dataset.for !== kind;
  };
  form.elements.kind.addEventListener("change", showKind);
  showKind();
  return form;
}

function channelTable(channels) {
  if (!channels.length) return el("p", { class: "muted" }, "No channels: set Alerts:Channels:<name>:Type and Url (see README), or add one through the API.");
  return el("div", { class: "table-wrap" }, el("table", { class: "channels" },
    el("thead", {}, el("tr", {}, ["Channel", "Destination", "Waiting", "Last sent", "Last error", ""].map(h => el("th", {}, h)))),
    el("tbody", {}, channels.map(c => {
      const result = el("span", { class: "muted", "data-test-result": c.name });
      return el("tr", { "data-channel": c.name, class: c.lastError || c.parked ? "bad" : "" },
        el("td", {}, el("b", {}, c.name), " ", el("span", { class: "muted" }, `${c.type}${c.format && c.format !== "json" ? ` (${c.format})` : ""}, ${c.source}`)),
        el("td", {}, c.destination), el("td", { class: "num" }, c.pending),
        el("td", {}, c.lastSentAt ? localTime(c.lastSentAt) : "–"),
        el("td", { class: "wrap" }, [c.lastError ? `${c.lastError} (attempt ${c.failedAttempts}, next ${localTime(c.nextAttemptAt)})` : "",
          c.parked ? ` ${c.parked} parked (never sendable): ${c.parkedError || ""}` : ""].join("").trim()),
        el("td", {}, isAdmin() ? [el("button", { type: "button", onclick: async () => {
          result.textContent = "sending…";
          try {
            const r = (await send(`/api/v1/alerts/channels/${enc(c.name)}/test`, "POST")).data;
            result.textContent = r.delivered ? "delivered" : `failed: ${r.error}`;
            result.className = r.delivered ? "" : "error";
          } catch (err) { result.textContent = err.message; result.className = "error"; }
        } }, "Send test"), " ", result] : ""));
    }))));
}

function silenceSection(silences) {
  const rows = silences.length ? el("ul", { class: "silences" }, silences.map(s => el("li", {},
    `${s.agents} / ${s.containers} / rules ${s.rules}: ${localTime(s.startsAt)} – ${localTime(s.endsAt)}, ${s.reason} (${s.createdBy}) `,
    isAdmin() ? el("button", { type: "button", onclick: async () => { await send(`/api/v1/alerts/silences/${s.id}`, "DELETE"); route(); } }, "End") : "")))
    : el("p", { class: "muted" }, "No maintenance windows.");
  if (!isAdmin()) return rows;
  const error = el("p", { class: "error", role: "alert" });
  const form = el("form", { class: "silence-editor", onsubmit: async e => {
    e.preventDefault();
    const d = new FormData(form);
    try {
      await send("/api/v1/alerts/silences", "POST", { agents: d.get("agents") || "*", containers: d.get("containers") || "*", rules: d.get("rules") || "*",
        minutes: Number(d.get("minutes")), reason: d.get("reason") });
      route();
    } catch (err) { error.textContent = err.message; }
  } },
    el("label", {}, "Agents", el("input", { name: "agents", placeholder: "*" })), el("label", {}, "Containers", el("input", { name: "containers", placeholder: "*" })),
    el("label", {}, "Rules", el("input", { name: "rules", placeholder: "*" })),
    el("label", {}, "Minutes", el("input", { name: "minutes", type: "number", value: "60", min: "1" })),
    el("label", {}, "Reason", el("input", { name: "reason", placeholder: "maintenance" })),
    el("button", { type: "submit" }, "Add maintenance window"), error);
  return el("div", {}, rows, form);
}

async function alertsPage(editing) {
  crumbs(["alerts", "#/alerts"]);
  const [firing, recent, rules, channels, silences] = await Promise.all([
    api("/api/v1/alerts/incidents?state=firing&size=100"), api("/api/v1/alerts/incidents?state=resolved&size=50"),
    api("/api/v1/alerts/rules"), api("/api/v1/alerts/channels"), api("/api/v1/alerts/silences")]);
  const editTarget = editing === "new" ? null : rules.data.rules.find(r => r.name === editing);
  const editor = isAdmin() && rules.data.managedBy === "api" && editing ? ruleEditor(editTarget) : "";
  const ruleTools = isAdmin() && rules.data.managedBy === "api"
    ? el("p", {}, el("a", { href: "#/alerts/rule/new", class: "button" }, "New rule"), " ", el("a", { href: "/api/v1/alerts/rules/export" }, "Export YAML"))
    : el("p", { class: "muted" }, rules.data.managedBy === "file" ? `Rules are kept in ${rules.data.file} (Alerts:RulesFile); edit the file.` : el("a", { href: "/api/v1/alerts/rules/export" }, "Export YAML"));
  view.replaceChildren(el("h2", {}, "Alerts"),
    el("section", {}, el("h3", {}, `Firing now (${firing.pageInfo.totalCount})`), incidentTable(firing.data, true)),
    el("section", {}, el("h3", {}, "Recently resolved"), incidentTable(recent.data, false)),
    el("section", {}, el("h3", {}, "Rules"), ruleTools, editor, rulesTable(rules.data.rules, rules.data.managedBy, r => { location.hash = `#/alerts/rule/${enc(r.name)}`; })),
    el("section", {}, el("h3", {}, "Channels"), channelTable(channels.data)),
    el("section", {}, el("h3", {}, "Maintenance windows and acknowledgements"), silenceSection(silences.data)));
  return editing ? 3600 : 10; // no refresh under an open editor
}
