/* A page that keeps itself current without a timed reload (WCAG 2.2.1): every N seconds (data-refresh on
   <main>'s first child or any element marked data-refresh="5") the page is fetched again and <main>'s content
   replaced, except while the user is working in it (focus inside a form field) or the tab is hidden. */
(function () {
  "use strict";
  const marked = document.querySelector("[data-refresh]");
  const main = document.querySelector("main");
  if (!marked || !main) return;
  const seconds = Math.max(2, Number(marked.dataset.refresh) || 5);
  const busy = () => {
    const el = document.activeElement;
    return document.hidden || (el && main.contains(el) && /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName));
  };
  async function refresh() {
    if (!busy()) {
      try {
        const r = await fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
        if (r.ok) {
          const fresh = new DOMParser().parseFromString(await r.text(), "text/html").querySelector("main");
          if (fresh && !busy()) main.innerHTML = fresh.innerHTML;
        }
      } catch (e) { /* off line for a moment: the next round tries again */ }
    }
    setTimeout(refresh, seconds * 1000);
  }
  setTimeout(refresh, seconds * 1000);
})();
