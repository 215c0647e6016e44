// k2mock's dashboard: reads the admin API, redraws when the change stream (GET /__admin/stream)
// says something changed. Plain JavaScript, no build step, nothing fetched from elsewhere.
// One sandbox at a time: the server's own (plain /__admin/... paths) or one of those listed by
// GET /__admin/sandboxes (the same endpoints under /__admin/sandboxes/{id}/...), chosen in the
// header and kept in the URL (#sandbox=w1).
"use strict";

const $ = (selector) => document.querySelector(selector);
const view = {
  kinds: [], topics: [], resources: [], callbacks: [], requests: [], expectations: [], clock: null,
  chosen: null,          // "kind/id" of the resource whose timeline is drawn
  chosenCallbacks: [],   // its deliveries
  kindsOf: null,         // the sandbox view.kinds was read from
  sandboxes: [],         // GET /__admin/sandboxes: those beside the server's own
  chosenExplanation: null, // GET /explain?resource=: { key, data } or { key, error } for the chosen one
  explanations: new Map(), // requestKey(...) to GET /explain?request=: { loading } | { data } | { error }
  expanded: new Set(),     // requestKey(...) of the requests whose whole explanation is shown
  renders: 0,
};
/// The sandbox shown: "" for the server's own, else the id of one from GET /__admin/sandboxes.
let sandbox = sandboxInURL();
let token = sessionStorage.getItem("k2mock-admin-token") || "";

// ---- The admin API -------------------------------------------------------------------------

class AdminError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

/// Where the chosen sandbox's admin endpoints are, below /__admin.
const scopeOf = (id) => (id ? "/sandboxes/" + encodeURIComponent(id) : "");

/// A server-wide admin endpoint (/topics, /sandboxes) or, with scopeOf(...) in front, a sandbox's.
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
    if (!response.ok) throw new AdminError((json && json.error_message) || `${method} ${path}: ${response.status}`, response.status);
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

// ---- Sandboxes ---------------------------------------------------------------------------------

/// #sandbox=w1 (or ?sandbox=w1); the hash wins, and "#sandbox=" is the server's own.
function sandboxInURL() {
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.has("sandbox")) return hash.get("sandbox");
  return new URLSearchParams(location.search).get("sandbox") || "";
}

function writeSandboxToURL() {
  const hash = new URLSearchParams(location.hash.slice(1));
  if (sandbox) hash.set("sandbox", sandbox);
  else if (new URLSearchParams(location.search).get("sandbox")) hash.set("sandbox", "");
  else hash.delete("sandbox");
  const text = hash.toString();
  history.replaceState(null, "", location.pathname + location.search + (text ? "#" + text : ""));
}

const sandboxLabel = (id) => (id ? id : "default");

/// The picker: the server's own sandbox first, then each listed one (and the chosen one even
/// before the list has it, so the picker never shows another).
function renderSandboxes() {
  const select = $("#sandbox");
  const entries = [{ id: "", name: "default" }, ...view.sandboxes];
  if (!entries.some((s) => s.id === sandbox)) entries.push({ id: sandbox, name: sandbox });
  const wanted = entries.map((s) => s.id + "\u0000" + s.name + "\u0000" + (s.clock?.mode ?? "")).join("\u0001");
  if (select.dataset.options !== wanted) {
    select.replaceChildren(...entries.map((s) => element("option", { value: s.id, title: sandboxTitle(s) },
      s.name && s.name !== s.id && s.id ? `${s.name} (${s.id})` : s.name || s.id)));
    select.dataset.options = wanted;
  }
  select.value = sandbox;
  const chosen = entries.find((s) => s.id === sandbox);
  select.title = sandboxTitle(chosen);
}

