// Links in chat messages, made safe: the text is split into plain text and http(s) links,
// and drawn as DOM nodes (never as HTML). A link to one of our own articles reads as an
// article link; any other is marked "(external)" and opens in a new tab with no opener
// and no referrer. Nothing else becomes a link: javascript:, data:, a bare "/path".

// Up to the first space or quote; trailing punctuation is the sentence's, not the link's.
const CANDIDATE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?'"*_]+$/;
const ARTICLE_PATH = /^\/articles\/[A-Za-z0-9][A-Za-z0-9_-]*\/?$/;

// A ")" closing the sentence, "(see https://x.org/a)", is not the link's, unless the link
// opened a "(" of its own (https://en.wikipedia.org/wiki/Foo_(bar)).
function trimmed(candidate) {
  let text = candidate.replace(TRAILING, "");
  while (text.endsWith(")") && (text.match(/\(/g) || []).length < (text.match(/\)/g) || []).length) {
    text = text.slice(0, -1).replace(TRAILING, "");
  }
  return text;
}

// [{text}, {href, kind: "article" | "internal" | "external", label}...] for `text`.
// `ownOrigins`: the origins our own pages are served at ("https://help.example.org").
export function splitLinks(text, ownOrigins) {
  const parts = [];
  let at = 0;
  const pushText = (piece) => {
    if (!piece) return;
    const last = parts[parts.length - 1];
    if (last && "text" in last) last.text += piece;
    else parts.push({ text: piece });
  };
  for (const match of String(text).matchAll(CANDIDATE)) {
    const raw = trimmed(match[0]);
    let url = null;
    try { url = new URL(raw); } catch { url = null; }
    pushText(String(text).slice(at, match.index));
    at = match.index + raw.length;
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname) {
      pushText(raw);
      continue;
    }
    if (ownOrigins.includes(url.origin)) {
      const article = ARTICLE_PATH.test(url.pathname);
      parts.push({ href: url.href, kind: article ? "article" : "internal",
        label: `${url.pathname}${url.search}${url.hash}` });
    } else {
      parts.push({ href: url.href, kind: "external", label: raw });
    }
  }
  pushText(String(text).slice(at));
  return parts;
}

// The origins of this portal: the page's own and those the server names (base.html).
export function ownOrigins() {
  const meta = document.querySelector('meta[name="frontdesk-socket-origins"]');
  const named = meta ? meta.content.split(" ").filter(Boolean) : [];
  return [location.origin, ...named];
}

function hidden(text) {
  const span = document.createElement("span");
  span.className = "visually-hidden";
  span.textContent = text;
  return span;
}

// Nodes to append for `text`: text nodes and <a> elements.
export function linkedNodes(text, origins = ownOrigins()) {
  return splitLinks(text, origins).map((part) => {
    if ("text" in part) return document.createTextNode(part.text);
    const link = document.createElement("a");
    link.href = part.href;
    link.className = `message-link ${part.kind}-link`;
    link.target = "_blank"; // the chat stays open beside it
    link.rel = "noopener noreferrer";
    link.textContent = part.label;
    if (part.kind === "external") {
      const mark = document.createElement("span");
      mark.className = "external-mark";
      mark.textContent = "(external)";
      link.append(" ", mark, hidden(", opens in a new tab"));
    } else {
      link.append(hidden(part.kind === "article" ? " (support article, opens in a new tab)" : " (opens in a new tab)"));
    }
    return link;
  });
}

// Chat transcripts the server drew as text in a case's feed, under `root`: their links
// made live. The text is read back as text, so nothing the server escaped is parsed.
export function linkTranscripts(root) {
  for (const body of root.querySelectorAll(".activity-chat_transcript > .activity-body")) {
    if (body.dataset.linked) continue;
    body.dataset.linked = "true";
    body.replaceChildren(...linkedNodes(body.textContent));
  }
}
