// Knowledge articles beside a chat in the agent console: those that fit the case's Contact
// Us choices (GET /api/v1/cases/{number}/articles, the "articles just for you" ranking)
// and a search of the articles (GET /api/v1/kb/search). One button puts an article's
// title and link into the message box, where the agent can still change it.

const { el } = window.frontdeskDom;
let panels = 0;

// A title the server sent as escaped HTML with <mark>s, as plain text: parsed in an inert
// document (nothing runs, nothing loads), only its text kept.
const plainTitle = (html) => new DOMParser().parseFromString(html, "text/html").body.textContent;

const getJson = async (url) => {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(String(response.status));
  return response.json();
};

// A section to place in the chat's panel; `input` is the message box.
export function articlesPanel(input, caseNumber) {
  panels += 1;
  const id = `chat-articles-${panels}`;
  const status = el("p", { class: "articles-status", role: "status" });
  const suggested = el("ul", { class: "article-picks", role: "list", "aria-busy": "true" });
  const found = el("ul", { class: "article-picks", role: "list" });
  const search = el("input", { type: "search", id: `${id}-q`, maxlength: "200", autocomplete: "off",
    placeholder: "Search articles" });
  const form = el("form", { class: "article-search field", role: "search", "aria-label": "Article search", novalidate: true },
    el("label", { for: search.id, class: "visually-hidden" }, "Search articles"),
    search, el("button", { type: "submit", class: "secondary" }, "Search"));

  const insert = (title, url) => {
    const link = `${title}: ${new URL(url, location.origin).href}`;
    const at = input.selectionStart ?? input.value.length;
    const before = input.value.slice(0, at);
    const spacer = before && !/\s$/.test(before) ? " " : "";
    input.setRangeText(`${spacer}${link} `, at, input.selectionEnd ?? at, "end");
    input.focus();
    input.dispatchEvent(new Event("input", { bubbles: true }));
    status.textContent = `The link to “${title}” is in your message: press Enter to send it.`;
  };
  const item = (title, url, index, list) => {
    const titleId = `${id}-${list}-${index}`;
    const button = el("button", { type: "button", class: "secondary", "aria-describedby": titleId }, "Insert link");
    button.addEventListener("click", () => insert(title, url));
    return el("li", {}, el("a", { href: url, target: "_blank", id: titleId }, title), button);
  };

  getJson(`/api/v1/cases/${encodeURIComponent(caseNumber)}/articles`)
    .then((data) => {
      suggested.replaceChildren(...data.items.slice(0, 5).map((a, i) => item(a.title, a.url, i, "fit")));
      if (!data.items.length) suggested.replaceWith(el("p", { class: "muted" }, "No articles fit this case."));
    })
    .catch(() => suggested.replaceWith(el("p", { class: "muted" }, "The articles could not be loaded.")))
    .finally(() => suggested.removeAttribute("aria-busy"));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const q = search.value.trim();
    if (!q) { status.textContent = "Type some words to search for."; return; }
    status.textContent = "Searching…";
    try {
      const data = await getJson(`/api/v1/kb/search?area=articles&q=${encodeURIComponent(q)}`);
      found.replaceChildren(...data.hits.map((hit, i) => item(plainTitle(hit.title_html), hit.url, i, "found")));
      status.textContent = data.hits.length
        ? `${data.total} ${data.total === 1 ? "article" : "articles"} found${data.corrected ? ` for “${data.corrected}”` : ""}.`
        : "No articles match.";
    } catch {
      status.textContent = "The search did not work; please try again.";
    }
  });

  return el("section", { class: "chat-articles", "aria-labelledby": `${id}-title` },
    el("h5", { id: `${id}-title` }, "Articles for this case"),
    suggested, form, found, status);
}
