// An article's tools: print, copy link, and "Was this article helpful?" through the API.
// Without this script the feedback forms post to the page and print/copy stay hidden.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

  // Print and share ------------------------------------------------------------------

  const printButton = $("print-article");
  printButton.hidden = false;
  printButton.addEventListener("click", () => window.print());

  const copyButton = $("copy-link");
  const shareStatus = $("share-status");
  if (navigator.clipboard) {
    copyButton.hidden = false;
    copyButton.addEventListener("click", async () => {
      const url = copyButton.dataset.url;
      try {
        await navigator.clipboard.writeText(url);
        shareStatus.textContent = "Link copied.";
      } catch {
        shareStatus.textContent = `Could not copy the link; it is ${url}`;
      }
    });
  }

  // Feedback -------------------------------------------------------------------------

  const section = $("feedback");
  const voteForm = $("vote-form");
  const commentForm = $("comment-form");
  const comment = $("feedback-comment");
  const feedbackStatus = $("feedback-status");
  let helpful = null;
  const pressed = voteForm.querySelector('[aria-pressed="true"]');
  if (pressed) helpful = pressed.value === "yes";

  async function send(body) {
    let response;
    try {
      response = await fetch(section.dataset.api, {
        method: "PUT",
        credentials: "same-origin",
        headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(body),
      });
    } catch {
      feedbackStatus.textContent = "We could not reach the server. Please try again.";
      return null;
    }
    const data = await response.json().catch(() => null);
    if (response.ok) return data;
    feedbackStatus.textContent = data?.error?.message ?? "Something went wrong; please try again.";
    return null;
  }

  function show(vote) {
    helpful = vote.helpful;
    for (const button of voteForm.querySelectorAll("button[name=helpful]")) {
      button.setAttribute("aria-pressed", String((button.value === "yes") === helpful));
    }
    $("comment-helpful").value = helpful ? "yes" : "no";
    commentForm.hidden = false;
  }

  voteForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const vote = await send({ helpful: event.submitter?.value === "yes" });
    if (!vote) return;
    show(vote);
    feedbackStatus.textContent = "Thank you for your feedback. You can tell us more below.";
  });

  commentForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (helpful === null) return;
    const vote = await send({ helpful, comment: comment.value });
    if (!vote) return;
    show(vote);
    feedbackStatus.textContent = "Thank you for your comment.";
  });
})();
