// The dashboard's customer satisfaction: the average rating and how many were rated of
// those asked, today and over 7 days, per customer group and per agent, as the server
// pushes them (csat_changed, and watch's csat). A cell that changed is highlighted for
// a moment; the numbers are words too ("3 of 4 (75%)"), never a colour alone.
import { el } from "./dashboard_common.js";

const HIGHLIGHT_MS = 2_000;
const WINDOWS = ["today", "week"];

function cells(row) {
  return WINDOWS.flatMap((key) => {
    const w = row[key];
    const average = w.average === null ? "–" : w.average.toFixed(2);
    const rate = w.response_rate === null ? "" : ` (${Math.round(w.response_rate * 100)}%)`;
    return [[`${key}-average`, average], [`${key}-responses`, `${w.rated} of ${w.asked}${rate}`]];
  });
}

function createTable(table, keyOf, nameOf, empty) {
  const body = table.querySelector("tbody");
  const attribute = `data-${table.id === "csat-groups" ? "group" : "agent"}`;

  return function show(rows) {
    const before = new Map([...body.querySelectorAll(`tr[${attribute}]`)].map((tr) => [tr.getAttribute(attribute), tr]));
    if (!rows.length) {
      body.replaceChildren(el("tr", { class: "empty" }, el("td", { colspan: 5 }, empty)));
      return;
    }
    body.replaceChildren(...rows.map((row) => {
      const key = String(keyOf(row));
      const old = before.get(key);
      const tr = el("tr", { [attribute]: key }, el("th", { scope: "row" }, nameOf(row)));
      for (const [field, text] of cells(row)) {
        const td = el("td", { class: "num", "data-field": field }, text);
        const was = old?.querySelector(`[data-field="${field}"]`)?.textContent;
        if (was !== undefined && was !== text) {
          td.classList.add("changed");
          setTimeout(() => td.classList.remove("changed"), HIGHLIGHT_MS);
        }
        tr.append(td);
      }
      return tr;
    }));
  };
}

export function createCsat(groupTable, agentTable) {
  const groups = createTable(groupTable, (row) => row.group, (row) => row.group_name,
    "No customer has been asked for a rating in the last 7 days.");
  const agents = createTable(agentTable, (row) => row.agent_id, (row) => row.name,
    "No agent's customer has been asked for a rating in the last 7 days.");
  return {
    show(figures) {
      if (!figures) return;
      groups(figures.groups);
      agents(figures.agents);
    },
  };
}
