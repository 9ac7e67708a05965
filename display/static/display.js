/* The wall display: renders snapshots, flashes and announces calls one at a time, survives reconnects.

   Calls arrive as 'call' events (announce) and every change ends with a full 'snapshot' (truth). A screen
   that (re)connects gets a snapshot at once, so it is never left showing an old state.
   window.loketCalls lists the calls this screen received; window.loketSpoken lists each announcement as it
   was handed to the speech engine (or skipped because the screen is muted), in order. */
(function () {
  "use strict";
  const { $, el } = Loket;
  const T = Loket.data("strings");
  const root = $("display");
  const office = root.dataset.office;
  const BANNER_MS = 4000;        // a call stays on the banner at least this long
  const SPEECH_GUARD_MS = 12000; // a voice that never reports its end must not block the queue
  let snap = null;
  let lastSnapshotTime = 0;
  let lastSnapshotSeen = 0;
  const announced = new Set();
  const queue = [];
  let speaking = false;
  let muted = localStorage.getItem("loket.display.muted") === "1";
  let audio = null;
  const boxes = new Map();
  window.loketCalls = [];
  window.loketSpoken = [];

  function renderClock() {
    const c = Loket.wallClock();
    $("clock").textContent = c.time;
    $("date").textContent = c.date;
  }

  function counterBox(c) {
    let b = boxes.get(c.number);
    if (!b) {
      const label = el("div", { class: "label" });
      const state = el("div", { class: "state" });
      const code = el("div", { class: "code", "data-testid": `counter-${c.number}-code` });
      const box = el("div", { class: "counter-box", "data-counter": c.number }, el("div", { class: "who" }, label, state), code);
      b = { box, label, state, code };
      boxes.set(c.number, b);
    }
    return b;
  }

  function renderCounters() {
    const seen = new Set();
    const list = $("counters");
    snap.counters.forEach((c, i) => {
      const b = counterBox(c);
      seen.add(c.number);
      const t = c.ticket;
      b.label.textContent = c.name || `${T.counter} ${c.number}`;
      b.state.textContent = t ? (t.status === "serving" ? T.serving : T.called) : (c.paused ? T.paused : (c.status === "closed" ? T.closed : T.open));
      b.code.textContent = t ? t.code : (c.paused || c.status === "closed" ? "" : "—");  // the state line says why
      b.box.classList.toggle("is-paused", !t && c.paused);
      b.box.classList.toggle("is-closed", !t && c.status === "closed");
      b.box.classList.toggle("active", !!t);
      if (list.children[i] !== b.box) list.insertBefore(b.box, list.children[i] || null);
    });
    for (const [n, b] of boxes) if (!seen.has(n)) { b.box.remove(); boxes.delete(n); }
  }

  /* The head's clock: its state from the moments the server sent (amber_at, deadline_at), on the server's time. */
  function limitCell(s) {
    const testid = `time-left-${s.code}`;
    if (!s.head) return el("td", { class: "num limit", "data-testid": testid });
    const state = Loket.limitState(s.head);
    if (state === "not_started") {
      // Its clock starts only when the visitor ahead in this line has finished.
      return el("td", { class: "num limit muted", title: T.clock_waits, "data-testid": testid, text: "—" });
    }
    const secs = Loket.secondsUntil(s.head.deadline_at);
    return el("td", { class: `num limit ${state}`, "data-testid": testid, "data-state": state,
      text: state === "breached" ? `${T.late} ${Loket.fmtClock(Math.max(0, -secs))}` : Loket.fmtClock(Math.max(0, secs)) });
  }

  function render() {
    if (!snap) return;
    renderCounters();
    $("last-calls").replaceChildren(...snap.last_calls.map((c) => el("tr", { class: c.recall ? "recall" : "" },
      el("td", {}, el("strong", { text: c.code })),
      el("td", { text: counterName(c.counter) }),
      el("td", { class: "num muted", text: Loket.time(c.at) }))));
    $("last-calls-empty").classList.toggle("hidden", snap.last_calls.length > 0);
    $("services").replaceChildren(...snap.services.map((s) => el("tr", { "data-service": s.code },
      el("td", { text: Loket.serviceName(s) }),
      el("td", { class: "num" }, el("strong", { text: String(s.waiting) })),
      el("td", { class: "next", text: s.next.slice(0, 2).join("  ") }),
      limitCell(s))));
    const c = snap.complaints || {};
    const ticker = `${T.complaints}: ${[(Loket.lang === "en" && c.box_en) || c.box, c.lapor, c.web, c.email && "E-mail " + c.email, c.whatsapp && "WhatsApp " + c.whatsapp].filter(Boolean).join("   •   ")}`;
    if ($("ticker").textContent !== ticker) $("ticker").textContent = ticker;  // keep the scroll going
  }

  function counterName(number) {
    const c = snap && snap.counters.find((x) => x.number === number);
    return c && c.name ? c.name : `${T.counter} ${number}`;
  }

  function applySnapshot(s) {
    if (!s || !s.server_time) return;
    const t = Date.parse(s.server_time);
    if (t < lastSnapshotTime) return;  // an older snapshot that arrived late
    lastSnapshotTime = t;
    lastSnapshotSeen = Date.now();
    Loket.syncClock(s.server_time);
    snap = s;
    // Calls already on screen when we (re)connect are shown, not announced again.
    for (const c of s.last_calls) announced.add(`${c.code}@${c.at}`);
    render();
  }

  /* ---- announcements: one at a time, in arrival order ---- */

  function sentence(call) {
    return `Nomor antrean ${call.code}, silakan menuju loket ${call.counter}`;
  }

  function spokenCode(code) {
    // "B-007" -> "B, 7": a letter and a number, not "B minus zero zero seven".
    const [prefix, num] = code.split("-");
    return num === undefined ? code : `${prefix.split("").join(" ")}, ${Number(num)}`;
  }

  function speechText(call) {
    return `Nomor antrean, ${spokenCode(call.code)}, silakan menuju loket ${call.counter}`;
  }

  function chime() {
    if (muted || !audio || audio.state !== "running") return Promise.resolve();
    return new Promise((resolve) => {
      const t0 = audio.currentTime;
      [659.25, 523.25].forEach((f, i) => {
        const o = audio.createOscillator(), g = audio.createGain();
        o.type = "sine"; o.frequency.value = f; o.connect(g); g.connect(audio.destination);
        g.gain.setValueAtTime(0.0001, t0 + i * 0.45);
        g.gain.exponentialRampToValueAtTime(0.3, t0 + i * 0.45 + 0.03);
        g.gain.exponentialRampToValueAtTime(0.0001, t0 + i * 0.45 + 0.4);
        o.start(t0 + i * 0.45); o.stop(t0 + i * 0.45 + 0.45);
      });
      setTimeout(resolve, 1000);
    });
  }

  function indonesianVoice() {
    const voices = speechSynthesis.getVoices();
    return voices.find((v) => v.lang && v.lang.toLowerCase().replace("_", "-") === "id-id") ||
      voices.find((v) => v.lang && v.lang.toLowerCase().startsWith("id"));
  }

  function speak(text) {
    return new Promise((resolve) => {
      if (muted || !("speechSynthesis" in window)) return resolve(false);
      const u = new SpeechSynthesisUtterance(text);
      u.lang = "id-ID"; u.rate = 0.9;
      const voice = indonesianVoice();
      if (voice) u.voice = voice;
      let finished = false;
      const done = (ok) => { if (finished) return; finished = true; clearTimeout(guard); resolve(ok); };
      // A voice that never ends is silenced before the next call, so two calls never talk over each other.
      const guard = setTimeout(() => { speechSynthesis.cancel(); done(false); }, SPEECH_GUARD_MS);
      u.onend = () => done(true);
      u.onerror = (e) => {
        // The browser refuses to speak before someone has touched the page once: ask for that touch.
        if (e && e.error === "not-allowed") $("enable-audio").classList.remove("hidden");
        done(false);
      };
      speechSynthesis.resume();  // Chrome can leave the engine paused after a long idle
      speechSynthesis.speak(u);
    });
  }

  function flash(counter) {
    const b = boxes.get(counter);
    if (!b) return;
    b.box.classList.remove("flash"); void b.box.offsetWidth; b.box.classList.add("flash");
  }

  function showBanner(call) {
    $("call-code").textContent = call.code;
    $("call-to").textContent = Loket.fill(T.go_to, { counter: call.counter_name || `${T.counter} ${call.counter}` });
    $("call-banner").classList.remove("hidden");
  }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  async function drain() {
    if (speaking) return;
    speaking = true;
    try {
      while (queue.length) {
        const call = queue.shift();
        const started = Date.now();
        showBanner(call);
        flash(call.counter);
        const entry = { code: call.code, counter: call.counter, recall: !!call.recall, text: sentence(call),
          speech: speechText(call), muted };
        window.loketSpoken.push(entry);
        await chime();
        entry.spoken = await speak(entry.speech);
        const rest = BANNER_MS - (Date.now() - started);
        if (rest > 0) await sleep(rest);
      }
    } finally {
      speaking = false;
      $("call-banner").classList.add("hidden");
    }
  }

  function onCall(call) {
    const key = `${call.code}@${call.at}`;
    if (announced.has(key)) return;
    announced.add(key);
    window.loketCalls.push(call);
    if (snap) {
      // Show the code at its counter now; the snapshot that follows confirms it.
      const c = snap.counters.find((x) => x.number === call.counter);
      if (c) c.ticket = Object.assign({}, c.ticket || {}, { code: call.code, status: "called" });
      render();
    }
    queue.push(call);
    drain();
  }

  /* ---- sound controls ---- */

  function setMuted(m) {
    muted = m;
    localStorage.setItem("loket.display.muted", m ? "1" : "0");
    const b = $("mute");
    b.textContent = m ? T.unmute : T.mute;
    b.title = m ? T.unmute_hint : T.mute_hint;
    b.classList.toggle("off", m);
    b.setAttribute("aria-pressed", m ? "true" : "false");
    if (m && "speechSynthesis" in window) speechSynthesis.cancel();
  }

  function initAudio() {
    try { audio = new (window.AudioContext || window.webkitAudioContext)(); } catch (e) { audio = null; }
    // Browsers keep sound off until someone touches the page once (a kiosk browser can be started with
    // --autoplay-policy=no-user-gesture-required instead).
    // Until then the sound is not on, whatever the mute button would say: it hides while "Tap to enable sound" shows.
    const blocked = (on) => {
      $("enable-audio").classList.toggle("hidden", !on);
      $("mute").classList.toggle("hidden", on);
    };
    if (audio && audio.state === "suspended") {
      blocked(true);
      audio.onstatechange = () => { if (audio.state === "running") blocked(false); };
    }
    $("enable-audio").onclick = () => { if (audio) audio.resume(); blocked(false); };
  }

  $("mute").onclick = () => { if (audio && audio.state === "suspended") audio.resume(); setMuted(!muted); };
  setMuted(muted);
  initAudio();

  /* ---- live connection ---- */

  function online(on) {
    // The server sends a fresh snapshot with every (re)connect; take it even if the server's clock went back.
    if (on) lastSnapshotTime = 0;
    $("status").classList.toggle("offline", !on);
    $("status").title = on ? "" : T.offline;
    root.classList.toggle("stale", !on);
  }
  const live = Loket.live({
    auth: { office: office, screen: "display" },
    sentOnConnect: true,
    on: { snapshot: applySnapshot, call: onCall },
    onStatus: online,
    refresh: () => { if (live.connected()) live.socket.emit("snapshot", { office }, (s) => applySnapshot(s)); },
  });
  // A quiet connection asks for a fresh snapshot too (a hidden tab or a sleeping screen: Loket.live).
  setInterval(() => { if (Date.now() - lastSnapshotSeen > 60000) live.refresh(); }, 15000);
  setInterval(() => { renderClock(); render(); }, 1000);
  renderClock();
})();
