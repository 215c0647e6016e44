// k2mock's dashboard: reads the admin API, redraws when the change stream (GET /__admin/stream)
// says something changed. Plain JavaScript, no build step, nothing fetched from elsewhere.
"use strict";

const $ = (selector) => document.querySelector(selector);
const view = {
  kinds: [], topics: [], resources: [], callbacks: [], requests: [], expectations: [], clock: null,
  chosen: null,          // "kind/id" of the resource whose timeline is drawn
  chosenCallbacks: [],   // its deliveries
  renders: 0,
};
let token = sessionStorage.getItem("k2mock-admin-token") || "";

// ---- The admin API -------------------------------------------------------------------------

class AdminError extends Error {}

async function api(method, path, body) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const headers = { "Accept": "application/json" };
    if (token) headers["Authorization"] = "Bearer " + token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch("/__admin" + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) { await askForToken(); continue; }
    const text = await response.text();
    const json = text ? JSON.parse(text) : null;
    if (!response.ok) throw new AdminError((json && json.error_message) || `${method} ${path}: ${response.status}`);
    return json;
  }
  throw new AdminError("the admin token was refused");
}

function askForToken() {
  const dialog = $("#token-dialog");
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      token = $("#token").value.trim();
      sessionStorage.setItem("k2mock-admin-token", token);
      resolve();
    }, { once: true });
    if (!dialog.open) dialog.showModal();
  });
}

function showError(error) {
  const box = $("#error");
  box.textContent = error.message || String(error);
  box.hidden = false;
  clearTimeout(showError.timer);
  showError.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

// ---- Refreshing ------------------------------------------------------------------------------

let refreshing = null, again = false;

/// Redraws from the admin API; one refresh at a time, and one more if asked meanwhile.
function refresh() {
  if (refreshing) { again = true; return refreshing; }
  refreshing = (async () => {
    try {
      const [health, clock, resources, callbacks, requests, expectations] = await Promise.all([
        api("GET", "/health"), api("GET", "/clock"), api("GET", "/resources"), api("GET", "/callbacks?limit=500"),
        api("GET", "/requests?limit=200"), api("GET", "/expectations"),
      ]);
      // The chosen resource's own deliveries, however old (the journal above is the latest 500).
      const chosenID = view.chosen ? view.chosen.slice(view.chosen.indexOf("/") + 1) : null;
      const chosenCallbacks = chosenID ? await api("GET", "/callbacks?resource_id=" + encodeURIComponent(chosenID)) : [];
      Object.assign(view, { clock, resources, callbacks, requests, chosenCallbacks, expectations: expectations.results });
      $("#scenario").textContent = health.scenario;
      render();
    } catch (error) {
      showError(error);
    } finally {
      refreshing = null;
      if (again) { again = false; refresh(); }
    }
  })();
  return refreshing;
}

function render() {
  renderClock();
  renderResources();
  renderDetail();
  renderCallbacks();
  renderRequests();
  renderExpectations();
  view.renders += 1;
  document.body.dataset.renders = String(view.renders);
  document.body.dataset.renderedAt = String(Date.now());
}

// ---- The change stream -------------------------------------------------------------------------

/// Reads GET /__admin/stream with fetch (so the admin token goes in a header), redrawing on each
/// event; reconnects a second after it ends.
async function follow() {
  try {
    const headers = token ? { "Authorization": "Bearer " + token } : {};
    const response = await fetch("/__admin/stream", { headers });
    if (response.status === 401) { await askForToken(); return follow(); }
    if (!response.ok || !response.body) throw new AdminError("stream: " + response.status);
    setLive(true);
    refresh();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let pending = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      pending += value;
      let end;
      while ((end = pending.indexOf("\n\n")) >= 0) {
        const frame = pending.slice(0, end);
        pending = pending.slice(end + 2);
        if (/^event: /m.test(frame)) refresh();
      }
    }
  } catch (error) {
    // The server stopped or restarted: try again.
  }
  setLive(false);
  setTimeout(follow, 1000);
}

function setLive(live) {
  const badge = $("#live");
  badge.textContent = live ? "live" : "offline";
  badge.className = "badge " + (live ? "on" : "off");
}

// ---- Drawing -----------------------------------------------------------------------------------

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "class") node.className = value; else if (name.startsWith("on")) node[name] = value; else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(child ?? ""));
  return node;
}

const time = (iso) => (iso ? iso.slice(11, 19) : "");
const dateTime = (iso) => (iso ? iso.slice(0, 10) + " " + iso.slice(11, 19) : "");
const shortID = (id) => (id.length > 13 ? id.slice(0, 8) + "…" : id);

function amountOf(resource) {
  const attributes = resource.body && resource.body.data && resource.body.data.attributes;
  const amount = attributes && (attributes.amount ?? attributes.event?.resource?.amount);
  if (amount == null) return "";
  if (typeof amount === "object") return `${amount.currency || ""} ${amount.value ?? ""}`.trim();
  return String(amount);
}

