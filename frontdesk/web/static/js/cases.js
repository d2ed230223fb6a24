// My Cases and the case page, enhanced: the subject preview closes with Escape, and the
// activity feed re-sorts, refreshes, likes and comments through the API without a reload.
// Every link and form here also works without this script.
"use strict";

(() => {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

  // Subject previews: a tooltip shown on hover and focus (CSS); Escape hides it until the
  // pointer or the focus leaves (WCAG 1.4.13: dismissible).
  document.querySelectorAll(".preview").forEach((preview) => {
    const reset = () => preview.classList.remove("dismissed");
    preview.addEventListener("keydown", (event) => {
      if (event.key === "Escape") preview.classList.add("dismissed");
    });
    preview.addEventListener("mouseleave", reset);
    preview.addEventListener("focusout", reset);
  });

  const feed = document.getElementById("feed");
  if (!feed) return;
  const number = feed.dataset.number;
  const base = feed.dataset.base;
  const api = `/api/v1/cases/${encodeURIComponent(number)}`;
  const items = feed.querySelector("#feed-items");
  const status = feed.querySelector("#feed-status");
  const sort = feed.querySelector(".feed-sort");
  const refresh = feed.querySelector(".feed-refresh");

  // Building markup: the same as the _feed.html macros, from the feed API's items.
  const { el } = window.frontdeskDom;
  const when = (at) =>
    el("time", { datetime: at.created_at, title: `${at.created_uk} (UK time)` }, at.created_ago);
  const hidden = (name, value) => el("input", { type: "hidden", name, value });
  const fileSize = (size) =>
    size < 1024 ? `${size} Bytes` : size < 1024 * 1024 ? `${(size / 1024).toFixed(1)} kB`
      : `${(size / 1024 / 1024).toFixed(1)} MB`;
  // The same thumbs-up as the _feed.html macro (Material Icons "thumb_up", Apache 2.0).
  const THUMB = "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z";
  const thumb = () => {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    for (const [name, value] of Object.entries({ class: "icon", viewBox: "0 0 24 24",
      width: 16, height: 16, "aria-hidden": "true", focusable: "false" })) {
      svg.setAttribute(name, String(value));
    }
    const shape = document.createElementNS("http://www.w3.org/2000/svg", "path");
    shape.setAttribute("d", THUMB);
    svg.append(shape);
    return svg;
  };
  const likesText = (count) => `${count} ${count === 1 ? "like" : "likes"}`;

  const head = (item) =>
    el("p", { class: "activity-head" }, el("strong", {}, item.actor_name),
      ` (${item.actor_role}) ${item.summary} `, when(item));

  const change = (item) => {
    if (!item.change) return null;
    const list = el("dl", { class: "change" }, el("dt", {}, item.change.field),
      el("dd", {}, item.change.old ? `${item.change.old} to ${item.change.new}` : item.change.new));
    if (item.reason) {
      list.append(el("dt", {}, "Reason for Waiting on Customer"), el("dd", {}, item.reason));
    }
    return list;
  };

  const content = (item) => {
    if (item.attachment) {
      return el("p", { class: "attachment" },
        el("a", { href: item.attachment.url, download: true }, item.attachment.name), " ",
        el("span", { class: "muted" }, `(${fileSize(item.attachment.size)})`));
    }
    return item.body ? el("div", { class: "activity-body" }, item.body) : null;
  };

  const likeForm = (item, order) =>
    el("form", { method: "post", action: `${base}/activities/${item.id}/like`, class: "like-form" },
      hidden("csrf_token", csrf), hidden("liked", item.liked_by_me ? "false" : "true"),
      hidden("order", order),
      el("button", { type: "submit", class: "like", "aria-pressed": String(item.liked_by_me),
        "aria-describedby": `likes-${item.id}` }, thumb(), " Like"),
      el("span", { class: "like-count", id: `likes-${item.id}` }, likesText(item.likes)));

  const commentBox = (item, order) => {
    const id = `comment-${item.id}`;
    return el("details", { class: "comment-box" }, el("summary", {}, "Comment"),
      el("form", { method: "post", action: `${base}/activities/${item.id}/comments`,
        class: "comment-form", novalidate: true },
      hidden("csrf_token", csrf), hidden("order", order),
      el("label", { for: id }, "Your comment"),
      el("textarea", { id, name: "body", rows: 3, required: true, "aria-required": "true" }),
      el("button", { type: "submit", class: "secondary" }, "Post comment")));
  };

  const comments = (item) => {
    if (!item.comments.length) return null;
    return el("ul", { class: "comments", "aria-label": "Comments" }, ...item.comments.map((c) =>
      el("li", { class: "comment", id: `comment-${item.id}-${c.id}` },
        el("p", { class: "comment-head" }, el("strong", {}, c.author_name),
          ` (${c.author_role}) `, when(c)),
        el("div", { class: "comment-body" }, c.body))));
  };

  const activity = (item, order) => {
    const created = item.kind === "created" ? [
      el("p", { class: "activity-number" }, number),
      el("p", {}, el("a", { href: "#case-detail" }, "View more details")),
    ] : [];
    return el("li", { class: `activity activity-${item.kind}`, id: `activity-${item.id}` },
      head(item), ...created, change(item), content(item),
      el("div", { class: "activity-actions" }, likeForm(item, order), commentBox(item, order)),
      comments(item));
  };

  // The sort toggle and refresh link, for the order now shown.
  const showOrder = (order) => {
    const newest = order === "newest";
    const other = newest ? "oldest" : "newest";
    feed.dataset.order = order;
    sort.href = `${base}?order=${other}#feed`;
    sort.dataset.order = other;
    sort.querySelector(".feed-sort-text").textContent =
      newest ? "Most Recent Activity" : "Oldest Activity";
    sort.querySelector(".arrow").textContent = newest ? "▼" : "▲";
    sort.setAttribute("aria-label", newest
      ? "Sort by: Most Recent Activity. Show oldest first"
      : "Sort by: Oldest Activity. Show most recent first");
    refresh.href = `${base}?order=${order}#feed`;
    refresh.dataset.order = order;
  };

  const say = (message) => {
    status.textContent = "";
    window.setTimeout(() => { status.textContent = message; }, 50);
  };

  const send = (method, path, body) =>
    fetch(path, {
      method,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json", Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const getJson = async (path) => {
    const response = await fetch(path, {
      credentials: "same-origin", headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  };

  // The status, reason and closing time may have moved on with the feed (a comment
  // answers Waiting on Customer; an agent may have closed the case meanwhile).
  const showCase = (found) => {
    document.querySelectorAll(".case-status").forEach((badge) => {
      badge.className = `status case-status status-${found.status}`;
      badge.textContent = found.status_label;
    });
    const reason = document.getElementById("waiting-reason");
    if (reason) reason.textContent = found.waiting_reason || "—";
    const closed = document.getElementById("closed-at");
    if (closed) {
      closed.replaceChildren(found.closed_at
        ? el("time", { datetime: found.closed_at }, found.closed_uk) : "—");
    }
  };

  // Load the feed in `order` and draw it; true when it worked.
  const load = async (order) => {
    feed.setAttribute("aria-busy", "true");
    try {
      const [data, found] = await Promise.all([getJson(`${api}/feed?order=${order}`), getJson(api)]);
      showCase(found);
      items.replaceChildren(...data.items.map((item) => activity(item, data.order)));
      showOrder(data.order);
      history.replaceState(null, "", `${base}?order=${data.order}${location.hash}`);
      return true;
    } catch {
      say("The activity could not be loaded; please reload the page.");
      return false;
    } finally {
      feed.removeAttribute("aria-busy");
    }
  };

  feed.addEventListener("click", async (event) => {
    const link = event.target.closest(".feed-sort, .feed-refresh");
    if (!link) return;
    event.preventDefault();
    const order = link.dataset.order;
    if (await load(order)) {
      say(link === refresh ? "Activity refreshed"
        : order === "newest" ? "Showing the most recent activity first"
          : "Showing the oldest activity first");
      link.focus();
    }
  });

  // After a redraw, put the focus back where the person was.
  const refocus = (selector) => {
    const target = feed.querySelector(selector);
    if (!target) return;
    if (!target.matches("a, button, input, textarea, select, summary")) target.tabIndex = -1;
    target.focus();
  };

  const like = async (form) => {
    const id = form.action.match(/activities\/(\d+)\/like/)[1];
    const liked = form.elements.liked.value === "true";
    const response = await send(liked ? "PUT" : "DELETE", `${api}/activities/${id}/like`);
    if (!response.ok) return say("That did not work; please reload the page and try again.");
    if (await load(feed.dataset.order)) {
      refocus(`#activity-${id} .like`);
      say(liked ? "Liked" : "Like removed");
    }
  };

  const showCommentError = (form, message) => {
    const textarea = form.elements.body;
    const id = `${textarea.id}-error`;
    form.querySelector(".field-error")?.remove();
    const error = el("p", { class: "field-error", id },
      el("span", { class: "visually-hidden" }, "Error:"), ` ${message}`);
    textarea.before(error);
    textarea.setAttribute("aria-invalid", "true");
    textarea.setAttribute("aria-describedby", id);
    textarea.focus();
  };

  const comment = async (form) => {
    const id = form.action.match(/activities\/(\d+)\/comments/)[1];
    const response = await send("POST", `${api}/activities/${id}/comments`,
      { body: form.elements.body.value });
    if (response.status === 422) {
      const problem = (await response.json()).error;
      return showCommentError(form, problem.fields.body ?? problem.message);
    }
    if (!response.ok) return showCommentError(form, "Your comment could not be saved; please try again.");
    if (await load(feed.dataset.order)) {
      refocus(`#activity-${id} .comment:last-child`);
      say("Your comment was added");
    }
  };

  feed.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.classList.contains("like-form")) {
      event.preventDefault();
      like(form);
    } else if (form.classList.contains("comment-form")) {
      event.preventDefault();
      comment(form);
    }
  });
})();
