/* The kiosk: welcome -> guest book -> ticket, then back to welcome. Talks only to the public API. */
(function () {
  "use strict";
  const { $, el } = Loket;
  const T = Loket.data("strings");
  const root = $("kiosk");
  const office = root.dataset.office;
  const form = $("guestbook");
  const sections = ["welcome", "form-section", "ticket-section"];
  let resetTimer = null;

  function show(id) {
    sections.forEach((s) => $(s).classList.toggle("hidden", s !== id));
    window.scrollTo(0, 0);  // each step starts at the top of the screen
    clearTimeout(resetTimer);
    if (id !== "welcome") resetTimer = setTimeout(reset, id === "ticket-section" ? 30000 : 180000);
  }

  function clearErrors() {
    form.querySelectorAll(".field-error").forEach((n) => n.remove());
    form.querySelectorAll(".invalid").forEach((n) => n.classList.remove("invalid"));
    $("form-error").textContent = "";
  }

  function reset() {
    form.reset();
    clearErrors();
    $("lookup-result").textContent = "";
    lastPurpose(false);
    show("welcome");
  }

  function toggleConditional() {
    const cat = $("institution_category");
    const seg = cat.selectedOptions[0] ? cat.selectedOptions[0].dataset.segment : "";
    $("npwp-row").classList.toggle("hidden", seg !== "private" && !$("npwp").value);
    $("purpose-note-row").classList.toggle("hidden", $("purpose").value !== "other");
  }

  /* The services as the office has them now (the admin may add, rename, reorder or retire one while the kiosk is
     open): the buttons are drawn again, keeping the visitor's choice when that service is still offered. */
  function drawServices(services) {
    const box = form.querySelector(".service-buttons");
    if (!box || !services) return;
    const chosen = fieldValue("service_id");
    box.replaceChildren(...services.map((s) => el("label", { "data-testid": `service-${s.code}` },
      el("input", { type: "radio", name: "service_id", value: String(s.id), checked: String(s.id) === chosen }),
      Loket.serviceName(s))));
  }

  async function checkOpen() {
    const r = await Loket.api(`/api/offices/${office}/services`);
    if (r.ok) drawServices(r.data.services);
    const closed = $("closed");
    if (r.ok && !r.data.open) {
      closed.textContent = r.data.closed_message;
      closed.classList.remove("hidden");
      $("start").disabled = true;
    } else {
      closed.classList.add("hidden");
      $("start").disabled = false;
    }
  }

  function fieldValue(name) {
    const checked = form.querySelector(`input[name="${name}"]:checked`);
    if (checked) return checked.value;
    const input = form.elements[name];
    return input && input.value !== undefined ? input.value : "";
  }

  function payload() {
    const names = ["name", "email", "phone", "gender", "birth_year", "education", "occupation", "institution_category",
      "institution_name", "purpose", "purpose_note", "service_id", "npwp", "priority_reason"];
    const out = {};
    names.forEach((n) => { out[n] = fieldValue(n).trim ? fieldValue(n).trim() : fieldValue(n); });
    // An empty answer is left out, so the server says "required" rather than "enter a number".
    if (out.birth_year === "") delete out.birth_year; else out.birth_year = Number(out.birth_year);
    if (out.service_id === "") delete out.service_id; else out.service_id = Number(out.service_id);
    out.consent = $("consent").checked;
    out.consent_version = $("consent_version").value;
    return out;
  }

  function showFieldErrors(fields) {
    const marked = [];
    for (const [name, message] of Object.entries(fields || {})) {
      const group = form.querySelector(`[data-field="${name}"]`);
      const input = group || form.elements[name] || (name === "consent" ? $("consent").closest("label") : null);
      const anchor = group ? (group.querySelector("input") || group)
        : (input && input.length !== undefined && !input.tagName ? input[0] : input);
      if (!anchor) continue;
      (group || anchor).classList.add("invalid");
      // The message goes in the field's row, outside a group of choices: the service buttons are drawn again
      // whenever the office's set-up changes, and a message inside them would go with them.
      const row = (group ? group.parentElement : anchor).closest("div") || anchor.parentNode;
      row.classList.remove("hidden");
      row.append(el("span", { class: "field-error", "data-error-for": name, text: message }));
      marked.push(anchor);
    }
    // Focus goes to the first wrong field as the visitor reads the form (DOM order), whatever the server's order.
    marked.sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    const first = marked[0];
    if (first && first.focus) { first.focus(); if (first.scrollIntoView) first.scrollIntoView({ block: "center" }); }
  }

  /* A returning visitor: the server says only whether a record has both this e-mail and this phone. Nothing
     about them comes back; the questions they leave empty keep their earlier answers on the server. */
  async function lookup() {
    const email = $("email").value.trim();
    const phone = $("phone").value.trim();
    if (!email || !phone) { $("lookup-result").textContent = T.both; return; }
    const r = await Loket.api(`/api/offices/${office}/visitors/lookup`, { method: "POST", body: { email, phone } });
    if (!r.ok) { $("lookup-result").textContent = r.data.message || T.network; return; }
    $("lookup-result").textContent = r.data.found ? T.found : T.not_found;
    // Found: the purpose is filled "as on my last visit" (the server takes it from that visit; nothing comes
    // back here), so the first press of "Take my number" succeeds. The visitor may still choose another.
    lastPurpose(r.data.found);
  }

  function lastPurpose(on) {
    const option = $("purpose-last");
    option.hidden = option.disabled = !on;
    if (on && !$("purpose").value) $("purpose").value = "last";
    if (!on && $("purpose").value === "last") $("purpose").value = "";
    toggleConditional();
  }

  async function submit(ev) {
    ev.preventDefault();
    clearErrors();
    const button = $("submit");
    button.disabled = true;  // one ticket per press
    try {
      const r = await Loket.api(`/api/offices/${office}/tickets`, { method: "POST", body: payload() });
      if (!r.ok) {
        $("form-error").textContent = r.data.message || T.network;
        showFieldErrors(r.data.fields);
        return;
      }
      showTicket(r.data);
    } finally {
      button.disabled = false;
    }
  }

  /* Follow the ticket's print job: "printing failed — retrying" and a reprint button while the printer fails. */
  let printTimer = null;
  function watchPrint(t) {
    clearTimeout(printTimer);
    const note = $("ticket-print");
    const old = $("ticket-reprint");
    if (old) old.remove();
    note.classList.remove("error");
    if (!t.print_job_id) return;
    let polls = 0;
    async function poll() {
      clearTimeout(printTimer);
      if ($("ticket-section").classList.contains("hidden")) return;
      const r = await Loket.api(`/api/print-jobs/${t.print_job_id}`);
      if (r.ok) {
        note.textContent = r.data.message;
        note.classList.toggle("error", r.data.retrying || r.data.status === "needs_decision" || r.data.status === "unconfirmed");
        let btn = $("ticket-reprint");
        if (r.data.can_retry && !btn) {
          btn = el("button", { id: "ticket-reprint", type: "button", "data-testid": "ticket-reprint",
            text: r.data.action_label, onclick: async () => {
              btn.disabled = true;
              const rr = await Loket.api(`/api/print-jobs/${t.print_job_id}/retry`, { method: "POST", body: { token: t.status_token } });
              btn.disabled = false;
              if (!rr.ok) note.textContent = rr.data.message; else poll();
            } });
          note.after(btn);
        } else if (!r.data.can_retry && btn) btn.remove();
        if (r.data.status === "printed" || r.data.status === "cancelled") return;
      }
      if (++polls < 90) printTimer = setTimeout(poll, 2000);
    }
    poll();
  }

  function showTicket(t) {
    $("ticket-code").textContent = t.code;
    $("ticket-service").textContent = Loket.serviceName(t.service);
    $("ticket-ahead").textContent = `${T.ahead}: ${t.ahead}`;
    $("ticket-wait").textContent = t.ahead > 0 ? `${T.wait}: ± ${t.estimated_wait_minutes} ${T.minutes}` : T.now;
    $("ticket-limit").textContent = T.limit;
    $("ticket-print").textContent = T.print_note;
    const qr = $("ticket-qr");
    qr.innerHTML = "";
    // The visitor's own status link as a QR code, drawn by the server (status blueprint): scan to follow the queue.
    if (t.status_token) {
      qr.append(el("img", { src: `/s/${encodeURIComponent(t.status_token)}/qr.svg`, alt: t.status_url || "",
        width: 180, height: 180, "data-testid": "ticket-qr-img" }));
    }
    show("ticket-section");
    watchPrint(t);
  }

  $("start").addEventListener("click", () => { show("form-section"); $("name").focus(); });
  $("cancel").addEventListener("click", reset);
  $("done").addEventListener("click", reset);
  $("lookup").addEventListener("click", lookup);
  $("institution_category").addEventListener("change", toggleConditional);
  $("purpose").addEventListener("change", toggleConditional);
  form.addEventListener("submit", submit);
  checkOpen();
  setInterval(checkOpen, 60000);
  // Told of every change of the office's set-up (services, hours, a closure today): asks again at once.
  if (window.io) {
    Loket.live({
      auth: { office: office, screen: "display" },
      on: { office_setup_changed: checkOpen },
      refresh: checkOpen,
    });
  }
})();
