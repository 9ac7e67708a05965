/* The wall display: renders snapshots, flashes and announces calls one at a time, survives reconnects. */
(function () {
  "use strict";
  const root = document.getElementById("display");
  const office = root.dataset.office;
  const lang = root.dataset.lang;
  const $ = (id) => document.getElementById(id);
  let snap = null;
  let lastSnapshotTime = 0;
  const announced = new Set();
  const queue = [];
  let speaking = false;
  let muted = localStorage.getItem("loket.display.muted") === "1";
  let audio = null;

  function renderClock() {
    const tz = snap ? snap.office.timezone : undefined;
    $("clock").textContent = new Date(Loket.now()).toLocaleTimeString("id-ID", { hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: tz });
  }

  function serviceName(s) { return lang === "en" ? (s.name_en || s.name) : s.name; }

  function render() {
    if (!snap) return;
    $("counters").replaceChildren(...snap.counters.map((c) => {
      const box = Loket.el("div", { class: "counter-box" + (c.paused ? " paused" : ""), "data-counter": c.number },
        Loket.el("div", { class: "label", text: c.name || `${T.counter} ${c.number}` }),
        Loket.el("div", { class: "code", "data-testid": `counter-${c.number}-code`, text: c.ticket ? c.ticket.code : (c.paused ? T.paused : (c.status === "closed" ? T.closed : "—")) }));
      return box;
    }));
    $("last-calls").replaceChildren(...snap.last_calls.map((c) => Loket.el("tr", {},
      Loket.el("td", {}, Loket.el("strong", { text: c.code })), Loket.el("td", { text: `${T.counter} ${c.counter}` }))));
    $("services").replaceChildren(...snap.services.map((s) => {
      let left = "";
      if (s.head && s.head.deadline_at) {
        const secs = Math.round((Date.parse(s.head.deadline_at) - Loket.now()) / 1000);
        left = `${s.head.code} ${Loket.fmtClock(secs)}`;
      } else if (s.head) left = `${T.next}: ${s.head.code}`;
      return Loket.el("tr", { "data-service": s.code },
        Loket.el("td", { text: serviceName(s) }), Loket.el("td", {}, Loket.el("strong", { text: String(s.waiting) })),
        Loket.el("td", { class: "limit", text: left }));
    }));
    const c = snap.complaints || {};
    $("ticker").textContent = `${T.complaints}: ${[c.box, c.lapor, c.web, c.email && "E-mail " + c.email, c.whatsapp && "WhatsApp " + c.whatsapp].filter(Boolean).join("  •  ")}`;
  }

  function applySnapshot(s) {
    const t = Date.parse(s.server_time);
    if (t < lastSnapshotTime) return;  // an older snapshot that arrived late
    lastSnapshotTime = t;
    Loket.syncClock(s.server_time);
    snap = s;
    // Calls already on screen when we (re)connect are not announced again.
    for (const c of s.last_calls) announced.add(`${c.code}@${c.at}`);
    render();
  }

  function chime() {
    if (muted || !audio) return Promise.resolve();
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

  function speak(text) {
    return new Promise((resolve) => {
      if (muted || !("speechSynthesis" in window)) return resolve();
      const u = new SpeechSynthesisUtterance(text);
      u.lang = "id-ID"; u.rate = 0.9;
      const voice = speechSynthesis.getVoices().find((v) => v.lang && v.lang.toLowerCase().startsWith("id"));
      if (voice) u.voice = voice;
      const done = () => { clearTimeout(guard); resolve(); };
      const guard = setTimeout(done, 12000);  // a voice that never ends must not block the queue
      u.onend = done; u.onerror = done;
      speechSynthesis.speak(u);
    });
  }

  function spokenCode(code) {
    // "B-007" -> "B, 7": read as a letter and a number, not "B minus zero zero seven".
    const [prefix, num] = code.split("-");
    return `${prefix.split("").join(" ")}, ${Number(num)}`;
  }

  function flash(counter) {
    const box = document.querySelector(`.counter-box[data-counter="${counter}"]`);
    if (!box) return;
    box.classList.remove("flash"); void box.offsetWidth; box.classList.add("flash");
  }

  async function drain() {
    if (speaking) return;
    speaking = true;
    while (queue.length) {
      const call = queue.shift();
      flash(call.counter);
      await chime();
      await speak(`Nomor antrean ${spokenCode(call.code)}, silakan menuju loket ${call.counter}`);
    }
    speaking = false;
  }

  function onCall(call) {
    const key = `${call.code}@${call.at}`;
    if (announced.has(key)) return;
    announced.add(key);
    window.loketCalls = (window.loketCalls || []).concat([call]);
    queue.push(call);
    drain();
  }

  function setMuted(m) {
    muted = m;
    localStorage.setItem("loket.display.muted", m ? "1" : "0");
    $("mute").textContent = m ? `🔇 ${T.unmute}` : `🔊 ${T.mute}`;
    if (m && "speechSynthesis" in window) speechSynthesis.cancel();
  }

  function initAudio() {
    try { audio = new (window.AudioContext || window.webkitAudioContext)(); } catch (e) { audio = null; }
    if (audio && audio.state === "suspended") {
      $("enable-audio").classList.remove("hidden");
      $("enable-audio").onclick = () => { audio.resume(); $("enable-audio").classList.add("hidden"); };
    }
  }

  $("mute").onclick = () => setMuted(!muted);
  setMuted(muted);
  initAudio();
  const socket = io({ transports: ["websocket", "polling"], auth: { office: office, screen: "display" },
    reconnectionDelayMax: 5000 });
  socket.on("connect", () => $("status").classList.remove("offline"));
  socket.on("disconnect", () => $("status").classList.add("offline"));
  socket.on("snapshot", applySnapshot);
  socket.on("call", onCall);
  // A tab that was hidden or a laptop that slept asks for a fresh snapshot.
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && socket.connected) socket.emit("snapshot", { office }, (s) => s && s.server_time && applySnapshot(s));
  });
  setInterval(() => { renderClock(); render(); }, 1000);
  renderClock();
})();
