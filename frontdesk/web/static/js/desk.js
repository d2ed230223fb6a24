// The desk: the waiting and the active chats (asked for when desk_changed says they
// moved), each with what a supervisor does to it: view it read-only (desk_view.js),
// assign it, move it, end it. Rows are kept by chat and changed in place, never drawn
// anew: a supervisor may be choosing an agent or writing a reason in one when the next
// push comes.
import {
  caseUrl, clearError, el, hidden, minutesSeconds, NOT_CONNECTED, problem, setText, showError,
  timeOfDay,
} from "./dashboard_common.js";
import { emitAcked } from "./socket.js";

// A row leaving the desk this soon after the supervisor acted on it left because of it.
const OWN_ACTION_MS = 3_000;
const ukSeconds = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London", hour: "2-digit", minute: "2-digit", second: "2-digit",
});

function ordinal(n) {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : { 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th";
  return `${n}${suffix}`;
}

const safeId = (id) => String(id).replace(/[^0-9a-z]/gi, "");

// Where a waiting chat stands, as [words, note].
export function whereItStands(data) {
  if (data.position === null || data.position === undefined) {
    return ["Customer away", "Out of the line until they are back"];
  }
  if (data.position === 0) return [data.offered_to ? `Offered to ${data.offered_to}` : "Being offered", ""];
  return [`${ordinal(data.position)} in line`, ""];
}

// Options drawn again only when they change; the choice made stays while it is there.
function fillSelect(select, placeholder, choices) {
  const signature = JSON.stringify([placeholder, choices]);
  if (select.signature === signature) return;
  select.signature = signature;
  const chosen = select.value;
  select.replaceChildren(el("option", { value: "" }, placeholder),
    ...choices.map(([value, words]) => el("option", { value }, words)));
  if (choices.some(([value]) => value === chosen)) select.value = chosen;
}

// The two lists and their rows. `socket` is null when the page cannot connect (each
// action then says so); `secondsSince(iso)` counts from the server's clock;
// `agentChoices(except)` lists the agents a chat can go to, as [value, words];
// `openView(record, button, error)` and `viewFollowsDesk()` are the read-only view's
// (desk_view.js). Returns the lists ({waiting, active}, each with its records by chat),
// `showDesk(data)` and `refreshChoices()` (after the agents changed).
export function createDesk({ socket, announce, secondsSince, agentChoices, openView, viewFollowsDesk }) {
  // The desk: waiting and active chats -----------------------------------------------------

  function deskTable(kind, empty, columns) {
    return {
      kind, empty, columns,
      body: document.querySelector(`#${kind} tbody`),
      region: document.getElementById(`${kind}-region`),
      count: document.getElementById(`${kind}-count`),
      more: document.getElementById(`${kind}-more`),
      records: new Map(), // chat_id -> {data, tr, cells, controls}
    };
  }

  const desk = {
    waiting: deskTable("waiting", "No chat is waiting.", 6),
    active: deskTable("active", "No chat is active: no agent is talking with a customer.", 8),
  };

  function caseCell(data) {
    return el("th", { scope: "row", class: "case-number" },
      el("a", { href: caseUrl(data.case_number), target: "_blank" },
        data.case_number, hidden(" (opens in a new tab)")));
  }

  // A control and the place for its error, side by side.
  function errorBox(id) {
    return el("p", { class: "control-error", id, hidden: true });
  }

  function viewControl(record) {
    const id = safeId(record.data.chat_id);
    const error = errorBox(`${record.kind}-view-error-${id}`);
    const button = el("button", { type: "button", class: "secondary small" },
      "View", hidden(` the chat of case ${record.data.case_number}, read-only`));
    button.addEventListener("click", () => openView(record, button, error));
    return el("div", { class: "control" }, button, error);
  }

  function endControl(record) {
    const id = safeId(record.data.chat_id);
    const number = record.data.case_number;
    const inputId = `${record.kind}-end-reason-${id}`;
    const hintId = `${inputId}-hint`;
    const input = el("input", { type: "text", id: inputId, name: "reason", required: true,
      maxlength: 200, autocomplete: "off", "aria-describedby": hintId });
    input.dataset.describedby = hintId;
    const error = errorBox(`${inputId}-error`);
    const who = record.kind === "active" ? "The customer and the agent are" : "The customer is";
    const form = el("form", { class: "end-form", novalidate: true },
      el("label", { for: inputId }, "Reason for ending", hidden(` the chat of case ${number}`)),
      el("p", { class: "hint", id: hintId }, `${who} shown it. At most 200 characters.`),
      el("div", { class: "control-row" }, input,
        el("button", { type: "submit", class: "danger small" }, "End chat", hidden(` of case ${number}`))),
      error);
    const details = el("details", { class: "control end-chat" },
      el("summary", { class: "end-summary" }, "End", hidden(` the chat of case ${number}`)), form);
    details.addEventListener("toggle", () => {
      if (details.open) input.focus();
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearError(input, error);
      const reason = input.value.trim();
      if (!reason) {
        showError(input, error, "Write why the chat is being ended.");
        input.focus();
        return;
      }
      const ack = await ask("end_chat", { chat_id: record.data.chat_id, reason }, form);
      if (!ack.ok) {
        const text = ack.error.fields?.reason || problem(ack);
        showError(input, error, text);
        announce(`The chat of case ${number} was not ended: ${text}`);
        return;
      }
      record.actedAt = Date.now();
      input.value = "";
      details.querySelector("summary").focus(); // not left on a button about to be hidden
      details.open = false;
      announce(`The chat of case ${number} has ended. ${who} shown your reason.`);
    });
    return details;
  }

  function assignControl(record) {
    const id = safeId(record.data.chat_id);
    const number = record.data.case_number;
    const select = el("select", { id: `assign-${id}`, name: "agent_id" });
    const error = errorBox(`assign-error-${id}`);
    const form = el("form", { class: "control assign-form", novalidate: true },
      el("div", { class: "control-row" },
        el("label", { for: select.id }, "Assign", hidden(` case ${number}`), " to"),
        select,
        el("button", { type: "submit", class: "secondary small" }, "Assign", hidden(` case ${number}`))),
      error);
    record.controls.assign = select;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearError(select, error);
      if (!select.value) {
        showError(select, error, "Choose the agent to offer the chat to.");
        select.focus();
        return;
      }
      const ack = await ask("assign_chat",
        { chat_id: record.data.chat_id, agent_id: Number(select.value) }, form);
      if (!ack.ok) {
        const text = ack.error.fields?.agent_id || problem(ack);
        showError(select, error, text);
        announce(`Case ${number} was not assigned: ${text}`);
        return;
      }
      record.actedAt = Date.now();
      select.value = "";
      announce(`Case ${number} is offered to ${ack.data.offered_to}: they have until `
        + `${ukSeconds.format(new Date(ack.data.deadline))} (UK time) to accept it.`);
    });
    return form;
  }

  function moveControl(record) {
    const id = safeId(record.data.chat_id);
    const number = record.data.case_number;
    const select = el("select", { id: `move-${id}`, name: "agent_id" });
    const error = errorBox(`move-error-${id}`);
    const form = el("form", { class: "control move-form", novalidate: true },
      el("div", { class: "control-row" },
        el("label", { for: select.id }, "Move", hidden(` case ${number}`), " to"),
        select,
        el("button", { type: "submit", class: "secondary small" }, "Move", hidden(` case ${number}`))),
      error);
    record.controls.move = select;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearError(select, error);
      if (!select.value) {
        showError(select, error, "Choose an agent, or the front of the queue.");
        select.focus();
        return;
      }
      const toQueue = select.value === "queue";
      const words = select.selectedOptions[0].textContent.replace(/ \(.*\)$/, "");
      const from = record.data.agent_name;
      const ack = await ask("move_chat",
        { chat_id: record.data.chat_id, agent_id: toQueue ? null : Number(select.value) }, form);
      if (!ack.ok) {
        const text = ack.error.fields?.agent_id || problem(ack);
        showError(select, error, text);
        announce(`Case ${number} was not moved: ${text}`);
        return;
      }
      record.actedAt = Date.now();
      select.value = "";
      announce(toQueue
        ? `Case ${number} was taken from ${from} and is back at the front of the queue.`
        : `Case ${number} was taken from ${from} and is offered to ${words}.`);
    });
    return form;
  }

  // Ask the server, once at a time per form; the answer always comes (a timeout at worst).
  async function ask(event, payload, form) {
    if (!socket || !socket.connected) return { ok: false, error: { code: "OFFLINE", message: NOT_CONNECTED } };
    if (form.busy) return { ok: false, error: { code: "BUSY", message: "Still waiting for the last answer." } };
    form.busy = true;
    form.setAttribute("aria-busy", "true");
    try {
      return await emitAcked(socket, event, payload);
    } finally {
      form.busy = false;
      form.removeAttribute("aria-busy");
    }
  }

  function fillAssign(record) {
    const choices = agentChoices();
    fillSelect(record.controls.assign, choices.length ? "Choose an agent" : "No agent is signed in", choices);
  }

  function fillMove(record) {
    fillSelect(record.controls.move, "Choose where",
      [["queue", "Front of the queue"], ...agentChoices(record.data.agent_id)]);
  }

  function waitingRecord(data) {
    const record = { kind: "waiting", data, controls: {} };
    const where = el("span", { class: "where" });
    const whereNote = el("span", { class: "where-note muted" });
    record.cells = {
      customer: el("td"), group: el("td"), waited: el("td", { class: "num waited" }), where, whereNote,
    };
    record.tr = el("tr", { "data-chat-id": data.chat_id },
      caseCell(data), record.cells.customer, record.cells.group, record.cells.waited,
      el("td", {}, where, whereNote),
      el("td", { class: "actions" }, el("div", { class: "row-actions" },
        viewControl(record), assignControl(record), endControl(record))));
    return record;
  }

  function showWaiting(record) {
    const { data, cells } = record;
    setText(cells.customer, data.customer_name);
    setText(cells.group, data.group_name);
    setText(cells.waited, minutesSeconds(secondsSince(data.requested_at)));
    const [where, note] = whereItStands(data);
    setText(cells.where, where);
    setText(cells.whereNote, note);
    record.tr.classList.toggle("customer-away", data.position === null);
    fillAssign(record);
  }

  function activeRecord(data) {
    const record = { kind: "active", data, controls: {} };
    record.cells = {
      agent: el("td"), customer: el("td"), group: el("td"), started: el("td"),
      last: el("td"), unread: el("td", { class: "num" }),
    };
    const c = record.cells;
    record.tr = el("tr", { "data-chat-id": data.chat_id },
      caseCell(data), c.agent, c.customer, c.group, c.started, c.last, c.unread,
      el("td", { class: "actions" }, el("div", { class: "row-actions" },
        viewControl(record), moveControl(record), endControl(record))));
    return record;
  }

  function showActive(record) {
    const { data, cells } = record;
    setText(cells.agent, data.agent_name);
    setText(cells.customer, data.customer_name);
    setText(cells.group, data.group_name);
    if (cells.started.dataset.at !== data.accepted_at) {
      cells.started.dataset.at = data.accepted_at;
      cells.started.replaceChildren(timeOfDay(data.accepted_at));
    }
    const last = data.last_message_at || "";
    if (cells.last.dataset.at !== last || !cells.last.hasChildNodes()) {
      cells.last.dataset.at = last;
      cells.last.replaceChildren(last ? timeOfDay(last) : el("span", { class: "muted" }, "None yet"));
    }
    const unread = String(data.unread);
    if (cells.unread.dataset.count !== unread) {
      cells.unread.dataset.count = unread;
      cells.unread.replaceChildren(data.unread
        ? el("span", { class: "unread-count" }, unread) : el("span", { class: "muted" }, "0"));
    }
    fillMove(record);
  }

  // The rows in the server's order, moving any but the one holding the focus (a moved
  // element loses it).
  function placeRows(body, trs) {
    const focused = trs.find((tr) => tr.contains(document.activeElement));
    if (!focused) {
      trs.forEach((tr, at) => {
        if (body.children[at] !== tr) body.insertBefore(tr, body.children[at] || null);
      });
      return;
    }
    const at = trs.indexOf(focused);
    let anchor = focused;
    for (const tr of trs.slice(0, at).reverse()) {
      if (tr.nextSibling !== anchor) body.insertBefore(tr, anchor);
      anchor = tr;
    }
    let cursor = focused;
    for (const tr of trs.slice(at + 1)) {
      if (cursor.nextSibling !== tr) body.insertBefore(tr, cursor.nextSibling);
      cursor = tr;
    }
  }

  // The rows of one list as the server has it; the rows gone that held the focus.
  function showList(table, items, total, make, show) {
    const seen = new Set(items.map((data) => data.chat_id));
    const lost = [];
    for (const [chatId, record] of table.records) {
      if (seen.has(chatId)) continue;
      table.records.delete(chatId);
      if (record.tr.contains(document.activeElement)) lost.push(record);
      record.tr.remove();
    }
    const trs = items.map((data) => {
      let record = table.records.get(data.chat_id);
      if (!record) {
        record = make(data);
        table.records.set(data.chat_id, record);
      } else {
        record.data = data;
      }
      show(record);
      return record.tr;
    });
    if (!trs.length) {
      table.body.replaceChildren(el("tr", { class: "empty" },
        el("td", { colspan: table.columns }, el("span", {}, table.empty))));
    } else {
      for (const stale of table.body.querySelectorAll("tr.empty")) stale.remove();
      placeRows(table.body, trs);
    }
    setText(table.count, total ? `${total} ${table.kind}` : "");
    const more = total > items.length;
    table.more.hidden = !more;
    setText(table.more, more
      ? `Showing ${items.length} of the ${total} ${table.kind} chats: ${table.kind === "waiting"
        ? "those waiting longest" : "those with the most unread messages"}.` : "");
    return lost;
  }

  // The focus follows a chat from one list to the other (answered, moved, back in the
  // queue); a chat gone from both leaves it on its list. Said, unless the supervisor's
  // own action just did it (its answer said so already).
  function focusAfter(record) {
    const id = record.data.chat_id;
    const now = desk.waiting.records.get(id) || desk.active.records.get(id);
    (now ? now.tr.querySelector("button") : desk[record.kind].region).focus();
    if (Date.now() - (record.actedAt || 0) < OWN_ACTION_MS) return;
    const number = record.data.case_number;
    announce(now ? `Case ${number} is now in the ${now.kind} chats.`
      : `Case ${number} is no longer in the ${record.kind} chats.`);
  }

  function showDesk(data) {
    const lost = [
      ...showList(desk.waiting, data.waiting, data.waiting_total, waitingRecord, showWaiting),
      ...showList(desk.active, data.active, data.active_total, activeRecord, showActive),
    ];
    for (const record of lost) focusAfter(record);
    viewFollowsDesk(); // when a chat is shown
  }

  function refreshChoices() {
    for (const record of desk.waiting.records.values()) fillAssign(record);
    for (const record of desk.active.records.values()) fillMove(record);
  }

  return { ...desk, showDesk, refreshChoices };
}
