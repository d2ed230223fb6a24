// The agent console's live chat: presence, offers with a countdown, and a tab per chat with
// its case beside it, over the /agent socket (events tabled in frontdesk/chat/namespaces.py).
// socket.io reconnects by itself; on every connect the console asks for its chats again and
// for the messages after the last one each tab has seen, so nothing is missed or doubled.
import { attachCannedPicker } from "./canned.js";
import { articlesPanel } from "./chat_articles.js";
import { linkedNodes, linkTranscripts } from "./links.js";
import { MessageLine } from "./sequence.js";
import { connect, emitAcked, refusalOf, retryLater } from "./socket.js";
import { acceptDrops, sendFile, sharedFile, sizeText } from "./uploads.js";

(() => {
  const root = document.getElementById("live-chat");
  const socket = root ? connect("/agent") : null;
  if (!socket) {
    const connection = document.getElementById("chat-connection");
    if (connection) { connection.dataset.state = "offline"; connection.textContent = "Not connected"; }
    return;
  }

  const $ = (id) => document.getElementById(id);
  const presenceBox = root.querySelector("fieldset.presence");
  const reasonField = $("away-reason-field");
  const reasonSelect = $("away-reason");
  const load = $("chat-load");
  const offersWaiting = $("offers-waiting");
  const connection = $("chat-connection");
  const alertsBox = $("offer-alerts");
  const presenceNotice = $("presence-notice");
  const closedNotice = $("closed-notice");
  const announcer = $("chat-announcer");
  const offerList = $("offer-list");
  const noOffers = $("no-offers");
  const tabList = $("chat-tabs");
  const panels = $("chat-panels");
  const noChats = $("no-chats");

  const groups = JSON.parse(root.dataset.groups || "[]");
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
  const fileTypes = root.dataset.fileTypes || "";
  const fileRules = `Up to ${root.dataset.fileMb} MB: ${fileTypes.split(",").join(", ")}, in lower case. ` +
    "Or drop a file on the conversation.";
  let capacity = Number(root.dataset.capacity) || 3;
  // The server's clock less this browser's: deadlines are the server's times.
  const skew = Date.parse(root.dataset.now) - Date.now();
  const serverNow = () => Date.now() + (Number.isFinite(skew) ? skew : 0);

  const ALERTS_KEY = "frontdesk.console.offerAlerts";
  const TYPING_IDLE_MS = 3000;
  const TYPING_SHOWN_MS = 6000;
  const PRESENCE_LABELS = { available: "Available", away: "Away", offline: "Offline" };
  // The reason the desk gives itself for an agent left idle (never one to pick).
  const IDLE = "idle";
  const idleMinutes = Number(root.dataset.idleMinutes) || 0;
  // Console activity (a key, a pointer) is reported at most this often: enough to keep an
  // agent at the desk from counting as idle, and one small event a half-minute at most.
  const ACTIVITY_EVERY_MS = 30000;
  const WITHDRAWN = {
    lapsed: "it was not answered in time",
    cancelled: "the customer left",
    customer_away: "the customer's connection dropped (it comes back if they do)",
    unanswered: "the customer's wait ran out",
    reassigned: "a supervisor offered it to another agent",
  };

  // Building markup ------------------------------------------------------------------------

  const { el, fragment } = window.frontdeskDom;
  const clock = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/London", hour: "2-digit", minute: "2-digit",
  });
  const dateTime = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/London", day: "2-digit", month: "2-digit", year: "numeric",
    hour: "2-digit", minute: "2-digit",
  });
  const time = (iso) =>
    el("time", { datetime: iso, title: `${dateTime.format(new Date(iso))} (UK time)` },
      clock.format(new Date(iso)));
  const safeId = (id) => String(id).replace(/[^0-9a-z]/gi, "");

  // Said politely; words announced together are joined, so none is lost.
  let announceTimer = null;
  let pending = [];
  const announce = (text) => {
    pending.push(text);
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => {
      // Emptied first, so the same words twice are read twice.
      announcer.textContent = "";
      const words = pending.join(" ");
      pending = [];
      setTimeout(() => { announcer.textContent = words; }, 30);
    }, 100);
  };

  const detailsList = (pairs) => el("dl", { class: "detail-grid compact" },
    ...pairs.flatMap(([term, value, wide]) => [
      el("div", { class: wide ? "wide" : null }, el("dt", {}, term), el("dd", {}, value || "—")),
    ]));

  const caseSummary = (kase, extra = []) => detailsList([
    ["Case", kase.number],
    ["Status", kase.status],
    ["Customer group", kase.customer_group_name || kase.customer_group],
    ["Contact", kase.contact.name],
    ["Institution", kase.contact.institution],
    ...extra,
  ]);

  // The case's activity as the case page draws it (its read-only summary), fetched from
  // the server into `box`: never built here.
  const caseUrl = (number) => `/agent/cases/${encodeURIComponent(number)}`;
  const showActivity = async (box, number) => {
    try {
      box.replaceChildren(await fragment(`${caseUrl(number)}/feed?view=summary`));
      linkTranscripts(box);
    } catch {
      box.replaceChildren(el("p", { class: "muted" },
        "The activity could not be loaded: open the case to see it."));
    } finally {
      box.removeAttribute("aria-busy");
    }
  };

  // The customer's cases and chats, newest first, each a click away (in a new tab, so the
  // console stays), and their chats of the last 30 days: from the staff API into `box`.
  const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;
  const showHistory = async (box, number) => {
    try {
      const response = await fetch(`/api/v1/cases/${encodeURIComponent(number)}/customer-cases`, {
        credentials: "same-origin", headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      const history = await response.json();
      const rows = history.items.map((item) => el("li", {},
        item.number === number
          ? el("strong", {}, item.number, el("span", { class: "muted" }, " (this chat)"))
          : el("a", { href: caseUrl(item.number), target: "_blank" }, item.number,
            el("span", { class: "visually-hidden" }, " (opens in a new tab)")),
        ` · ${item.subject} `,
        el("span", { class: "muted" }, `· ${item.channel_label} · ${item.status_label} · `,
          el("time", { datetime: item.created_at }, item.created_uk))));
      box.replaceChildren(
        el("p", { class: "history-chats" }, el("strong", {}, plural(history.chats_last_30_days, "chat")),
          " in the last 30 days; ", plural(history.total, "case"), " in all, chats among them."),
        el("ul", { class: "history-list", role: "list" }, ...rows));
    } catch {
      box.replaceChildren(el("p", { class: "muted" },
        "The customer's history could not be loaded: open the case to see it."));
    } finally {
      box.removeAttribute("aria-busy");
    }
  };

  // The case panel: details, contact, description, the customer's history and activity,
  // from an open/accept ack; `ready` settles once the activity is in.
  const casePanel = (state, headingId) => {
    const kase = state.case;
    const contact = kase.contact;
    const activity = el("div", { class: "case-activity", "aria-busy": "true" });
    const history = el("div", { class: "customer-history", "aria-busy": "true" });
    const ready = Promise.all([showActivity(activity, kase.number), showHistory(history, kase.number)]);
    const panel = el("section", { class: "case-panel", "aria-labelledby": headingId },
      el("h4", { id: headingId }, `Case ${kase.number}: ${kase.subject}`),
      detailsList([
        ["Status", kase.status],
        ["Customer group", kase.customer_group_name || kase.customer_group],
        ["Description", kase.description, true],
      ]),
      el("h5", {}, "Contact"),
      detailsList([
        ["Name", contact.name],
        ["Institution", contact.institution],
        ["Email", contact.email ? el("a", { href: `mailto:${contact.email}` }, contact.email) : ""],
        ["Phone", contact.phone],
      ]),
      el("h5", {}, "This customer's cases and chats"),
      history,
      el("h5", {}, "Activity"),
      activity,
      el("p", {}, el("a", { href: caseUrl(kase.number), target: "_blank" },
        `Open case ${kase.number} in a new tab`)));
    return { panel, ready };
  };

  // The socket -------------------------------------------------------------------------------

  const call = (event, data = {}) => emitAcked(socket, event, data);
  const problem = (ack) => ack.error?.message || "Something went wrong";

  // Presence and capacity --------------------------------------------------------------------

  const offers = new Map(); // chat_id -> {data, node, timer}
  const chats = new Map(); // chat_id -> chat state (see openTab)
  const early = new Map(); // chat_id -> messages pushed before its tab opened
  let presence = root.dataset.presence;

  const activeChats = () => [...chats.values()].filter((chat) => chat.status === "active").length;
  const showLoad = () => {
    load.textContent = `${activeChats()} of ${capacity} chats`;
    offersWaiting.textContent = offers.size
      ? ` · ${offers.size} ${offers.size === 1 ? "offer" : "offers"} waiting` : "";
    noOffers.hidden = offers.size > 0;
    noChats.hidden = chats.size > 0;
  };
  // Away asks why: the reason's list shows while away, with the reason kept (none
  // chosen yet, or the desk's own "idle", shows "Choose a reason").
  const showReason = (value, reason) => {
    reasonField.hidden = value !== "away";
    const listed = [...reasonSelect.options].some((option) => option.value === reason);
    reasonSelect.value = listed ? reason : "";
  };
  const showPresence = (value, reason = null) => {
    presence = value;
    const radio = presenceBox.querySelector(`input[value="${value}"]`);
    if (radio) radio.checked = true;
    root.dataset.presence = value;
    showReason(value, reason);
  };
  const idleText = () => `You were set to Away because the console had no activity for ${idleMinutes} ` +
    `${idleMinutes === 1 ? "minute" : "minutes"} while you had no chat. Choose Available to take chats again.`;
  const applySettings = (data) => {
    capacity = data.settings.capacity;
    showPresence(data.settings.presence, data.reason);
    showLoad();
    // Available while every group served is closed: say so, not a silent empty console.
    closedNotice.textContent = data.closed_note || "";
    closedNotice.hidden = !data.closed_note;
  };

  // A status, or Away's reason, chosen: sent at once (Away stops offers before a reason
  // is picked), and said back as the server has it.
  let reasonBefore = root.dataset.reason || null;
  const choose = async (wanted, reason) => {
    const before = presence;
    primeAlerts();
    presenceNotice.hidden = true;
    const ack = await call("set_presence", { presence: wanted, reason });
    if (!ack.ok) {
      showPresence(before, reasonBefore);
      presenceNotice.textContent = `Your status was not changed: ${problem(ack)}`;
      presenceNotice.hidden = false;
      return;
    }
    applySettings(ack.data);
    reasonBefore = ack.data.reason;
    const now = ack.data.settings.presence;
    if (now !== "away") announce(`You are ${PRESENCE_LABELS[now]}.`);
    else if (ack.data.reason) announce(`You are Away: ${ack.data.reason}.`);
    else announce("You are Away. Choose a reason for Away next, so supervisors know why.");
  };
  presenceBox.addEventListener("change", (event) => choose(event.target.value, null));
  reasonSelect.addEventListener("change", () => {
    if (presence === "away" && reasonSelect.value) choose("away", reasonSelect.value);
  });
  showReason(presence, reasonBefore);
  if (reasonBefore === IDLE && presence === "away") {
    presenceNotice.textContent = idleText();
    presenceNotice.hidden = false;
  }

  // Console activity, told to the server now and then so an agent at work is not idle.
  let lastActivity = 0;
  const reportActivity = () => {
    const now = Date.now();
    if (!socket.connected || now - lastActivity < ACTIVITY_EVERY_MS) return;
    lastActivity = now;
    call("report_activity");
  };
  for (const type of ["keydown", "pointerdown", "pointermove", "wheel"]) {
    document.addEventListener(type, reportActivity, { capture: true, passive: true });
  }

  // Offer alerts: a short beep and a desktop notification, unless switched off -----------------

  const alertsOn = () => alertsBox.checked;
  try {
    alertsBox.checked = localStorage.getItem(ALERTS_KEY) !== "off";
  } catch { /* storage blocked: alerts stay on for this page */ }
  alertsBox.addEventListener("change", () => {
    try { localStorage.setItem(ALERTS_KEY, alertsBox.checked ? "on" : "off"); } catch { /* no storage */ }
    primeAlerts();
  });
  let audio = null;
  // Browsers allow sound and ask about notifications only after a person acts: the first
  // change of status or of this switch does both.
  const primeAlerts = () => {
    if (!alertsOn()) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume().catch(() => {});
    } catch { /* no audio here */ }
    if ("Notification" in window && Notification.permission === "default") {
      Notification.requestPermission().catch(() => {});
    }
  };
  const beep = () => {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.35);
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.35);
    } catch { /* no audio here */ }
  };
  const alertOffer = (offer) => {
    if (!alertsOn()) return;
    beep();
    if ("Notification" in window && Notification.permission === "granted" && document.hidden) {
      try {
        const shown = new Notification("New chat offer", {
          body: `Case ${offer.case.number}: ${offer.case.subject}`, tag: offer.chat_id,
        });
        shown.onclick = () => { window.focus(); shown.close(); };
      } catch { /* notifications unavailable */ }
    }
  };

  // New messages while this tab is hidden: counted in the page title, and with the
  // offers' switch on, a desktop notification (one per chat, replaced as more come).
  const baseTitle = document.title;
  let unseen = 0;
  const tellHidden = (chat, count) => {
    unseen += count;
    document.title = `(${unseen}) New chat ${unseen === 1 ? "message" : "messages"} · ${baseTitle}`;
    if (!alertsOn() || !("Notification" in window) || Notification.permission !== "granted") return;
    try {
      const shown = new Notification(`New message from ${chat.customer}`, {
        body: `Case ${chat.number}`, tag: `message-${chat.chatId}`,
      });
      shown.onclick = () => { window.focus(); selectTab(chat.chatId, true); shown.close(); };
    } catch { /* notifications unavailable */ }
  };
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    unseen = 0;
    document.title = baseTitle;
  });

  // Offers -----------------------------------------------------------------------------------

  const secondsLeft = (deadline) => Math.max(0, Math.ceil((Date.parse(deadline) - serverNow()) / 1000));
  const countdownText = (seconds) => seconds > 0 ? `${seconds} s left to answer` : "Time is up";

  const removeOffer = (chatId) => {
    const offer = offers.get(chatId);
    if (!offer) return null;
    clearInterval(offer.timer);
    const hadFocus = offer.node.contains(document.activeElement);
    offer.node.remove();
    offers.delete(chatId);
    if (!chats.has(chatId)) early.delete(chatId);
    showLoad();
    if (hadFocus) (offerList.querySelector("button") || tabList.querySelector('[aria-selected="true"]') || root).focus();
    return offer;
  };

  const showOffer = (data) => {
    removeOffer(data.chat_id);
    const id = safeId(data.chat_id);
    const kase = data.case;
    const countdown = el("strong", { class: "countdown" }, countdownText(secondsLeft(data.deadline)));
    const status = el("p", { class: "offer-status", role: "status" });
    const reading = el("div", { class: "offer-reading", id: `offer-read-${id}`, hidden: true });
    const accept = el("button", { type: "button", class: "primary", "aria-describedby": `offer-title-${id}` }, "Accept");
    const decline = el("button", { type: "button", class: "secondary", "aria-describedby": `offer-title-${id}` }, "Decline");
    const read = el("button", { type: "button", class: "link-button read-case",
      "aria-expanded": "false", "aria-controls": reading.id }, "Read the case");
    const node = el("li", { class: "offer card", "data-chat-id": data.chat_id, "aria-labelledby": `offer-title-${id}` },
      el("div", { class: "offer-head" },
        el("h4", { id: `offer-title-${id}` }, `Chat offer: case ${kase.number}, ${kase.subject}`),
        el("p", { class: "offer-clock" }, countdown,
          el("span", { class: "muted" }, " · waiting since ", time(data.waiting_since)))),
      caseSummary(kase, [["Chat group", kase.customer_group_name || data.group]]),
      el("div", { class: "offer-actions" }, accept, decline, read),
      status, reading);
    const offer = { data, node, timer: null };
    offer.timer = setInterval(() => {
      const left = secondsLeft(data.deadline);
      countdown.textContent = countdownText(left);
      countdown.classList.toggle("urgent", left <= 5);
    }, 1000);
    offers.set(data.chat_id, offer);
    offerList.append(node);
    showLoad();

    accept.addEventListener("click", async () => {
      accept.disabled = decline.disabled = true;
      status.textContent = "Accepting…";
      const ack = await call("accept_chat", { chat_id: data.chat_id });
      if (!ack.ok) {
        status.textContent = problem(ack);
        accept.disabled = decline.disabled = false;
        if (ack.error?.code === "OFFER_GONE") setTimeout(() => removeOffer(data.chat_id), 4000);
        return;
      }
      const chat = openTab(ack.data);
      removeOffer(data.chat_id);
      selectTab(chat.chatId);
      chat.input.focus();
      announce(`Chat accepted: case ${kase.number}, ${kase.contact.name}.`);
    });
    decline.addEventListener("click", async () => {
      accept.disabled = decline.disabled = true;
      const ack = await call("decline_chat", { chat_id: data.chat_id });
      if (!ack.ok && ack.error?.code !== "OFFER_GONE") {
        status.textContent = problem(ack);
        accept.disabled = decline.disabled = false;
        return;
      }
      removeOffer(data.chat_id);
      announce(`Offer of case ${kase.number} declined.`);
    });
    read.addEventListener("click", async () => {
      const open = read.getAttribute("aria-expanded") === "true";
      if (open) {
        reading.hidden = true;
        read.setAttribute("aria-expanded", "false");
        read.textContent = "Read the case";
        return;
      }
      if (!reading.hasChildNodes()) {
        status.textContent = "Loading the case…";
        const ack = await call("open_chat", { chat_id: data.chat_id, last_seq: 0 });
        if (!ack.ok) { status.textContent = problem(ack); return; }
        const { panel, ready } = casePanel(ack.data, `offer-case-${id}`);
        await ready; // shown whole, as it was asked for
        status.textContent = "";
        reading.append(panel);
        if (ack.data.messages.length) {
          reading.append(el("h5", {}, "Messages so far"),
            el("ol", { class: "thread" }, ...ack.data.messages.map(messageItem)));
        }
      }
      reading.hidden = false;
      read.setAttribute("aria-expanded", "true");
      read.textContent = "Hide the case";
    });

    announce(`New chat offer: case ${kase.number}, ${kase.subject}, from ${kase.contact.name}. ` +
      `${secondsLeft(data.deadline)} seconds to answer.`);
    alertOffer(data);
  };

  // Chats in tabs ------------------------------------------------------------------------------

  const fromCustomer = (message) => String(message.sender_role).toLowerCase() === "customer";
  const messageItem = (message) => {
    const mine = !fromCustomer(message);
    return el("li", { class: `message ${mine ? "mine" : "theirs"}`, "data-seq": message.seq },
      el("p", { class: "message-head" }, el("strong", {}, message.sender_name), " ", time(message.created_at)),
      el("p", { class: "message-body" },
        ...(message.attachment ? [sharedFile(message.attachment)] : linkedNodes(message.body))));
  };

  const updateTab = (chat) => {
    chat.badge.hidden = chat.unread === 0;
    chat.badgeCount.textContent = chat.unread ? String(chat.unread) : "";
    chat.badgeWords.textContent = chat.unread
      ? ` (${chat.unread} unread ${chat.unread === 1 ? "message" : "messages"})` : "";
    chat.tabState.textContent = chat.status === "ended" ? " (ended)" : "";
  };

  const addMessages = (chat, messages) => {
    let added = 0;
    for (const message of messages) {
      if (!chat.line.add(message.seq)) continue; // each once, in seq order
      const item = messageItem(message);
      // In seq order, wherever a late one belongs.
      const after = [...chat.thread.children].find((node) => Number(node.dataset.seq) > message.seq);
      chat.thread.insertBefore(item, after || null);
      if (fromCustomer(message)) {
        added += 1;
        showTyping(chat, null);
      }
    }
    if (added && document.hidden) tellHidden(chat, added);
    if (added && chat.chatId !== selected()) {
      chat.unread += added;
      updateTab(chat);
      announce(`${added === 1 ? "New message" : `${added} new messages`} from ${chat.customer} in case ${chat.number}.`);
    }
    chat.scroller.scrollTop = chat.scroller.scrollHeight;
  };

  const showTyping = (chat, name) => {
    clearTimeout(chat.typingTimer);
    chat.typingLine.textContent = name ? `${name} is typing…` : "";
    if (name) chat.typingTimer = setTimeout(() => { chat.typingLine.textContent = ""; }, TYPING_SHOWN_MS);
  };

  const selected = () => tabList.querySelector('[aria-selected="true"]')?.dataset.chatId;

  const selectTab = (chatId, focus = false) => {
    for (const [id, chat] of chats) {
      const on = id === chatId;
      chat.tab.setAttribute("aria-selected", String(on));
      chat.tab.tabIndex = on ? 0 : -1;
      chat.panel.hidden = !on;
      if (on) {
        chat.unread = 0;
        updateTab(chat);
        chat.scroller.scrollTop = chat.scroller.scrollHeight;
        if (focus) chat.tab.focus();
      }
    }
  };

  const closeTab = (chatId) => {
    const chat = chats.get(chatId);
    if (!chat) return;
    const wasSelected = selected() === chatId;
    const hadFocus = chat.panel.contains(document.activeElement) || chat.tab === document.activeElement;
    clearTimeout(chat.typingTimer);
    clearTimeout(chat.idleTimer);
    chat.tab.remove();
    chat.panel.remove();
    chats.delete(chatId);
    showLoad();
    const next = chats.keys().next();
    if (!next.done && wasSelected) selectTab(next.value, hadFocus);
    else if (next.done && hadFocus) $("chats-title").focus();
  };

  const markEnded = (chat, text) => {
    chat.status = "ended";
    chat.customerLine.hidden = true;
    chat.composer.hidden = true;
    chat.tools.hidden = true;
    chat.articles.hidden = true;
    chat.endedNote.hidden = false;
    chat.endedText.textContent = text;
    showTyping(chat, null);
    updateTab(chat);
    showLoad();
  };

  // One tab and its panel, from an accept_chat/open_chat ack.
  const openTab = (state) => {
    const chatId = state.chat.public_id;
    const existing = chats.get(chatId);
    if (existing) {
      addMessages(existing, state.messages);
      return existing;
    }
    const id = safeId(chatId);
    const kase = state.case;
    const customer = kase.contact.name;
    const badgeCount = el("span", { "aria-hidden": "true" });
    const badgeWords = el("span", { class: "visually-hidden" });
    const badge = el("span", { class: "unread", hidden: true }, badgeCount, badgeWords);
    const tabState = el("span", { class: "tab-state" });
    const tab = el("button", { type: "button", role: "tab", id: `chat-tab-${id}`, "aria-selected": "false",
      "aria-controls": `chat-panel-${id}`, tabindex: "-1", "data-chat-id": chatId },
      el("span", { class: "tab-name" }, customer), el("span", { class: "tab-case" }, `· ${kase.number}`), tabState, badge);

    const thread = el("ol", { class: "thread" });
    const scroller = el("div", { class: "thread-scroll", tabindex: "0", role: "log",
      "aria-label": `Messages with ${customer}` }, thread);
    const typingLine = el("p", { class: "typing", "aria-live": "off" });
    // Whether the customer is still connected: said once when it changes.
    const customerLine = el("p", { class: "customer-presence", role: "status", hidden: true });
    const input = el("textarea", { id: `chat-input-${id}`, rows: "2", maxlength: "5000",
      "aria-describedby": `chat-input-hint-${id}` });
    const sendStatus = el("p", { class: "send-status", role: "status" });
    // A file for the customer: the case's attachment rules, said beside the input (and
    // read out) when one is refused.
    const fileStatus = el("p", { class: "file-status", id: `chat-file-status-${id}`, "aria-live": "polite" });
    const fileInput = el("input", { type: "file", id: `chat-file-${id}`, accept: fileTypes,
      "aria-describedby": `chat-file-hint-${id} ${fileStatus.id}` });
    const composer = el("form", { class: "composer", novalidate: true },
      el("label", { for: input.id }, `Message to ${customer}`),
      el("p", { class: "hint", id: `chat-input-hint-${id}` }, "Enter sends; Shift+Enter starts a new line."),
      el("div", { class: "composer-row" }, input, el("button", { type: "submit", class: "primary" }, "Send")),
      sendStatus,
      el("div", { class: "attach" },
        el("label", { for: fileInput.id }, `File for ${customer}`),
        el("p", { class: "hint", id: `chat-file-hint-${id}` }, fileRules),
        fileInput, fileStatus));
    // Before the box's own keys: while the picker is open, Enter chooses rather than sends.
    attachCannedPicker(input, { caseNumber: kase.number, after: composer.querySelector(".composer-row") });

    const articles = articlesPanel(input, kase.number);

    const others = groups.filter((group) => group.key !== state.chat.group_name);
    const transferSelect = el("select", { id: `chat-transfer-${id}` },
      ...others.map((group) => el("option", { value: group.key }, group.name)));
    const transferStatus = el("p", { class: "tool-status", role: "status" });
    const transfer = el("form", { class: "tool transfer", novalidate: true },
      el("div", { class: "field" }, el("label", { for: transferSelect.id }, "Transfer to group"), transferSelect),
      el("button", { type: "submit", class: "secondary", disabled: others.length === 0 }, "Transfer"),
      transferStatus);
    const wrapUp = el("textarea", { id: `chat-wrapup-${id}`, rows: "3", maxlength: "5000",
      "aria-describedby": `chat-wrapup-hint-${id}` });
    const endStatus = el("p", { class: "tool-status", role: "status" });
    const end = el("form", { class: "tool end", novalidate: true },
      el("div", { class: "field" },
        el("label", { for: wrapUp.id }, "Wrap-up note"),
        el("p", { class: "hint", id: `chat-wrapup-hint-${id}` }, "Kept with the transcript in the case's activity."),
        wrapUp),
      el("button", { type: "submit", class: "danger" }, "End chat"),
      endStatus);
    const tools = el("div", { class: "chat-tools" }, transfer, end);

    const endedText = el("span");
    const closeButton = el("button", { type: "button", class: "secondary" }, "Close tab");
    const endedNote = el("div", { class: "ended-note", hidden: true }, el("p", {}, endedText), closeButton);

    const panel = el("div", { class: "chat-panel", role: "tabpanel", id: `chat-panel-${id}`,
      "aria-labelledby": tab.id, hidden: true },
      el("div", { class: "conversation" },
        el("h4", { class: "visually-hidden" }, `Chat with ${customer}, case ${kase.number}`),
        scroller, typingLine, customerLine, composer, articles, endedNote, tools),
      casePanel(state, `chat-case-${id}`).panel); // its activity follows

    const chat = {
      chatId, number: kase.number, customer, status: state.chat.status, line: null, silence: null,
      unread: 0, tab, panel, thread, scroller, typingLine, customerLine, input, composer, tools, endedNote, articles,
      endedText,
      badge, badgeCount, badgeWords, tabState, customerAway: false, typingTimer: null, idleTimer: null, typingSent: false, ending: false,
    };
    chat.line = new MessageLine((afterSeq) => catchUpChat(chat, afterSeq));
    chats.set(chatId, chat);
    tabList.append(tab);
    panels.append(panel);
    addMessages(chat, [...state.messages, ...(early.get(chatId) || [])]);
    early.delete(chatId);
    chat.unread = 0;
    updateTab(chat);
    if (chat.status !== "active") markEnded(chat, "This chat has ended.");
    if (!selected()) selectTab(chatId);
    showLoad();

    // Typing, both ways: said once when it starts, and when it stops (idle or sent).
    const stopTyping = () => {
      clearTimeout(chat.idleTimer);
      if (chat.typingSent) {
        chat.typingSent = false;
        call("typing", { chat_id: chatId, typing: false });
      }
    };
    input.addEventListener("input", () => {
      if (!input.value.trim()) { stopTyping(); return; }
      if (!chat.typingSent) {
        chat.typingSent = true;
        call("typing", { chat_id: chatId, typing: true });
      }
      clearTimeout(chat.idleTimer);
      chat.idleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        composer.requestSubmit();
      }
    });
    composer.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = input.value.trim();
      if (!body) { sendStatus.textContent = "Write a message first."; return; }
      const clientId = window.crypto?.randomUUID ? crypto.randomUUID()
        : `${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
      input.value = "";
      sendStatus.textContent = "";
      stopTyping();
      const ack = await call("send_message", { chat_id: chatId, body, client_msg_id: clientId });
      if (!ack.ok) {
        if (!input.value) input.value = body;
        sendStatus.textContent = `Not sent: ${problem(ack)}`;
        return;
      }
      addMessages(chat, [ack.data]);
    });
    transfer.addEventListener("submit", async (event) => {
      event.preventDefault();
      const group = transferSelect.value;
      transferStatus.textContent = "Transferring…";
      const ack = await call("transfer_chat", { chat_id: chatId, group });
      if (!ack.ok) { transferStatus.textContent = problem(ack); return; }
      closeTab(chatId);
      announce(`Chat with ${customer} transferred to ${group}.`);
    });
    end.addEventListener("submit", async (event) => {
      event.preventDefault();
      endStatus.textContent = "Ending…";
      const note = wrapUp.value.trim();
      chat.ending = true; // our own chat_ended may come before the answer
      const ack = await call("end_chat", { chat_id: chatId, wrap_up: note || null });
      if (!ack.ok) { chat.ending = false; endStatus.textContent = problem(ack); return; }
      closeTab(chatId);
      announce(`Chat with ${customer} ended. The transcript is in case ${kase.number}'s activity.`);
    });
    closeButton.addEventListener("click", () => closeTab(chatId));

    const fileSay = (text, refused = false) => {
      fileStatus.classList.toggle("refused", refused);
      fileStatus.textContent = text;
      if (refused) fileInput.setAttribute("aria-invalid", "true");
      else fileInput.removeAttribute("aria-invalid");
    };
    const shareFiles = async (files) => {
      for (const file of files) {
        if (chat.status !== "active") return fileSay("This chat has ended: the file was not sent.", true);
        fileSay(`Sending ${file.name}…`);
        const result = await sendFile(`/api/v1/chats/${encodeURIComponent(chatId)}/attachments`, file, csrf);
        if (!result.ok) { fileSay(`Not sent: ${result.message}`, true); continue; }
        addMessages(chat, [result.body]);
        fileSay(`${file.name} sent (${sizeText(result.body.attachment.size)}).`);
      }
    };
    fileInput.addEventListener("change", async () => {
      await shareFiles([...fileInput.files]);
      fileInput.value = "";
    });
    acceptDrops(panel.querySelector(".conversation"), shareFiles, document);
    return chat;
  };

  // Tabs by keyboard: arrows move between tabs, Home and End to the ends (WAI-ARIA tabs).
  tabList.addEventListener("keydown", (event) => {
    const tabs = [...tabList.querySelectorAll('[role="tab"]')];
    const at = tabs.indexOf(document.activeElement);
    if (at < 0) return;
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const target = tabs[(to + tabs.length) % tabs.length];
    selectTab(target.dataset.chatId, true);
  });
  tabList.addEventListener("click", (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab) selectTab(tab.dataset.chatId, true);
  });

  // Pushed by the server --------------------------------------------------------------------

  socket.on("chat_offered", showOffer);
  socket.on("offer_withdrawn", (data) => {
    const offer = removeOffer(data.chat_id);
    if (offer) {
      announce(`The offer of case ${offer.data.case.number} was withdrawn: ${WITHDRAWN[data.reason] || data.reason}.`);
    }
  });
  socket.on("presence_changed", (data) => {
    const before = presence;
    applySettings(data);
    reasonBefore = data.reason;
    if (data.settings.presence !== before) {
      const lapsed = "You were set to Away because an offer was not answered in time. Choose Available to take chats again; if nobody else has taken that chat, it will be offered to you again.";
      const away = data.reason === IDLE ? idleText() : lapsed;
      const text = data.settings.presence === "away"
        ? away : `Your chat status is now ${PRESENCE_LABELS[data.settings.presence]}.`;
      presenceNotice.textContent = text;
      presenceNotice.hidden = false;
      announce(text);
    }
  });
  socket.on("message_created", (message) => {
    const chat = chats.get(message.chat_id);
    if (chat) {
      addMessages(chat, [message]);
    } else {
      // Sent as the chat was being accepted, before the accept's answer: kept for its tab.
      const held = early.get(message.chat_id) || [];
      if (held.length < 200) held.push(message);
      early.set(message.chat_id, held);
    }
  });
  socket.on("typing", (data) => {
    const chat = chats.get(data.chat_id);
    if (chat && chat.status === "active") showTyping(chat, data.typing ? data.name : null);
  });
  socket.on("customer_disconnected", (data) => {
    const chat = chats.get(data.chat_id);
    if (!chat || chat.status !== "active") return;
    showTyping(chat, null);
    chat.customerAway = true;
    chat.customerLine.textContent = `${chat.customer}'s connection dropped. The chat stays open until ` +
      `${clock.format(new Date(data.back_by))} (UK time) for them to come back.`;
    chat.customerLine.hidden = false;
  });
  socket.on("customer_reconnected", (data) => {
    const chat = chats.get(data.chat_id);
    if (!chat || chat.status !== "active") return;
    chat.customerAway = false;
    chat.customerLine.textContent = `${chat.customer} is back.`;
    chat.customerLine.hidden = false;
  });
  socket.on("chat_ended", (data) => {
    const chat = chats.get(data.chat.public_id);
    if (chat && chat.status === "active" && !chat.ending) {
      // Ended by the customer, for them (their connection never came back), or by a
      // supervisor (the note says who and why).
      const left = data.note || (chat.customerAway ? data.chat.end_reason : null);
      markEnded(chat, `${left || `${chat.customer} ended the chat.`} The transcript is in case ${chat.number}'s activity.`);
      announce(`The chat with ${chat.customer} in case ${chat.number} has ended.`);
    }
  });
  socket.on("chat_moved", (data) => {
    const chat = chats.get(data.chat_id);
    if (!chat || chat.status !== "active") return;
    markEnded(chat, `${data.message} It is no longer yours.`);
    announce(`${data.message} (case ${chat.number})`);
  });

  // Catching up one chat: after a gap, a heartbeat naming more, a silence, a return to the tab.
  // The answer also says where the chat stands, for a requeue or end whose push never came.
  const catchUpChat = async (chat, afterSeq) => {
    if (!socket.connected || chat.status !== "active") throw new Error("nothing to catch up");
    const ack = await call("open_chat", { chat_id: chat.chatId, last_seq: afterSeq });
    if (!ack.ok) throw new Error(ack.error.code);
    addMessages(chat, ack.data.messages);
    const status = ack.data.chat.status;
    if (status === "ended" && chat.status === "active" && !chat.ending) {
      markEnded(chat, `The chat has ended. The transcript is in case ${chat.number}'s activity.`);
    } else if (status !== "active" && status !== "ended" && chat.status === "active") {
      markEnded(chat, "This chat is no longer yours: it went back to the queue.");
    }
  };

  // Where each chat stands, from this node every few seconds: a later seq or another status
  // than shown means a push was lost on its way. A chat whose beats stop (it ended, or went
  // back to the queue) is asked after a few beats of silence.
  socket.on("chat_heartbeat", (data) => {
    const chat = chats.get(data.chat_id);
    if (!chat) return;
    clearTimeout(chat.silence);
    chat.silence = setTimeout(() => chat.line.poll(), data.every_seconds * 3000);
    chat.line.knownUpTo(data.last_seq);
    if (data.status !== "active") chat.line.poll();
  });
  const pollOpenChats = () => {
    if (!socket.connected) return;
    for (const chat of chats.values()) if (chat.status === "active") chat.line.poll();
  };
  window.addEventListener("focus", pollOpenChats);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") pollOpenChats();
  });

  // Connecting, and catching up after every reconnect ------------------------------------------

  const setConnection = (state, text) => {
    connection.dataset.state = state;
    connection.textContent = text;
  };
  const catchUp = async () => {
    const ack = await call("my_chats");
    if (!ack.ok) return;
    const current = new Set(ack.data.chats.map((chat) => chat.public_id));
    for (const summary of ack.data.chats) {
      const known = chats.get(summary.public_id);
      const opened = await call("open_chat", { chat_id: summary.public_id, last_seq: known ? known.line.caughtUpTo : 0 });
      if (opened.ok) openTab(opened.data);
    }
    // Chats that ended or went back to the queue while this console was away.
    for (const chat of chats.values()) {
      if (!current.has(chat.chatId) && chat.status === "active") {
        markEnded(chat, "This chat is no longer yours: it ended or went back to the queue while you were disconnected.");
      }
    }
    showLoad();
  };
  socket.on("connect", async () => {
    setConnection("connected", "Connected");
    presenceBox.disabled = reasonSelect.disabled = false;
    await catchUp();
  });
  socket.on("disconnect", (reason) => {
    setConnection("offline", "Connection lost: reconnecting…");
    presenceBox.disabled = reasonSelect.disabled = true;
    // Ended by the server (the session ended, say): connect again to learn why.
    if (reason === "io server disconnect") socket.connect();
  });
  socket.on("connect_error", (error) => {
    const refusal = refusalOf(error);
    if (retryLater(socket, refusal)) {
      setConnection("offline", `${refusal.message} Retrying…`);
      return;
    }
    const refused = refusal?.message;
    setConnection("offline", refused ? `Live chat is unavailable: ${refused}` : "Cannot reach the server: retrying…");
  });

  showLoad();
})();
