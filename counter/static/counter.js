/* The counter screen: opens the counter, shows its visitor and line, and stays live over Socket.IO.

   The 10-minute limit: the visitor at the head of each line served here shows the time left before they
   must be called (the clock the server sends with the waiting list: its amber and deadline moments), and the
   current visitor shows whether they were called in time. A visitor arriving at an empty line is signalled
   (banner and a tone when idle). */
(function () {
  "use strict";
  const { $, el, fill, fmtClock } = Loket;
  const T = Loket.data("strings");
  const app = $("counter-app");
  const counterId = Number(app.dataset.counter);
  const userId = Number(app.dataset.user);
  const office = app.dataset.office;
  const base = `/api/counters/${counterId}`;
  let state = null;
  let busy = false;
  let lastWaiting = null;
  let audio = null;
  const title = document.title;
  window.loketNewVisitor = 0;

  function message(text) { $("message").textContent = text || ""; }
  const secondsSince = (iso) => Math.max(0, Loket.secondsSince(iso));

  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();  // one context for the page
      const o = audio.createOscillator(), g = audio.createGain(), t0 = audio.currentTime;
      o.frequency.value = 880; o.connect(g); g.connect(audio.destination);
      g.gain.setValueAtTime(0.2, t0); g.gain.exponentialRampToValueAtTime(0.001, t0 + 0.6);
      o.start(t0); o.stop(t0 + 0.6);
    } catch (e) { /* no audio: the banner still shows */ }
  }

  function signalNewVisitor(idle) {
    window.loketNewVisitor += 1;
    $("new-visitor").textContent = T.new_visitor;
    $("new-visitor").classList.remove("hidden");
    document.title = `● ${title}`;
    if (idle) beep();  // a tone only when the officer is free; during a service the banner is enough
  }

  function clearNewVisitor() {
    $("new-visitor").classList.add("hidden");
    document.title = title;
  }

  /* The current visitor: was the call in time (fixed once called), and how long since the call or start. */
  function currentLimit(cur) {
    if (!cur.deadline_at || !cur.first_called_at) return { text: T.clock_not_started, cls: "" };
    const left = Math.round((Date.parse(cur.deadline_at) - Date.parse(cur.first_called_at)) / 1000);
    if (left >= 0) return { text: fill(T.on_time, { left: fmtClock(left) }), cls: "ok" };
    return { text: fill(T.called_late, { late: fmtClock(-left) }), cls: "breached" };
  }

  /* The heads of the lines served here (the server marks them), each with the state of its clock now. */
  function heads() {
    if (!state) return [];
    return state.waiting.filter((t) => t.head).map((t) => {
      const cls = Loket.limitState(t);
      if (cls === "not_started") return { code: t.code, text: fill(T.head_waits, { code: t.code }), cls: "", short: "—" };
      const left = Loket.secondsUntil(t.deadline_at);
      if (cls !== "breached") {
        return { code: t.code, cls, short: fmtClock(Math.max(0, left)),
          text: fill(T.head_left, { code: t.code, left: fmtClock(Math.max(0, left)) }) };
      }
      return { code: t.code, cls, short: `−${fmtClock(Math.max(0, -left))}`,
        text: fill(T.head_late, { code: t.code, late: fmtClock(Math.max(0, -left)) }) };
    });
  }

  function render() {
    if (!state) return;
    const c = state.counter, cur = state.current;
    $("counter-status").textContent = c.status === "paused" ? `${T.paused}: ${T.reasons[c.pause_reason] || c.pause_reason}` : (T[c.status] || c.status);
    $("current").classList.toggle("hidden", !cur);
    const mine = c.status !== "closed" && c.officer_id === userId;
    $("not-mine").classList.toggle("hidden", mine);
    $("not-mine-text").textContent = c.status === "closed" ? T.not_open : T.taken_over;
    $("reopen").textContent = c.status === "closed" ? T.open_here : T.take_over;
    $("current-empty").textContent = cur || !mine ? "" : (state.waiting.length ? "" : T.no_one);
    if (cur) {
      $("current-code").textContent = cur.code;
      $("current-state").textContent = cur.status === "serving" ? T.serving : T.called;
      $("current-priority").classList.toggle("hidden", !cur.priority);
      $("current-priority").textContent = T.priority;
      $("current-service").textContent = Loket.serviceName(cur.service);
      const v = cur.visitor;
      // A name typed today that differs from the record's is shown beside it: the officer checks who this is.
      const typed = v && v.typed_name ? ` (${T.typed_name}: ${v.typed_name})` : "";
      $("current-visitor").textContent = v ? `${v.name}${typed}${v.institution ? " · " + v.institution : ""}` : "";
      const lt = currentLimit(cur);
      $("current-limit").textContent = lt.text;
      $("current-limit").className = "limit " + lt.cls;
      $("current-elapsed").textContent = cur.status === "serving" && cur.started_at
        ? "· " + fill(T.in_service, { t: fmtClock(secondsSince(cur.started_at)) })
        : (cur.called_at ? "· " + fill(T.called_ago, { t: fmtClock(secondsSince(cur.called_at)) }) : "");
    }
    const called = cur && cur.status === "called", serving = cur && cur.status === "serving";
    $("call-next").disabled = busy || c.status !== "open" || called;
    $("recall").disabled = busy || !called;
    $("start").disabled = busy || !called;
    $("finish").disabled = busy || !cur;
    $("transfer").disabled = busy || !cur;
    $("no-show").disabled = busy || !called || cur.recall_count < state.recalls_before_no_show;
    $("pause").disabled = busy || c.status !== "open" || !!cur;
    $("resume").disabled = busy || c.status !== "paused";
    if (!mine) ["call-next", "recall", "start", "finish", "transfer", "no-show", "pause", "resume", "close"].forEach((id) => { $(id).disabled = true; });
    const hs = heads();
    const headOf = new Map(hs.map((h) => [h.code, h]));
    $("head-clock").replaceChildren(...hs.map((h) => el("div", { class: `limit ${h.cls}`, text: h.text })));
    const tbody = $("waiting");
    tbody.replaceChildren(...state.waiting.map((t) => el("tr", { "data-ticket": t.code, class: headOf.has(t.code) ? "head" : "" },
      el("td", {}, el("strong", { text: t.code }), t.priority ? el("span", { class: "badge priority", text: T.priority }) : null,
        t.transferred ? el("span", { class: "badge", text: T.transferred }) : null,
        t.back_by ? el("span", { class: "badge amber", "data-testid": `back-${t.code}`,
          text: `${T.back_by || "⏱"} ${t.back_by}` }) : null),  // "back in N minutes", said on their phone
      el("td", { class: "name", text: t.name }),
      el("td", { class: "num", text: fmtClock(secondsSince(t.queued_at)) }),
      el("td", { class: `num limit ${headOf.has(t.code) ? headOf.get(t.code).cls : ""}`, "data-testid": `left-${t.code}`,
        "data-state": headOf.has(t.code) ? Loket.limitState(t) : null, text: headOf.has(t.code) ? headOf.get(t.code).short : "" }))));
    $("waiting-count").textContent = state.waiting.length;
    // Under its heading the list says so when it is empty, rather than leaving a heading over nothing.
    $("no-shows").replaceChildren(...(state.no_shows.length ? state.no_shows.map((t) => el("tr", {},
      el("td", {}, el("strong", { text: t.code })),
      el("td", { class: "num" }, el("button", { text: T.restore, title: T.restore_hint, class: "small",
        onclick: () => act(`${base}/tickets/${t.id}/restore`) }))))
      : [el("tr", { class: "empty" }, el("td", { class: "muted", "data-testid": "no-shows-none", text: T.none_set_aside }))]));
    if (!state.waiting.length) clearNewVisitor();
  }

  async function load() {
    const r = await Loket.api(`${base}/state`);
    if (!r.ok) { message(r.data.message || T.network); return; }
    const waitingNow = r.data.waiting.length;
    if (lastWaiting === 0 && waitingNow > 0) signalNewVisitor(!r.data.current);
    lastWaiting = waitingNow;
    Loket.syncClock(r.data.server_time);
    state = r.data;
    render();
  }

  async function act(url, body) {
    if (busy) return;  // one action at a time from this screen
    busy = true; render(); message("");
    if (url.endsWith("call-next")) clearNewVisitor();
    try {
      const r = await Loket.api(url, { method: "POST", body });
      if (!r.ok) message(r.data.message || T.network);
    } finally {
      busy = false;
      await load();
    }
  }

  const cur = () => state && state.current;
  $("call-next").onclick = () => act(`${base}/call-next`);
  $("recall").onclick = () => cur() && act(`${base}/tickets/${cur().id}/recall`);
  $("start").onclick = () => cur() && act(`${base}/tickets/${cur().id}/start`);
  $("finish").onclick = () => cur() && act(`${base}/tickets/${cur().id}/finish`);
  $("no-show").onclick = () => cur() && confirm(T.confirm_no_show) && act(`${base}/tickets/${cur().id}/no-show`);
  $("transfer").onclick = () => cur() && act(`${base}/tickets/${cur().id}/transfer`, { service_id: Number($("transfer-to").value) });
  $("pause").onclick = () => act(`${base}/pause`, { reason: $("pause-reason").value, note: $("pause-note").value });
  $("resume").onclick = () => act(`${base}/resume`);
  $("reopen").onclick = () => act(`${base}/open`);
  $("close").onclick = async () => { await act(`${base}/close`); if (state && state.counter.status === "closed") location.href = "/counter/"; };

  (async function init() {
    // Looking is not opening: the counter opens to the public only when the officer presses "Open this counter".
    await load();
    let pending = null;
    // Every change in the office is followed by a snapshot in the staff room: reload this counter's state then,
    // after every (re)connect (the line may have changed meanwhile) and when the tab is shown again. A change to
    // a request (a payment confirmed, a receipt, a correction asked from the phone) is passed on to the request
    // panel (request.js) as a DOM event.
    Loket.live({
      auth: { office: office, screen: "staff" },
      refresh: load,
      on: {
        snapshot: (s) => {
          Loket.syncClock(s.server_time);
          clearTimeout(pending);
          pending = setTimeout(load, 150);  // several events in a burst -> one reload
        },
        request_changed: (d) => document.dispatchEvent(new CustomEvent("loket:request-changed", { detail: d })),
      },
      onStatus: (on) => { $("live").textContent = on ? T.live : T.offline; $("live").className = `badge ${on ? "ok" : "breached"}`; },
    });
    setInterval(render, 1000);
  })();
})();
