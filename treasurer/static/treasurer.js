/* The treasurer's screen: confirm payments (by NTPN), issue receipts, record a payment a visitor shows.
   Only the treasurer may do these; the server refuses anyone else and says why. */
(function () {
  "use strict";
  const { $, el, fill, money } = Loket;
  const T = Loket.data("strings");
  let busy = false;
  let shown = null;

  function message(text, ok) {
    $("tr-message").textContent = text || "";
    $("tr-message").className = ok ? "notice" : "error";
  }

  async function post(url, body) {
    if (busy) return null;
    busy = true; message("");
    try {
      const r = await Loket.api(url, { method: "POST", body: body || {} });
      if (!r.ok) { message(r.data.message || T.network); return null; }
      return r.data;
    } finally { busy = false; }
  }

  const reqCell = (x) => el("td", {}, el("button", { class: "link", text: x.number, onclick: () => openRequest(x.id) }),
    el("div", { class: "muted", text: x.visitor.name }));
  const empty = (cols) => el("tr", {}, el("td", { colspan: String(cols), class: "muted", text: T.none }));

  async function after(out, text) {
    if (!out) return;
    message(text, true);
    await load();
    if (shown) await openRequest(shown);
  }

  async function load() {
    const r = await Loket.api("/api/treasurer/queue");
    if (!r.ok) { message(r.data.message || T.network); return; }
    const q = r.data;
    Loket.syncClock(q.server_time);   // the 'paid at' default is the office's time, not this computer's
    // Each payment and each open invoice takes two rows: its facts, then what the treasurer does with it (on the
    // table's full width, so the fields keep their hints readable).
    $("tr-pending").replaceChildren(...(q.pending_payments.length ? q.pending_payments.flatMap((x) => {
      const reason = el("input", { class: "tr-reason", placeholder: T.reason, maxlength: "300", "aria-label": T.reason,
        "data-testid": "tr-reason" });
      const form = el("form", { class: "actions row tr-act" },
        // A transfer from abroad: the treasurer opens the visitor's proof and verifies it against the account.
        x.payment.method === "transfer" ? el("a", { href: `/api/requests/${x.id}/uploads/${x.payment.upload_id}`, target: "_blank",
          rel: "noopener", "data-testid": "tr-proof", text: T.proof }) : "",
        el("button", { type: "button", class: "primary small", "data-testid": "tr-confirm",
          text: x.payment.method === "transfer" ? T.verify : T.confirm,
          onclick: async () => after(await post(`/api/payments/${x.payment.id}/confirm`), T.confirmed) }),
        reason, el("button", { type: "submit", class: "small", "data-testid": "tr-reject", text: T.reject }));
      form.onsubmit = async (e) => {
        e.preventDefault();
        after(await post(`/api/payments/${x.payment.id}/reject`, { reason: reason.value }), "");
      };
      return [
        el("tr", { "data-invoice": x.invoice.number, class: "tr-main" }, reqCell(x), el("td", { text: x.invoice.number }),
          el("td", { class: "nowrap", text: x.payment.method === "transfer" ? T.transfer : x.payment.ntpn }), el("td", { class: "num", text: money(x.payment.amount) })),
        el("tr", { class: "tr-sub", "data-for": x.invoice.number }, el("td", { colspan: "4" }, form)),
      ];
    }) : [empty(4)]));
    $("tr-unreceipted").replaceChildren(...(q.unreceipted.length ? q.unreceipted.map((x) => el("tr", { "data-invoice": x.invoice.number },
      reqCell(x), el("td", { text: x.invoice.number }), el("td", { class: "num", text: money(x.invoice.total) }),
      el("td", {}, el("button", { class: "primary small", "data-testid": "tr-receipt", text: T.receipt, onclick: async () => {
        const out = await post(`/api/requests/${x.id}/receipt`, {});
        await after(out, out ? fill(T.issued_receipt, { number: out.receipt.number }) : "");
        if (out) openRequest(x.id);
      } })))) : [empty(4)]));
    $("tr-open").replaceChildren(...(q.open_invoices.length ? q.open_invoices.flatMap((x) => {
      const ntpn = el("input", { placeholder: T.ntpn, maxlength: "24", "data-testid": "tr-ntpn", "aria-label": T.ntpn });
      const paid = el("input", { type: "datetime-local", value: Loket.inputNow(), "data-testid": "tr-paid-at",
        title: T.paid_at, "aria-label": T.paid_at });
      const form = el("form", { class: "actions row tr-act" }, ntpn, paid,
        el("button", { type: "submit", class: "primary small", "data-testid": "tr-record", text: T.record }));
      form.onsubmit = async (e) => {
        e.preventDefault();
        await after(await post(`/api/requests/${x.id}/payments`, { ntpn: ntpn.value, paid_at: paid.value ? new Date(paid.value).toISOString() : "", confirm: true }), T.confirmed);
      };
      return [
        el("tr", { "data-invoice": x.invoice.number, class: "tr-main" }, reqCell(x),
          el("td", {}, x.invoice.number, el("div", { class: "muted", text: `${x.invoice.billing_code}` })),
          el("td", { class: "num", text: money(x.invoice.total) })),
        el("tr", { class: "tr-sub", "data-for": x.invoice.number }, el("td", { colspan: "3" }, form)),
      ];
    }) : [empty(3)]));
  }

  async function openRequest(id) {
    const r = await Loket.api(`/api/requests/${id}`);
    if (!r.ok) { message(r.data.message || T.network); return; }
    const req = r.data;
    shown = id;
    $("tr-detail").classList.remove("hidden");
    $("tr-number").textContent = req.number;
    $("tr-state").textContent = req.state_label;
    $("tr-state").dataset.state = req.state;
    $("tr-who").textContent = [req.visitor.name, req.visitor.institution, req.visitor.email].filter(Boolean).join(" · ");
    const items = [];
    for (const i of req.invoices) {
      items.push(el("li", {}, `${T.invoice} ${i.number} · ${money(i.total)} · ${i.billing_code} · ${T.status[i.status] || i.status} `,
        el("a", { href: `/api/invoices/${i.id}/pdf`, target: "_blank", text: T.pdf })));
    }
    for (const p of req.payments) {
      items.push(el("li", {}, `${T.payment} NTPN ${p.ntpn} · ${money(p.amount)} · ${T.status[p.status] || p.status}`));
    }
    for (const rc of req.receipts) {
      items.push(el("li", { "data-receipt": rc.number }, `${T.receipt_doc} ${rc.number} · ${money(rc.total)} `,
        el("a", { href: `/api/receipts/${rc.id}/pdf`, target: "_blank", "data-testid": "tr-receipt-pdf", text: T.pdf }), " ",
        el("button", { class: "small", text: T.print, onclick: async () => after(await post(`/api/receipts/${rc.id}/print`, {}), T.printed) })));
    }
    $("tr-docs").replaceChildren(...items);
  }

  $("tr-search-form").onsubmit = async (e) => {
    e.preventDefault();
    const r = await Loket.api(`/api/requests?q=${encodeURIComponent($("tr-search").value.trim())}`);
    if (!r.ok) { message(r.data.message || T.network); return; }
    $("tr-found").replaceChildren(...(r.data.requests.length ? r.data.requests.map((x) => el("li", {},
      el("button", { class: "link", text: x.number, onclick: () => openRequest(x.id) }),
      ` ${x.visitor.name} · ${x.state_label} · ${money(x.total)}${x.invoice ? " · " + x.invoice.number : ""}`))
      : [el("li", { class: "muted", text: T.none_found })]));
  };

  load();
  setInterval(() => { if (!busy && document.visibilityState === "visible" && !document.activeElement.matches("input")) load(); }, 15000);
})();
