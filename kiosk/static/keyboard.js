/* The kiosk's on-screen keyboard (simple-keyboard, vendored in static/vendor/ with its licence; works offline).

   A touch kiosk has no keys: when a text field of the guest book is touched, a keyboard slides up from the bottom
   with the layout the field asks for: an e-mail field (type=email) gets letters with @ and the common endings, a
   phone or number field (type=tel, inputmode=numeric) a number pad, every other field letters. The keys type into
   the field (its maxlength kept) and send the same "input" events as typing would; "Done" or touching a choice
   puts the keyboard away. A physical keyboard still works beside it. */
(function () {
  "use strict";
  const host = Loket.$("osk");
  const form = Loket.$("guestbook");
  if (!host || !form || !window.SimpleKeyboard) return;
  const T = Loket.data("keyboard-strings");
  const Keyboard = window.SimpleKeyboard.default || window.SimpleKeyboard.SimpleKeyboard;

  const LAYOUTS = {
    letters: {
      default: ["1 2 3 4 5 6 7 8 9 0 {bksp}", "q w e r t y u i o p", "a s d f g h j k l '", "{shift} z x c v b n m , . -", "{space} {done}"],
      shift: ["1 2 3 4 5 6 7 8 9 0 {bksp}", "Q W E R T Y U I O P", "A S D F G H J K L '", "{shift} Z X C V B N M , . -", "{space} {done}"],
    },
    email: {
      default: ["1 2 3 4 5 6 7 8 9 0 {bksp}", "q w e r t y u i o p", "a s d f g h j k l _", "z x c v b n m - . @", ".com .co.id .ac.id .go.id .id {done}"],
    },
    number: { default: ["1 2 3", "4 5 6", "7 8 9", "+ 0 {bksp}", "- {space} {done}"] },
  };
  const DISPLAY = { "{bksp}": "⌫", "{shift}": "⇧", "{space}": T.space, "{done}": T.done };

  const kindOf = (input) => (input.type === "email" ? "email"
    : (input.type === "tel" || input.inputMode === "numeric" ? "number" : "letters"));
  const typed = (input) => input.tagName === "INPUT" && !["radio", "checkbox", "hidden", "submit", "button"].includes(input.type);

  let target = null;
  const keyboard = new Keyboard(host.querySelector(".simple-keyboard"), {
    layout: LAYOUTS.letters,
    layoutName: "default",
    display: DISPLAY,
    mergeDisplay: true,
    preventMouseDownDefault: true,  // touching a key leaves the focus in the field
    disableCaretPositioning: true,  // keys type at the end of the field
    theme: "hg-theme-default osk-theme",
    onChange: (value) => {
      if (!target) return;
      const max = target.maxLength > 0 ? target.maxLength : Infinity;
      const v = value.slice(0, max);
      if (v !== value) keyboard.setInput(v);
      target.value = v;
      target.dispatchEvent(new Event("input", { bubbles: true }));
    },
    onKeyPress: (button) => {
      if (button === "{done}") { hide(); return; }
      const opts = keyboard.options;
      if (button === "{shift}") { keyboard.setOptions({ layoutName: opts.layoutName === "shift" ? "default" : "shift" }); return; }
      if (opts.layoutName === "shift") setTimeout(() => keyboard.setOptions({ layoutName: "default" }), 0);  // one capital
    },
  });

  function show(input) {
    target = input;
    const kind = kindOf(input);
    host.dataset.layout = kind;
    keyboard.setOptions({ layout: LAYOUTS[kind], layoutName: "default" });
    keyboard.setInput(input.value);
    host.classList.remove("hidden");
    document.body.classList.add("osk-open");
    document.body.style.paddingBottom = `${host.offsetHeight}px`;  // the form can scroll clear of the keys
    const box = input.getBoundingClientRect();
    if (box.bottom > window.innerHeight - host.offsetHeight || box.top < 0) input.scrollIntoView({ block: "center" });
  }

  function hide() {
    target = null;
    host.classList.add("hidden");
    document.body.classList.remove("osk-open");
    document.body.style.paddingBottom = "";
  }

  // The keys come up when a field is touched (not when the kiosk moves the focus itself, at the start or to a
  // wrong answer: the visitor first sees the whole form); moving to a choice puts them away.
  form.addEventListener("pointerdown", (e) => { if (typed(e.target)) show(e.target); });
  form.addEventListener("focusin", (e) => { if (!typed(e.target)) hide(); else if (target) show(e.target); });
  form.addEventListener("input", (e) => { if (e.isTrusted && e.target === target) keyboard.setInput(target.value); });
  form.addEventListener("reset", hide);
  document.addEventListener("focusin", (e) => { if (!form.contains(e.target)) hide(); });
  // The kiosk's other steps (welcome, the ticket) have no fields: the keyboard goes when the form does.
  new MutationObserver(() => { if (Loket.$("form-section").classList.contains("hidden")) hide(); })
    .observe(Loket.$("form-section"), { attributes: true, attributeFilter: ["class"] });
})();
