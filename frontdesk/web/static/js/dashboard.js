// The supervisor's dashboard: each chat group's figures as the server pushes them
// (queue_changed), the agents (agents_changed), and each group's last hours as a chart
// (history). Nothing is polled but the chart, once a minute; the longest wait ticks here.
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
  const PRESENCE = { available: "Available", away: "Away", offline: "Offline" };
  const ukTime = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/London", hour: "2-digit", minute: "2-digit",
  });

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
  }

  // The agents ---------------------------------------------------------------------------

  function agentState(agent) {
    if (agent.presence === "available" && agent.active >= agent.capacity) return "busy";
    return agent.presence in PRESENCE ? agent.presence : "offline";
  }

  function showAgents(agents) {
    const body = document.querySelector("#agents tbody");
    const order = { available: 0, busy: 1, away: 2, offline: 3 };
    const sorted = [...agents].sort((a, b) => order[agentState(a)] - order[agentState(b)]
      || a.name.localeCompare(b.name));
    const previous = new Map([...body.querySelectorAll("tr[data-agent]")].map(
      (tr) => [tr.dataset.agent, tr.dataset.summary],
    ));
    if (!sorted.length) {
      const empty = document.createElement("tr");
      empty.className = "empty";
      const cell = document.createElement("td");
      cell.colSpan = 4;
      cell.textContent = "No agent has set a chat state yet.";
      empty.append(cell);
      body.replaceChildren(empty);
      return;
    }
    body.replaceChildren(...sorted.map((agent) => {
      const state = agentState(agent);
      const tr = document.createElement("tr");
      tr.dataset.agent = String(agent.agent_id);
      tr.dataset.summary = `${state}/${agent.active}/${agent.capacity}`;
      const name = document.createElement("th");
      name.scope = "row";
      name.textContent = agent.name;
      const stateCell = document.createElement("td");
      const badge = document.createElement("span");
      badge.className = `agent-state state-${state}`;
      badge.textContent = state === "busy" ? "Busy" : PRESENCE[state];
      stateCell.append(badge);
      const load = document.createElement("td");
      load.className = "load";
      load.textContent = `${agent.active} of ${agent.capacity}`;
      const groups = document.createElement("td");
      groups.textContent = agent.groups.length
        ? agent.groups.map((key) => NAMES[key] ?? key).join(", ")
        : "All groups";
      tr.append(name, stateCell, load, groups);
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
    setStatus("connected", "Connected: the figures are live.");
    for (const group of charts.keys()) loadHistory(group);
  }

  socket.on("connect", () => {
    setStatus("connecting", "Connected; loading the figures…");
    watch(); // on every (re)connection: what happened while away is in the fresh figures
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

  setInterval(tick, 1000);
  setInterval(() => {
    for (const group of charts.keys()) loadHistory(group);
  }, CHART_EVERY_MS);
})();
