// Browse Articles: title suggestions while typing, as a WAI-ARIA 1.2 combobox whose popup
// is a listbox. Focus stays in the box; the arrow keys move aria-activedescendant through
// the options, Enter opens the chosen article, Escape closes the list (or clears the box).
// Without this script the box is a plain search of the article library.
"use strict";

(() => {
  const input = document.getElementById("title-q");
  if (!input) return;
  const list = document.getElementById("title-suggestions");
  const status = document.getElementById("title-status");
  const hint = document.getElementById("title-q-hint");
  const { el } = window.frontdeskDom;
  const DEBOUNCE_MS = 200; // a pause in typing, not every key, asks the server
  const MIN_CHARS = 2; // the service suggests nothing for less

  let timer = 0;
  let latest = 0; // only the newest request's answer is shown
  let items = [];
  let active = -1;

  hint.hidden = false;
  input.setAttribute("aria-describedby", hint.id);

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    setActive(-1);
  }

  function open() {
    if (!items.length) return;
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function setActive(index) {
    active = index;
    list.querySelectorAll('[role="option"]').forEach((option, at) => {
      option.setAttribute("aria-selected", String(at === index));
    });
    if (index < 0) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    const option = document.getElementById(`title-suggestion-${index}`);
    input.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  }

  function optionFor(article, index) {
    const title = el("span", { class: "suggestion-title" });
    // title_html is the title escaped by the server with the typed words in <mark>.
    title.innerHTML = article.title_html;
    const views = article.views.toLocaleString("en-GB");
    const meta = el("span", { class: "suggestion-meta" }, `Last updated ${article.updated} · ${views} views`);
    const option = el(
      "li",
      { id: `title-suggestion-${index}`, role: "option", "aria-selected": "false", class: "suggestion" },
      title, meta,
    );
    // Pressing the mouse would blur the box (closing the list) before the click lands.
    option.addEventListener("mousedown", (event) => event.preventDefault());
    option.addEventListener("click", () => choose(index));
    return option;
  }

  function render(found, typed) {
    items = found;
    list.replaceChildren(...found.map(optionFor));
    setActive(-1);
    if (found.length) {
      status.textContent = `${found.length} matching title${found.length === 1 ? "" : "s"}: use the arrow keys to choose.`;
      open();
    } else {
      status.textContent = typed.trim().length >= MIN_CHARS ? "No matching titles." : "";
      close();
    }
  }

  async function suggest(typed) {
    const ticket = ++latest;
    if (typed.trim().length < MIN_CHARS) {
      render([], typed);
      return;
    }
    let data;
    try {
      const response = await fetch(`/api/v1/kb/suggestions?q=${encodeURIComponent(typed)}`, {
        headers: { Accept: "application/json" }, credentials: "same-origin",
      });
      if (!response.ok) return;
      data = await response.json();
    } catch {
      return; // suggestions are a convenience: the form still searches
    }
    if (ticket === latest) render(data.items, typed);
  }

  function choose(index) {
    const chosen = items[index];
    if (chosen) window.location.assign(chosen.url);
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => suggest(input.value), DEBOUNCE_MS);
  });

  input.addEventListener("keydown", (event) => {
    const count = items.length;
    if (event.key === "ArrowDown" && count) {
      event.preventDefault();
      open();
      setActive(active + 1 >= count ? 0 : active + 1);
    } else if (event.key === "ArrowUp" && count) {
      event.preventDefault();
      open();
      setActive(active <= 0 ? count - 1 : active - 1);
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      if (!list.hidden) close();
      else input.value = "";
      event.preventDefault();
    }
  });

  input.addEventListener("blur", close);
})();
