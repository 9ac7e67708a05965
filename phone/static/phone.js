/* The visitor's phone: the ticket's state, live over Socket.IO, polled when that fails, re-fetched on wake.

   The live part is the official Socket.IO client joining the '/status' namespace with the ticket's token.
   When it cannot connect at all, a small JSON endpoint is polled; whenever the page becomes visible again
   (the phone woke up) the state is fetched. */
(function () {
  "use strict";
  const { $, el, fill: fmt } = Loket;
  const T = Loket.data("strings");
  const root = $("status");
  const token = root.dataset.token;
  const base = "/s/" + encodeURIComponent(token);
  const POLL_MS = Math.max(1, Number(root.dataset.poll) || 15) * 1000;
  const SAFETY_MS = 120000;  // even with a live socket, check now and then (a missed event heals itself)
  const title = document.title;
  let state = Loket.data("initial-state");
  let live = false;
  let pollTimer = null;
  let lastAnnounced = null;
  try { lastAnnounced = sessionStorage.getItem("loket.announced." + token); } catch (e) { /* private mode */ }

  // ---- rendering ------------------------------------------------------------------------------------
  function render() {
    const s = state;
    const called = s.status === "called";
    const waiting = s.status === "waiting";
    const counter = s.counter ? s.counter.number : "";
    $("call-banner").classList.toggle("hidden", !called);
    $("call-counter").textContent = called ? fmt(T.go_to, { counter }) : "";
    $("call-title").textContent = T.called + (called && s.recall ? " (" + T.recall + ")" : "");
    let line = T[s.status] || s.status;
    if (s.status === "serving" && s.counter) line += " " + fmt(T.at_counter, { counter });
    $("state-line").textContent = line;
    root.dataset.state = s.status;
    $("facts").classList.toggle("hidden", !waiting);
    $("promise").classList.toggle("hidden", !waiting);  // the 10-minute promise is about the wait
    $("ahead").textContent = waiting ? String(s.ahead) : "";
    $("wait").textContent = !waiting ? "" : (s.ahead > 0 ? "± " + s.estimated_wait_minutes + " " + T.minutes : T.ahead_0);
    $("deadline").textContent = waiting && s.deadline_at ? fmt(T.deadline, { time: Loket.time(s.deadline_at) }) : "";
    $("step-out").classList.toggle("hidden", !s.can_step_out);
    const away = Boolean(s.back_until);
    $("back-note").classList.toggle("hidden", !away);
    $("back-note").textContent = away ? fmt(T.back_until, { time: Loket.time(s.back_until) }) : "";
    $("back-now").classList.toggle("hidden", !away);
    $("cancel-box").classList.toggle("hidden", !s.can_cancel);
    if (!s.can_cancel) $("cancel-confirm").classList.add("hidden");
    document.title = called ? "\u{1F514} " + s.code + " \u2192 " + counter : title;
    renderRequest(s.request);
    renderVisitRating(s.rating);
  }

  // A visit without a paid request (a consultation, the library) is rated too: the survey link once it is done.
  function renderVisitRating(url) {
    const box = $("visit-rating-box");
    box.classList.toggle("hidden", !url);
    box.replaceChildren(...(url ? [el("a", { class: "button-link", href: url, "data-testid": "visit-rating" }, T.rating)] : []));
  }

  // The paid-product request opened at the counter: its steps, its documents, a correction, the rating.
  // Documents are saved on the phone (download), to show at the bank or keep after the link expires.
  let correctionOpen = false;
  function renderRequest(r) {
    const box = $("request-box");
    box.classList.toggle("hidden", !r);
    if (!r) { box.replaceChildren(); return; }
    // Do not wipe a correction being typed when an update arrives.
    if (correctionOpen && box.contains(document.activeElement) && document.activeElement.tagName === "TEXTAREA") return;
    const steps = r.steps.map((st) => el("li", {},
      el("span", { text: st.label + (st.invoice ? " · " + st.invoice : "") + (st.receipt ? " · " + st.receipt : "") }),
      " ", el("span", { class: "muted small", text: Loket.dateTime(st.at) })));
    const docs = [
      ...r.invoices.map((i) => el("a", { class: "button-link", href: i.pdf, download: "", "data-testid": "request-invoice-pdf" },
        fmt(T.invoice_pdf, { number: i.number }) + " · " + ((T.invoice_status || {})[i.status] || i.status))),
      ...r.receipts.map((x) => el("a", { class: "button-link", href: x.pdf, download: "", "data-testid": "request-receipt-pdf" },
        fmt(T.receipt_pdf, { number: x.number }))),
      ...(r.agreements || []).map((a) => el("a", { class: "button-link", href: a.pdf, download: "", "data-testid": "request-" + a.kind + "-pdf" },
        a.label)),
    ];
    const parts = [
      el("h2", { text: T.request + " " + r.number }),
      el("p", { "data-testid": "request-state" }, el("strong", { text: r.state_label }),
        r.total || r.zero_tariff ? " · " + T.total + ": " + Loket.money(r.total) : ""),
      el("ol", { class: "steps", "data-testid": "request-steps" }, ...steps),
    ];
    if (docs.length && r.papers_open) parts.push(el("div", { class: "docs" }, ...docs));
    else if (docs.length) parts.push(papersForm(r));
    if (r.pay) parts.push(el("div", { class: "pay", "data-testid": "request-pay" },
      el("h3", { text: T.pay }),
      el("p", {}, T.pay_code + ": ", el("strong", { class: "billing-code", "data-testid": "pay-code", text: r.pay.billing_code })),
      el("p", {}, T.pay_amount + ": ", el("strong", { "data-testid": "pay-amount", text: Loket.money(r.pay.amount) })),
      el("p", { class: "small", text: fmt(T.pay_until, { date: r.pay.until }) })));
    if (r.download_ref) parts.push(el("p", { class: "small", "data-testid": "request-download" }, T.download_ref + ": ",
      r.download_link
        ? el("a", { href: r.download_ref, rel: "noopener noreferrer", target: "_blank", "data-testid": "download-link", text: r.download_ref })
        : el("strong", { text: r.download_ref })));
    if (r.correction) {
      const text = el("textarea", { id: "correction-text", rows: 3, maxlength: 1000, "data-testid": "correction-text",
        "aria-label": T.correction_hint, placeholder: T.correction_hint });
      const send = el("button", { type: "button", class: "primary", "data-testid": "correction-send", text: T.send,
        onclick: async () => {
          send.disabled = true;
          const res = await Loket.api(r.correction, { method: "POST", body: { text: text.value } });
          send.disabled = false;
          if (!res.ok) { $("message").textContent = res.data.message || T.network; return; }
          correctionOpen = false;
          $("message").textContent = "";
          $("notice").textContent = T.correction_sent;
          refresh();
        } });
      const form = el("div", { class: correctionOpen ? "confirm" : "confirm hidden" }, text, send);
      parts.push(el("button", { type: "button", class: "link", "data-testid": "correction-open", text: T.correction,
        onclick: () => { correctionOpen = true; form.classList.remove("hidden"); text.focus(); } }), form);
    }
    if (r.rating) parts.push(el("a", { class: "button-link", href: r.rating, "data-testid": "request-rating" }, T.rating));
    box.replaceChildren(...parts);
  }

  /* The PDFs name the buyer: a thrown-away slip must not open them. The server opens them in this browser for
     a while once the last 4 digits of the phone number given at the kiosk are typed (counted, then locked). */
  function papersForm(r) {
    const digits = el("input", { id: "papers-digits", inputmode: "numeric", maxlength: 4, autocomplete: "off",
      "data-testid": "papers-digits", "aria-label": T.papers_digits, placeholder: T.papers_digits });
    const go = el("button", { type: "button", class: "primary", "data-testid": "papers-open", text: T.papers_open,
      onclick: async () => {
        go.disabled = true;
        const res = await Loket.api(r.papers_unlock, { method: "POST", body: { digits: digits.value } });
        go.disabled = false;
        if (!res.ok) { $("message").textContent = res.data.message || T.network; return; }
        $("message").textContent = "";
        refresh();
      } });
    return el("div", { class: "docs", "data-testid": "papers-form" },
      el("p", { class: "small", text: T.papers_ask }), digits, go);
  }

  function setConn() {
    root.dataset.live = live ? "1" : "0";
    $("conn").textContent = live ? T.live : (navigator.onLine === false ? T.offline : T.polling);
  }

  function apply(next) {
    if (!next || !next.code) return;
    // An answer that left the server before the one on screen is older news: ignore it.
    if (state.server_time && next.server_time && Date.parse(next.server_time) < Date.parse(state.server_time)) return;
    if (next.request === undefined) next.request = state.request;  // pushes do not carry the request part
    if (next.rating === undefined) {  // nor the survey link: asked for once the visit ends
      next.rating = state.rating;
      if (next.status === "done" && state.status !== "done") setTimeout(refresh, 0);
    }
    state = next;
    render();
    announce();
  }

  // ---- the call: vibrate and sound once per call (a recall is a new call), banner as long as it lasts --
  let audio = null;
  function unlockAudio() {
    const AC = window.AudioContext || window.webkitAudioContext;
    if (!audio && AC) { try { audio = new AC(); } catch (e) { audio = null; } }
    if (audio && audio.state === "suspended") audio.resume().catch(() => {});
  }

  function chime() {
    unlockAudio();
    if (!audio) return;
    const t0 = audio.currentTime + 0.05, gap = 0.35;  // three notes, the last one higher
    [0, gap, 2 * gap].forEach((d, i) => {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = i === 2 ? 1175 : 880;
      gain.gain.setValueAtTime(0.0001, t0 + d);
      gain.gain.exponentialRampToValueAtTime(0.5, t0 + d + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + d + 0.3);
      osc.connect(gain).connect(audio.destination);
      osc.start(t0 + d);
      osc.stop(t0 + d + 0.32);
    });
  }

  function announce() {
    if (state.status !== "called" || !state.called_at) return;
    const key = state.code + "@" + state.called_at;
    if (lastAnnounced === key) return;
    lastAnnounced = key;
    try { sessionStorage.setItem("loket.announced." + token, key); } catch (e) { /* private mode */ }
    try { if (navigator.vibrate) navigator.vibrate([400, 150, 400, 150, 800]); } catch (e) { /* not allowed */ }
    chime();
  }

  // ---- fetching -------------------------------------------------------------------------------------
  function gone() {
    // The link expired (or the ticket vanished): the page itself now answers "not found".
    stopAll();
    location.reload();
  }

  async function refresh() {
    const r = await Loket.api(base + "/state");
    if (r.status === 404) return gone();
    if (r.ok) apply(r.data);
    setConn();
  }

  function schedulePoll() {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(async () => { await refresh(); schedulePoll(); }, live ? SAFETY_MS : POLL_MS);
  }

  // ---- live updates: the official Socket.IO client, through Loket.live ------------------------------------
  // static/vendor/socket.io.min.js (socket.io-client 4.8.4), the file the display and counter screens load:
  // about 47 KB (15 KB compressed) that a phone downloads on its first visit and then takes from its cache
  // (nginx lets browsers keep static files; Flask answers a re-check with 304). It brings what a phone on a
  // shaky network needs: heartbeats, reconnecting with back-off, and HTTP long-polling when a network lets
  // no websocket through. The page only listens to the '/status' namespace's events; the server sends the
  // state on connect. Waking up (the phone slept, the tab was in the background, the network came back)
  // fetches the state and reconnects at once.
  function onCall(data) {
    if (!data || data.code !== state.code) return;
    // Show the call at once; the full state follows right behind it.
    state = Object.assign({}, state, { status: "called", called_at: data.at, recall: data.recall ? 1 : 0,
      counter: { number: data.counter, name: data.counter_name }, can_cancel: false, can_step_out: false,
      ahead: null, estimated_wait_minutes: null, back_until: null });
    render();
    announce();
  }

  const conn = Loket.live({
    namespace: "/status",
    auth: { token },
    sentOnConnect: true,
    reconnectionDelay: 2000,
    reconnectionDelayMax: 32000,  // 2, 4, ... 32 s: a phone left open on a table does not drain its battery
    refresh,
    on: {
      state: apply,
      call: onCall,
      changed: refresh,  // the request moved on: fetch what the visitor may see
      gone,
    },
    onStatus: (on) => { live = on; setConn(); schedulePoll(); },
    // Refused by the server (an expired or unknown link): no retry; /state tells whether the page is gone.
    onRefused: refresh,
  });

  function stopAll() { clearTimeout(pollTimer); conn.close(); }

  window.addEventListener("focus", conn.wake);  // a phone's browser brought back to the front
  window.addEventListener("offline", setConn);

  // ---- the visitor's actions ------------------------------------------------------------------------
  async function post(path, body, button) {
    $("message").textContent = "";
    if (button) button.disabled = true;
    try {
      const r = await Loket.api(base + "/" + path, { method: "POST", body: body || {} });
      if (r.status === 404) return gone();
      if (!r.ok) { $("message").textContent = r.data.message || T.network; return; }
      apply(r.data);
    } finally {
      if (button) button.disabled = false;
    }
  }

  document.querySelectorAll("#back-choices button, #back-now").forEach((b) => {
    b.addEventListener("click", () => post("back", { minutes: Number(b.dataset.minutes) }, b));
  });
  $("cancel").addEventListener("click", () => $("cancel-confirm").classList.remove("hidden"));
  $("cancel-no").addEventListener("click", () => $("cancel-confirm").classList.add("hidden"));
  $("cancel-yes").addEventListener("click", (e) => post("cancel", {}, e.currentTarget));
  // Phones only let a page make sound after a touch: any touch (or the button) unlocks it.
  document.addEventListener("pointerdown", unlockAudio, { passive: true });
  $("sound").addEventListener("click", () => { unlockAudio(); chime(); });

  render();
  announce();
  setConn();
  schedulePoll();
})();
