/* userpipe dashboard. Plain JavaScript, no framework. Every value from the server reaches
 * the page through textContent or an attribute, never through innerHTML: a record holding
 * "<script>" shows that text and runs nothing (the server's Content-Security-Policy
 * forbids inline script as a second fence). */
"use strict";

const MAX_ROWS = 500;          // rows kept on screen, newest first
const HISTORY_POINTS = 600;    // 10 minutes of one-second samples
const $ = (id) => document.getElementById(id);

const state = {
  config: {},
  es: null,
  rows: [],            // records shown, newest first (what export writes)
  incoming: [],        // arrived, not yet drawn (drawn once per animation frame)
  paused: false,
  heldWhilePaused: [], // arrived during pause, shown on resume (bounded)
  heldOverflow: 0,
  received: 0,
  progress: null,
  lastId: null,      // the cursor after the last record received: where a retry resumes
  retryTimer: null,
  history: { produce: [], consume: [], store: [], lag: [] },
};

/* ------------------------------------------------------------------ small helpers */

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function fmtInt(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return "–";
  return Math.round(n).toLocaleString("en-US");
}

function fmtRate(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return "–";
  if (n >= 100) return fmtInt(n);
  return n.toFixed(n >= 10 ? 1 : 2).replace(/\.?0+$/, "") || "0";
}

