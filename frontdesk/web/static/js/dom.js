// Small DOM helpers shared by the pages' scripts; load it before them.
"use strict";

window.frontdeskDom = {
  // el("p", {class: "note", hidden: true}, "text", child): an element with its attributes
  // (null, undefined and false leave one out; true sets it empty) and children.
  el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    node.append(...children.filter((child) => child !== null && child !== undefined));
    return node;
  },

  // The HTML the server renders at `url` (a page's fragment, drawn by the same Jinja
  // macros as the page), parsed into a DocumentFragment to swap in. Throws when it is not
  // there: an error status, or a redirect (to sign in) instead of the fragment.
  async fragment(url) {
    const response = await fetch(url, {
      credentials: "same-origin", headers: { Accept: "text/html" },
    });
    if (!response.ok || response.redirected) throw new Error(`${response.status} ${url}`);
    const template = document.createElement("template");
    template.innerHTML = await response.text();
    return template.content;
  },
};