function renderClock() {
  $("#now").textContent = dateTime(view.clock.now);
  $("#mode").textContent = view.clock.mode + (view.clock.mode === "real" && view.clock.scale !== 1 ? ` ×${view.clock.scale}` : "");
}

function fillSelect(select, values) {
  const current = select.value;
  const wanted = ["", ...values];
  if ([...select.options].map((o) => o.value).join() === wanted.join()) return;
  select.replaceChildren(select.options[0], ...values.map((v) => element("option", { value: v }, v)));
  select.value = wanted.includes(current) ? current : "";
}

function renderResources() {
  // The choices first: a stage the chosen kind does not have is dropped, and the filter follows.
  fillSelect($("#kind-filter"), [...new Set(view.resources.map((r) => r.kind))]);
  const kind = $("#kind-filter").value;
  const stages = kind ? (view.kinds.find((k) => k.kind === kind)?.stages ?? []) : [...new Set(view.kinds.flatMap((k) => k.stages))];
  fillSelect($("#stage-filter"), stages);
  const stage = $("#stage-filter").value;
  // Newest first: created ones by creation, latest on top; fixtures after them.
  const shown = view.resources.map((r, index) => ({ r, index }))
    .filter(({ r }) => (!kind || r.kind === kind) && (!stage || r.stage === stage))
    .sort((a, b) => (b.r.created_at ? 1 : 0) - (a.r.created_at ? 1 : 0) || b.index - a.index)
    .map(({ r }) => r);
  $("#resource-count").textContent = `${shown.length} of ${view.resources.length}`;
  $("#resources tbody").replaceChildren(...shown.map((r) => {
    const key = r.kind + "/" + r.id;
    return element("tr", { class: key === view.chosen ? "chosen" : "", "data-key": key, onclick: () => choose(key) },
      element("td", {}, r.kind), element("td", { title: r.id }, shortID(r.id)),
      element("td", { class: "stage" }, r.stage ?? (r.created_at ? "" : "fixture")),
      element("td", {}, amountOf(r)), element("td", {}, dateTime(r.created_at)));
  }));
}

function choose(key) {
  view.chosen = key;
  view.chosenCallbacks = [];
  renderResources();
  renderDetail();
  refresh();
}

function renderDetail() {
  const resource = view.resources.find((r) => r.kind + "/" + r.id === view.chosen);
  if (!resource) {
    $("#detail-title").textContent = "choose a resource";
    $("#lane").replaceChildren();
    $("#detail-body").textContent = "";
    $("#detail-callback").textContent = "";
    $("#detail-signature").textContent = "";
    return;
  }
  $("#detail-title").textContent = `${resource.kind} ${resource.id}`;
  const deliveries = view.chosenCallbacks;
  $("#lane").replaceChildren(lane(resource, deliveries));
  $("#detail-body").textContent = JSON.stringify(resource.body, null, 2);
  const last = deliveries[deliveries.length - 1];
  $("#detail-signature").textContent = last ? `X-KopoKopo-Signature: ${last.signature}` : "no callback yet";
  $("#detail-callback").textContent = last ? JSON.stringify(JSON.parse(last.body), null, 2) : "";
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/// The resource's timeline on sandbox time: reached stages filled, stages still due dashed (a
/// due time already past and not reached: hollow grey), the "now" line, and each callback
/// attempt below the lane, green or red.
function lane(resource, deliveries) {
  const width = 600, height = 150, left = 30, right = 570, y = 62;
  const now = Date.parse(view.clock.now);
  const created = Date.parse(resource.created_at || view.clock.now);
  const attempts = deliveries.flatMap((d) => d.attempts.map((a) => ({ ...a, delivery: d.id })));
  const times = [created, now, ...resource.timeline.map((s) => Date.parse(s.at)), ...attempts.map((a) => Date.parse(a.at))];
  const start = Math.min(...times), end = Math.max(...times);
  const span = Math.max(end - start, 1000);
  const x = (t) => left + ((t - start) / span) * (right - left);
  const drawing = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "timeline" });
  drawing.append(svg("line", { class: "axis", x1: left, y1: y, x2: right, y2: y }));
  resource.timeline.forEach((step, index) => {
    const at = Date.parse(step.at), cx = x(at);
    const kind = step.reached ? "reached" : at < now ? "skipped" : "due";
    const mark = svg("circle", { class: kind, cx, cy: y, r: 7, "data-stage": step.stage, "data-state": kind });
    mark.append(svg("title", {}, `${step.stage} ${step.reached ? "reached" : "due"} at ${step.at}`));
    drawing.append(mark);
    const above = index % 2 === 0;
    drawing.append(svg("text", { class: "label", x: cx, y: above ? y - 14 : y + 22, "text-anchor": "middle" }, step.stage));
    drawing.append(svg("text", { class: "time", x: cx, y: above ? y - 27 : y + 34, "text-anchor": "middle" }, time(step.at)));
  });
  attempts.forEach((attempt) => {
    const cx = x(Date.parse(attempt.at));
    const mark = svg("rect", { class: attempt.outcome === "delivered" ? "attempt-ok" : "attempt-bad", x: cx - 4, y: 112, width: 8, height: 8 });
    mark.append(svg("title", {}, `callback ${attempt.delivery} attempt ${attempt.attempt}: ${attempt.status ?? attempt.error} (${attempt.latency_ms} ms) at ${attempt.at}`));
    drawing.append(mark);
  });
  if (attempts.length) drawing.append(svg("text", { class: "time", x: left - 28, y: 120 }, "calls"));
  drawing.append(svg("line", { class: "now", x1: x(now), y1: 8, x2: x(now), y2: 130 }));
  drawing.append(svg("text", { class: "time", x: x(now) + 3, y: 145 }, "now " + time(view.clock.now)));
  return drawing;
}

