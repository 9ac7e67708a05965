/* Loket's front-end toolkit: the helpers every screen script uses. Plain JavaScript, vendored, no build step.

   Screens hold no rule of the counter: the server sends the moments and states, a script compares the
   server-synced time with them and draws. Templates carry page data in <script type="application/json"> blocks
   (never executed, so a Content-Security-Policy without 'unsafe-inline' allows them), the language in
   <html lang> and the office's time zone in <body data-timezone>.

   The page
     Loket.$(id)                       document.getElementById(id)
     Loket.el(tag, attrs, ...children) a new element; attrs: class, text, on<event> (a listener), others as
                                       attributes (true: present, false/null: left out)
     Loket.data(id)                    the parsed JSON data block <script type="application/json" id="...">, or
                                       null when the page has none
     Loket.lang / Loket.locale / Loket.timeZone()
                                       "id" | "en" (from <html lang>), its Intl locale ("id-ID" | "en-GB"), the
                                       office's IANA time zone (from <body data-timezone>)
   The server
     Loket.api(path, {method, body, headers})  JSON over fetch with the CSRF token -> {ok, status, data}; a
                                       network failure answers {ok: false, status: 0} with the page's "network"
                                       sentence (Loket.data("strings").network)
     Loket.live({...})                 a live screen's Socket.IO connection (connect, reconnect, catch up): below
     Loket.csrf()                      the page's CSRF token (<meta name="csrf-token"> in templates/base.html)
   Words, numbers and times in the screen's language, times in the office's time zone
     Loket.serviceName(obj)            obj.name_en on English screens when there is one, else obj.name (data that
                                       carries both names: the public snapshot is shared by screens of any language)
     Loket.time(t, opts)               "09.30" (id) / "09:30" (en); t: ISO string, Date or ms; opts: more Intl
                                       options, e.g. {second: "2-digit"}
     Loket.date(t, opts)               "Senin, 2 Maret 2026"
     Loket.dateTime(t, opts)           "2 Mar 09.30"
     Loket.wallClock(t?)               {time: "09.30.15", date: "Senin, 2 Maret 2026"}: the display's and supervisor's clock
     Loket.number(n, opts)             "1.250" (id) / "1,250" (en); opts: Intl.NumberFormat options (percent, ...)
     Loket.money(n)                    "Rp 1.250.000" (id) / "Rp 1,250,000" (en), as the reports write rupiah
     Loket.fill(text, params)          fills the catalogs' %(name)s placeholders
     Loket.fmtClock(seconds)           "9:05", "−2:10" (a countdown or a duration)
   Clocks
     Loket.syncClock(iso) / Loket.now()   the server's time in ms, learnt from the server_time messages carry
     Loket.secondsSince(iso) / Loket.secondsUntil(iso)   whole seconds on that clock (null without a time)
     Loket.inputNow()                  the server's now as a datetime-local input's value (this browser's time)
     Loket.limitState(item, now)       "not_started" | "ok" | "amber" | "breached" for a clock the server sent
                                       (item.amber_at, item.deadline_at: rules/service_limit.py limit_clock)

   Loket.live(options) -> {socket, connected(), refresh(), wake(), close()}
     namespace      Socket.IO namespace ("/" by default; the phone uses "/status")
     auth           the connection's auth data ({office, screen} or {token})
     on             {event: handler} for the server's events ("snapshot", "call", "state", ...)
     refresh()      fetches the screen's full state; called after every (re)connect (unless sentOnConnect) and
                    whenever the page becomes visible again (also while disconnected: it may use HTTP, or do
                    nothing until the connection is back)
     sentOnConnect  true when the server pushes the full state itself on connect (display, phone)
     onStatus(on)   connected (true) or not (false), on each change: the "connected / reconnecting" badge
     onRefused()    the server refused the connection and the client will not retry (an expired phone link)
     reconnectionDelay, reconnectionDelayMax   500 and 1000 ms unless given: a screen is back within about 1-2 s
                    of the server's return
   Websocket first, HTTP long-polling when a network lets no websocket through (tryAllTransports). */
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  /* ---- page data ---- */

  const blocks = {};
  function data(id) {
    if (!(id in blocks)) {
      const node = $(id);
      blocks[id] = node ? JSON.parse(node.textContent) : null;
    }
    return blocks[id];
  }

  const LOCALES = { id: "id-ID", en: "en-GB" };
  const lang = document.documentElement.lang === "en" ? "en" : "id";
  const locale = LOCALES[lang];
  // Read when used: the attribute sits on <body>, which exists once a script at its end runs.
  const timeZone = () => (document.body && document.body.dataset.timezone) || undefined;

  /* ---- the server ---- */

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
      const words = data("strings") || {};
      return { ok: false, status: 0, data: { error: "network", message: words.network || "Network error" } };
    }
    let body = {};
    try { body = await res.json(); } catch (e) { body = {}; }
    return { ok: res.ok, status: res.status, data: body };
  }

  function live(options) {
    const opts = options || {};
    const refresh = opts.refresh || function () {};
    const socket = io(opts.namespace || "/", {
      auth: opts.auth || {},
      transports: ["websocket", "polling"],
      tryAllTransports: true,  // a proxy that passes no websocket: HTTP long-polling instead
      reconnectionDelay: opts.reconnectionDelay || 500,
      reconnectionDelayMax: opts.reconnectionDelayMax || 1000,
    });
    let shown = null;
    const status = (on) => {
      if (on === shown) return;  // a refused retry after a refused retry is no news
      shown = on;
      if (opts.onStatus) opts.onStatus(on);
    };
    socket.on("connect", () => {
      status(true);
      // Whatever changed while the connection was down is in the full state, never in the events missed.
      if (!opts.sentOnConnect) refresh();
    });
    socket.on("disconnect", () => status(false));
    socket.on("connect_error", () => {
      status(false);
      if (!socket.active && opts.onRefused) opts.onRefused();  // refused: the client stops retrying
    });
    for (const [name, handler] of Object.entries(opts.on || {})) socket.on(name, handler);

    // A tab that was hidden, a screen or phone that slept, a network that came back: catch up at once, and
    // reconnect now rather than at the end of a back-off (not after the server refused: socket.active false).
    let lastWake = 0;
    function wake() {
      if (document.visibilityState === "hidden") return;
      const t = Date.now();
      if (t - lastWake < 1000) return;  // several of these events come together
      lastWake = t;
      refresh();
      if (!socket.connected && socket.active) { socket.disconnect(); socket.connect(); }
    }
    document.addEventListener("visibilitychange", wake);
    document.addEventListener("resume", wake);
    window.addEventListener("pageshow", (e) => { if (e.persisted) wake(); });
    window.addEventListener("online", wake);

    return { socket, refresh, wake, connected: () => socket.connected, close: () => socket.disconnect() };
  }

  /* ---- building the page ---- */

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

  function serviceName(s) {
    if (!s) return "";
    return lang === "en" ? (s.name_en || s.name || "") : (s.name || "");
  }

  const fill = (text, params) => String(text).replace(/%\((\w+)\)s/g,
    (_m, k) => (params && params[k] !== undefined && params[k] !== null ? params[k] : ""));

  /* ---- numbers and times in the screen's language ---- */

  const formats = new Map();  // one Intl formatter per kind of format: a wall display formats every second
  function formatter(Kind, opts) {
    const key = Kind.name + JSON.stringify(opts);
    if (!formats.has(key)) formats.set(key, new Kind(locale, opts));
    return formats.get(key);
  }

  const asDate = (t) => (t instanceof Date ? t : new Date(typeof t === "number" ? t : Date.parse(t)));
  function dateFormat(defaults) {
    return (t, opts) => (t === null || t === undefined || t === ""
      ? "" : formatter(Intl.DateTimeFormat, Object.assign({ timeZone: timeZone() }, defaults, opts)).format(asDate(t)));
  }
  const time = dateFormat({ hour: "2-digit", minute: "2-digit" });
  const date = dateFormat({ weekday: "long", day: "numeric", month: "long", year: "numeric" });
  const dateTime = dateFormat({ day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });

  // The wall clock of the display and the supervisor's view: one format for both (time with seconds, the date).
  const wallClock = (t) => {
    const at = t === undefined ? now() : t;
    return { time: time(at, { second: "2-digit" }), date: date(at) };
  };

  const number = (n, opts) => formatter(Intl.NumberFormat, opts || {}).format(Number(n || 0));
  // As supervisor/present.py's rupiah(): "Rp " and whole rupiah grouped the locale's way (CLDR, like Babel).
  const money = (n) => "Rp " + number(Math.round(Number(n || 0)), { maximumFractionDigits: 0 });

  function fmtClock(seconds) {
    const neg = seconds < 0, s = Math.abs(seconds);
    const m = Math.floor(s / 60), r = s % 60;
    return (neg ? "−" : "") + m + ":" + String(r).padStart(2, "0");
  }

  /* ---- the server's clock ---- */

  /* Server time minus browser time, so every clock on a screen follows the server's. */
  let skew = 0;
  function syncClock(serverIso) { if (serverIso) skew = Date.parse(serverIso) - Date.now(); }
  function now() { return Date.now() + skew; }
  const secondsSince = (iso) => (iso ? Math.round((now() - Date.parse(iso)) / 1000) : null);
  const secondsUntil = (iso) => (iso ? Math.round((Date.parse(iso) - now()) / 1000) : null);

  function inputNow() {
    const d = new Date(now());
    d.setMinutes(d.getMinutes() - d.getTimezoneOffset());  // a datetime-local field shows this browser's time
    return d.toISOString().slice(0, 16);
  }

  /* The state of a clock from the moments the server sent with it; the rule itself stays on the server. */
  function limitState(item, at) {
    if (!item || !item.deadline_at) return "not_started";
    const t = at === undefined ? now() : at;
    if (t > Date.parse(item.deadline_at)) return "breached";  // the deadline itself is still in time
    if (item.amber_at && t >= Date.parse(item.amber_at)) return "amber";
    return "ok";
  }

  window.Loket = {
    $, el, data, lang, locale, timeZone, csrf,
    api, live,
    serviceName, time, date, dateTime, wallClock, number, money, fill, fmtClock,
    syncClock, now, secondsSince, secondsUntil, inputNow, limitState,
  };
})();
