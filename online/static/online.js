/* The public online request page: the tariff sheet, products with their fields, the guest book, the terms;
   sent as one JSON request. The server decides and answers field by field. */
(function () {
  "use strict";
  const form = Loket.$("online-form");
  if (!form) return;
  const { $ } = Loket;
  const el = Loket.el;
  const T = Loket.data("online-strings");
  const money = Loket.money;
  let sheet = null;
  const lines = [];

  function itemOf(code) { return sheet && sheet.items.find((i) => i.code === code); }

  function syncItem() {
    const it = itemOf($("item").value);
    $("measure-row").classList.toggle("hidden", !(it && it.measure));
    $("measure-unit").textContent = it && it.measure ? `(${T.size[it.measure] || it.measure})` : "";
    $("quote").textContent = it ? it.price_rule : "";
  }

  function renderLines() {
    $("lines").replaceChildren(...(lines.length ? lines.map((l, i) => el("tr", {},
      el("td", {}, el("strong", { text: itemOf(l.item_code).name }), ` — ${l.description}`, l.measure ? ` (${l.measure})` : ""),
      el("td", { text: String(l.quantity) }),
      el("td", {}, el("button", { type: "button", class: "small", text: T.remove, onclick: () => { lines.splice(i, 1); renderLines(); } })))) :
      [el("tr", {}, el("td", { colspan: "3", class: "muted", text: T.no_lines }))]));
    const needsAbstract = lines.some((l) => ["microdata", "map"].includes(itemOf(l.item_code).category));
    $("abstract-row").classList.toggle("hidden", !needsAbstract);
  }

  $("item").onchange = syncItem;
  $("add").onclick = () => {
    const it = itemOf($("item").value);
    if (!it) return;
    lines.push({ item_code: it.code, measure: it.measure ? Number($("measure").value || 0) || null : null,
      quantity: Number($("quantity").value || 1), description: $("description").value.trim() });
    $("measure").value = ""; $("description").value = ""; $("quantity").value = "1";
    renderLines();
  };
  $("institution_category").onchange = () => {
    const opt = $("institution_category").selectedOptions[0];
    $("npwp-row").classList.toggle("hidden", !(opt && opt.dataset.segment === "private"));
  };

  function showErrors(fields) {
    form.querySelectorAll(".field-error[data-dynamic]").forEach((n) => n.remove());
    $("lines-error").textContent = "";
    for (const [name, message] of Object.entries(fields || {})) {
      if (name.startsWith("lines")) { $("lines-error").textContent = message; continue; }
      const input = $(name);
      if (!input) continue;
      input.setAttribute("aria-invalid", "true");
      input.insertAdjacentElement("afterend", el("span", { class: "field-error", "data-dynamic": "1", "data-error-for": name, text: message }));
    }
  }

  form.onsubmit = async (e) => {
    e.preventDefault();
    const v = (id) => $(id).value.trim();
    const visitor = {};
    for (const f of ["name", "email", "phone", "gender", "education", "occupation", "institution_category",
      "institution_name", "purpose", "purpose_note", "npwp"]) visitor[f] = v(f);
    visitor.birth_year = Number(v("birth_year")) || 0;
    visitor.consent = $("consent").checked;
    const body = { visitor, lines, abstract: v("abstract"), accept_terms: $("accept_terms").checked, language: $("language").value };
    const r = await Loket.api(`/api/online/${form.dataset.code}/requests`, { method: "POST", body });
    if (!r.ok) { $("form-message").textContent = r.data.message || T.network; showErrors(r.data.fields); return; }
    form.classList.add("hidden");
    $("done").classList.remove("hidden");
    $("done-text").textContent = `${r.data.number}: ${r.data.message}`;
  };

  (async function load() {
    const r = await Loket.api("/api/tariffs");
    if (!r.ok) return;
    sheet = r.data;
    $("item").replaceChildren(...sheet.items.map((i) => el("option", { value: i.code, text: i.name })));
    $("sheet").replaceChildren(
      el("p", { class: "hint", text: `${sheet.regulation} (${sheet.effective_from}). ${sheet.partial_blocks}` }),
      el("table", {}, el("tbody", {}, ...sheet.items.map((i) => el("tr", {}, el("td", { text: i.name }), el("td", { text: i.price_rule }))))));
    syncItem();
    renderLines();
  })();
})();