function attemptText(attempt) {
  const what = attempt.status != null ? String(attempt.status) : attempt.error;
  return `${what} · ${attempt.latency_ms} ms${attempt.redelivery ? " · by hand" : ""}`;
}

function renderCallbacks() {
  const rows = [...view.callbacks].reverse().map((d) => element("tr", { "data-id": d.id },
    element("td", {}, String(d.id)), element("td", {}, d.kind),
    element("td", {}, d.kind === "callback" ? `${d.resource} ${shortID(d.resource_id)}` : d.topic),
    element("td", {}, d.url), element("td", { class: "outcome-" + d.outcome }, d.outcome),
    element("td", {}, ...d.attempts.map((a) => element("div", { class: a.outcome === "delivered" ? "status-ok" : "status-bad", title: `sent ${a.at}, due ${a.due}` }, attemptText(a)))),
    element("td", {}, element("button", { onclick: () => redeliver(d.id) }, "Redeliver"))));
  $("#callbacks tbody").replaceChildren(...rows);
}

function renderRequests() {
  $("#requests tbody").replaceChildren(...[...view.requests].reverse().map((r) => element("tr", {},
    element("td", {}, time(r.at)), element("td", {}, r.method), element("td", {}, r.path),
    element("td", { class: r.status < 400 ? "status-ok" : "status-bad" }, String(r.status)))));
}

function renderExpectations() {
  const list = $("#expectations");
  if (!view.expectations.length) { list.replaceChildren(element("li", { class: "muted" }, "the scenario expects nothing")); return; }
  list.replaceChildren(...view.expectations.map((e) => element("li", { class: e.passed ? "passed" : "failed" }, e.description)));
}

// ---- Actions -----------------------------------------------------------------------------------

/// "90s", "5m", "2h", "1d", "500ms" or a number of seconds.
function parseDuration(text) {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return null;
  const scale = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[match[2] || "s"];
  return Number(match[1]) * scale;
}

async function advance(seconds) {
  try { await api("POST", "/clock/advance", { seconds }); } catch (error) { showError(error); }
  refresh();
}

async function redeliver(id) {
  try { await api("POST", `/callbacks/${id}/redeliver`); } catch (error) { showError(error); }
  refresh();
}

function wire() {
  for (const button of document.querySelectorAll("#advance button[data-seconds]")) {
    button.onclick = () => advance(Number(button.dataset.seconds));
  }
  $("#advance-by").onsubmit = (event) => {
    event.preventDefault();
    const seconds = parseDuration($("#duration").value);
    if (seconds === null) { showError(new Error("a duration such as 90s, 5m, 2h or 1d")); return; }
    advance(seconds);
  };
  $("#reset").onclick = async () => {
    if (!confirm("Reset the sandbox to its scenario's start? Created resources, tokens and journals go.")) return;
    try { await api("POST", "/reset"); } catch (error) { showError(error); }
    view.chosen = null;
    refresh();
  };
  $("#kind-filter").onchange = renderResources;
  $("#stage-filter").onchange = renderResources;
  $("#fire").onsubmit = async (event) => {
    event.preventDefault();
    const text = $("#event-fields").value.trim();
    let resource;
    try { resource = text ? JSON.parse(text) : undefined; } catch { showError(new Error("the resource fields are not JSON")); return; }
    try {
      const fired = await api("POST", "/events", resource ? { topic: $("#topic").value, resource } : { topic: $("#topic").value });
      $("#fire-result").textContent = `${fired.event} ${fired.id}: ${fired.deliveries.length} deliveries`;
    } catch (error) { showError(error); }
    refresh();
  };
}

/// On a real clock sandbox time moves on its own: the clock and the "now" line follow it each
/// second (changes still arrive through the stream).
async function tick() {
  if (!view.clock || view.clock.mode !== "real" || document.hidden || refreshing) return;
  try {
    view.clock = await api("GET", "/clock");
    renderClock();
    renderDetail();
  } catch (error) {
    // The stream's reconnection tells the user; nothing to add here.
  }
}

async function start() {
  wire();
  setInterval(tick, 1000);
  try {
    [view.kinds, view.topics] = await Promise.all([api("GET", "/kinds"), api("GET", "/topics")]);
    $("#topic").replaceChildren(...view.topics.map((t) => element("option", { value: t }, t)));
    await refresh();
  } catch (error) { showError(error); }
  follow();
}

start();
