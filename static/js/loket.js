/* Shared helpers for Loket's screens: JSON calls with the CSRF token, and small DOM utilities. */
(function () {
  "use strict";
  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  async function api(path, options) {
    const opts = Object.assign({ method: "GET" }, options || {});
    const init = { method: opts.method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
    if (opts.method !== "GET") init.headers["X-CSRFToken"] = csrf();
    if (opts.body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    Object.assign(init.headers, opts.headers || {});
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      return { ok: false, status: 0, data: { error: "network", message: (window.T && T.network) || "Network error" } };
    }
    let data = {};
    try { data = await res.json(); } catch (e) { data = {}; }
    return { ok: res.ok, status: res.status, data: data };
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }

  function fmtClock(seconds) {
    const neg = seconds < 0, s = Math.abs(seconds);
    const m = Math.floor(s / 60), r = s % 60;
    return (neg ? "−" : "") + m + ":" + String(r).padStart(2, "0");
  }

  /* Server time minus browser time, so every clock on a screen follows the server's. */
  let skew = 0;
  function syncClock(serverIso) { if (serverIso) skew = Date.parse(serverIso) - Date.now(); }
  function now() { return Date.now() + skew; }

  window.Loket = { api, el, fmtClock, syncClock, now, csrf };
})();