function fmtDuration(s) {
  if (s === null || s === undefined || Number.isNaN(s)) return "–";
  if (s < 1) return s === 0 ? "0 s" : "<1 s";
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

function fmtRetention(ms) {
  if (ms === -1) return "forever";
  if (ms === null || ms === undefined || ms < 0) return "–";
  return fmtDuration(ms / 1000);
}

function isoTime(ms) {
  if (ms === null || ms === undefined || ms < 0) return "–";
  return new Date(ms).toISOString();
}

function ago(ms) {
  if (ms === null || ms === undefined || ms < 0) return "";
  const s = (Date.now() - ms) / 1000;
  if (s < 0) return "in the future";
  if (s < 60) return `${s.toFixed(1)} s ago`;
  return `${fmtDuration(s)} ago`;
}

async function getJSON(path) {
  const r = await fetch(path, { cache: "no-store" });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

function setRows(tbody, rows) {
  tbody.replaceChildren(...rows);
}

/* ------------------------------------------------------------------ live tail */

function tailURL(resumeFrom) {
  const topic = $("topic").value || state.config.topic;
  const params = new URLSearchParams({ topic });
  const from = resumeFrom || startSpec();
  if (from) params.set("from", from);
  const q = $("filter").value.trim();
  if (q) params.set("q", q);
  return `/api/tail?${params}`;
}

function startSpec() {
  const kind = $("from").value;
  const v = $("from-value").value.trim();
  switch (kind) {
    case "beginning": return "beginning";
    case "offset": return /^\d+$/.test(v) ? v : "end";
    case "last": return /^\d+$/.test(v) ? `-${v}` : "-100";
    case "time": {
      if (!v) return "end";
      let t = v.replace(" ", "T");
      if (/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(t)) t += ":00";
      if (/^\d{4}-\d\d-\d\d$/.test(t)) t += "T00:00:00";
      if (!/(Z|[+-]\d\d:?\d\d)$/.test(t)) t += "Z";
      return `@${t}`;
    }
    default: return "end";
  }
}

function setStatus(kind, text) {
  const s = $("tail-status");
  s.dataset.state = kind;
  s.textContent = text;
}

/* A new tail from the form's settings: the view starts empty. */
function connect() {
  clearTimeout(state.retryTimer);
  state.lastId = null;
  state.rows = [];
  state.incoming = [];
  state.heldWhilePaused = [];
  state.heldOverflow = 0;
  state.received = 0;
  state.progress = null;
  $("messages").tBodies[0].replaceChildren();
  $("messages-empty").hidden = false;
  $("messages-empty").textContent = "Waiting for records…";
  updateCounters();
  setStatus("connecting", "connecting…");
  openStream();
}

/* Opens the event stream; after a failure the browser gave up on (the server answered an
 * error, say Kafka was down), the page tries again itself, resuming after the last record. */
function openStream() {
  if (state.es) state.es.close();
  const es = new EventSource(tailURL(state.lastId));
  state.es = es;
  es.onopen = () => { if (state.es === es) setStatus(state.paused ? "paused" : "live", state.paused ? "paused" : "live"); };
  es.addEventListener("message", (ev) => {
    let rec;
    try { rec = JSON.parse(ev.data); } catch (e) { return; }
    if (ev.lastEventId) state.lastId = ev.lastEventId;
    state.received++;
    if (state.paused) {
      state.heldWhilePaused.push(rec);
      if (state.heldWhilePaused.length > MAX_ROWS) { state.heldWhilePaused.shift(); state.heldOverflow++; }
      updatePauseButton();
      return;
    }
    queueRecords([rec]);
  });
  es.addEventListener("progress", (ev) => {
    try { state.progress = JSON.parse(ev.data); } catch (e) { return; }
    updateCounters();
  });
  es.addEventListener("stats", (ev) => {
    try { applyHealth(JSON.parse(ev.data), true); } catch (e) { /* keep the last good view */ }
  });
  es.addEventListener("tail-error", (ev) => {
    let msg = "the tail stopped";
    try { msg = JSON.parse(ev.data).error; } catch (e) { /* default text */ }
    setStatus("error", msg);
    es.close();
  });
  es.onerror = () => {
    if (state.es !== es) return;
    if (es.readyState === EventSource.CLOSED) {
      setStatus("error", "the server refused the stream (is Kafka up? does the topic exist?): retrying in 5 s");
      clearTimeout(state.retryTimer);
      state.retryTimer = setTimeout(openStream, 5000);
    } else {
      setStatus("connecting", "reconnecting… (resumes where it stopped)");
    }
  };
}

function queueRecords(recs) {
  const first = state.incoming.length === 0;
  for (const r of recs) state.incoming.push(r);
  if (state.incoming.length > MAX_ROWS) state.incoming.splice(0, state.incoming.length - MAX_ROWS);
  if (first) requestAnimationFrame(drawIncoming);
}

/* Draws what arrived since the last frame: one DOM update per frame however fast records
 * come, newest on top. */
function drawIncoming() {
  const recs = state.incoming;
  state.incoming = [];
  if (!recs.length) return;
  const tbody = $("messages").tBodies[0];
  const frag = document.createDocumentFragment();
  for (let i = recs.length - 1; i >= 0; i--) frag.appendChild(recordRow(recs[i], true));
  tbody.insertBefore(frag, tbody.firstChild);
  for (let i = recs.length - 1; i >= 0; i--) state.rows.unshift(recs[i]);
  if (state.rows.length > MAX_ROWS) state.rows.length = MAX_ROWS;
  trimTable(tbody);
  $("messages-empty").hidden = true;
  updateCounters();
}

function trimTable(tbody) {
  let recRows = tbody.querySelectorAll("tr.rec").length;
  while (recRows > MAX_ROWS && tbody.lastElementChild) {
    const last = tbody.lastElementChild;
    if (last.classList.contains("rec")) recRows--;
    last.remove();
  }
}

function recKey(rec) { return `${rec.partition}:${rec.offset}`; }

function recordRow(rec, fresh) {
  const tr = el("tr", fresh ? "rec new" : "rec");
  tr.dataset.key = recKey(rec);
  const t = el("td", "", isoTime(rec.timestamp));
  t.addEventListener("mouseenter", () => { t.title = ago(rec.timestamp); });
  tr.append(
    t,
    el("td", "num", rec.partition),
    el("td", "num", rec.offset),
    el("td", "", rec.key === null ? "(null)" : rec.key),
    el("td", "", rec.value === null ? "(null)" : compact(rec.value)),
  );
  tr.addEventListener("click", () => toggleDetail(tr, rec));
  return tr;
}

function compact(v) {
  return v.length > 400 ? `${v.slice(0, 400)}…` : v;
}

function pretty(v) {
  if (v === null) return "(null)";
  try { return JSON.stringify(JSON.parse(v), null, 2); } catch (e) { return v; }
}

function toggleDetail(tr, rec) {
  const next = tr.nextElementSibling;
  if (next && next.classList.contains("detail")) {
    next.remove();
    tr.classList.remove("open");
    return;
  }
  tr.classList.add("open");
  const d = el("tr", "detail");
  const td = el("td");
  td.colSpan = 5;
  const grid = el("div", "detail-grid");
  const meta = el("div");
  meta.append(el("h4", "", "Record"));
  const kv = el("div", "kv");
  const pairs = [["topic", rec.topic], ["partition", rec.partition], ["offset", rec.offset],
    ["timestamp", `${isoTime(rec.timestamp)} (${ago(rec.timestamp)})`], ["key", rec.key === null ? "(null)" : rec.key],
    ["size", `${fmtInt(rec.size)} bytes${rec.truncated ? " (value cut for display)" : ""}`]];
  for (const [k, v] of pairs) { const row = el("div"); row.append(el("span", "", k), el("span", "", v)); kv.append(row); }
  meta.append(kv, el("h4", "", `Headers (${rec.headers.length})`));
  const hk = el("div", "kv");
  if (!rec.headers.length) hk.append(el("div", "muted", "none"));
  for (const [k, v] of rec.headers) { const row = el("div"); row.append(el("span", "", k), el("span", "", v === null ? "(null)" : v)); hk.append(row); }
  meta.append(hk);
  const val = el("div");
  val.append(el("h4", "", "Value"), el("pre", "", pretty(rec.value)));
  grid.append(meta, val);
  td.append(grid);
  d.append(td);
  tr.after(d);
}

function updateCounters() {
  const c = $("counters");
  const p = state.progress || {};
  const parts = [];
  const add = (label, value, cls) => {
    const s = el("span", cls);
    s.append(el("b", "", value), document.createTextNode(` ${label}`));
    parts.push(s, document.createTextNode("  ·  "));
  };
  add("shown", fmtInt(state.rows.length));
  add("received", fmtInt(state.received));
  if (p.scanned !== undefined) add("scanned on the server", fmtInt(p.scanned));
  if (p.dropped !== undefined) add("dropped (browser too slow)", fmtInt(p.dropped), p.dropped ? "drop" : "");
  if (state.paused) add("held while paused", fmtInt(state.heldWhilePaused.length + state.heldOverflow));
  parts.pop();
  c.replaceChildren(...parts);
}

function updatePauseButton() {
  const b = $("pause");
  const held = state.heldWhilePaused.length + state.heldOverflow;
  b.textContent = state.paused ? `Resume${held ? ` (${fmtInt(held)} new)` : ""}` : "Pause";
  b.setAttribute("aria-pressed", state.paused ? "true" : "false");
}

function togglePause() {
  state.paused = !state.paused;
  if (!state.paused) {
    const held = state.heldWhilePaused;
    state.heldWhilePaused = [];
    state.heldOverflow = 0;
    queueRecords(held);
    setStatus("live", "live");
  } else {
    setStatus("paused", "paused · new records held");
  }
  updatePauseButton();
  updateCounters();
}

/* ------------------------------------------------------------------ export */

function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function exportName(ext) {
  const topic = ($("topic").value || "topic").replace(/[^A-Za-z0-9._-]/g, "_");
  return `${topic}-${new Date().toISOString().replace(/[:.]/g, "-")}.${ext}`;
}

function csvCell(v) {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function exportJSON() {
  download(exportName("json"), "application/json", `${JSON.stringify(state.rows, null, 2)}\n`);
}

function exportCSV() {
  const head = ["topic", "partition", "offset", "timestamp", "timestamp_iso", "key", "value", "headers"];
  const lines = [head.join(",")];
  for (const r of state.rows) {
    lines.push([r.topic, r.partition, r.offset, r.timestamp, isoTime(r.timestamp), r.key, r.value,
      JSON.stringify(r.headers)].map(csvCell).join(","));
  }
  download(exportName("csv"), "text/csv", `${lines.join("\r\n")}\r\n`);
}

/* ------------------------------------------------------------------ health */

function setService(id, svc, href) {
  const p = $(id);
  if (!svc) return;
  p.dataset.state = svc.up === null ? "off" : svc.up ? "up" : "down";
  p.title = svc.detail || "";
  if (href) p.href = href;
}

function pushHistory(name, t, v) {
  const a = state.history[name];
  a.push([t, v]);
  if (a.length > HISTORY_POINTS) a.splice(0, a.length - HISTORY_POINTS);
}

function applyHealth(h, live) {
  if (!h || !h.services) return;
  setService("svc-kafka", h.services.kafka);
  setService("svc-cassandra", h.services.cassandra);
  setService("svc-stream", h.services.stream);
  setService("svc-airflow", h.services.airflow, h.airflow_url || "#");
  $("kpi-topic").textContent = h.topic;
  $("kpi-produce").textContent = fmtRate(h.rates.produce);
  $("kpi-consume").textContent = fmtRate(h.rates.consume);
  $("kpi-store").textContent = fmtRate(h.rates.store);
  $("kpi-lag").textContent = fmtInt(h.lag);
  $("kpi-lag-seconds").textContent = `records · ${fmtDuration(h.lag_seconds)} behind`;
  if (h.rows_stored !== null) {
    $("kpi-rows").textContent = fmtInt(h.rows_stored);
    $("kpi-rows-unit").textContent = "written by the stream";
  } else if (h.rows_estimate !== null) {
    $("kpi-rows").textContent = `~${fmtInt(h.rows_estimate)}`;
    $("kpi-rows-unit").textContent = "Cassandra's size estimate";
  }
  const dlq = h.dlq_stats || {};
  $("kpi-dlq").textContent = dlq.messages >= 0 ? fmtInt(dlq.messages) : "–";
  $("kpi-dlq-unit").textContent = h.dlq ? `records in ${h.dlq}` : "no DLQ configured";
  $("lag-group").textContent = h.group ? `· ${h.group}` : "";
  const gs = h.group_state || {};
  $("group-state").textContent = gs.error ? gs.error : `${gs.state || "Unknown"} · ${gs.members || 0} member${gs.members === 1 ? "" : "s"}`;
  renderLagTable(h.partitions || []);
  renderCluster(h.cluster || {});
  renderReasons(dlq);
  renderMappings(h.mappings, h.services.stream);
  if (live) {
    pushHistory("produce", h.time, h.rates.produce);
    pushHistory("consume", h.time, h.rates.consume);
    pushHistory("store", h.time, h.rates.store);
    pushHistory("lag", h.time, h.lag);
    drawCharts();
  }
}

/* ------------------------------------------------------------------ mappings */

/* Why there is no row, and how to get one: the stream not watched, not answering, or a
 * userpipe from before the built-in users mapping, which exports only its totals. */
function mappingsEmptyState(stream) {
  const td = el("td", "muted");
  td.colSpan = 8;
  const how = () => {
    const c = el("code", "", "userpipe stream --mapping FILE");
    return ["Run ", c, " (docs/mapping.md; tests/data/mapping/users.properties is the built-in users pipeline as a mapping file) to see one row per topic → table."];
  };
  if (!stream || stream.up === null) {
    td.append("The stream is not watched: start the dashboard with ", el("code", "", "--stream-metrics URL"), " (the stream's ", el("code", "", "--metrics"), "). ", ...how());
  } else if (!stream.up) {
    td.append(`The stream does not answer (${stream.detail}). `, ...how());
  } else {
    td.append("The stream answers without per-mapping series (a userpipe older than the built-in users mapping): its totals are in the figures above. ", ...how());
  }
  const tr = el("tr", "empty-state");
  tr.append(td);
  return tr;
}

function dlqCell(n) {
  const td = el("td", "num", fmtInt(n));
  if (n > 0) td.classList.add("bad");
  return td;
}

function fmtLatency(s) {
  if (s === null || s === undefined) return "–";
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  return `${s.toFixed(s < 10 ? 2 : 1)} s`;
}

/* One row per topic -> table; the topic's records/s and parse rejects (a record that does not
 * parse belongs to no table) span the rows of its tables. */
function renderMappings(m, stream) {
  const rows = [];
  const list = (m && m.rows) || [];
  list.forEach((r, i) => {
    const first = i === 0 || list[i - 1].topic !== r.topic;
    let span = 1;
    while (first && i + span < list.length && list[i + span].topic === r.topic) span++;
    const tr = el("tr");
    tr.dataset.topic = r.topic;
    tr.dataset.table = r.table === null ? "" : r.table;
    const name = el("td", "mono", `${r.topic} → ${r.table === null ? "(no table yet)" : r.table}`);
    const cells = [name];
    if (first) {
      const rate = el("td", "num topic-wide m-records", fmtRate(r.records_per_second));
      rate.title = `${fmtInt(r.records)} records read since the stream started`;
      rate.rowSpan = span;
      cells.push(rate);
    }
    const rowsRate = el("td", "num m-rows", fmtRate(r.rows_per_second));
    rowsRate.title = `${fmtInt(r.inserts)} inserts, ${fmtInt(r.deletes)} deletes since the stream started`;
    cells.push(rowsRate, el("td", "num m-deletes", fmtInt(r.deletes)));
    if (first) {
      const parse = dlqCell(r.dlq.parse);
      parse.classList.add("topic-wide", "m-dlq-parse");
      parse.rowSpan = span;
      cells.push(parse);
    }
    const mapping = dlqCell(r.dlq.mapping), write = dlqCell(r.dlq.write);
    mapping.classList.add("m-dlq-mapping");
    write.classList.add("m-dlq-write");
    const p99 = el("td", "num m-p99", fmtLatency(r.e2e_p99_seconds));
    /* the built-in users mapping keeps no per-table histogram: its latency is the stream's own */
    p99.title = r.e2e_observations ? `${fmtInt(r.e2e_observations)} rows acknowledged` : "no per-table latency: the stream's e2e latency above is this table's";
    cells.push(mapping, write, p99);
    tr.append(...cells);
    rows.push(tr);
  });
  if (!rows.length) rows.push(mappingsEmptyState(stream));
  setRows($("mappings-table").tBodies[0], rows);
  let note = "";
  if (list.length) note = `${list.length} topic → table pair${list.length === 1 ? "" : "s"}`;
  if (m && m.stale) note += " · stale: a stream process does not answer";
  if (m && m.dropped) note += ` · ${fmtInt(m.dropped)} samples not read`;
  $("mappings-note").textContent = note;
}

function renderLagTable(parts) {
  const rows = parts.map((p) => {
    const tr = el("tr");
    const behind = el("td", "num", `${p.lag_seconds_lower_bound ? "≥ " : ""}${fmtDuration(p.lag_seconds)}`);
    if (p.lag_seconds > 60) behind.classList.add("warn");
    tr.append(el("td", "", p.partition), el("td", "num", fmtInt(p.high)),
      el("td", "num", p.committed < 0 ? "none" : fmtInt(p.committed)), el("td", "num", fmtInt(p.lag)), behind);
    return tr;
  });
  setRows($("lag-table").tBodies[0], rows);
}

function stateCell(up) {
  const td = el("td");
  const s = el("span", "state", up ? "up" : "down");
  s.dataset.state = up ? "up" : "down";
  td.append(s);
  return td;
}

function emptyRow(text, cols) {
  const tr = el("tr");
  const td = el("td", "muted", text);
  td.colSpan = cols;
  tr.append(td);
  return tr;
}

/* Every broker and node with its state: the "cluster" member of the health snapshot. */
function renderCluster(c) {
  const k = c.kafka;
  if (k) {
    const rows = k.brokers.map((b) => {
      const tr = el("tr");
      tr.dataset.up = b.up;
      const role = el("td");
      if (b.controller) role.append(el("span", "badge", "active controller"));
      else role.textContent = b.id === null ? "bootstrap address, never seen" : "broker";
      tr.append(el("td", "num", b.id === null ? "–" : b.id), el("td", "mono", b.address), stateCell(b.up), role);
      return tr;
    });
    if (!rows.length) rows.push(emptyRow(k.error || "no broker known yet", 4));
    setRows($("brokers-table").tBodies[0], rows);
    const up = k.brokers.filter((b) => b.up).length;
    const note = $("brokers-note");
    note.textContent = `${up} of ${k.brokers.length} up` + (k.error ? ` · ${k.error}` : "");
    note.title = `controller: ${k.controller_source || "unknown"}`;
  }
  const n = c.cassandra;
  if (n === null) {
    setRows($("nodes-table").tBodies[0], [emptyRow("not watched: give --cassandra", 4)]);
    $("nodes-note").textContent = "";
  } else if (n) {
    const rows = n.nodes.map((x) => {
      const tr = el("tr");
      tr.dataset.up = x.up;
      const where = [x.dc, x.rack].filter((v) => v).join(" / ") || "–";
      tr.append(el("td", "mono", x.address), el("td", "", where), stateCell(x.up), el("td", "muted", x.detail));
      return tr;
    });
    if (!rows.length) rows.push(emptyRow(n.error || "no node known yet", 4));
    setRows($("nodes-table").tBodies[0], rows);
    $("nodes-note").textContent = `${n.up} of ${n.known} up` + (n.error ? ` · ${n.error}` : "");
  }
}

function renderReasons(dlq) {
  const reasons = Object.entries(dlq.by_reason || {}).sort((a, b) => b[1] - a[1]);
  const rows = reasons.map(([r, n]) => { const tr = el("tr"); tr.append(el("td", "mono", r), el("td", "num", fmtInt(n))); return tr; });
  if (!rows.length) { const tr = el("tr"); const td = el("td", "muted", dlq.error ? dlq.error : "no dead letters"); td.colSpan = 2; tr.append(td); rows.push(tr); }
  setRows($("dlq-reasons").tBodies[0], rows);
}

async function refreshTopics() {
  try {
    const t = await getJSON("/api/topics");
    const sel = $("topic");
    const current = sel.value || state.config.topic;
    const names = t.topics.map((x) => x.name);
    if (current && !names.includes(current)) names.unshift(current);
    const same = sel.options.length === names.length && names.every((n, i) => sel.options[i].value === n);
    if (!same) {
      sel.replaceChildren(...names.map((n) => { const o = el("option", "", n); o.value = n; return o; }));
      sel.value = current;
    }
    /* The pipeline's own topics first, then the rest by name. */
    const rank = (x) => (x.name === state.config.topic ? 0 : x.name === state.config.dlq ? 1 : 2);
    const topics = t.topics.slice().sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : 1));
    const rows = topics.map((x) => {
      const tr = el("tr");
      const name = el("td", "mono", x.name);
      if (x.name === state.config.topic || x.name === state.config.dlq) name.style.fontWeight = "600";
      tr.append(name, el("td", "num", x.partitions), el("td", "num", fmtInt(x.messages)),
        el("td", "num", x.bytes === null ? "n/a" : fmtInt(x.bytes)), el("td", "num", fmtRetention(x.retention_ms)));
      tr.title = x.offsets.map((o) => `p${o.partition}: ${o.low}–${o.high}`).join("\n");
      return tr;
    });
    setRows($("topics-table").tBodies[0], rows);
    $("topics-note").textContent = t.error ? t.error : `${t.topics.length} topic${t.topics.length === 1 ? "" : "s"}`;
  } catch (e) {
    $("topics-note").textContent = String(e.message || e);
  }
}

async function refreshDLQ() {
  try {
    const d = await getJSON("/api/dlq");
    $("dlq-name").textContent = d.topic ? `· ${d.topic}` : "";
    $("dlq-note").textContent = d.topic ? `${fmtInt(d.counted)} read` : "";
    const rows = d.recent.map((r) => {
      const tr = el("tr");
      const t = el("td", "mono", isoTime(r.timestamp));
      t.title = ago(r.timestamp);
      tr.append(t, el("td", "num", `${r.partition}:${r.offset}`), el("td", "mono", r.reason),
        el("td", "mono", r.value === null ? "(null)" : compact(r.value).slice(0, 120)));
      return tr;
    });
    if (!rows.length) { const tr = el("tr"); const td = el("td", "muted", "nothing yet"); td.colSpan = 4; tr.append(td); rows.push(tr); }
    setRows($("dlq-recent").tBodies[0], rows);
  } catch (e) {
    $("dlq-note").textContent = String(e.message || e);
  }
}

/* ------------------------------------------------------------------ charts (canvas) */

function drawChart(canvas, series, colors, opts) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, h = canvas.clientHeight || Number(canvas.getAttribute("height"));
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const g = canvas.getContext("2d");
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  const padL = 52, padR = 10, padT = 8, padB = 22;
  const now = Date.now(), span = opts.spanMs;
  let max = 0;
  for (const s of series) for (const [t, v] of s) if (t >= now - span && v !== null && v > max) max = v;
  max = niceMax(max);
  const x = (t) => padL + (w - padL - padR) * (1 - (now - t) / span);
  const y = (v) => padT + (h - padT - padB) * (1 - v / max);
  g.font = "11px system-ui, sans-serif";
  g.fillStyle = "#687384";
  g.strokeStyle = "#eceff3";
  g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4, yy = Math.round(y(v)) + 0.5;
    g.beginPath(); g.moveTo(padL, yy); g.lineTo(w - padR, yy); g.stroke();
    g.textAlign = "right"; g.textBaseline = "middle";
    g.fillText(fmtAxis(v), padL - 6, yy);
  }
  g.textAlign = "center"; g.textBaseline = "top";
  for (let m = 0; m <= span / 60000; m += 2) {
    const xx = x(now - m * 60000);
    g.fillText(m === 0 ? "now" : `-${m} min`, xx, h - padB + 6);
  }
  series.forEach((s, i) => {
    g.strokeStyle = colors[i];
    g.lineWidth = 1.8;
    g.lineJoin = "round";
    g.beginPath();
    let pen = false;
    for (const [t, v] of s) {
      if (t < now - span || v === null) { pen = false; continue; }
      if (pen) g.lineTo(x(t), y(v)); else { g.moveTo(x(t), y(v)); pen = true; }
    }
    g.stroke();
  });
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function fmtAxis(v) {
  if (v >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (v >= 1e4) return `${Math.round(v / 1e3)}k`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return v % 1 ? v.toFixed(1) : String(v);
}

function drawCharts() {
  const css = getComputedStyle(document.documentElement);
  const c = (n) => css.getPropertyValue(n).trim();
  const h = state.history;
  drawChart($("chart-rates"), [h.produce, h.consume, h.store], [c("--c1"), c("--c2"), c("--c3")], { spanMs: 10 * 60000 });
  drawChart($("chart-lag"), [h.lag], [c("--c1")], { spanMs: 10 * 60000 });
}

/* ------------------------------------------------------------------ start */

function onStartKind() {
  const kind = $("from").value;
  const input = $("from-value");
  input.hidden = !["offset", "last", "time"].includes(kind);
  input.placeholder = { offset: "offset, e.g. 1200", last: "N, e.g. 100", time: "2024-05-01T12:00:00" }[kind] || "";
  if (kind === "time" && !input.value) input.value = new Date(Date.now() - 5 * 60000).toISOString().slice(0, 19);
  if (kind === "last" && !input.value) input.value = "100";
}

async function main() {
  try { state.config = await getJSON("/api/config"); } catch (e) { state.config = {}; }
  $("version").textContent = state.config.version || "";
  const params = new URLSearchParams(location.search);
  const topic = params.get("topic") || state.config.topic || "users_queue";
  const sel = $("topic");
  const o = el("option", "", topic);
  o.value = topic;
  sel.append(o);
  sel.value = topic;
  if (params.get("q")) $("filter").value = params.get("q");
  try {
    const hist = await getJSON("/api/history");
    for (const k of Object.keys(state.history)) state.history[k] = (hist[k] || []).slice(-HISTORY_POINTS);
  } catch (e) { /* charts start empty */ }
  try { applyHealth(await getJSON("/api/health"), false); } catch (e) { /* stats events follow */ }
  drawCharts();

  $("tail-form").addEventListener("submit", (ev) => { ev.preventDefault(); connect(); });
  $("topic").addEventListener("change", connect);
  $("from").addEventListener("change", () => { onStartKind(); if (!$("from-value").hidden) $("from-value").focus(); else connect(); });
  $("pause").addEventListener("click", togglePause);
  $("clear").addEventListener("click", () => { state.rows = []; $("messages").tBodies[0].replaceChildren(); $("messages-empty").hidden = false; updateCounters(); });
  $("export-json").addEventListener("click", exportJSON);
  $("export-csv").addEventListener("click", exportCSV);
  window.addEventListener("resize", drawCharts);
  connect();
  refreshTopics();
  refreshDLQ();
  setInterval(refreshTopics, 5000);
  setInterval(refreshDLQ, 5000);
}

document.addEventListener("DOMContentLoaded", main);
