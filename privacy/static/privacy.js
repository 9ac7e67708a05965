/* The rights screen's actions: correct, merge, erase. Each form posts to its JSON endpoint; on success the page
   reloads (showing the recorded action), on refusal the message and the fields in error stay on screen. */
(function () {
  "use strict";
  const { $, el } = Loket;
  const T = Loket.data("strings");
  const root = $("pv-person");
  if (!root) return;
  const person = root.dataset.person;

  function clearErrors(form) {
    form.querySelectorAll(".field-error").forEach((n) => n.remove());
    form.querySelectorAll(".invalid").forEach((n) => n.classList.remove("invalid"));
    $("pv-message").textContent = "";
  }

  function body(form) {
    const out = {};
    for (const input of form.querySelectorAll("input, select")) {
      if (!input.name) continue;
      if (input.type === "checkbox") out[input.name] = input.checked;
      else if (input.dataset.number) out[input.name] = input.value.trim() === "" ? null : Number(input.value);
      else out[input.name] = input.value.trim();
    }
    return out;
  }

  async function submit(ev) {
    ev.preventDefault();
    const form = ev.currentTarget;
    clearErrors(form);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const r = await Loket.api(`/api/privacy/people/${person}/${form.dataset.action}`, { method: "POST", body: body(form) });
      if (!r.ok) {
        $("pv-message").textContent = r.data.message || T.network;
        for (const [name, message] of Object.entries(r.data.fields || {})) {
          const input = form.elements[name];
          if (!input) continue;
          input.classList.add("invalid");
          input.after(el("span", { class: "field-error", text: message }));
        }
        return;
      }
      $("pv-notice").textContent = r.data.message;
      window.location.reload();
    } finally {
      button.disabled = false;
    }
  }

  document.querySelectorAll("form[data-action]").forEach((f) => f.addEventListener("submit", submit));
})();
