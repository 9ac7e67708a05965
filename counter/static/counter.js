/* The counter screen: opens the counter, shows its visitor and line, and stays live over Socket.IO. */
(function () {
  "use strict";
  const app = document.getElementById("counter-app");
  const counterId = Number(app.dataset.counter);
  const office = app.dataset.office;
  const $ = (id) => document.getElementById(id);
  const base = `/api/counters/${counterId}`;
  let state = null;
  let busy = false;
  let lastWaiting = null;

  function message(text) { $("message").textContent = text || ""; }

  function beep() {
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      const o = ctx.createOscillator(), g = ctx.createGain();
      o.frequency.value = 880; o.connect(g); g.connect(ctx.destination);
      g.gain.setValueAtTime(0.2, ctx.currentTime); g.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.6);
      o.start(); o.stop(ctx.currentTime + 0.6);
    } catch (e) { /* no audio: the banner still shows */ }
  }

  function limitText(deadlineIso, calledIso) {
    if (!deadlineIso) return { text: T.clock_not_started, cls: "" };
    const deadline = Date.parse(deadlineIso);
    const ref = calledIso ? Date.parse(calledIso) : Loket.now();
    const left = Math.round((deadline - ref) / 1000);
    if (left >= 0) return { text: `${T.time_left} ${Loket.fmtClock(left)}`, cls: left < 180 ? "amber" : "ok" };
    return { text: `${T.late} ${Loket.fmtClock(-left)}`, cls: "breached" };
  }

  function render() {
    if (!state) return;
    const c = state.counter, cur = state.current;
    $("counter-status").textContent = c.status === "paused" ? `${T.paused}: ${T.reasons[c.pause_reason] || c.pause_reason}` : (T[c.status] || c.status);
    $("current").classList.toggle("hidden", !cur);
    $("current-empty").textContent = cur ? "" : (state.waiting.length ? "" : T.no_one);
    if (cur) {
      $("current-code").textContent = cur.code;
      $("current-state").textContent = cur.status === "serving" ? T.serving : T.called;
      $("current-priority").classList.toggle("hidden", !cur.priority);
      $("current-priority").textContent = T.priority;
      $("current-service").textContent = cur.service.name;
      const v = cur.visitor;
      $("current-visitor").textContent = v ? `${v.name}${v.institution ? " · " + v.institution : ""}` : "";
      const lt = limitText(cur.deadline_at, cur.first_called_at);
      $("current-limit").textContent = lt.text;
      $("current-limit").className = "limit " + lt.cls;
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
    const tbody = $("waiting");
    tbody.replaceChildren(...state.waiting.map((t) => Loket.el("tr", { "data-ticket": t.code },
      Loket.el("td", {}, Loket.el("strong", { text: t.code }), t.priority ? Loket.el("span", { class: "badge priority", text: " " + T.priority }) : null,
        t.transferred ? Loket.el("span", { class: "badge", text: " " + T.transferred }) : null,
        t.back_by ? Loket.el("span", { class: "badge amber", "data-testid": `back-${t.code}`,
          text: `${T.back_by || "⏱"} ${t.back_by}` }) : null),  // "back in N minutes", said on their phone
      Loket.el("td", { text: t.name }),
      Loket.el("td", { class: "limit", text: Loket.fmtClock(Math.round((Loket.now() - Date.parse(t.queued_at)) / 1000)) }))));
    $("waiting-count").textContent = state.waiting.length;
    $("no-shows").replaceChildren(...state.no_shows.map((t) => Loket.el("tr", {},
      Loket.el("td", { text: t.code }),
      Loket.el("td", {}, Loket.el("button", { text: "↩", title: "restore", onclick: () => act(`${base}/tickets/${t.id}/restore`) })))));
  }

  async function load() {
    const r = await Loket.api(`${base}/state`);
    if (!r.ok) { message(r.data.message || T.network); return; }
    const waitingNow = r.data.waiting.length;
    if (lastWaiting === 0 && waitingNow > 0 && !r.data.current) { beep(); message(T.new_visitor); }
    lastWaiting = waitingNow;
    state = r.data;
    render();
  }

  async function act(url, body) {
    if (busy) return;  // one action at a time from this screen
    busy = true; render(); message("");
    try {
      const r = await Loket.api(url, { method: "POST", body });
      if (!r.ok) message(r.data.message || T.network);
      else if (url.endsWith("call-next") && !r.data.ticket) message(T.no_one);
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
  $("close").onclick = async () => { await act(`${base}/close`); if (state && state.counter.status === "closed") location.href = "/counter/"; };

  (async function init() {
    const r = await Loket.api(`${base}/open`, { method: "POST" });
    if (!r.ok) { message(r.data.message || T.network); }
    else { state = r.data; lastWaiting = state.waiting.length; render(); }
    let pending = null;
    const socket = io({ transports: ["websocket", "polling"], auth: { office: office, screen: "staff" } });
    socket.on("connect", () => { $("live").textContent = T.live; load(); });
    socket.on("disconnect", () => { $("live").textContent = T.offline; });
    socket.on("snapshot", (snap) => {
      Loket.syncClock(snap.server_time);
      clearTimeout(pending);
      pending = setTimeout(load, 150);  // several events in a burst -> one reload
    });
    setInterval(render, 1000);
  })();
})();
