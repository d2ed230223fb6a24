// The supervisor's dashboard: each chat group's figures as the server pushes them
// (queue_changed), the agents (agents_changed), each group's last hours as a chart
// (history), and the desk: the waiting and active chats (asked for when desk_changed
// says they moved), each with what a supervisor does to it (view read-only, assign,
// move, end). Nothing is polled but the chart, once a minute; waits and agents' states
// tick here, from the server's clock.
import { MessageLine } from "./sequence.js";
import { connect, emitAcked, refusalOf } from "./socket.js";

(() => {
  const config = JSON.parse(document.getElementById("dashboard-data").textContent);
  const GROUPS = config.groups; // [{key, name}], the groups with chat
  const NAMES = config.group_names; // every group key -> name
  const HOURS = config.hours;
  const CHART_EVERY_MS = 60_000; // the chart, whatever happens
  const CHART_AT_MOST_MS = 30_000; // the chart again after a change, no sooner
  const HIGHLIGHT_MS = 2_000;
  const TIMES = ["longest_wait_seconds", "average_wait_seconds", "average_handle_seconds"];
  const STATES = { available: "Available", busy: "Busy", away: "Away", offline: "Offline" };
  const STATE_ORDER = { available: 0, busy: 1, away: 2, offline: 3 };
  const CHAT_STATUS = { requested: "Waiting", offered: "Being offered", active: "Active", ended: "Ended" };
  const ROLES = { customer: "Customer", agent: "Agent", supervisor: "Supervisor", system: "System" };
  // A row leaving the desk this soon after the supervisor acted on it left because of it.
  const OWN_ACTION_MS = 3_000;
  const FOLLOW_AGAIN_MS = 60_000; // well within the server's two minutes of pushes
  const NOT_CONNECTED = "Not connected: try again once the dashboard has reconnected.";
  const ukTime = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/London", hour: "2-digit", minute: "2-digit",
  });
  const ukSeconds = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/London", hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
  const ukDateTime = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/London", day: "2-digit", month: "2-digit", year: "numeric",
    hour: "2-digit", minute: "2-digit",
  });
  const { el } = window.frontdeskDom;

  // The server's clock less this browser's: waits and states count from the server's times.
  const skew = Date.parse(config.now) - Date.now();
  const serverNow = () => Date.now() + (Number.isFinite(skew) ? skew : 0);
  const secondsSince = (iso) => Math.max(0, Math.floor((serverNow() - Date.parse(iso)) / 1000));

  const rows = new Map(
    [...document.querySelectorAll("#figures tbody tr[data-group]")].map((tr) => [tr.dataset.group, tr]),
  );
  const figures = new Map(); // group -> {data, at (Date.now() when received)}
  const charts = new Map(); // group -> {plot, loaded, timer, pending}

  // Formatting ---------------------------------------------------------------------------

  function minutesSeconds(seconds) {
    const whole = Math.max(0, Math.round(Number(seconds) || 0));
    return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
  }

  // m:ss for the first hour, then h:mm with an "h", so the two are never confused.
  function stateFor(seconds) {
    const whole = Math.max(0, Math.floor(seconds));
    if (whole < 3600) return minutesSeconds(whole);
    const minutes = Math.floor(whole / 60);
    return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")} h`;
  }

  function ordinal(n) {
    const tens = n % 100;
    const suffix = tens >= 11 && tens <= 13 ? "th" : { 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th";
    return `${n}${suffix}`;
  }

  function timeOfDay(iso) {
    return el("time", { datetime: iso, title: `${ukDateTime.format(new Date(iso))} (UK time)` },
      ukTime.format(new Date(iso)));
  }

  function cellText(field, value) {
    return TIMES.includes(field) ? minutesSeconds(value) : String(value ?? 0);
  }

  function longestNow(group) {
    const known = figures.get(group);
    if (!known || !known.data.waiting) return 0;
    return known.data.longest_wait_seconds + Math.floor((Date.now() - known.at) / 1000);
  }

  const sentence = (text) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);
  const safeId = (id) => String(id).replace(/[^0-9a-z]/gi, "");
  const caseUrl = (number) => `/agent/cases/${encodeURIComponent(number)}`;
  const hidden = (text) => el("span", { class: "visually-hidden" }, text);
  const problem = (ack) => ack.error?.message || "Something went wrong; please try again.";

  // Set a text only when it changed: nothing redrawn, nothing read out again.
  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  // The figures table --------------------------------------------------------------------

  function setCell(cell, text, highlight) {
    if (cell.textContent === text) return;
    cell.textContent = text;
    if (!highlight) return;
    cell.classList.remove("changed");
    void cell.offsetWidth; // restart the highlight if it is still showing
    cell.classList.add("changed");
    clearTimeout(cell.highlightTimer);
    cell.highlightTimer = setTimeout(() => cell.classList.remove("changed"), HIGHLIGHT_MS);
  }

  function showFigures(data, highlight) {
    const row = rows.get(data.group);
    if (!row) return;
    const before = figures.get(data.group);
    figures.set(data.group, { data, at: Date.now() });
    for (const cell of row.querySelectorAll("td[data-field]")) {
      const field = cell.dataset.field;
      const value = field === "longest_wait_seconds" ? longestNow(data.group) : data[field];
      // The longest wait changes by itself as it ticks: highlight it only when it restarts.
      const flash = highlight && (field !== "longest_wait_seconds" || !before
        || before.data.longest_wait_seconds !== data.longest_wait_seconds);
      setCell(cell, cellText(field, value), flash);
    }
    row.classList.toggle("has-waiting", data.waiting > 0);
  }

  function tick() {
    for (const [group, row] of rows) {
      if (!figures.has(group)) continue;
      setCell(row.querySelector('[data-field="longest_wait_seconds"]'),
        minutesSeconds(longestNow(group)), false);
    }
    for (const cell of document.querySelectorAll("#agents td[data-since]")) {
      setText(cell, stateFor(secondsSince(cell.dataset.since)));
    }
    for (const record of desk.waiting.records.values()) {
      setText(record.cells.waited, minutesSeconds(secondsSince(record.data.requested_at)));
    }
  }

  // What the supervisor did, and how it went: said politely, and shown -------------------

  const announcer = document.getElementById("desk-announcer");
  function announce(text) {
    // Emptied first, so the same words twice are read twice.
    announcer.textContent = "";
    clearTimeout(announcer.timer);
    announcer.timer = setTimeout(() => { announcer.textContent = text; }, 50);
  }

  // An error beside the control it is about, and tied to it for screen readers.
  function showError(control, box, text) {
    box.textContent = text;
    box.hidden = false;
    control.setAttribute("aria-describedby", [control.dataset.describedby, box.id].filter(Boolean).join(" "));
    if (control.matches("input, select")) control.setAttribute("aria-invalid", "true");
  }

  function clearError(control, box) {
    box.textContent = "";
    box.hidden = true;
    if (control.dataset.describedby) control.setAttribute("aria-describedby", control.dataset.describedby);
    else control.removeAttribute("aria-describedby");
    control.removeAttribute("aria-invalid");
  }

  // The agents ---------------------------------------------------------------------------

  let agents = []; // the latest list, as shown: by state, then by name

  function agentState(agent) {
    return agent.state in STATES ? agent.state : "offline";
  }

  function showAgents(list) {
    const body = document.querySelector("#agents tbody");
    agents = [...list].sort((a, b) => STATE_ORDER[agentState(a)] - STATE_ORDER[agentState(b)]
      || a.name.localeCompare(b.name));
    refreshChoices();
    const previous = new Map([...body.querySelectorAll("tr[data-agent]")].map(
      (tr) => [tr.dataset.agent, tr.dataset.summary],
    ));
    if (!agents.length) {
      body.replaceChildren(el("tr", { class: "empty" },
        el("td", { colspan: 5 }, "No agent has set a chat state yet.")));
      return;
    }
    body.replaceChildren(...agents.map((agent) => {
      const state = agentState(agent);
      const stateCell = el("td", {}, el("span", { class: `agent-state state-${state}` }, STATES[state]));
      const since = el("td", { class: "num agent-for", "data-since": agent.since },
        stateFor(secondsSince(agent.since)));
      const load = el("td", { class: "load" }, `${agent.active} of ${agent.capacity}`);
      const groups = agent.groups.length
        ? agent.groups.map((key) => NAMES[key] ?? key).join(", ") : "All groups";
      const tr = el("tr", { "data-agent": agent.agent_id },
        el("th", { scope: "row" }, agent.name), stateCell, since, load, el("td", {}, groups));
      tr.dataset.summary = `${state}/${agent.active}/${agent.capacity}`;
      const was = previous.get(tr.dataset.agent);
      if (was !== undefined && was !== tr.dataset.summary) {
        for (const cell of [stateCell, load]) {
          cell.classList.add("changed");
          setTimeout(() => cell.classList.remove("changed"), HIGHLIGHT_MS);
        }
      }
      return tr;
    }));
  }

  // The agents a chat can go to, as [value, words]: signed in (not offline), but for one.
  function agentChoices(except = null) {
    return agents.filter((agent) => agentState(agent) !== "offline" && agent.agent_id !== except)
      .map((agent) => [String(agent.agent_id),
        `${agent.name} (${STATES[agentState(agent)]}, ${agent.active} of ${agent.capacity})`]);
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

  function refreshChoices() {
    for (const record of desk.waiting.records.values()) fillAssign(record);
    for (const record of desk.active.records.values()) fillMove(record);
  }

  // The desk: waiting and active chats -----------------------------------------------------
  // Rows are kept by chat and changed in place, never drawn anew: a supervisor may be
  // choosing an agent or writing a reason in one when the next push comes.

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

  function whereItStands(data) {
    if (data.position === null || data.position === undefined) {
      return ["Customer away", "Out of the line until they are back"];
    }
    if (data.position === 0) return [data.offered_to ? `Offered to ${data.offered_to}` : "Being offered", ""];
    return [`${ordinal(data.position)} in line`, ""];
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
    if (viewing) viewFollowsDesk();
  }

  // The read-only view of one chat --------------------------------------------------------
  // monitor_chat joins the chat's room before it reads, so every message after the read
  // is pushed; the MessageLine shows each once, in order, and asks again after a gap.

  const panel = {
    root: document.getElementById("monitor"),
    title: document.getElementById("monitor-title"),
    facts: document.getElementById("monitor-facts"),
    scroll: document.getElementById("monitor-scroll"),
    thread: document.getElementById("monitor-thread"),
    none: document.getElementById("monitor-none"),
    ended: document.getElementById("monitor-ended"),
    close: document.getElementById("monitor-close"),
  };
  let viewing = null; // the chat shown: {chatId, number, line, opener, ended, fields}
  let opening = null; // the chat asked for, until the answer: {chatId, held, endedPush}

  async function openView(record, button, error) {
    const { chat_id: chatId, case_number: number } = record.data;
    clearError(button, error);
    if (viewing && viewing.chatId === chatId) {
      viewing.opener = button;
      viewing.kind = record.kind;
      panel.title.focus();
      return;
    }
    if (!socket || !socket.connected) {
      showError(button, error, NOT_CONNECTED);
      return;
    }
    const asked = { chatId, held: [], endedPush: null };
    opening = asked;
    button.setAttribute("aria-busy", "true");
    const ack = await emitAcked(socket, "monitor_chat", { chat_id: chatId, last_seq: 0 });
    button.removeAttribute("aria-busy");
    if (opening !== asked) { // another chat was asked for meanwhile
      if (ack.ok && viewing?.chatId !== chatId) emitAcked(socket, "unmonitor_chat", { chat_id: chatId });
      return;
    }
    opening = null;
    if (!ack.ok) {
      showError(button, error, problem(ack));
      announce(`The chat of case ${number} could not be shown: ${problem(ack)}`);
      return;
    }
    if (viewing) emitAcked(socket, "unmonitor_chat", { chat_id: viewing.chatId });
    startView(ack.data, record, button, asked);
    announce(`Showing the chat of case ${number}, read-only. New messages appear as they are sent.`);
  }

  function fact(term, value, wide = false) {
    const dd = el("dd", {}, value || "—");
    return { node: el("div", { class: wide ? "wide" : null }, el("dt", {}, term), dd), dd };
  }

  function startView(data, record, opener, asked) {
    const kase = data.case;
    viewing = {
      chatId: data.chat.public_id, number: kase.number, kind: record.kind, opener, ended: false,
      fields: {}, line: null, newestAt: 0,
    };
    const view = viewing;
    view.line = new MessageLine((afterSeq) => catchUpView(view, afterSeq));
    const f = view.fields;
    f.number = fact("Case", el("a", { href: caseUrl(kase.number), target: "_blank" },
      kase.number, hidden(" (opens in a new tab)")));
    f.subject = fact("Subject", kase.subject);
    f.customer = fact("Customer", kase.contact.name);
    f.group = fact("Customer group", kase.customer_group_name || kase.customer_group);
    f.agent = fact("Agent", data.agent_name || "");
    f.status = fact("Chat", "");
    f.description = fact("Description", kase.description, true);
    panel.facts.replaceChildren(...Object.values(f).map((item) => item.node));
    panel.title.replaceChildren(`Case ${kase.number}: chat with ${kase.contact.name} `,
      el("span", { class: "read-only-badge" }, "Read-only"));
    panel.thread.replaceChildren();
    panel.none.hidden = false;
    panel.ended.hidden = true;
    panel.ended.textContent = "";
    panel.root.hidden = false;
    showViewStatus(data.chat.status, data.agent_name);
    addToView(view, [...data.messages, ...asked.held]);
    viewFollowsDesk();
    if (data.chat.status === "ended") viewEnded(view, null, data.chat.end_reason);
    else if (asked.endedPush) viewEnded(view, asked.endedPush.note, asked.endedPush.chat.end_reason);
    panel.title.focus();
  }

  function showViewStatus(status, agentName) {
    if (!viewing || viewing.ended) return;
    setText(viewing.fields.status.dd, CHAT_STATUS[status] || status);
    if (agentName) setText(viewing.fields.agent.dd, agentName);
  }

  // Where the desk says the chat is now: answered by whom, or where it waits. A message
  // newer than any shown, or a chat gone from both lists (ended), means a push was lost
  // on its way: ask.
  function viewFollowsDesk() {
    if (!viewing || viewing.ended) return;
    const active = desk.active.records.get(viewing.chatId);
    const waiting = desk.waiting.records.get(viewing.chatId);
    if (active) {
      showViewStatus("active", active.data.agent_name);
      const last = Date.parse(active.data.last_message_at || "");
      if (last > viewing.newestAt) viewing.line.poll();
    } else if (waiting) {
      setText(viewing.fields.status.dd, `Waiting: ${whereItStands(waiting.data)[0]}`);
      setText(viewing.fields.agent.dd, "Nobody yet");
    } else {
      viewing.line.poll();
    }
  }

  function messageItem(message) {
    const role = String(message.sender_role).toLowerCase();
    return el("li", { class: `monitor-message from-${role}`, "data-seq": message.seq },
      el("p", { class: "monitor-meta" }, el("strong", {}, message.sender_name),
        ` (${ROLES[role] || role}) `, timeOfDay(message.created_at)),
      el("p", { class: "monitor-text" }, message.body));
  }

  function addToView(view, messages) {
    if (view !== viewing) return;
    const atEnd = panel.scroll.scrollTop + panel.scroll.clientHeight >= panel.scroll.scrollHeight - 8;
    let added = 0;
    for (const message of messages) {
      if (!view.line.add(message.seq)) continue; // each once, in seq order
      const after = [...panel.thread.children].find((node) => Number(node.dataset.seq) > message.seq);
      panel.thread.insertBefore(messageItem(message), after || null);
      view.newestAt = Math.max(view.newestAt, Date.parse(message.created_at) || 0);
      added += 1;
    }
    panel.none.hidden = panel.thread.children.length > 0;
    if (added && atEnd) panel.scroll.scrollTop = panel.scroll.scrollHeight;
  }

  async function catchUpView(view, afterSeq) {
    if (view !== viewing || !socket.connected) throw new Error("not following");
    const ack = await emitAcked(socket, "monitor_chat", { chat_id: view.chatId, last_seq: afterSeq });
    if (!ack.ok) throw new Error(ack.error.code);
    addToView(view, ack.data.messages);
    if (ack.data.chat.status === "ended") viewEnded(view, null, ack.data.chat.end_reason);
    else showViewStatus(ack.data.chat.status, ack.data.agent_name);
  }

  function viewEnded(view, note, reason) {
    if (view !== viewing || view.ended) return;
    setText(view.fields.status.dd, "Ended");
    view.ended = true;
    panel.ended.textContent = `${sentence(note || reason || "This chat has ended")} `
      + `The transcript is in case ${view.number}'s activity.`;
    panel.ended.hidden = false;
    announce(`The chat of case ${view.number} has ended.`);
  }

  function closeView() {
    const view = viewing;
    if (!view) return;
    viewing = null;
    panel.root.hidden = true;
    if (socket && socket.connected) emitAcked(socket, "unmonitor_chat", { chat_id: view.chatId });
    // Back to the button that opened it; else to the chat's row now, or the list it was in.
    const now = desk.waiting.records.get(view.chatId) || desk.active.records.get(view.chatId);
    const back = view.opener.isConnected ? view.opener
      : now ? now.tr.querySelector("button") : desk[view.kind].region;
    back.focus();
  }

  // The server pushes a followed chat's messages for two minutes after each monitor_chat:
  // asking again (a catch-up from the last seq) keeps them coming while the view is open.
  setInterval(() => {
    if (viewing && !viewing.ended && socket.connected) viewing.line.poll();
  }, FOLLOW_AGAIN_MS);

  panel.close.addEventListener("click", closeView);
  panel.root.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      closeView();
    }
  });

  // The charts ---------------------------------------------------------------------------

  function chartSize(element) {
    return { width: Math.max(280, element.clientWidth), height: 220 };
  }

  function makePlot(group, data) {
    const element = document.getElementById(`chart-${group}`);
    const options = {
      ...chartSize(element),
      legend: { show: false }, // the key is in the page, the figures in the table
      cursor: { drag: { x: false, y: false } },
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Europe/London"),
      scales: { x: { time: true }, chats: { range: (u, min, max) => [0, Math.max(4, max + 1)] },
        minutes: { range: (u, min, max) => [0, Math.max(5, Math.ceil((max ?? 0) * 1.15))] } },
      series: [
        {},
        { label: "Waiting", scale: "chats", stroke: "#005a70", width: 2,
          fill: "rgba(0, 90, 112, 0.08)", points: { show: false } },
        { label: "Average wait (minutes)", scale: "minutes", stroke: "#b35c00", width: 2,
          dash: [6, 4], spanGaps: false, points: { show: true, size: 5 } },
      ],
      axes: [
        { stroke: "#4a5565", grid: { stroke: "#e4e8ee" },
          values: (u, ticks) => ticks.map((ts) => ukTime.format(new Date(ts * 1e3))) },
        { scale: "chats", label: "Waiting", stroke: "#4a5565", grid: { stroke: "#e4e8ee" },
          values: (u, ticks) => ticks.map((v) => (Number.isInteger(v) ? String(v) : "")) },
        { scale: "minutes", side: 1, label: "Average wait (min)", stroke: "#4a5565",
          grid: { show: false } },
      ],
    };
    element.replaceChildren();
    return new uPlot(options, data, element);
  }

  function showHistory(group, points) {
    const xs = points.map((p) => Date.parse(p.at) / 1000);
    const waiting = points.map((p) => p.waiting);
    const averages = points.map((p) => (p.average_wait_seconds == null
      ? null : Math.round(p.average_wait_seconds / 6) / 10));
    const data = [xs, waiting, averages];
    const chart = charts.get(group);
    if (chart.plot) chart.plot.setData(data);
    else chart.plot = makePlot(group, data);

    // The text alternative: a summary, and every point in the table.
    const card = document.querySelector(`.chart-card[data-group="${group}"]`);
    const peak = Math.max(0, ...waiting);
    const answered = points.filter((p) => p.average_wait_seconds != null);
    const now = points.length ? points[points.length - 1].waiting : 0;
    const worst = answered.length
      ? Math.max(...answered.map((p) => p.average_wait_seconds)) : null;
    const from = points.length ? ukTime.format(new Date(points[0].at)) : "";
    const to = points.length ? ukTime.format(new Date(points[points.length - 1].at)) : "";
    card.querySelector(".chart-summary").textContent = points.length
      ? `From ${from} to ${to}: ${now} waiting now, at most ${peak} at once. `
        + (worst == null ? "No chat was answered in this time."
          : `The longest average wait was ${minutesSeconds(worst)}.`)
      : "No figures yet.";
    const body = card.querySelector(".chart-table tbody");
    body.replaceChildren(...[...points].reverse().map((p) => {
      const tr = document.createElement("tr");
      const at = document.createElement("th");
      at.scope = "row";
      const time = document.createElement("time");
      time.dateTime = p.at;
      time.textContent = ukTime.format(new Date(p.at));
      at.append(time);
      const count = document.createElement("td");
      count.className = "num";
      count.textContent = String(p.waiting);
      const average = document.createElement("td");
      average.className = "num";
      average.textContent = p.average_wait_seconds == null
        ? "none answered" : minutesSeconds(p.average_wait_seconds);
      tr.append(at, count, average);
      return tr;
    }));
    card.dataset.loaded = "true";
  }

  async function loadHistory(group) {
    const chart = charts.get(group);
    chart.last = Date.now();
    clearTimeout(chart.pending);
    chart.pending = null;
    if (!socket.connected) return;
    // Not answered in time: the next minute or the next change asks again.
    const ack = await emitAcked(socket, "history", { group, hours: HOURS });
    if (ack.ok) showHistory(group, ack.data.points);
  }

  // After a change: at once if the chart is older than CHART_AT_MOST_MS, else when it is.
  function historySoon(group) {
    const chart = charts.get(group);
    if (!chart || chart.pending) return;
    const wait = Math.max(0, chart.last + CHART_AT_MOST_MS - Date.now());
    chart.pending = setTimeout(() => loadHistory(group), wait);
  }

  for (const { key } of GROUPS) charts.set(key, { plot: null, last: 0, pending: null });

  // The chart fits its card: the card's width follows the page, the chart follows it.
  const resized = new ResizeObserver((entries) => {
    for (const entry of entries) {
      const plot = charts.get(entry.target.dataset.group)?.plot;
      const size = chartSize(entry.target);
      if (plot && plot.width !== size.width) plot.setSize(size);
    }
  });
  for (const element of document.querySelectorAll(".chart[data-group]")) resized.observe(element);

  // The connection -----------------------------------------------------------------------

  const status = document.getElementById("connection-status");
  function setStatus(state, text) {
    if (status.dataset.state === state && status.querySelector(".connection-text").textContent === text) return;
    status.dataset.state = state;
    status.querySelector(".connection-text").textContent = text;
  }

  const socket = connect("/supervisor");
  if (!socket) {
    setStatus("reconnecting", "Not connected: the figures cannot update.");
    return;
  }

  async function watch() {
    const ack = await emitAcked(socket, "watch", {});
    if (!ack.ok) {
      setStatus("reconnecting", "Connected, but the figures did not load; trying again…");
      setTimeout(() => socket.connected && watch(), 5_000);
      return;
    }
    const again = figures.size > 0; // after a reconnection: show what changed meanwhile
    for (const group of ack.data.groups) showFigures(group, again);
    showAgents(ack.data.agents);
    showDesk(ack.data.desk);
    setStatus("connected", "Connected: the figures are live.");
    for (const group of charts.keys()) loadHistory(group);
  }

  // desk_changed says only that the lists moved: ask for them, one ask at a time, and
  // once more after it if another change was told meanwhile.
  let deskAsked = false;
  let deskAgain = false;
  async function askDesk() {
    if (deskAsked) {
      deskAgain = true;
      return;
    }
    deskAsked = true;
    try {
      do {
        deskAgain = false;
        const ack = await emitAcked(socket, "desk", {});
        if (ack.ok) showDesk(ack.data);
      } while (deskAgain && socket.connected);
    } finally {
      deskAsked = false;
    }
  }

  // After a reconnection the new connection follows the chat shown again, from the last
  // message seen; what it missed meanwhile comes with the answer.
  function followAgain() {
    if (!viewing || viewing.ended) return;
    viewing.line.poll();
  }

  socket.on("connect", () => {
    setStatus("connecting", "Connected; loading the figures…");
    watch(); // on every (re)connection: what happened while away is in the fresh figures
    followAgain();
  });
  socket.on("disconnect", (reason) => {
    setStatus("reconnecting", "Connection lost: reconnecting… The figures shown may be out of date.");
    // socket.io retries by itself, except when the server ended the connection.
    if (reason === "io server disconnect") setTimeout(() => socket.connect(), 2_000);
  });
  socket.on("connect_error", (error) => {
    if (socket.active) {
      setStatus("reconnecting", "Cannot reach the server: reconnecting…");
    } else {
      // Refused (signed out, or no longer a supervisor): no retry will help.
      const message = refusalOf(error)?.message ?? "The server refused the connection.";
      setStatus("offline", `Not connected: ${message} Reload the page to try again.`);
    }
  });
  socket.on("queue_changed", (data) => {
    showFigures(data, true);
    historySoon(data.group);
  });
  socket.on("agents_changed", (data) => showAgents(data.agents));
  socket.on("desk_changed", askDesk);
  socket.on("message_created", (message) => {
    if (viewing && message.chat_id === viewing.chatId) addToView(viewing, [message]);
    else if (opening && message.chat_id === opening.chatId) opening.held.push(message);
  });
  socket.on("chat_ended", (data) => {
    const chatId = data.chat?.public_id;
    if (viewing && chatId === viewing.chatId) viewEnded(viewing, data.note, data.chat.end_reason);
    else if (opening && chatId === opening.chatId) opening.endedPush = data;
  });

  setInterval(tick, 1000);
  setInterval(() => {
    for (const group of charts.keys()) loadHistory(group);
  }, CHART_EVERY_MS);
})();
