/* The supervisor's live view: renders the server's view, ticks every clock each second on server time,
   turns a waiting visitor amber near the limit and red (with a sound) once it is passed — at the moments the
   server sent with each clock (amber_at, deadline_at). */
(function () {
  "use strict";
  const { $, el } = Loket;
  const T = Loket.data("strings");
  const root = $("live");
  const resyncMs = 1000 * Number(root.dataset.resyncSeconds || 10);
  let view = null;
  let lastServerTime = 0;
  let inFlight = false, again = false;
  const alarmed = new Set();
  window.loketAlarms = [];
  let muted = localStorage.getItem("loket.supervisor.muted") === "1";
  let audio = null;

  const fmt = (s) => Loket.fmtClock(Math.round(s));
  const oneDecimal = (n) => Loket.number(n, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  // The locale's own percent format (CLDR, as Babel's format_percent on the reports): "80,0%" / "80.0%".
  const percent = (n) => Loket.number(n, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const tr = Loket.fill;
  const secondsSince = Loket.secondsSince;
  // A waiting ticket's state at the moments the server sent with its clock (the rule stays on the server).
  const clockState = (t) => Loket.limitState(t);

  function beep() {
    if (muted || !audio) return;
    const t0 = audio.currentTime;
    [0, 0.25, 0.5].forEach((dt) => {
      const o = audio.createOscillator(), g = audio.createGain();
      o.type = "square"; o.frequency.value = 880; o.connect(g); g.connect(audio.destination);
      g.gain.setValueAtTime(0.0001, t0 + dt);
      g.gain.exponentialRampToValueAtTime(0.2, t0 + dt + 0.02);
      g.gain.exponentialRampToValueAtTime(0.0001, t0 + dt + 0.18);
      o.start(t0 + dt); o.stop(t0 + dt + 0.2);
    });
  }

  function alarm(t, service) {
    if (alarmed.has(t.id)) return;
    alarmed.add(t.id);
    window.loketAlarms.push({ code: t.code, service: service.code, at: new Date(Loket.now()).toISOString(),
      sound: !muted && !!audio });
    beep();
  }

  function renderToday() {
    const d = view.today;
    let waitingLate = 0;
    for (const s of view.services) for (const t of s.tickets) if (clockState(t) === "breached") waitingLate++;
    const breaches = d.called_late + waitingLate;
    const tile = (label, value, cls, testid) => el("div", { class: "sv-tile " + (cls || ""), "data-testid": testid },
      el("div", { class: "sv-tile-value", text: value }), el("div", { class: "sv-tile-label", text: label }));
    $("sv-today").replaceChildren(
      tile(T.tickets_today, String(d.tickets), "", "tickets-today"),
      tile(T.served_today, String(d.served), "", "served-today"),
      el("div", { class: "sv-tile " + (breaches ? "bad" : "good"), "data-testid": "breaches-today" },
        el("div", { class: "sv-tile-value", text: String(breaches) }),
        el("div", { class: "sv-tile-label", text: T.breaches_today }),
        el("div", { class: "sv-tile-note", text: `${d.called_late} ${T.called_late} · ${waitingLate} ${T.waiting_late}` })),
      tile(T.share, d.limit_share === null ? "–" : percent(d.limit_share), "", "share-today"),
      tile(T.median_wait, d.median_wait === null ? "–" : oneDecimal(d.median_wait) + " " + T.min, "", "median-today"));
  }

  function renderCounters() {
    $("sv-counters").replaceChildren(...view.counters.map((c) => {
      const secs = secondsSince(c.since);
      let line = T[c.state] || c.state;
      if (c.state === "paused") line += ` · ${T.reasons[c.pause_reason] || c.pause_reason}`;
      const box = el("div", { class: `sv-counter state-${c.state}`, "data-testid": `counter-${c.number}`, "data-state": c.state },
        el("div", { class: "sv-counter-name", text: c.name }),
        el("div", { class: "sv-counter-officer", text: c.officer || "" }),
        el("div", { class: "sv-counter-state", text: line }));
      if (c.ticket) {
        box.append(el("div", { class: "sv-counter-ticket" }, el("strong", { text: c.ticket.code }),
          el("span", { text: " " + (c.ticket.name || "") }),
          el("span", { class: "muted", text: " · " + Loket.serviceName(c.ticket.service) })));
      }
      if (c.state !== "closed" && secs !== null) box.append(el("div", { class: "sv-counter-time", text: fmt(secs) }));
      return box;
    }));
  }

  function ticketRow(t, s) {
    const st = clockState(t);
    if (st === "breached") alarm(t, s);
    let clockText = T.not_started;
    if (st !== "not_started") {
      const left = Loket.secondsUntil(t.deadline_at);
      clockText = left >= 0 ? `${fmt(left)} ${T.left}` : `${T.late} ${fmt(-left)}`;
    }
    return el("tr", { class: `sv-ticket state-${st}`, "data-testid": `ticket-${t.code}`, "data-state": st },
      el("td", {}, el("strong", { text: t.code }),
        t.priority ? el("span", { class: "badge priority", text: T.priority }) : null,
        t.transferred ? el("span", { class: "badge", text: T.transferred }) : null),
      el("td", { text: t.name || "" }),
      el("td", { class: "num", text: fmt(secondsSince(t.queued_at)) }),
      el("td", {}, el("span", { class: `sv-chip state-${st}`, text: clockText })));
  }

  function renderServices() {
    $("sv-services").replaceChildren(...view.services.map((s) => {
      const longest = s.oldest_queued_at ? fmt(secondsSince(s.oldest_queued_at)) : "–";
      const head = el("div", { class: "sv-service-head" },
        el("h2", { text: Loket.serviceName(s) }),
        el("div", { class: "sv-service-figures" },
          el("span", { "data-testid": `waiting-${s.code}`, text: `${T.waiting}: ${s.waiting}` }),
          el("span", { text: `${T.longest}: ${longest}` }),
          el("span", { class: "muted", text: tr(T.service_time, { m: s.service_minutes }) }),
          s.waiting && s.clear_minutes !== null ? el("span", { class: s.in_time ? "muted" : "error",
            text: tr(T.clears, { m: Math.round(s.clear_minutes) }) }) : null));
      const body = s.tickets.length
        ? el("table", { class: "sv-tickets" }, el("tbody", {}, ...s.tickets.map((t) => ticketRow(t, s))))
        : el("p", { class: "muted", text: T.no_one });
      return el("div", { class: "card sv-service", "data-service": s.code }, head, body);
    }));
  }

  function renderSuggestions() {
    if (!view.suggestions.length) {
      $("sv-suggestions").replaceChildren(el("p", { class: "muted", text: T.no_suggestions }));
      return;
    }
    $("sv-suggestions").replaceChildren(...view.suggestions.map((g) => {
      const name = Loket.serviceName(g.service);
      const text = g.clear_minutes === null ? tr(T.suggest_none_open, { service: name, n: g.waiting })
        : tr(T.suggest, { service: name, n: g.waiting, m: Math.round(g.clear_minutes) });
      const more = [tr(T.suggest_more, { n: g.extra_counters_needed })];
      if (g.counters_to_open.length) more.push(tr(T.suggest_which, { list: g.counters_to_open.map((n) => `${T.counter} ${n}`).join(", ") }));
      return el("div", { class: "sv-suggestion", "data-testid": "suggestion" }, el("strong", { text: text }),
        el("div", { class: "muted", text: more.join(" ") }));
    }));
  }

  function renderOnline() {
    const list = view.online || [];
    if (!list.length) { $("sv-online").replaceChildren(el("p", { class: "muted", text: T.no_online })); return; }
    const alarms = list.filter((x) => x.alarm).length;
    $("sv-online").replaceChildren(
      ...(alarms ? [el("p", { class: "sv-online-alarm", role: "alert", "data-testid": "online-alarm", text: tr(T.online_alarm, { n: alarms }) })] : []),
      el("ul", { class: "sv-online-list" }, ...list.map((x) => el("li", {
        class: x.overdue ? "state-breached" : (x.alarm ? "state-amber" : ""), "data-request": x.number },
      x.overdue ? tr(T.online_late, { number: x.number, due: x.due, late: -x.left })
        : x.paused ? tr(T.online_paused, { number: x.number, left: x.left })
          : tr(T.online_due, { number: x.number, due: x.due, left: x.left })))));
  }

  function renderPrinters() {
    if (view.printers === null) {
      $("sv-printers").replaceChildren(el("p", { class: "muted", text: T.printers_na }));
      return;
    }
    const list = view.printers || [];
    if (!list.length) { $("sv-printers").replaceChildren(el("p", { class: "muted", text: T.no_printers })); return; }
    $("sv-printers").replaceChildren(el("table", {}, el("tbody", {}, ...list.map((p) => {
      const state = String(p.state || "unknown");
      const notes = [];
      if (p.paper) notes.push(`${T.paper}: ${p.paper}`);
      if (p.queue) notes.push(tr(T.printer_queue, { n: p.queue }));
      if (p.last_error) notes.push(p.last_error);
      // The notes ("13 to print", paper, the last error) go under the printer's name: a third column in this
      // narrow card wrapped them a word per line.
      return el("tr", { class: `sv-printer state-${state}`, "data-testid": "printer", "data-state": state },
        el("td", {}, el("div", { text: p.label || p.name || "?" }),
          notes.length ? el("div", { class: "muted small sv-printer-notes", text: notes.join(" · ") }) : null),
        el("td", { class: "sv-printer-state" },
          el("span", { class: `sv-chip printer-${state}`, text: (T.printer_states || {})[state] || state })));
    }))));
  }

  function renderClock() {
    const c = Loket.wallClock();  // as the wall display's clock
    $("sv-clock").textContent = c.time;
    $("sv-clock").title = c.date;
  }

  function render() {
    renderClock();
    if (!view) return;
    renderCounters(); renderServices(); renderToday(); renderSuggestions(); renderPrinters(); renderOnline();
  }

  function apply(snapshot) {
    const t = Date.parse(snapshot.server_time);
    if (t < lastServerTime) return;  // a reply that was overtaken by a newer one
    lastServerTime = t;
    Loket.syncClock(snapshot.server_time);
    view = snapshot;
    window.loketView = snapshot;
    render();
  }

  // auth joins the office's staff room on connect (display/events.py); the 'supervisor' request joins it too.
  // The view is asked for after every (re)connect and when the tab is shown again; every committed change in
  // the office is followed by a snapshot in the staff room: follow it.
  const live = Loket.live({
    auth: { office: root.dataset.office, screen: "staff" },
    refresh: () => refresh(),
    on: { snapshot: (s) => { if (s && s.server_time) Loket.syncClock(s.server_time); refresh(); } },
    onStatus: (on) => $("sv-status").classList.toggle("offline", !on),
  });

  async function refresh() {
    if (inFlight) { again = true; return; }
    inFlight = true;
    try {
      if (live.connected()) {
        const reply = await live.socket.timeout(8000).emitWithAck("supervisor", {}).catch(() => null);
        if (reply && reply.ok) apply(reply.snapshot);
      } else {
        const r = await Loket.api("/supervisor/live.json");
        if (r.ok) apply(r.data);
      }
    } finally {
      inFlight = false;
      if (again) { again = false; refresh(); }
    }
  }


  // A speaker drawn inline (with sound waves, or crossed out when muted): emoji need a colour-emoji font that a
  // plain Debian PC does not have, and show as empty boxes there.
  function speaker(isMuted) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    for (const [k, v] of Object.entries({ viewBox: "0 0 24 24", width: "1.1em", height: "1.1em", fill: "none",
      stroke: "currentColor", "stroke-width": "2", "stroke-linecap": "round", "stroke-linejoin": "round",
      "aria-hidden": "true", class: "sv-icon" })) svg.setAttribute(k, v);
    const parts = [["path", { d: "M4 9h4l5-4v14l-5-4H4z", fill: "currentColor" }]].concat(isMuted
      ? [["path", { d: "M17 9l5 6M22 9l-5 6" }]]
      : [["path", { d: "M16.5 8.5a5 5 0 0 1 0 7" }], ["path", { d: "M19 6a8.5 8.5 0 0 1 0 12" }]]);
    for (const [tag, attrs] of parts) {
      const node = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
      svg.append(node);
    }
    return svg;
  }

  function setMuted(m) {
    muted = m;
    localStorage.setItem("loket.supervisor.muted", m ? "1" : "0");
    const b = $("sv-sound");
    b.replaceChildren(speaker(m), " ", m ? T.unmute : T.mute);
    b.setAttribute("aria-pressed", m ? "true" : "false");
    b.dataset.muted = m ? "1" : "0";
  }
  try { audio = new (window.AudioContext || window.webkitAudioContext)(); } catch (e) { audio = null; }
  if (audio && audio.state === "suspended") {
    $("sv-enable-audio").classList.remove("hidden");
    $("sv-enable-audio").onclick = () => { audio.resume(); $("sv-enable-audio").classList.add("hidden"); };
  }
  $("sv-sound").onclick = () => setMuted(!muted);
  setMuted(muted);
  refresh();
  setInterval(render, 1000);          // the local tick: clocks, colours, alarms
  setInterval(refresh, resyncMs);     // and the server's view (and time) now and then
})();
