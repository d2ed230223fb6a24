// The canned replies picker under a message box (the console's chat composer, a case's
// reply box): "/" and a few letters, or the "Canned replies" button, open a list of the
// replies that match (the WAI-ARIA combobox pattern: the box keeps the focus, the arrow
// keys move through the list, Enter inserts, Escape closes). The chosen reply is filled
// in for the case by the server (GET /api/v1/canned-replies/{id}/rendered), which also
// decides who may use it.

const { el } = window.frontdeskDom;
const MAX_SHOWN = 8;
// "/" at the start or after a space, then the letters typed so far, up to the caret.
const SLASH_TOKEN = /(^|\s)\/([\w-]{0,30})$/;

const lists = new Map(); // case number -> Promise of the replies offered in it
const repliesFor = (number) => {
  if (!lists.has(number)) {
    const found = fetch(`/api/v1/canned-replies?case=${encodeURIComponent(number)}`,
      { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : { items: [] }))
      .then((data) => data.items)
      .catch(() => []);
    lists.set(number, found);
    found.then((items) => { if (!items.length) lists.delete(number); }); // try again later
  }
  return lists.get(number);
};

const matching = (replies, typed) => {
  const q = typed.toLowerCase();
  const starts = replies.filter((r) => r.shortcut.startsWith(q));
  const inside = replies.filter((r) => !r.shortcut.startsWith(q)
    && (r.shortcut.includes(q) || r.title.toLowerCase().includes(q)));
  return [...starts, ...inside].slice(0, MAX_SHOWN);
};

let pickers = 0;

// Puts the picker's parts after `after` (an element in the box's form): a row with the
// button and a status line, and the list. The case (`caseNumber`) chooses the shared
// replies offered (its customer group's) and fills the placeholders.
export function attachCannedPicker(input, { caseNumber, after }) {
  pickers += 1;
  const id = `canned-${pickers}`;
  const listbox = el("ul", { id: `${id}-list`, class: "canned-list", role: "listbox",
    "aria-label": "Canned replies", hidden: true });
  const status = el("p", { class: "canned-status", role: "status", id: `${id}-status` });
  const button = el("button", { type: "button", class: "link-button", "aria-controls": listbox.id,
    "aria-expanded": "false" }, "Canned replies");
  const hint = el("span", { class: "muted", id: `${id}-hint` }, "or type / and a few letters");
  const row = el("div", { class: "canned-row" }, button, hint, status);
  after.after(row, listbox);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-haspopup", "listbox");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listbox.id);
  input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${hint.id}`.trim());

  let shown = []; // the replies listed now
  let active = -1;
  let from = null; // where the "/letters" being replaced start; null: insert at the caret
  let looking = null; // the list being looked up for the letters typed, until it is shown
  let filling = false; // a chosen reply is being filled in by the server

  const setOpen = (open) => {
    listbox.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    button.setAttribute("aria-expanded", String(open));
    if (!open) {
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
  };
  const close = () => setOpen(false);

  const highlight = (index) => {
    active = index;
    [...listbox.children].forEach((option, at) => option.setAttribute("aria-selected", String(at === index)));
    const option = listbox.children[index];
    if (!option) return;
    input.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  };

  const show = async (typed) => {
    shown = matching(await repliesFor(caseNumber), typed);
    listbox.replaceChildren(...shown.map((reply, at) => el("li", {
      id: `${id}-option-${reply.id}`, class: "canned-option", role: "option", "aria-selected": "false",
      "data-index": at,
    }, el("code", {}, `/${reply.shortcut}`), " ", reply.title,
    el("span", { class: "visually-hidden" }, reply.scope === "shared" ? " (shared)" : " (yours)"))));
    if (!shown.length) {
      close();
      status.textContent = typed ? `No canned reply matches /${typed}.` : "You have no canned replies yet.";
      return;
    }
    setOpen(true);
    highlight(0);
    status.textContent = `${shown.length} ${shown.length === 1 ? "reply" : "replies"}: arrow keys to choose, Enter to insert, Escape to close.`;
  };

  const slashToken = () => {
    const before = input.value.slice(0, input.selectionStart);
    const match = SLASH_TOKEN.exec(before);
    return match ? { start: before.length - match[2].length - 1, typed: match[2] } : null;
  };

  const choose = async (reply) => {
    close();
    filling = true;
    const start = from ?? input.selectionStart;
    const end = input.selectionStart;
    status.textContent = `Filling in /${reply.shortcut}…`;
    let text;
    try {
      const response = await fetch(
        `/api/v1/canned-replies/${reply.id}/rendered?case=${encodeURIComponent(caseNumber)}`,
        { credentials: "same-origin" });
      const body = await response.json();
      if (!response.ok) throw new Error(body.error?.message || "not filled in");
      text = body.text;
    } catch (error) {
      status.textContent = `The reply could not be inserted: ${error.message}.`;
      return;
    } finally {
      filling = false;
    }
    input.setRangeText(text, start, end, "end");
    from = null;
    input.focus();
    input.dispatchEvent(new Event("input", { bubbles: true }));
    status.textContent = `Inserted /${reply.shortcut}: ${reply.title}.`;
  };

  input.addEventListener("input", () => {
    const token = slashToken();
    if (token) {
      from = token.start;
      const lookup = show(token.typed);
      looking = lookup;
      lookup.finally(() => { if (looking === lookup) looking = null; });
    } else if (!listbox.hidden) {
      close();
    }
  });
  // Registered before the box's own keys (Enter sends): while the list is open, these
  // keys are the list's.
  input.addEventListener("keydown", (event) => {
    // Enter before the list has come, or while a reply is filled in, never sends the
    // "/letters" to the customer: it takes the first match once it is shown.
    if (event.key === "Enter" && !event.shiftKey && (filling || (looking && slashToken()))) {
      event.preventDefault();
      event.stopImmediatePropagation();
      if (looking) looking.then(() => { if (!listbox.hidden && shown.length) choose(shown[active]); });
      return;
    }
    if (listbox.hidden || !shown.length) return;
    const keys = {
      ArrowDown: () => highlight((active + 1) % shown.length),
      ArrowUp: () => highlight((active - 1 + shown.length) % shown.length),
      Enter: () => choose(shown[active]),
      Escape: () => { close(); status.textContent = "Canned replies closed."; },
    };
    const act = keys[event.key];
    if (!act || event.shiftKey || event.isComposing) {
      if (event.key === "Tab") close();
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    act();
  });
  input.addEventListener("blur", () => setTimeout(() => {
    if (document.activeElement !== input) close();
  }, 150));
  // The pointer: the box keeps the focus while an option is clicked.
  listbox.addEventListener("mousedown", (event) => event.preventDefault());
  listbox.addEventListener("click", (event) => {
    const option = event.target.closest('[role="option"]');
    if (option) choose(shown[Number(option.dataset.index)]);
  });
  button.addEventListener("click", () => {
    if (!listbox.hidden) { close(); return; }
    from = null;
    input.focus();
    show("");
  });
  return { close };
}
