// My Cases and the case page, enhanced: the subject preview closes with Escape, and the
// activity feed re-sorts, refreshes, likes and comments through the API without a reload,
// redrawn from the server's own markup (the page's /feed fragment), never built here.
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
  const status = feed.querySelector("#feed-status");
  const { el, fragment } = window.frontdeskDom;

  // Draw the feed the server rendered (the page's own macros, from `${base}/feed`): its
  // tools (the sort toggle and refresh link, for the order now shown) and its items. The
  // section itself stays, with its listeners and its status line.
  const swapIn = (drawn) => {
    const fresh = drawn.querySelector("#feed");
    feed.dataset.order = fresh.dataset.order;
    for (const part of [".feed-tools", "#feed-items"]) {
      feed.querySelector(part).replaceWith(fresh.querySelector(part));
    }
    return fresh.dataset.order;
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
      const path = `${base}/feed?order=${encodeURIComponent(order)}`;
      const [drawn, found] = await Promise.all([fragment(path), getJson(api)]);
      showCase(found);
      const shown = swapIn(drawn);
      history.replaceState(null, "", `${base}?order=${shown}${location.hash}`);
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
    const refreshing = link.classList.contains("feed-refresh");
    if (await load(order)) {
      say(refreshing ? "Activity refreshed"
        : order === "newest" ? "Showing the most recent activity first"
          : "Showing the oldest activity first");
      refocus(refreshing ? ".feed-refresh" : ".feed-sort");
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

  // Another script changed the case (case_files.js: a file attached): draw the feed again.
  // Dispatching is synchronous, so the sender finds the redraw's promise in the detail.
  feed.addEventListener("case-changed", (event) => {
    event.detail.redrawn = load(feed.dataset.order);
  });

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
