// The read-only view of one chat on the dashboard: opened from the desk's View buttons
// (desk.js), it follows the chat as it happens until closed. The supervisor is seen by
// nobody in the chat and cannot write in it.
import {
  caseUrl, clearError, el, hidden, NOT_CONNECTED, problem, setText, showError, timeOfDay,
} from "./dashboard_common.js";
import { whereItStands } from "./desk.js";
import { linkedNodes } from "./links.js";
import { MessageLine } from "./sequence.js";
import { emitAcked } from "./socket.js";
import { sharedFile } from "./uploads.js";

const CHAT_STATUS = { requested: "Waiting", offered: "Being offered", active: "Active", ended: "Ended" };
const ROLES = { customer: "Customer", agent: "Agent", supervisor: "Supervisor", system: "System" };
const FOLLOW_AGAIN_MS = 60_000; // well within the server's two minutes of pushes

const sentence = (text) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

// The view in the page's #monitor panel. `socket` is null when the page cannot connect;
// `desk` is the desk's lists ({waiting, active}, desk.js), which the view follows. Returns
// `openView(record, button, error)` and `viewFollowsDesk()` for the desk, and for the
// dashboard's socket: `followAgain()` after a reconnection, `messageCreated(message)` and
// `chatEnded(data)` for the pushes.
export function createDeskView({ socket, announce, desk }) {
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
      el("p", { class: "monitor-text" },
        ...(message.attachment ? [sharedFile(message.attachment)] : linkedNodes(message.body))));
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

  // After a reconnection the new connection follows the chat shown again, from the last
  // message seen; what it missed meanwhile comes with the answer.
  function followAgain() {
    if (!viewing || viewing.ended) return;
    viewing.line.poll();
  }

  // A pushed message or end: the shown chat's, or held for the one asked for until its
  // answer comes.
  function messageCreated(message) {
    if (viewing && message.chat_id === viewing.chatId) addToView(viewing, [message]);
    else if (opening && message.chat_id === opening.chatId) opening.held.push(message);
  }

  function chatEnded(data) {
    const chatId = data.chat?.public_id;
    if (viewing && chatId === viewing.chatId) viewEnded(viewing, data.note, data.chat.end_reason);
    else if (opening && chatId === opening.chatId) opening.endedPush = data;
  }

  return { openView, viewFollowsDesk, followAgain, messageCreated, chatEnded };
}
