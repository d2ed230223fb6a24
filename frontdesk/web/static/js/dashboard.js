// The supervisor's dashboard: each chat group's figures as the server pushes them
// (queue_changed), the agents (agents_changed), each group's last hours as a chart
// (history), customer satisfaction (csat_changed, csat.js), and the desk: the waiting
// and active chats (asked for when desk_changed says they moved), each with what a
// supervisor does to it (view read-only, assign, move, end). Nothing is polled but the chart, once a minute; waits and agents' states
// tick here, from the server's clock. Each queue's cases (cases_changed) are
// case_queues.js's. The desk is desk.js, the read-only view of one
// chat desk_view.js; this module connects and wires them together.
import { createCaseQueues } from "./case_queues.js";
import { createCsat } from "./csat.js";
import { announcerFor, el, minutesSeconds, setText, ukTime } from "./dashboard_common.js";
import { createDesk } from "./desk.js";
import { createDeskView } from "./desk_view.js";
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

  // The server's clock less this browser's: waits and states count from the server's times.
  const skew = Date.parse(config.now) - Date.now();
  const serverNow = () => Date.now() + (Number.isFinite(skew) ? skew : 0);
  const secondsSince = (iso) => Math.max(0, Math.floor((serverNow() - Date.parse(iso)) / 1000));

  const rows = new Map(
    [...document.querySelectorAll("#figures tbody tr[data-group]")].map((tr) => [tr.dataset.group, tr]),
  );
  const figures = new Map(); // group -> {data, at (Date.now() when received)}
  const charts = new Map(); // group -> {plot, loaded, timer, pending}

  // Formatting (the rest, shared, is dashboard_common.js's) ----------------------------------

  // m:ss for the first hour, then h:mm with an "h", so the two are never confused.
  function stateFor(seconds) {
    const whole = Math.max(0, Math.floor(seconds));
    if (whole < 3600) return minutesSeconds(whole);
    const minutes = Math.floor(whole / 60);
    return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")} h`;
  }

  function cellText(field, value) {
    return TIMES.includes(field) ? minutesSeconds(value) : String(value ?? 0);
  }

  function longestNow(group) {
    const known = figures.get(group);
    if (!known || !known.data.waiting) return 0;
    return known.data.longest_wait_seconds + Math.floor((Date.now() - known.at) / 1000);
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

  // What the supervisor did, and how it went: said politely, and shown (desk.js and
  // desk_view.js say it here).
  const announce = announcerFor(document.getElementById("desk-announcer"));

  // The agents ---------------------------------------------------------------------------

  let agents = []; // the latest list, as shown: by state, then by name

  function agentState(agent) {
    return agent.state in STATES ? agent.state : "offline";
  }

  // The state in words, with why the agent is away: its own reason, or the desk's "idle".
  function stateWords(agent) {
    const state = agentState(agent);
    if (state !== "away" || !agent.reason) return STATES[state];
    return `${STATES[state]}: ${agent.reason === "idle" ? "idle (no activity)" : agent.reason}`;
  }

  function showAgents(list) {
    const body = document.querySelector("#agents tbody");
    agents = [...list].sort((a, b) => STATE_ORDER[agentState(a)] - STATE_ORDER[agentState(b)]
      || a.name.localeCompare(b.name));
    desk.refreshChoices();
    const previous = new Map([...body.querySelectorAll("tr[data-agent]")].map(
      (tr) => [tr.dataset.agent, tr.dataset.summary],
    ));
    if (!agents.length) {
      body.replaceChildren(el("tr", { class: "empty" },
        el("td", { colspan: 5 },
          "No agent has set a chat state yet. Agents appear here once they open the Agent console.")));
      return;
    }
    body.replaceChildren(...agents.map((agent) => {
      const state = agentState(agent);
      const stateCell = el("td", {}, el("span", { class: `agent-state state-${state}` }, stateWords(agent)));
      const since = el("td", { class: "num agent-for", "data-since": agent.since },
        stateFor(secondsSince(agent.since)));
      const load = el("td", { class: "load" }, `${agent.active} of ${agent.capacity}`);
      const groups = agent.groups.length
        ? agent.groups.map((key) => NAMES[key] ?? key).join(", ") : "All groups";
      const tr = el("tr", { "data-agent": agent.agent_id },
        el("th", { scope: "row" }, agent.name), stateCell, since, load, el("td", {}, groups));
      tr.dataset.summary = `${state}/${agent.reason || ""}/${agent.active}/${agent.capacity}`;
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
  // The desk's View buttons open the read-only view, and the view follows the desk's
  // lists: each is handed the other's functions (called only once the page is live).
  const desk = createDesk({
    socket, announce, secondsSince, agentChoices,
    openView: (record, button, error) => view.openView(record, button, error),
    viewFollowsDesk: () => view.viewFollowsDesk(),
  });
  const view = createDeskView({ socket, announce, desk });
  const caseQueues = createCaseQueues(document.getElementById("case-queues"));
  const csat = createCsat(document.getElementById("csat-groups"), document.getElementById("csat-agents"));
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
    desk.showDesk(ack.data.desk);
    caseQueues.show(ack.data.cases);
    csat.show(ack.data.csat);
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
        if (ack.ok) desk.showDesk(ack.data);
      } while (deskAgain && socket.connected);
    } finally {
      deskAsked = false;
    }
  }

  socket.on("connect", () => {
    setStatus("connecting", "Connected; loading the figures…");
    watch(); // on every (re)connection: what happened while away is in the fresh figures
    view.followAgain();
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
  socket.on("cases_changed", (data) => caseQueues.show(data.queues));
  socket.on("csat_changed", csat.show);
  socket.on("message_created", view.messageCreated);
  socket.on("chat_ended", view.chatEnded);

  setInterval(tick, 1000);
  setInterval(() => {
    for (const group of charts.keys()) loadHistory(group);
  }, CHART_EVERY_MS);
})();