function sandboxTitle(entry) {
  if (!entry || !entry.id) return "the server's own sandbox (/__admin/...)";
  const lines = [`sandbox ${entry.id}: /__admin/sandboxes/${entry.id}/...`];
  if (entry.scenario) lines.push(`scenario ${entry.scenario}`);
  if (entry.clock) lines.push(`clock ${entry.clock.mode}`);
  for (const c of entry.credentials ?? []) lines.push(`client_id ${c.client_id}`);
  for (const t of entry.tokens ?? []) lines.push(`token ${t.value}`);
  if (entry.ttl) lines.push(`ttl ${entry.ttl}`);
  return lines.join("\n");
}

/// GET /__admin/sandboxes: when the picker is opened, and every few seconds while the page is
/// seen. A chosen sandbox the list no longer has is gone: back to the server's own.
async function loadSandboxes() {
  if (loadSandboxes.busy) return loadSandboxes.busy;
  const asked = sandbox;
  loadSandboxes.busy = (async () => {
    try {
      view.sandboxes = await api("GET", "/sandboxes");
      if (asked && asked === sandbox && !view.sandboxes.some((s) => s.id === asked)) {
        await sandboxGone(asked);
      }
      renderSandboxes();
    } catch (error) {
      // A refused token asks for one (api); anything else: the list stays as it was.
    } finally {
      loadSandboxes.busy = null;
    }
  })();
  return loadSandboxes.busy;
}

/// The chosen sandbox answered 404: if the server says it is gone, say so and show the
/// server's own.
async function sandboxGone(id, error) {
  if (!id || id !== sandbox) return false;
  let reason = error?.message;
  try {
    await api("GET", "/sandboxes/" + encodeURIComponent(id));
    return false;  // it is there: the 404 was about something else
  } catch (checked) {
    if (checked.status !== 404) return false;
    reason = checked.message || reason;
  }
  if (id !== sandbox) return false;
  view.sandboxes = view.sandboxes.filter((s) => s.id !== id);
  switchTo("");
  showNotice(`Sandbox ${id} is gone${reason ? ` (${reason.replace(/\.$/, "")})` : ""}: showing default.`);
  return true;
}

/// Shows another sandbox: every panel, button and the change stream follow it.
function switchTo(id) {
  if (id === sandbox) { renderSandboxes(); return; }
  sandbox = id;
  hideNotice();
  writeSandboxToURL();
  renderSandboxes();
  Object.assign(view, { resources: [], callbacks: [], requests: [], expectations: [], clock: null,
    chosen: null, chosenCallbacks: [], kinds: [], kindsOf: null,
    chosenExplanation: null, explanations: new Map(), expanded: new Set() });
  explaining.queue = [];
  $("#fire-result").textContent = "";
  $("#scenario").textContent = "";
  render();
  refresh();
  follow();
}

function showNotice(text) {
  $("#notice-text").textContent = text;
  $("#notice").hidden = false;
}

function hideNotice() {
  $("#notice").hidden = true;
}

// ---- Refreshing ------------------------------------------------------------------------------

let refreshing = null, again = false;

