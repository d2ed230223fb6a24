// The dashboard's cases by queue: open, unassigned, overdue and due soon, as the server
// pushes them (cases_changed, and watch's cases). Overdue and due soon are said in words
// and marked, never by colour alone; a cell that changed is highlighted for a moment.
import { el } from "./dashboard_common.js";

const HIGHLIGHT_MS = 2_000;

function cell(field, value) {
  if (field === "overdue" && value > 0) {
    return el("strong", { class: "breach" }, el("span", { "aria-hidden": "true" }, "⚠"), ` ${value} overdue`);
  }
  if (field === "due_soon" && value > 0) return el("strong", { class: "due-soon" }, `${value} due soon`);
  return String(value);
}

function queueLink(queue) {
  const query = new URLSearchParams({ queue, status: "open" });
  return el("a", { href: `/agent/search?${query}` }, queue);
}

export function createCaseQueues(table) {
  const body = table.querySelector("tbody");

  function show(queues) {
    const before = new Map([...body.querySelectorAll("tr[data-queue]")].map((tr) => [tr.dataset.queue, tr]));
    if (!queues.length) {
      body.replaceChildren(el("tr", { class: "empty" }, el("td", { colspan: 5 }, "No queue has open cases: new ones appear here as customers send them.")));
      return;
    }
    body.replaceChildren(...queues.map((row) => {
      const old = before.get(row.queue);
      const tr = el("tr", { "data-queue": row.queue }, el("th", { scope: "row" }, queueLink(row.queue)));
      for (const field of ["open", "unassigned", "overdue", "due_soon"]) {
        const td = el("td", { class: "num", "data-field": field, "data-value": row[field] }, cell(field, row[field]));
        const was = old?.querySelector(`[data-field="${field}"]`)?.dataset.value;
        if (was !== undefined && was !== String(row[field])) {
          td.classList.add("changed");
          setTimeout(() => td.classList.remove("changed"), HIGHLIGHT_MS);
        }
        tr.append(td);
      }
      return tr;
    }));
  }

  return { show };
}
