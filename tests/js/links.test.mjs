// Splitting chat messages into text and safe links (static/js/links.js), run by node.
import assert from "node:assert/strict";
import { test } from "node:test";

import { splitLinks } from "../../frontdesk/web/static/js/links.js";

const OURS = ["https://help.example.org"];

test("plain text stays one piece of text", () => {
  assert.deepEqual(splitLinks("Hello <b>there</b> & bye", OURS), [{ text: "Hello <b>there</b> & bye" }]);
});

test("our own article is an article link, its path the label", () => {
  assert.deepEqual(splitLinks("See UCI Numbers: https://help.example.org/articles/uci-numbers.", OURS), [
    { text: "See UCI Numbers: " },
    { href: "https://help.example.org/articles/uci-numbers", kind: "article", label: "/articles/uci-numbers" },
    { text: "." },
  ]);
});

test("our own other pages are internal, others' pages external", () => {
  const parts = splitLinks("https://help.example.org/community/x and (see http://evil.example/a?b=1)", OURS);
  assert.deepEqual(parts, [
    { href: "https://help.example.org/community/x", kind: "internal", label: "/community/x" },
    { text: " and (see " },
    { href: "http://evil.example/a?b=1", kind: "external", label: "http://evil.example/a?b=1" },
    { text: ")" },
  ]);
});

test("a look-alike host is not ours", () => {
  const [link] = splitLinks("https://help.example.org.evil.example/articles/x", OURS);
  assert.equal(link.kind, "external");
});

test("nothing but http and https becomes a link", () => {
  for (const text of [
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "/articles/x",
    "ftp://files.example/x", "JaVaScRiPt:alert(document.cookie)", "http://", "mailto:a@b.example",
  ]) {
    assert.deepEqual(splitLinks(text, OURS), [{ text }], text);
  }
});

test("a quote or angle bracket ends a link, so no attribute can be smuggled", () => {
  const parts = splitLinks('http://x.example/"onmouseover="alert(1) <http://y.example/>', OURS);
  assert.deepEqual(parts.filter((p) => p.href).map((p) => p.href), ["http://x.example/", "http://y.example/"]);
  assert.equal(parts.map((p) => p.text ?? p.label).join(""), 'http://x.example/"onmouseover="alert(1) <http://y.example/>');
});