/// Redraws from the admin API; one refresh at a time, and one more if asked meanwhile.
function refresh() {
  if (refreshing) { again = true; return refreshing; }
  refreshing = (async () => {
    const id = sandbox, scope = scopeOf(id), chosen = view.chosen;
    try {
      const [health, clock, resources, callbacks, requests, expectations, kinds] = await Promise.all([
        api("GET", scope + "/health"), api("GET", scope + "/clock"), api("GET", scope + "/resources"),
        api("GET", scope + "/callbacks?limit=500"), api("GET", scope + "/requests?limit=200"),
        api("GET", scope + "/expectations"), view.kindsOf === id ? view.kinds : api("GET", scope + "/kinds"),
      ]);
      // The chosen resource's own deliveries, however old (the journal above is the latest 500),
      // and why it is where it is (read again each time: its stage and callback move with time).
      // An explanation the server refuses is shown in its place, never taken for a gone sandbox.
      const chosenID = chosen ? chosen.slice(chosen.indexOf("/") + 1) : null;
      const [chosenCallbacks, chosenExplanation] = chosenID ? await Promise.all([
        api("GET", scope + "/callbacks?resource_id=" + encodeURIComponent(chosenID)),
        api("GET", scope + "/explain?resource=" + encodeURIComponent(chosenID)).then(
          (data) => ({ key: chosen, data }), (error) => ({ key: chosen, error: error.message || String(error) })),
      ]) : [[], null];
      if (id !== sandbox) return;  // another sandbox was chosen meanwhile: its refresh follows
      // A resource chosen meanwhile keeps its own (empty until the refresh its choice asked for).
      const still = chosen === view.chosen;
      Object.assign(view, { clock, resources, callbacks, requests, kinds,
        chosenCallbacks: still ? chosenCallbacks : view.chosenCallbacks,
        chosenExplanation: still ? chosenExplanation : view.chosenExplanation,
        kindsOf: id, expectations: expectations.results });
      $("#scenario").textContent = health.scenario;
      $("#scenario").title = "scenario " + health.scenario;
      render();
    } catch (error) {
      if (id !== sandbox) return;
      if (!(error.status === 404 && await sandboxGone(id, error))) showError(error);
    } finally {
      refreshing = null;
      if (again) { again = false; refresh(); }
    }
  })();
  return refreshing;
}

function render() {
  renderSandboxes();
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

/// Reads the chosen sandbox's GET /__admin/stream with fetch (so the admin token goes in a
/// header), redrawing on each event; reconnects a second after it ends. Choosing another sandbox
/// ends this one and follows that one's.
let following = { generation: 0, abort: null };
async function follow() {
  const generation = ++following.generation;
  if (following.abort) following.abort.abort();
  const abort = following.abort = new AbortController();
  const id = sandbox;
  setLive(false);
  try {
    const headers = token ? { "Authorization": "Bearer " + token } : {};
    const response = await fetch("/__admin" + scopeOf(id) + "/stream", { headers, signal: abort.signal });
    if (response.status === 401) {
      await askForToken();
      if (generation === following.generation) follow();
      return;
    }
    if (response.status === 404 && id) {
      const json = await response.json().catch(() => null);
      if (await sandboxGone(id, new AdminError(json?.error_message || "not found", 404))) return;
    }
    if (!response.ok || !response.body) throw new AdminError("stream: " + response.status, response.status);
    if (generation !== following.generation) { abort.abort(); return; }
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
        // Each event redraws from the admin API: a request event's entry (and its id, which
        // GET /explain?request= takes) comes with GET /requests, whatever the event carries.
        if (/^event: /m.test(frame)) refresh();
      }
    }
  } catch (error) {
    // The server stopped or restarted, or another sandbox was chosen: try again (below).
  }
  if (generation !== following.generation) return;  // a newer stream replaced this one
  setLive(false);
  setTimeout(() => { if (generation === following.generation) follow(); }, 1000);
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

/// A long value shown on one line, cut with an ellipsis: the whole of it on hover, and copied by
/// its button.
function copyable(value, what) {
  const button = element("button", { class: "copy", title: "copy " + what, type: "button" }, "copy");
  button.onclick = async (event) => {
    event.stopPropagation();
    const copied = await copyText(value);
    button.textContent = copied ? "copied" : "select it";
    setTimeout(() => { button.textContent = "copy"; }, 1200);
  };
  return element("span", { class: "copyable" }, element("code", { class: "value", title: value }, value), button);
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API (a page not served from localhost or https): the old way.
    const area = element("textarea", { class: "offscreen", readonly: "" }, text);
    document.body.append(area);
    area.select();
    let copied = false;
    try { copied = document.execCommand("copy"); } catch { copied = false; }
    area.remove();
    return copied;
  }
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
  if (!view.clock) { $("#now").textContent = "…"; $("#mode").textContent = ""; return; }
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

