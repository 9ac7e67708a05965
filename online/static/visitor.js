/* The visitor's page of a request without a ticket (/o/<token>): confirm the address, see the steps and papers,
   upload the abstract / signed SPPD / proof of transfer, ask for a correction, rate the service. */
(function () {
  "use strict";
  const root = Loket.$("visitor");
  if (!root) return;
  const { $ } = Loket;
  const el = Loket.el;
  const T = Loket.data("online-strings");
  const token = root.dataset.token;
  const maxMb = Number(root.dataset.maxMb);
  const when = (iso) => Loket.dateTime(iso);

  function say(text, ok) { $("message").textContent = text || ""; $("message").className = ok ? "ok" : "error"; }

  function show(v) {
    $("state").textContent = `${v.state_label} · ${Loket.money(v.total)}`;
    $("confirm-box").classList.toggle("hidden", v.email_confirmed);
    const c = v.clock;
    $("clock").textContent = c ? (c.due ? `${c.due} (${c.left})` : "") : "";
    // The papers name the buyer: they open with the last 4 digits of the visitor's phone (rules/visitor_papers.py).
    const link = (href, testid) => (v.papers_open ? [" ", el("a", { href, "data-testid": testid, text: T.download })] : []);
    $("papers").replaceChildren(
      ...v.invoices.map((i) => el("li", {}, `${i.number} · ${i.status}`, ...link(i.pdf, "visitor-invoice"))),
      ...v.receipts.map((r) => el("li", {}, `${r.number}`, ...link(r.pdf, "visitor-receipt"))),
      ...((v.invoices.length || v.receipts.length) && !v.papers_open ? [el("li", {}, papersForm(v))] : []));
    $("download").replaceChildren(...(v.download_ref ? [el("a", { href: v.download_ref, rel: "noopener", "data-testid": "visitor-download", text: v.download_ref })] : []));
    $("upload-box").classList.toggle("hidden", !v.can_upload.length && !v.uploads.length);
    $("upload-form").classList.toggle("hidden", !v.can_upload.length);
    $("upload-kind").replaceChildren(...v.can_upload.map((k) => el("option", { value: k, text: v.upload_labels[k] })));
    $("uploads").replaceChildren(...v.uploads.map((u) => el("li", {}, `${v.upload_labels[u.kind]}: `,
      v.papers_open ? el("a", { href: u.url, text: u.filename }) : u.filename, ` · ${when(u.uploaded_at)}`)));
    $("correction-box").classList.toggle("hidden", !v.can_ask_correction);
    $("rating-box").classList.toggle("hidden", !v.can_rate);
    $("rating-link").href = v.links.rating;
    $("steps").replaceChildren(...v.history.map((h) => el("li", {}, `${when(h.at)} — ${h.label}`)));
  }

  function papersForm(v) {
    const digits = el("input", { inputmode: "numeric", maxlength: 4, autocomplete: "off", "data-testid": "papers-digits",
      "aria-label": T.papers_digits, placeholder: T.papers_digits });
    const go = el("button", { type: "button", "data-testid": "papers-open", text: T.papers_open, onclick: async () => {
      const res = await Loket.api(v.papers_unlock, { method: "POST", body: { digits: digits.value } });
      if (res.ok) load(); else say(res.data.message, false);
    } });
    return el("div", { "data-testid": "papers-form" }, el("p", { class: "small", text: T.papers_ask }), digits, go);
  }

  async function load() {
    const r = await Loket.api(`/api/visitor/online/${token}`);
    if (r.ok) show(r.data); else say(r.data.message || T.network);
  }

  $("confirm").onclick = async () => {
    const r = await Loket.api(`/api/visitor/requests/${token}/confirm`, { method: "POST" });
    if (!r.ok) { say(r.data.message || T.network); return; }
    show(r.data); say(T.confirmed, true);
  };

  $("upload-form").onsubmit = async (e) => {
    e.preventDefault();
    const file = $("upload-file").files[0];
    if (!file) return;
    if (file.size > maxMb * 1000000) { say(T.file_too_large.replace("%(limit)s", String(maxMb))); return; }
    const data = new FormData();
    data.append("file", file);
    let resp;
    try {
      resp = await fetch(`/api/visitor/requests/${token}/uploads/${$("upload-kind").value}`,
        { method: "POST", body: data, headers: { "X-CSRFToken": Loket.csrf() }, credentials: "same-origin" });
    } catch (err) { say(T.network); return; }
    const body = await resp.json().catch(() => ({}));
    if (!resp.ok) { say(body.message || T.network); return; }
    $("upload-file").value = "";
    show(body); say(T.uploaded, true);
  };

  $("correction-form").onsubmit = async (e) => {
    e.preventDefault();
    const r = await Loket.api(`/api/visitor/requests/${token}/correction`, { method: "POST", body: { text: $("correction-text").value } });
    if (!r.ok) { say(r.data.message || T.network); return; }
    $("correction-text").value = ""; say(T.correction_sent, true); load();
  };

  load();
  setInterval(() => { if (document.visibilityState === "visible") load(); }, 30000);
})();
