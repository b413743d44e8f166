// StackScope dashboard: the storage page (rows and bytes per table and tier, oldest data, growth, retention).
// Uses el(), api(), crumbs() and fmt() from app.js, loaded after this file; every API text goes in via textContent.
"use strict";

function bytesText(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = Number(n ?? 0), i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

async function storagePage() {
  crumbs(["Fleet", "#/"], ["Storage", "#/storage"]);
  const s = (await api("/api/v1/storage")).data;
  const r = s.retention;
  const rows = s.tables.map(t => el("tr", { "data-table": t.table },
    el("td", {}, t.table), el("td", {}, t.tier), el("td", { class: "num" }, Number(t.rows).toLocaleString()),
    el("td", { class: "num" }, bytesText(t.bytes)), el("td", {}, t.oldest ? localTime(t.oldest) : "–"),
    el("td", { class: "num" }, `${t.retentionDays} d`), el("td", { class: "num" }, `${bytesText(t.growthBytesPerDay)}/day`),
    el("td", { class: "num" }, t.partitions ? String(t.partitions) : "–")));
  const last = s.lastRun;
  view.replaceChildren(
    el("h2", {}, "Storage"),
    el("p", { class: "muted" }, `${s.provider}: raw samples kept ${r.rawDays} d, 5-minute rollups ${r.fiveMinuteDays} d, hour rollups ${r.hourDays} d, ` +
      `events ${r.eventDays} d, alert history ${r.alertDays} d` + (r.maxRawMegabytes ? `; raw capped at ${r.maxRawMegabytes} MiB` : "") +
      `. Maintenance every ${r.intervalMinutes} min.`),
    el("div", { class: "table-wrap" }, el("table", { class: "storage" },
      el("thead", {}, el("tr", {}, ["Table", "Tier", "Rows", "Size", "Oldest", "Kept", "Growth", "Partitions"].map(h => el("th", {}, h)))),
      el("tbody", {}, rows))),
    el("p", { class: "muted", id: "last-run" }, last
      ? `Last maintenance ${localTime(last.startedAt)} (${fmt(last.seconds, 1)} s): ${last.fiveMinuteRows} 5-minute and ${last.hourRows} hour rows rolled up, ` +
        `${last.rawRowsExpired} raw rows expired (${last.partitionsDropped} partitions dropped), ${bytesText(last.bytesReclaimed)} given back.`
      : "No maintenance run yet: histories are read from raw samples."));
  return 30;
}
