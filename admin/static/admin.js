/* The admin pages: each form goes to its JSON endpoint; a refusal is shown beside the field at fault and
   nothing typed is lost (the page reloads only after a save that adds a row). */
(function () {
  "use strict";
  const { $, el } = Loket;
  const T = Loket.data("strings") || {};

  function payload(form) {
    const out = {};
    form.querySelectorAll("input[name], select[name], textarea[name]").forEach((input) => {
      const name = input.name;
      const type = input.dataset.type;
      if (input.type === "checkbox" && input.value !== "on") {  // a list of choices (a counter's services)
        if (!Array.isArray(out[name])) out[name] = [];
        if (input.checked) out[name].push(type === "int" ? Number(input.value) : input.value);
        return;
      }
      if (input.type === "checkbox") { out[name] = input.checked; return; }
      let value = input.value.trim();
      if (type === "int") { if (value === "") return; value = Number(value); }
      if (type === "bool") value = value === "true";
      out[name] = value;
    });
    return out;
  }

  function clear(form) {
    form.querySelectorAll(".field-error").forEach((n) => n.remove());
    form.querySelectorAll(".invalid").forEach((n) => { n.classList.remove("invalid"); n.removeAttribute("aria-invalid"); });
  }

  function say(form, text, ok) {
    const box = form.querySelector(".form-message");
    if (!box) return;
    box.textContent = text || "";
    box.classList.toggle("error", !ok);
    box.classList.toggle("ok", !!ok);
  }

  function showFields(form, fields) {
    let first = null;
    Object.entries(fields || {}).forEach(([name, message]) => {
      const group = form.querySelector(`[data-field="${name}"]`);
      const input = group || form.querySelector(`[name="${name}"]`);
      if (!input) return;
      input.classList.add("invalid");
      input.setAttribute("aria-invalid", "true");
      const id = `err-${form.dataset.api.replace(/\W+/g, "-")}-${name}`;
      const note = el("span", { class: "field-error", id, text: message });
      (group ? group : input.closest(".field") || input.parentNode).append(note);
      input.setAttribute("aria-describedby", id);
      if (!first) first = group ? group.querySelector("input") : input;
    });
    if (first && first.focus) first.focus();
  }

  function secret(text) {
    const box = document.querySelector(".secret");
    if (!box) return;
    box.textContent = text;
    box.classList.remove("hidden");
    box.focus && box.scrollIntoView({ block: "center" });
  }

  async function send(form, path, body) {
    clear(form);
    say(form, T.saving, true);
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const r = await Loket.api(path, { method: "POST", body });
      if (!r.ok) {
        say(form, r.data.message || T.network, false);
        showFields(form, r.data.fields);
        return null;
      }
      say(form, r.data.message || "", true);
      return r.data;
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  document.querySelectorAll("form.admin-form").forEach((form) => {
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = payload(form);
      const active = form.querySelector("[data-confirm-off]");
      if (active && !active.checked && active.defaultChecked && !window.confirm(T[active.dataset.confirmOff])) return;
      const data = await send(form, form.dataset.api, body);
      if (!data) return;
      if (data.password) secret(`${data.username}: ${T.copied} ${data.password}`);
      if (data.code) secret(`${T.code}: ${data.code} (${T.expires} ${Loket.time ? Loket.time(data.expires_at) : data.expires_at})`);
      if (form.dataset.reload) setTimeout(() => window.location.reload(), 400);
    });
  });

  document.addEventListener("click", async (ev) => {
    const b = ev.target.closest("button");
    if (!b) return;
    const form = b.closest("form") || b.closest("section");
    if (b.dataset.resetPassword) {
      const data = await send(form, `/api/admin/staff/${b.dataset.resetPassword}/reset-password`, undefined);
      if (data) secret(`${data.username}: ${T.copied} ${data.password}`);
    } else if (b.dataset.removeDay) {
      const r = await Loket.api(`/api/admin/special-days/${b.dataset.removeDay}/remove`, { method: "POST" });
      if (r.ok) window.location.reload(); else window.alert(r.data.message || T.network);
    } else if (b.dataset.revoke) {
      const r = await Loket.api(`/api/devices/${b.dataset.revoke}/revoke`, { method: "POST" });
      if (r.ok) window.location.reload(); else window.alert(r.data.message || T.network);
    } else if (b.dataset.testPage) {
      const r = await Loket.api(`/api/printers/${b.dataset.testPage}/test-page`, { method: "POST" });
      const box = $("printer-message");
      if (box) box.textContent = r.ok ? (r.data.message || r.data.status || "ok") : (r.data.message || T.network);
    }
  });
})();
