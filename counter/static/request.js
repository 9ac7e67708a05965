/* The paid-product request panel of the counter screen: open a request from the ticket being served, price
   products from the tariff, tick documents, issue the invoice and follow the request to delivery. Every step is
   a POST to /api/requests/...; the server decides and refuses with a reason, which is shown as it comes. */
(function () {
  "use strict";
  const { $, el, fill, money } = Loket;
  const panel = $("request-panel");
  if (!panel) return;
  const T = Loket.data("request-strings");
  const counterId = Number(panel.dataset.counter);
  let sheet = null;          // the tariff sheet
  let ticket = null;         // the ticket being served at this counter
  let current = null;        // the request shown
  let busy = false;
  let rareOpen = false, rareFor = null;   // whether the rare steps (new invoice, changes, cancel) are unfolded

  function message(text, ok) {
    $("rq-message").textContent = text || "";
    $("rq-message").className = ok ? "notice" : "error";
  }
  const capital = (s) => (s ? s.charAt(0).toUpperCase() + s.slice(1) : s);

  async function call(url, body, method) {
    if (busy) return null;
    busy = true; message("");
    try {
      const r = await Loket.api(url, { method: method || "POST", body: body });
      if (!r.ok) { message((r.data.message || T.network) + (r.data.fields ? " " + Object.values(r.data.fields).join(" ") : "")); return null; }
      if (r.data.request) show(r.data.request);
      return r.data;
    } finally { busy = false; }
  }

  // ---- the ticket being served -------------------------------------------------------------------

  async function followTicket() {
    const r = await Loket.api(`/api/counters/${counterId}/state`);
    if (!r.ok) return;
    const cur = r.data.current;
    const serving = cur && cur.status === "serving" ? cur : null;
    if ((serving && serving.id) === (ticket && ticket.id)) return;
    ticket = serving;
    $("rq-for-visitor").classList.toggle("hidden", !ticket);
    if (!ticket) return;
    if (!ticket.visitor) { $("rq-visitor-line").textContent = T.no_visitor; $("rq-new").disabled = true; return; }
    const rows = await refreshList();
    const live = rows.find((x) => x.this_ticket && x.state !== "closed" && x.state !== "cancelled");
    if (live) open(live.id);
  }

  /* The visitor's requests (their state and total as they are now); "New request" only when the server says one
     may be opened for this ticket. */
  async function refreshList() {
    if (!ticket || !ticket.visitor) return [];
    const list = await Loket.api(`/api/tickets/${ticket.id}/requests`);
    const rows = list.ok ? list.data.requests : [];
    const canOpen = list.ok && list.data.can_open !== false;
    $("rq-new").disabled = !canOpen;
    $("rq-new").title = canOpen ? "" : T.one_open;
    $("rq-visitor-line").textContent = rows.length ? fill(T.visitor_requests, { name: ticket.visitor.name }) : "";
    $("rq-visitor-requests").replaceChildren(...rows.map(row));
    return rows;
  }

  function row(x) {
    const inv = x.invoice ? ` · ${x.invoice.number}` : "";
    return el("li", {}, el("button", { class: "link", "data-request": x.number, text: `${x.number}`, onclick: () => open(x.id) }),
      ` ${x.visitor.name} · ${x.state_label} · ${money(x.total)}${inv}`);
  }

  // Follow the counter screen: whenever its current visitor changes, look again.
  // (Only the number, its state and whether it is shown: the clocks beside them change every second.)
  let pending = null;
  const watcher = new MutationObserver(() => { clearTimeout(pending); pending = setTimeout(followTicket, 200); });
  for (const id of ["current-code", "current-state"]) {
    const node = $(id);
    if (node) watcher.observe(node, { childList: true, characterData: true, subtree: true });
  }
  const box = $("current");
  if (box) watcher.observe(box, { attributes: true, attributeFilter: ["class"] });

  $("rq-new").onclick = async () => {
    if (!ticket) return;
    await call("/api/requests", { ticket_id: ticket.id });
  };

  $("rq-search-form").onsubmit = async (e) => {
    e.preventDefault();
    const q = $("rq-search").value.trim();
    const r = await Loket.api(`/api/requests?q=${encodeURIComponent(q)}`);
    if (!r.ok) { message(r.data.message || T.network); return; }
    $("rq-found").replaceChildren(...(r.data.requests.length ? r.data.requests.map(row) : [el("li", { class: "muted", text: T.none_found })]));
  };

  async function open(id) {
    const r = await Loket.api(`/api/requests/${id}`);
    if (!r.ok) { message(r.data.message || T.network); return; }
    show(r.data);
  }

  // ---- requests made outside the counter ------------------------------------------------------------

  function clockText(req) {
    const c = req.clock;
    if (!req.email_confirmed) return T.unconfirmed;
    if (!c) return T.not_started;
    if (c.served_days !== null && c.served_days !== undefined) return fill(T.served_in, { used: c.served_days });
    const due = Loket.date(c.due, { weekday: undefined });
    if (c.overdue) return fill(T.overdue, { day: due, late: -c.left });
    if (c.paused) return fill(T.paused, { why: T.why[c.paused_for] || c.paused_for, left: c.left });
    return fill(T.due, { day: due, left: c.left });
  }

  async function loadOnline() {
    const r = await Loket.api("/api/requests/online");
    if (!r.ok) return;
    const rows = r.data.requests;
    $("rq-online-count").textContent = String(rows.length);
    $("rq-online").replaceChildren(...rows.map((x) => el("li", { class: x.clock && x.clock.overdue ? "error" : "", "data-online": x.number },
      el("button", { class: "link", text: x.number, onclick: () => open(x.id) }),
      ` ${x.visitor.name} · ${x.channel_label} · ${x.state_label} · ${clockText(x)}`)));
  }

  $("rq-enter").onsubmit = async (e) => {
    e.preventDefault();
    const f = new FormData($("rq-enter"));
    const visitor = {};
    for (const k of ["name", "email", "phone", "gender", "education", "occupation", "institution_category",
      "institution_name", "purpose", "npwp"]) visitor[k] = (f.get(k) || "").trim();
    visitor.birth_year = Number(f.get("birth_year")) || 0;
    visitor.consent = f.get("consent") === "on";
    const out = await call("/api/requests/enter", { channel: f.get("channel"), reference: f.get("reference"), language: f.get("language"), visitor });
    if (out) { $("rq-enter").reset(); message(T.entered, true); loadOnline(); }
  };

  // ---- showing a request --------------------------------------------------------------------------

  function show(req) {
    const fresh = !current || current.id !== req.id || current.state !== req.state || current.total !== req.total;
    current = req;
    if (fresh && ticket) refreshList();  // the visitor's list shows this request's state and total as they are now
    $("rq-detail").classList.remove("hidden");
    $("rq-number").textContent = req.number;
    $("rq-state").textContent = req.state_label;
    $("rq-state").dataset.state = req.state;
    const v = req.visitor;
    $("rq-who").textContent = [v.name, v.institution, v.email, req.ticket, req.channel !== "counter" ? req.channel_label : ""].filter(Boolean).join(" · ");
    $("rq-clock").classList.toggle("hidden", req.channel === "counter");
    $("rq-clock").textContent = req.channel === "counter" ? "" : clockText(req);
    $("rq-clock").className = req.clock && req.clock.overdue ? "error" : "muted";
    $("rq-uploads-box").classList.toggle("hidden", !(req.uploads || []).length);
    $("rq-uploads").replaceChildren(...(req.uploads || []).map((u) => el("li", {},
      `${T.upload_kinds[u.kind] || u.kind}: `, el("a", { href: u.url, target: "_blank", rel: "noopener", text: u.filename }),
      ` · ${Loket.dateTime(u.uploaded_at)}`)));
    const editable = req.state === "open";
    $("rq-lines").replaceChildren(...req.lines.map((l) => el("tr", {},
      el("td", {}, el("strong", { text: l.name }), l.description ? ` — ${l.description}` : "",
        el("div", { class: "muted small", text: l.rule })),
      el("td", { class: "num", text: String(l.quantity) }),
      el("td", { class: "num", text: money(l.unit_price) }),
      el("td", { class: "num", text: money(l.amount) }),
      el("td", {}, editable ? el("button", { class: "small", text: T.remove,
        onclick: () => call(`/api/requests/${req.id}/lines/${l.id}/remove`) }) : null))));
    $("rq-total").textContent = money(req.total);
    $("rq-add").classList.toggle("hidden", !editable);
    $("rq-zero").classList.toggle("hidden", !(editable || req.zero_tariff));
    $("rq-zero-basis").textContent = req.zero_tariff ? req.zero_tariff_basis : T.zero_note;
    $("rq-zero-apply").classList.toggle("hidden", !editable || req.zero_tariff);
    $("rq-zero-clear").classList.toggle("hidden", !editable || !req.zero_tariff);
    $("rq-zero-use").disabled = $("rq-zero-letter").disabled = !editable || req.zero_tariff;
    renderChecklist(req);
    renderSteps(req);
    renderDocs(req);
    $("rq-links").replaceChildren(
      el("a", { href: req.links.rating, target: "_blank", rel: "noopener", "data-testid": "rq-rating-link", text: T.rating_link }),
      " · ", el("a", { href: req.links.status, target: "_blank", rel: "noopener", text: T.status_link }));
    $("rq-history").replaceChildren(...req.history.map((h) => el("li", {},
      `${Loket.dateTime(h.at)} — ${h.label}${h.by ? ` (${T.by} ${h.by})` : ""}`)));
  }

  function renderChecklist(req) {
    const can = req.state === "open" || req.state === "agreed";
    $("rq-checklist-box").classList.toggle("hidden", !req.checklist.length);
    $("rq-checklist").replaceChildren(...req.checklist.map((d) => {
      const box = el("input", { type: "checkbox", "data-doc": d.kind, checked: d.received, disabled: !can || d.kind === "sppd" });
      const note = el("input", { value: d.note || "", placeholder: T.note, maxlength: "300", disabled: !can || d.kind === "sppd" });
      const npwp = d.kind === "npwp" ? el("input", { placeholder: T.npwp, maxlength: "32", disabled: !can }) : null;
      const save = () => call(`/api/requests/${req.id}/documents/${d.kind}`,
        { received: box.checked, note: note.value, npwp: npwp ? npwp.value : "" });
      box.onchange = save;
      note.onchange = save;
      if (npwp) npwp.onchange = save;
      return el("li", { class: d.received ? "done" : "" },
        el("label", { class: "inline" }, box, ` ${d.label} `,
          el("span", { class: "muted", text: `(${d.when === "before_invoice" ? T.before_invoice : T.before_delivery})` })),
        note, npwp);
    }));
  }

  // Steps that need words from the officer, and where each step posts.
  const INPUTS = {
    issue_invoice: ["billing_code"], replace_invoice: ["billing_code", "reason"], deliver: ["download_ref"],
    revise: ["reason"], cancel: ["reason"], request_correction: ["text"], resolve_correction: ["result", "download_ref"],
    record_payment: ["ntpn", "paid_at"], set_shipping: ["fee", "shipping_note"],
  };
  const PATHS = {
    agree: "agree", check_documents: "check-documents", issue_invoice: "invoice", replace_invoice: "invoice/replace",
    hand_over_sample: "sample", sign_sppd: "sppd-signed", start_preparing: "prepare", mark_ready: "ready",
    deliver: "deliver", close: "close", revise: "revise", cancel: "cancel", request_correction: "correction",
    resolve_correction: "correction/resolve", record_payment: "payments", mark_clear: "clear", set_shipping: "shipping",
  };
  // Steps this screen does not offer (their own forms, the treasurer's screen, the visitor's link).
  const ELSEWHERE = new Set(["add_line", "remove_line", "set_zero_tariff", "clear_zero_tariff", "tick_document",
    "confirm_payment", "reject_payment", "issue_receipt", "rate"]);

  function stepForm(req, step) {
    const name = step.name;
    const fields = (INPUTS[name] || []).map((f) => el("input", {
      name: f, placeholder: T[f], "aria-label": T[f], "data-testid": `rq-${name}-${f}`, maxlength: "500",
      type: f === "paid_at" ? "datetime-local" : "text", value: f === "paid_at" ? Loket.inputNow() : "" }));
    // The usual next step is a primary button; rare ones are plain, and the destructive ones outlined in red.
    const cls = !step.rare ? "primary" : (name === "cancel" ? "small danger-outline" : "small");
    // A step the server says would be refused now is shown disabled, with the reason beside it.
    const ready = step.ready !== false;
    const form = el("form", { class: "actions row rq-step", "data-step": name },
      ...fields, el("button", { type: "submit", class: cls, "data-testid": `rq-step-${name}`, text: capital(step.label || name),
        disabled: !ready, title: step.why || null, "aria-describedby": ready ? null : `rq-why-${name}` }),
      ready ? null : el("span", { class: "muted small", id: `rq-why-${name}`, "data-testid": `rq-why-${name}`, text: step.why }));
    if (!ready) fields.forEach((f) => { f.disabled = true; });
    form.onsubmit = async (e) => {
      e.preventDefault();
      const body = {};
      // A datetime-local field is in this browser's time: send it as an absolute moment.
      fields.forEach((f) => { body[f.name] = f.type === "datetime-local" && f.value ? new Date(f.value).toISOString() : f.value; });
      // A request made outside the counter: the visitor's signed SPPD came by post (an upload records itself).
      if (name === "sign_sppd" && req.channel !== "counter") body.how = "post";
      if (name === "set_shipping") { body.fee = Number(body.fee || 0); body.note = body.shipping_note; delete body.shipping_note; }
      const out = await call(`/api/requests/${req.id}/${PATHS[name]}`, fields.length || name === "hand_over_sample" || name === "sign_sppd" ? body : undefined);
      if (out && out.print_job_id) message(T.printed, true);
    };
    return form;
  }

  function renderSteps(req) {
    // The server lists the steps in the order they normally come, rare ones (new invoice, reopen, cancel) last.
    const steps = (req.steps || []).filter((s) => !ELSEWHERE.has(s.name) && PATHS[s.name] && s.applies !== false);
    const usual = steps.filter((s) => !s.rare), rare = steps.filter((s) => s.rare);
    // The rare ones stay folded away until asked for (and stay open across the panel's refreshes).
    if (rareFor !== req.id) { rareOpen = false; rareFor = req.id; }
    const more = el("details", { class: "rq-steps-rare", "data-testid": "rq-steps-rare", open: rareOpen },
      el("summary", { class: "muted", text: T.if_needed }), ...rare.map((s) => stepForm(req, s)));
    more.addEventListener("toggle", () => { rareOpen = more.open; });
    $("rq-steps").replaceChildren(...usual.map((s) => stepForm(req, s)), ...(rare.length ? [more] : []));
  }

  function renderDocs(req) {
    const items = [];
    for (const i of req.invoices) {
      items.push(el("li", { "data-invoice": i.number },
        `${T.invoice} ${i.number} · ${money(i.total)} · ${T.billing} ${i.billing_code} · ${T.status[i.status] || i.status}` +
        (i.status === "issued" ? ` · ${T.valid_until} ${Loket.date(i.last_valid_day, { weekday: undefined })}` : "") + " ",
        el("a", { href: `/api/invoices/${i.id}/pdf`, target: "_blank", "data-testid": "rq-invoice-pdf", text: T.pdf }), " ",
        el("button", { class: "small", text: T.print, onclick: () => call(`/api/invoices/${i.id}/print`, {}).then((o) => o && message(T.printed, true)) })));
    }
    for (const p of req.payments) {
      items.push(el("li", {}, `${T.payment} NTPN ${p.ntpn} · ${money(p.amount)} · ${T.status[p.status] || p.status}` +
        (p.rejected_reason ? ` (${p.rejected_reason})` : "")));
    }
    for (const r of req.receipts) {
      items.push(el("li", {}, `${T.receipt} ${r.number} · ${money(r.total)} `,
        el("a", { href: `/api/receipts/${r.id}/pdf`, target: "_blank", text: T.pdf })));
    }
    // The papers to sign, prefilled: A4 PDFs to print here (issue 15).
    for (const [kind, needed] of [["sppd", req.needs_sppd], ["sample", req.needs_sample]]) {
      if (needed) items.push(el("li", {}, el("a", { href: `/api/requests/${req.id}/papers/${kind}/pdf`, target: "_blank",
        "data-testid": `rq-${kind}-pdf`, text: T[kind + "_pdf"] })));
    }
    if (req.terms_agreed_at) items.push(el("li", { class: "muted", text: T.agreed_at }));
    if (req.sample_handed_at) items.push(el("li", { class: "muted", text: T.sample_done }));
    if (req.sppd_signed_at) items.push(el("li", { class: "muted", text: T.sppd_done }));
    $("rq-docs").replaceChildren(el("ul", { class: "rq-list" }, ...items));
  }

  // ---- adding products ---------------------------------------------------------------------------

  function itemOf(code) { return sheet && sheet.items.find((i) => i.code === code); }

  function syncMeasure() {
    const it = itemOf($("rq-item").value);
    const measured = it && it.measure;
    $("rq-measure-label").classList.toggle("hidden", !measured);
    $("rq-measure-unit").textContent = measured ? `(${T[it.measure]} ${T.per} ${it.per_label || it.per})` : "";
    quote();
  }

  let quoteTimer = null;
  function quote() {
    clearTimeout(quoteTimer);
    quoteTimer = setTimeout(async () => {
      const it = itemOf($("rq-item").value);
      if (!it) return;
      const body = { item_code: it.code, quantity: Number($("rq-quantity").value || 1) };
      if (it.measure) {
        if (!$("rq-measure").value) { $("rq-quote").textContent = it.price_rule; return; }
        body.measure = Number($("rq-measure").value);
      }
      const r = await Loket.api("/api/tariffs/quote", { method: "POST", body: body });
      $("rq-quote").textContent = r.ok ? `${money(r.data.amount)} — ${r.data.rule}` : (r.data.message || "");
    }, 250);
  }

  $("rq-item").onchange = syncMeasure;
  $("rq-measure").oninput = quote;
  $("rq-quantity").oninput = quote;
  $("rq-add").onsubmit = async (e) => {
    e.preventDefault();
    if (!current) return;
    const it = itemOf($("rq-item").value);
    const body = { item_code: it.code, quantity: Number($("rq-quantity").value || 1), description: $("rq-description").value };
    if (it.measure) body.measure = Number($("rq-measure").value || 0);
    const out = await call(`/api/requests/${current.id}/lines`, body);
    if (out) { $("rq-measure").value = ""; $("rq-description").value = ""; $("rq-quantity").value = "1"; $("rq-quote").textContent = ""; }
  };

  $("rq-zero").onsubmit = (e) => {
    e.preventDefault();
    if (current) call(`/api/requests/${current.id}/zero-tariff`, { use: $("rq-zero-use").value, letter_ref: $("rq-zero-letter").value });
  };
  $("rq-zero-clear").onclick = () => current && call(`/api/requests/${current.id}/zero-tariff/clear`);
  $("rq-refresh").onclick = () => current && open(current.id);

  async function loadSheet() {
    const r = await Loket.api("/api/tariffs");
    if (!r.ok) return;
    sheet = r.data;
    $("rq-item").replaceChildren(...sheet.items.map((i) => el("option", { value: i.code, text: i.name })));
    $("rq-zero-use").replaceChildren(...sheet.zero_tariff.uses.map((u) => el("option", { value: u.code, text: u.name })));
    $("rq-sheet-body").replaceChildren(
      el("p", { class: "muted", text: `${sheet.regulation} (${Loket.date(sheet.effective_from, { weekday: undefined })}). ${sheet.partial_blocks}` }),
      el("table", {}, el("tbody", {}, ...sheet.items.map((i) => el("tr", {}, el("td", { text: i.name }), el("td", { text: i.price_rule }))))));
    syncMeasure();
  }

  // Live: the counter screen passes on every change to a request of the office (the treasurer confirms a payment
  // or issues the receipt, the visitor asks for a correction from the phone, an online request arrives). The
  // request shown is reloaded, the visitor's list and the online list too. Not while the officer is typing in the
  // panel (a reload redraws its forms): then as soon as they leave the field.
  let stale = false;
  const typing = () => panel.contains(document.activeElement) && !["BUTTON", "A", "SUMMARY"].includes(document.activeElement.tagName);
  function catchUp() {
    if (!stale || busy || typing()) return;
    stale = false;
    if (current) open(current.id);
  }
  document.addEventListener("loket:request-changed", (e) => {
    const d = e.detail || {};
    if (current && d.id === current.id) { stale = true; catchUp(); }
    if (ticket) refreshList();
    loadOnline();
  });
  panel.addEventListener("focusout", () => setTimeout(catchUp, 0));

  loadSheet();
  followTicket();
  loadOnline();
  setInterval(() => { if (document.visibilityState === "visible") loadOnline(); }, 60000);  // the online clocks' days
})();