/// A fixture (loaded from the scenario, never created) has no created_at. Its stage is the
/// `stage` field, else (a kind without stages) the status its body reports.
const isFixture = (resource) => !resource.created_at;
const stageOf = (resource) => resource.stage ?? resource.body?.data?.attributes?.status ?? "";

function renderResources() {
  // The choices first: a stage the chosen kind does not have is dropped, and the filter follows.
  fillSelect($("#kind-filter"), [...new Set(view.resources.map((r) => r.kind))]);
  const kind = $("#kind-filter").value;
  const stages = kind ? (view.kinds.find((k) => k.kind === kind)?.stages ?? []) : [...new Set(view.kinds.flatMap((k) => k.stages))];
  fillSelect($("#stage-filter"), stages);
  const stage = $("#stage-filter").value;
  // Newest first: created ones by creation, latest on top; fixtures after them.
  const shown = view.resources.map((r, index) => ({ r, index }))
    .filter(({ r }) => (!kind || r.kind === kind) && (!stage || stageOf(r) === stage))
    .sort((a, b) => (b.r.created_at ? 1 : 0) - (a.r.created_at ? 1 : 0) || b.index - a.index)
    .map(({ r }) => r);
  $("#resource-count").textContent = `${shown.length} of ${view.resources.length}`;
  $("#resources tbody").replaceChildren(...shown.map((r) => {
    const key = r.kind + "/" + r.id;
    return element("tr", { class: key === view.chosen ? "chosen" : "", "data-key": key, onclick: () => choose(key) },
      element("td", { class: "clip kind", title: r.kind }, r.kind), element("td", { class: "nowrap", title: r.id }, shortID(r.id)),
      element("td", { class: "stage nowrap" }, element("span", { class: "stage-name", title: r.stage == null && stageOf(r) ? "the status in its body" : "" }, stageOf(r))),
      element("td", { class: "nowrap" }, amountOf(r)),
      element("td", { class: "nowrap" }, isFixture(r)
        ? element("span", { class: "tag fixture", title: "a fixture: loaded from the scenario, not created by a request" }, "fixture")
        : dateTime(r.created_at)));
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
    $("#detail-explain").replaceChildren();
    $("#lane").replaceChildren();
    $("#detail-body").textContent = "";
    $("#detail-callback").textContent = "";
    $("#detail-signature").replaceChildren();
    return;
  }
  $("#detail-title").replaceChildren(`${resource.kind} `, copyable(resource.id, "the id"),
    ...(isFixture(resource) ? [" ", element("span", { class: "tag fixture" }, "fixture")] : []));
  renderResourceExplanation();
  const deliveries = view.chosenCallbacks;
  $("#lane").replaceChildren(lane(resource, deliveries));
  $("#detail-body").textContent = JSON.stringify(resource.body, null, 2);
  const last = deliveries[deliveries.length - 1];
  $("#detail-signature").replaceChildren(...(last
    ? [element("span", { class: "muted" }, "X-KopoKopo-Signature "), copyable(last.signature, "the signature")]
    : [element("span", { class: "muted" }, "no callback yet")]));
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
  // Labels alternate above and below the lane; on each side one is pushed right of the one
  // before when they would overlap (stages seconds apart on a lane of minutes), with a leader
  // line to its mark.
  const placed = { true: left - 40, false: left - 40 };
  resource.timeline.forEach((step, index) => {
    const at = Date.parse(step.at), cx = x(at);
    const kind = step.reached ? "reached" : at < now ? "skipped" : "due";
    const mark = svg("circle", { class: kind, cx, cy: y, r: 7, "data-stage": step.stage, "data-state": kind });
    mark.append(svg("title", {}, `${step.stage} ${step.reached ? "reached" : "due"} at ${step.at}`));
    drawing.append(mark);
    const above = index % 2 === 0;
    const half = Math.max(step.stage.length * 3.3, 24) + 3;
    const lx = Math.min(Math.max(cx, placed[above] + half + 4, half), width - half);
    placed[above] = lx + half;
    if (Math.abs(lx - cx) > 2) {
      drawing.append(svg("line", { class: "leader", x1: cx, y1: above ? y - 8 : y + 8, x2: lx, y2: above ? y - 11 : y + 11 }));
    }
    drawing.append(svg("text", { class: "label", x: lx, y: above ? y - 14 : y + 22, "text-anchor": "middle" }, step.stage));
    drawing.append(svg("text", { class: "time", x: lx, y: above ? y - 27 : y + 34, "text-anchor": "middle" }, time(step.at)));
  });
  attempts.forEach((attempt) => {
    const cx = x(Date.parse(attempt.at));
    const mark = svg("rect", { class: attempt.outcome === "delivered" ? "attempt-ok" : "attempt-bad", x: cx - 4, y: 112, width: 8, height: 8 });
    mark.append(svg("title", {}, `callback ${attempt.delivery} attempt ${attempt.attempt}: ${attempt.status ?? attempt.error} (${attempt.latency_ms} ms) at ${attempt.at}`));
    drawing.append(mark);
  });
  if (attempts.length) drawing.append(svg("text", { class: "time", x: left - 28, y: 120 }, "calls"));
  drawing.append(svg("line", { class: "now", x1: x(now), y1: 8, x2: x(now), y2: 130 }));
  const nearEnd = x(now) > width - 80;
  drawing.append(svg("text", { class: "time", x: x(now) + (nearEnd ? -3 : 3), y: 145, "text-anchor": nearEnd ? "end" : "start" },
    "now " + time(view.clock.now)));
  return drawing;
}

function attemptText(attempt) {
  const what = attempt.status != null ? String(attempt.status) : attempt.error;
  return `${what} · ${attempt.latency_ms} ms${attempt.redelivery ? " · by hand" : ""}`;
}

function renderCallbacks() {
  const rows = [...view.callbacks].reverse().map((d) => {
    const about = d.kind === "callback" ? `${d.resource} ${d.resource_id}` : `${d.topic} ${d.event_id ?? ""}`.trim();
    return element("tr", { "data-id": d.id },
      element("td", { class: "nowrap" }, String(d.id)), element("td", { class: "nowrap" }, d.kind),
      element("td", { class: "clip about", title: about }, d.kind === "callback" ? `${d.resource} ${shortID(d.resource_id)}` : d.topic),
      element("td", { class: "clip url", title: d.url }, d.url),
      element("td", { class: "nowrap outcome-" + d.outcome }, d.outcome),
      element("td", { class: "attempts" }, ...d.attempts.map((a) => element("div", {
        class: a.outcome === "delivered" ? "status-ok" : "status-bad", title: `${attemptText(a)}\nattempt ${a.attempt}: sent ${a.at}, due ${a.due}`,
      }, attemptText(a)))),
      element("td", { class: "actions" }, element("button", { onclick: () => redeliver(d.id), title: "send it again now" }, "Redeliver")));
  });
  $("#callbacks tbody").replaceChildren(...rows);
}

// ---- Explanations ("say why") -------------------------------------------------------------------

/// A request as the journal lists it, in the sandbox shown: its id alone could name another
/// request after a reset.
const requestKey = (r) => [sandbox, r.id, r.at, r.method, r.path, r.status].join("\u0000");
const refused = (r) => r.status >= 400;

/// GET /explain?request=ID for the requests shown: a request's explanation never changes, so each
/// is asked once (two at a time, newest first) and kept while the request is listed.
const explaining = { queue: [], running: 0 };
function explainRequest(r) {
  const key = requestKey(r);
  if (r.id == null || view.explanations.has(key)) return;
  view.explanations.set(key, { loading: true });
  explaining.queue.push({ key, id: sandbox, request: r.id });
  pumpExplanations();
}

function pumpExplanations() {
  while (explaining.running < 2 && explaining.queue.length) {
    const { key, id, request } = explaining.queue.shift();
    if (id !== sandbox) continue;
    explaining.running += 1;
    api("GET", scopeOf(id) + "/explain?request=" + encodeURIComponent(request)).then(
      (data) => ({ data }), (error) => ({ error: error.message || String(error) }),
    ).then((entry) => {
      explaining.running -= 1;
      if (id === sandbox && view.explanations.has(key)) {
        view.explanations.set(key, entry);
        renderRequests();
      }
      pumpExplanations();
    });
  }
}

/// Shows or hides a request's whole explanation (asked again if asking failed).
function toggleRequest(r) {
  const key = requestKey(r);
  if (view.expanded.has(key)) view.expanded.delete(key); else view.expanded.add(key);
  if (view.explanations.get(key)?.error) view.explanations.delete(key);
  renderRequests();
}

/// A refused request's summary on one line under it (whole on hover); opened, all of it: the
/// summary, K2's own message, the details and the keys K2 ignores.
function requestExplanation(r, open) {
  const entry = view.explanations.get(requestKey(r));
  const cell = element("td", { colspan: "5", class: "why-cell" });
  if (!entry || entry.loading) cell.append(element("div", { class: "why-line muted" }, "asking why…"));
  else if (entry.error) cell.append(element("div", { class: open ? "why-error" : "why-line why-error", title: entry.error }, entry.error));
  else if (!open) {
    cell.append(element("div", { class: "why-line", title: entry.data.summary, onclick: () => toggleRequest(r) }, entry.data.summary));
  } else {
    const e = entry.data;
    cell.append(element("div", { class: "why-summary" }, e.summary));
    if (e.k2_message) cell.append(element("div", { class: "why-fact" }, element("span", { class: "muted" }, "K2 says "), element("q", {}, e.k2_message)));
    if (e.details?.length) cell.append(element("ul", { class: "why-details" }, ...e.details.map((d) => element("li", {}, d))));
    if (e.ignored_keys?.length) {
      cell.append(element("div", { class: "why-fact" }, element("span", { class: "muted" }, "K2 ignores "),
        ...e.ignored_keys.flatMap((k) => [element("code", { class: "tag ignored" }, k), " "])));
    }
  }
  return element("tr", { class: "explanation" + (open ? " open" : "") + (r.status >= 400 ? " refused" : ""), "data-request": String(r.id) }, cell);
}

/// The chosen resource's explanation: the server's summary, who chose its timeline, and where
/// its callback is and why.
function renderResourceExplanation() {
  const box = $("#detail-explain");
  const entry = view.chosenExplanation;
  if (!entry || entry.key !== view.chosen) { box.replaceChildren(element("div", { class: "muted" }, "asking why…")); return; }
  if (entry.error) { box.replaceChildren(element("div", { class: "why-error" }, entry.error)); return; }
  const e = entry.data, parts = [element("div", { class: "why-summary" }, e.summary)];
  if (e.timeline?.chosen_by) {
    parts.push(element("div", { class: "why-fact timeline-chosen-by" }, element("span", { class: "muted" }, "timeline from "), e.timeline.chosen_by));
  }
  const callback = e.callback;
  if (callback) {
    const facts = [];
    if (callback.next_attempt_at) facts.push(`next attempt ${dateTime(callback.next_attempt_at)}`);
    if (callback.attempts?.length) facts.push(`${callback.attempts.length} attempt${callback.attempts.length === 1 ? "" : "s"}`);
    parts.push(element("div", { class: "why-fact callback-state" },
      element("span", { class: "muted" }, "callback "),
      element("span", { class: "tag state state-" + callback.state.replace(/\s+/g, "-"), title: callback.url ?? "" }, callback.state),
      ...(callback.why ? [" ", element("span", { class: "callback-why" }, callback.why)] : []),
      ...(facts.length ? [" ", element("span", { class: "muted" }, "(" + facts.join(", ") + ")")] : [])));
  }
  box.replaceChildren(...parts);
}

function renderRequests() {
  const rows = [], shown = new Set();
  for (const r of [...view.requests].reverse()) {
    const key = requestKey(r), open = view.expanded.has(key), explained = r.id != null && (refused(r) || open);
    shown.add(key);
    if (explained) explainRequest(r);
    rows.push(element("tr", { class: "request" + (refused(r) ? " refused" : ""), "data-request": String(r.id ?? "") },
      element("td", { class: "nowrap", title: r.at }, time(r.at)), element("td", { class: "nowrap" }, r.method),
      element("td", { class: "clip", title: r.path }, r.path),
      element("td", { class: "nowrap " + (r.status < 400 ? "status-ok" : "status-bad") }, String(r.status)),
      element("td", { class: "actions" }, r.id == null ? "" : element("button", {
        class: "why", type: "button", "aria-expanded": String(open),
        title: open ? "hide the explanation" : "why it was answered so", onclick: () => toggleRequest(r),
      }, open ? "hide" : "why"))));
    if (explained) rows.push(requestExplanation(r, open));
  }
  $("#requests tbody").replaceChildren(...rows);
  // Those no longer listed are forgotten.
  for (const key of view.explanations.keys()) if (!shown.has(key) && !view.explanations.get(key).loading) view.explanations.delete(key);
  for (const key of view.expanded) if (!shown.has(key)) view.expanded.delete(key);
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

/// An action on the chosen sandbox; a 404 because it is gone says so.
async function act(method, path, body) {
  const id = sandbox;
  try {
    return await api(method, scopeOf(id) + path, body);
  } catch (error) {
    if (!(error.status === 404 && await sandboxGone(id, error))) showError(error);
    return null;
  } finally {
    refresh();
  }
}

const advance = (seconds) => act("POST", "/clock/advance", { seconds });
const redeliver = (id) => act("POST", `/callbacks/${id}/redeliver`);

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
    if (!confirm(`Reset the sandbox "${sandboxLabel(sandbox)}" to its scenario's start? Created resources, tokens and journals go.`)) return;
    view.chosen = null;
    await act("POST", "/reset");
  };
  const picker = $("#sandbox");
  picker.onchange = () => switchTo(picker.value);
  picker.onfocus = picker.onmousedown = () => { loadSandboxes(); };
  $("#notice-close").onclick = hideNotice;
  window.addEventListener("hashchange", () => switchTo(sandboxInURL()));
  $("#kind-filter").onchange = renderResources;
  $("#stage-filter").onchange = renderResources;
  $("#fire").onsubmit = async (event) => {
    event.preventDefault();
    const text = $("#event-fields").value.trim();
    let resource;
    try { resource = text ? JSON.parse(text) : undefined; } catch { showError(new Error("the resource fields are not JSON")); return; }
    const fired = await act("POST", "/events", resource ? { topic: $("#topic").value, resource } : { topic: $("#topic").value });
    if (fired) $("#fire-result").textContent = `${fired.event} ${fired.id}: ${fired.deliveries.length} deliveries`;
  };
}

/// On a real clock sandbox time moves on its own: the clock and the "now" line follow it each
/// second (changes still arrive through the stream).
async function tick() {
  if (!view.clock || view.clock.mode !== "real" || document.hidden || refreshing) return;
  const id = sandbox;
  try {
    const clock = await api("GET", scopeOf(id) + "/clock");
    if (id !== sandbox || !view.clock) return;
    view.clock = clock;
    renderClock();
    renderDetail();
  } catch (error) {
    // The stream's reconnection tells the user; nothing to add here.
  }
}

async function start() {
  wire();
  renderSandboxes();
  setInterval(tick, 1000);
  setInterval(() => { if (!document.hidden) loadSandboxes(); }, 5000);
  refresh();
  follow();
  try {
    view.topics = await api("GET", "/topics");
    $("#topic").replaceChildren(...view.topics.map((t) => element("option", { value: t }, t)));
  } catch (error) { showError(error); }
  loadSandboxes();
}

start();
