// The connect page: lists every provider with its connection, and connects, resyncs and disconnects
// through the real HTTP API. Plain DOM code, no build step. Everything the API or a provider says is
// shown with textContent, never parsed as HTML.
"use strict";
(function () {
  const config = Object.assign({ apiBaseUrl: "", token: null, tokenUrl: null, getToken: null, providersUrl: null },
    window.CONNECTORS_CONFIG || {});
  const apiBase = (config.apiBaseUrl || location.origin).replace(/\/+$/, "");
  const apiOrigin = new URL(apiBase, location.href).origin; // where the OAuth callback's result page posts from
  const POLL_MS = 1000;
  const AUTH_TYPES = { oauth2: "OAuth 2.0", oauth1: "OAuth 1.0a", api_key: "API key", link_token: "Link token" };
  const FINISHED = ["succeeded", "failed", "needs_reauth"];

  const list = document.getElementById("providers");
  const notice = document.getElementById("notice");
  const rows = new Map(); // provider id -> {spec, el, connection, polling}
  let tokenPromise = null;

  class ApiError extends Error {
    constructor(message, code) { super(message); this.code = code; }
  }

  function token() {
    if (!tokenPromise) {
      tokenPromise = config.token ? Promise.resolve(config.token)
        : config.getToken ? Promise.resolve(config.getToken())
        : config.tokenUrl ? fetch(new URL(config.tokenUrl, apiBase + "/")).then(r => r.json()).then(j => j.token)
        : Promise.reject(new ApiError("No token configured: set token, getToken or tokenUrl in config.js."));
    }
    return tokenPromise;
  }

  /** One API call; a failure becomes an ApiError carrying the API's own friendly message. */
  async function api(method, path, body) {
    const headers = { Accept: "application/json", Authorization: "Bearer " + await token() };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res;
    try {
      // credentials: the API's browser-binding cookie (set by authorize, checked by the callback) must be kept
      // even when the API is another origin of the same site; the API's CORS allows exactly the app origins
      res = await fetch(apiBase + path, { method, headers, credentials: "include",
        body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new ApiError("The connections API cannot be reached at " + apiBase + ". Is the local runner running?");
    }
    const json = await res.json().catch(() => null);
    if (!res.ok) {
      const error = json && json.error;
      const message = error && error.message ? error.message : json && json.message ? json.message : "The request failed (HTTP " + res.status + ").";
      throw new ApiError(message, error && error.code);
    }
    return json;
  }

  // ------------------------------------------------------------------ rendering

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function show(node, text, kind) {
    node.textContent = text || "";
    node.hidden = !text;
    if (kind) node.dataset.kind = kind;
  }

  function say(id, text, kind) {
    show(rows.get(id).el.querySelector(".message"), text, kind);
  }

  function when(iso) {
    if (!iso) return "";
    const at = new Date(iso);
    const minutes = Math.round((at - Date.now()) / 60000);
    const relative = Math.abs(minutes) < 1 ? "now" : Math.abs(minutes) < 120 ? Math.abs(minutes) + " min"
      : Math.abs(minutes) < 2880 ? Math.round(Math.abs(minutes) / 60) + " h" : Math.round(Math.abs(minutes) / 1440) + " days";
    return at.toLocaleString() + (relative === "now" ? " (now)" : minutes > 0 ? " (in " + relative + ")" : " (" + relative + " ago)");
  }

  function syncText(job) {
    if (!job) return "No sync yet";
    const counts = job.records + " records in " + job.pages + (job.pages === 1 ? " page" : " pages");
    switch (job.status) {
      case "queued": return "Backfill queued…";
      case "running": return "Backfill running: " + counts + " so far";
      case "succeeded": return "Backfill done: " + counts + (job.updatedAt ? ", " + when(job.updatedAt) : "");
      case "needs_reauth": return "Backfill stopped: reconnect to continue";
      default: return "Backfill failed" + (job.lastError ? ": " + job.lastError : "") + " (" + counts + ")";
    }
  }

  function render(id) {
    const row = rows.get(id);
    const { spec, el: section, connection: c } = row;
    const job = c && c.lastSync;
    section.dataset.status = c ? c.status : "none";
    section.dataset.sync = job ? job.status : "none";
    section.querySelector(".status").textContent = c ? "Status: " + c.status.replace("_", " ") : spec.ready ? "Not connected" : "Not configured on this server";
    section.querySelector(".scopes").textContent = "Scopes: " + ((c && c.scopes && c.scopes.length ? c.scopes : spec.scopes).join(", ") || "none");
    section.querySelector(".expiry").textContent = !c ? "" : c.expiresAt ? "Token expires " + when(c.expiresAt) : "Token does not expire";
    section.querySelector(".sync").textContent = c ? syncText(job) : "";
    section.querySelector(".progress").hidden = !(job && !FINISHED.includes(job.status));
    renderActions(row);
  }

  function button(action, label, onClick) {
    const b = el("button", { type: "button", "data-action": action }, label);
    b.addEventListener("click", () => run(b, onClick));
    return b;
  }

  /** Disables the row's buttons while an action runs, so a double click does not start two flows. */
  async function run(b, action) {
    const buttons = b.closest(".provider").querySelectorAll("button, input");
    buttons.forEach(x => { x.disabled = true; });
    try { await action(); } finally { buttons.forEach(x => { x.disabled = false; }); }
  }

  function renderActions(row) {
    const { spec, connection: c } = row;
    // redrawn only when they change: a progress poll must not wipe a key being typed or a button being clicked
    const key = c ? c.status : "none";
    if (row.actionsFor === key) return;
    row.actionsFor = key;
    const box = row.el.querySelector(".actions");
    box.replaceChildren();
    const type = spec.authType;
    if (type === "api_key") {
      const form = el("form", { class: "key-form", "data-action": "api-key" });
      const input = el("input", { type: "password", name: "apiKey", autocomplete: "off", required: "", "aria-label": spec.displayName + " API key",
        placeholder: spec.displayName + " API key" });
      const submit = el("button", { type: "submit", "data-action": "connect" }, c ? "Replace key" : "Connect");
      form.append(input, submit);
      form.addEventListener("submit", e => { e.preventDefault(); run(submit, () => connectWithKey(row, input)); });
      box.append(form);
    } else if (type === "link_token") {
      if (!c) box.append(el("span", { class: "hint" }, "Connects through " + spec.displayName + " Link in your app."));
    } else if (spec.ready) {
      const inputs = spec.inputs.map(i => el("input", { type: "text", name: i.param, placeholder: i.example, "aria-label": i.param }));
      box.append(...inputs);
      box.append(button("connect", !c ? "Connect" : "Reconnect", () => connectOAuth(row, inputs)));
    }
    if (c) {
      if (c.status === "active") box.append(button("resync", "Resync", () => resync(row)));
      box.append(button("disconnect", "Disconnect", () => disconnect(row)));
    }
  }

  // ------------------------------------------------------------------ actions

  async function refresh() {
    const { connections } = await api("GET", "/connections");
    const byProvider = new Map(connections.map(c => [c.provider, c]));
    rows.forEach((row, id) => {
      row.connection = byProvider.get(id) || null;
      render(id);
      const job = row.connection && row.connection.lastSync;
      if (job && !FINISHED.includes(job.status)) poll(id, job.jobId);
    });
    return byProvider;
  }

  /** Follows a sync job until it finishes, updating the row's progress. */
  async function poll(id, jobId) {
    const row = rows.get(id);
    if (row.polling === jobId) return;
    row.polling = jobId;
    try {
      while (row.polling === jobId) {
        const job = await api("GET", "/sync-jobs/" + encodeURIComponent(jobId));
        if (!row.connection || row.polling !== jobId) return;
        row.connection.lastSync = job;
        render(id);
        if (FINISHED.includes(job.status)) break;
        await new Promise(r => setTimeout(r, POLL_MS));
      }
    } catch (e) {
      say(id, e.message, "error");
    } finally {
      if (row.polling === jobId) row.polling = null;
    }
  }

  async function connectOAuth(row, inputs) {
    const id = row.spec.id;
    say(id, "");
    // opened in the click itself, or the browser blocks it; it is pointed at the provider once the API answers
    const popup = window.open("", "connect-" + id, "popup,width=560,height=720");
    const params = new URLSearchParams();
    inputs.forEach(i => { if (i.value.trim()) params.set(i.name, i.value.trim()); });
    if (!popup) params.set("return_to", location.origin + location.pathname); // no popups: the whole page goes and comes back
    let url;
    try {
      url = (await api("GET", "/oauth/" + encodeURIComponent(id) + "/authorize?" + params)).authorizationUrl;
    } catch (e) {
      if (popup) popup.close();
      say(id, e.message, "error");
      return;
    }
    if (!popup) {
      location.assign(url);
      return;
    }
    popup.location.href = url;
    say(id, "Finish connecting " + row.spec.displayName + " in the window that opened…", "info");
    const started = Date.now();
    const result = await popupResult(popup, id);
    if (result) {
      if (result.connected) say(id, row.spec.displayName + " is connected. Importing your history…", "success");
      else say(id, result.message, "error");
      await refresh();
      return;
    }
    // closed without a word: a provider page that cuts the opener link may still have finished
    const now = (await refresh()).get(id);
    if (now && now.status === "active" && Date.parse(now.updatedAt) >= started - 5000) {
      say(id, row.spec.displayName + " is connected. Importing your history…", "success");
    } else {
      say(id, "Connection cancelled: the " + row.spec.displayName + " window was closed before it finished.", "cancelled");
    }
  }

  /** The callback page's message ({connected, message}), or null when the popup closed without one. */
  function popupResult(popup, id) {
    return new Promise(resolve => {
      const done = value => { window.removeEventListener("message", onMessage); clearInterval(timer); resolve(value); };
      function onMessage(e) {
        const d = e.data;
        if (e.origin !== apiOrigin || e.source !== popup || !d || d.type !== "connectors:result" || d.provider !== id) return;
        popup.close();
        done(d);
      }
      window.addEventListener("message", onMessage);
      const timer = setInterval(() => { if (popup.closed) done(null); }, 300);
    });
  }

  async function connectWithKey(row, input) {
    const id = row.spec.id;
    say(id, "Checking the key with " + row.spec.displayName + "…", "info");
    try {
      await api("PUT", "/connections/" + encodeURIComponent(id), { apiKey: input.value });
      input.value = "";
      say(id, row.spec.displayName + " is connected. Importing your history…", "success");
      await refresh();
    } catch (e) {
      say(id, e.message, "error");
    }
  }

  async function resync(row) {
    const id = row.spec.id;
    try {
      const job = await api("POST", "/connections/" + encodeURIComponent(id) + "/sync");
      say(id, job.created ? "Sync started." : "A sync is already running.", "info");
      row.connection.lastSync = job;
      render(id);
      poll(id, job.jobId);
    } catch (e) {
      say(id, e.message, "error");
    }
  }

  async function disconnect(row) {
    const id = row.spec.id;
    try {
      const out = await api("DELETE", "/connections/" + encodeURIComponent(id));
      row.polling = null;
      say(id, out.revokeError ? "Disconnected here, but " + out.revokeError.message : row.spec.displayName + " is disconnected.",
        out.revokeError ? "error" : "info");
      await refresh();
    } catch (e) {
      say(id, e.message, "error");
    }
  }

  // ------------------------------------------------------------------ start

  /** Back from a full-page flow (no popup): the callback added ?connected= or ?error=&message=. */
  function returnedFrom() {
    const q = new URLSearchParams(location.search);
    if (!q.has("connected") && !q.has("error")) return null;
    history.replaceState(null, "", location.pathname);
    return q.has("connected") ? { id: q.get("connected"), text: "Connected. Importing your history…", kind: "success" }
      : { id: q.get("provider"), text: q.get("message") || q.get("error"), kind: "error" };
  }

  async function start() {
    const back = returnedFrom();
    try {
      const providersUrl = config.providersUrl ? new URL(config.providersUrl, location.href) : null; // relative to the page
      if (!providersUrl) throw new ApiError("No provider list configured: set providersUrl in config.js.");
      const res = await fetch(providersUrl).catch(() => { throw new ApiError("The provider list cannot be loaded from " + providersUrl + "."); });
      const { providers } = await res.json();
      const template = document.getElementById("provider-row");
      list.replaceChildren();
      // the ones this server can connect first, in registry order (the sort is stable)
      providers.slice().sort((a, b) => Number(b.ready) - Number(a.ready)).forEach(spec => {
        const section = template.content.firstElementChild.cloneNode(true);
        section.dataset.provider = spec.id;
        section.querySelector(".name").textContent = spec.displayName;
        section.querySelector(".auth").textContent = AUTH_TYPES[spec.authType] || spec.authType;
        list.append(section);
        rows.set(spec.id, { spec, el: section, connection: null, polling: null, actionsFor: null });
      });
      await refresh();
      if (back) {
        if (back.id && rows.has(back.id)) say(back.id, back.text, back.kind);
        else show(notice, back.text, back.kind);
      }
    } catch (e) {
      show(notice, e.message, "error");
    } finally {
      list.setAttribute("aria-busy", "false");
    }
  }

  start();
})();
