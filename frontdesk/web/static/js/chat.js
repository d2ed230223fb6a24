// The customer's live chat window: one socket to /customer (the session cookie signs it
// in). The server decides everything; this script asks for the chat, shows what it is
// told, and asks for exactly what it missed (resume_chat from the last message with no gap
// before it) after a dropped connection, a gap, a heartbeat naming more, or a return to
// the tab.
import { linkedNodes } from "./links.js";
import { createChatRating } from "./chat_rating.js";
import { MessageLine } from "./sequence.js";
import { connect, emitAcked, refusalOf, retryLater, RETRY_MS } from "./socket.js";
import { acceptDrops, sendFile, sharedFile, sizeText } from "./uploads.js";

(() => {
  const app = document.getElementById("chat-app");
  const socket = app ? connect("/customer") : null;
  if (!socket) {
    const status = document.getElementById("chat-status");
    if (status) status.textContent = "Not connected.";
    return;
  }
  const $ = (id) => document.getElementById(id);

  const caseNumber = app.dataset.caseNumber;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
  const myId = Number(app.dataset.userId);
  const TYPING_IDLE_MS = 3000;
  const TYPING_REPEAT_MS = 2000;
  const clock = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/London", hour: "2-digit", minute: "2-digit", hour12: false,
  });
  const longDate = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/London", weekday: "long", day: "numeric", month: "long",
    hour: "2-digit", minute: "2-digit", hour12: false,
  });

  const ui = {
    status: $("chat-status"), agent: $("chat-agent"), error: $("chat-error"),
    messages: $("chat-messages"), typing: $("chat-typing"), form: $("chat-form"),
    text: $("chat-text"), send: $("chat-send"), save: $("chat-save"), end: $("chat-end"),
    leave: $("chat-leave"), leaveReason: $("chat-leave-reason"), leaveForm: $("chat-leave-form"),
    leaveText: $("chat-leave-text"), leaveError: $("chat-leave-text-error"),
    intro: app.querySelector(".chat-pending"), leaveDone: $("chat-leave-done"), ended: $("chat-ended"), endedText: $("chat-ended-text"),
    instead: $("chat-instead"), insteadButton: $("chat-instead-button"),
    email: $("chat-email"), toolsStatus: $("chat-tools-status"),
    file: $("chat-file"), fileStatus: $("chat-file-status"), thread: $("chat-thread"),
  };

  const state = {
    chatId: null, // the chat's public id, once request_chat answered
    phase: "connecting", // connecting | waiting | active | ended | closed | unavailable | left | failed
    agentName: null,
    line: null, // the messages shown, by seq (sequence.js): each once, gaps caught up
    pending: new Map(), // client_msg_id -> its element, until the server stores it
    typingSent: false,
    typingIdle: null,
    typingLastSent: 0,
    theirTyping: null,
    everConnected: false,
    ending: false,
    leaving: false, // a message is being left instead of waiting: the chat ends by it
  };

  // The socket ---------------------------------------------------------------------------

  window.frontdeskChat = { socket, state };
  state.line = new MessageLine(catchUp);

  const call = (event, data) => emitAcked(socket, event, data, {
    timeoutMessage: "The chat service did not answer in time. Please try again.",
  });
  const rating = createChatRating({ call, errorWords });

  function errorWords(error) {
    // The server's message is written for people; a code alone never is.
    return (error && error.message) || "Something went wrong on our side; please try again.";
  }

  socket.on("connect", async () => {
    const resuming = state.chatId !== null;
    state.everConnected = true;
    hideError();
    if (["ended", "unavailable", "closed", "left"].includes(state.phase)) return;
    if (resuming) {
      if (state.phase === "connecting") setPhase("waiting");
      const ack = await call("resume_chat", { chat_id: state.chatId, last_seq: state.line.caughtUpTo });
      if (!ack.ok) return showError(errorWords(ack.error));
      applyState(ack.data, true);
      return;
    }
    await requestChat();
  });

  // A part of ours down or busy for now (UNAVAILABLE): the window keeps trying.
  const BUSY = "We are very busy just now. We will keep trying to connect you…";

  async function requestChat() {
    const ack = await call("request_chat", { case_number: caseNumber });
    if (ack.ok) return applyState(ack.data, false);
    if (ack.error.code === "TIMEOUT" || ack.error.code === "UNAVAILABLE") {
      // No answer, or a part of ours down or busy for now: asking again is safe, an
      // open chat is returned, never a second one.
      say(ack.error.code === "UNAVAILABLE" ? BUSY : "Still connecting to the chat…");
      setTimeout(() => { if (socket.connected && state.chatId === null) requestChat(); }, RETRY_MS);
      return;
    }
    refused(ack.error);
  }

  // Events that beat request_chat's answer (an agent quick to accept) are kept and
  // replayed once the chat's id is known; the rest are out of date by then.
  const early = [];
  const REPLAYED = new Set(["chat_accepted", "message_created", "chat_unavailable", "chat_ended"]);
  socket.onAny((event, data) => {
    if (state.chatId === null && REPLAYED.has(event)) early.push([event, data]);
  });
  function replayEarly() {
    for (const [event, data] of early.splice(0)) handlers[event](data);
  }
  const handlers = {};
  function on(event, handler) {
    handlers[event] = handler;
    socket.on(event, handler);
  }

  socket.on("disconnect", (reason) => {
    if (["ended", "unavailable", "closed", "left", "failed"].includes(state.phase)) return;
    setTyping(null);
    say("Connection lost. Reconnecting…");
    setTitle("Reconnecting");
    // socket.io does not retry when the server ended the connection, as it does when the
    // session behind it ended: connecting again says why (signed out) or carries on.
    if (reason === "io server disconnect") socket.connect();
  });

  socket.on("connect_error", (err) => {
    const refusal = refusalOf(err);
    if (retryLater(socket, refusal)) {
      say(BUSY);
      return;
    }
    if (refusal) {
      // Refused by the server (signed out, wrong account): socket.io will not retry.
      setPhase("failed");
      showError(`${refusal.message}. `, signInLink(refusal.code));
      say("Not connected.");
      return;
    }
    if (state.phase === "connecting" && !state.everConnected) {
      say("We cannot reach the chat service yet. Still trying…");
    }
  });

  on("queue_updated", (data) => {
    if (!mine(data) || state.phase !== "waiting") return;
    showPlace(data.position, data.estimated_wait_seconds);
  });

  on("chat_accepted", (data) => {
    if (!mine(data)) return;
    if (state.phase === "active" && state.agentName === data.agent_name) return; // replayed
    state.agentName = data.agent_name;
    setPhase("active");
    notice(`${data.agent_name} has joined the chat.`);
  });

  on("message_created", (data) => {
    if (!mine(data)) return;
    addMessage(data);
    if (data.sender_id !== myId) setTyping(null);
  });

  on("typing", (data) => {
    if (!mine(data) || data.name === undefined) return;
    setTyping(data.typing ? data.name : null);
  });

  on("agent_disconnected", (data) => {
    if (!mine(data)) return;
    setTyping(null);
    const until = data.back_by ? ` (until ${clock.format(new Date(data.back_by))})` : "";
    notice(`Your agent is reconnecting. Please wait${until}; your chat stays open.`);
    say("Your agent is reconnecting…");
  });

  on("agent_reconnected", (data) => {
    if (!mine(data)) return;
    notice("Your agent is back.");
    if (state.phase === "active") say(state.agentName ? `${state.agentName} is back.` : "Your agent is back.");
  });

  on("chat_requeued", (data) => {
    if (!mine(data)) return;
    state.agentName = null;
    setTyping(null);
    notice("Your agent could not come back, so you are back in the queue for the next available agent.");
    setPhase("waiting");
    showPlace(data.position, null);
  });

  on("chat_transferred", (data) => {
    if (!mine(data)) return;
    state.agentName = null;
    setTyping(null);
    if (data.same_team) {
      notice("Your chat is being passed to another specialist, who will join you shortly. Everything said so far stays with the chat.");
      setPhase("waiting");
      say("Waiting for the next specialist…");
    } else {
      notice("Your chat is being transferred to another team. The next available specialist will join you.");
      setPhase("waiting");
      say("Waiting for an agent of the new team…");
    }
  });

  on("chat_unavailable", (data) => {
    if (!mine(data)) return;
    unavailable(data);
  });

  // Where the chat stands, from this node every few seconds: a later seq or another
  // status than shown means something was lost on its way, so catch up.
  on("chat_heartbeat", (data) => {
    if (!mine(data)) return;
    expectBeat(data.every_seconds);
    state.line.knownUpTo(data.last_seq);
    if ((data.status === "active") !== (state.phase === "active")) state.line.poll();
  });

  // A chat that ended stops beating: a few beats of silence, and the page asks.
  let silence = null;
  function expectBeat(everySeconds) {
    clearTimeout(silence);
    silence = setTimeout(() => { if (open()) state.line.poll(); }, everySeconds * 3000);
  }

  function open() {
    return state.chatId !== null && socket.connected && ["waiting", "active"].includes(state.phase);
  }

  // Back in the tab: whatever happened meanwhile is shown without a reload.
  window.addEventListener("focus", () => { if (open()) state.line.poll(); });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && open()) state.line.poll();
  });

  // The line's catch-up: the messages after `afterSeq`, and the chat's state where it is
  // not what the page shows (an accept, requeue, transfer or end whose push never came).
  async function catchUp(afterSeq) {
    if (!open()) throw new Error("no chat to catch up");
    const ack = await call("resume_chat", { chat_id: state.chatId, last_seq: afterSeq });
    if (!ack.ok) throw new Error(ack.error.code);
    const { chat } = ack.data;
    for (const message of ack.data.messages || []) addMessage(message);
    if (ack.data.agent_name) state.agentName = ack.data.agent_name;
    if (chat.status === "ended") {
      if (!state.ending && open()) ended(chat, false);
    } else if (chat.status === "active" && state.phase !== "active") {
      setPhase("active");
      notice(`${state.agentName || "An agent"} has joined the chat.`);
    } else if (chat.status !== "active" && state.phase === "active") {
      state.agentName = null;
      setTyping(null);
      notice("Your chat is back in the queue for the next available agent.");
      setPhase("waiting");
      showPlace(ack.data.position, ack.data.estimated_wait_seconds);
    }
  }

  on("chat_ended", (data) => {
    if (!data || !data.chat || data.chat.public_id !== state.chatId) return;
    if (state.ending || state.leaving || ["ended", "unavailable", "left"].includes(state.phase)) return;
    ended(data.chat, false, false, data.note);
  });

  function mine(data) {
    return data && state.chatId !== null && data.chat_id === state.chatId;
  }

  // What the server says the chat is -----------------------------------------------------

  function applyState(data, resumed) {
    const chat = data.chat;
    state.chatId = chat.public_id;
    ui.save.disabled = false;
    ui.email.disabled = false;
    for (const message of data.messages || []) addMessage(message);
    if (data.agent_name) state.agentName = data.agent_name;
    if (!state.agentName) state.agentName = agentFromMessages();
    if (chat.status === "ended") {
      if (state.phase !== "unavailable") ended(chat, false);
    } else if (chat.status === "active") {
      setPhase("active", resumed);
      if (resumed) say(state.agentName ? `Reconnected. You are chatting with ${state.agentName}.` : "Reconnected.");
    } else {
      setPhase("waiting");
      showPlace(data.position, data.estimated_wait_seconds);
    }
    replayEarly();
  }

  function agentFromMessages() {
    const theirs = [...ui.messages.querySelectorAll("li.theirs")];
    const last = theirs[theirs.length - 1];
    return last ? last.dataset.sender : null;
  }

  function refused(error) {
    setPhase(error.code === "OUTSIDE_OFFICE_HOURS" ? "closed" : "failed");
    say(state.phase === "closed" ? "Chat is closed now." : "The chat could not start.");
    showError(errorWords(error), null, state.phase === "closed");
    ui.ended.hidden = false;
    ui.endedText.textContent = state.phase === "closed"
      ? "You can come back to chat then, or follow your case in My Cases."
      : "You can follow your case in My Cases.";
    if (state.phase === "closed") {
      // The socket stays: a message can be left on the case now, by its number.
      showLeave("You can leave us a message now instead, and we will reply by email.");
      return;
    }
    socket.disconnect();
  }

  // Writing instead of waiting: the request ends, the case becomes a message case.
  function showLeave(reason) {
    ui.leaveReason.textContent = reason;
    ui.leave.hidden = false;
    ui.instead.hidden = true;
  }
  ui.insteadButton.addEventListener("click", () => {
    showLeave(`Write to us here and we will reply by email. Your chat request for case ${caseNumber} ends when you send it; anything already said in the chat stays on the case.`);
    ui.leaveText.focus();
  });

  function showPlace(position, waitSeconds) {
    if (position === 0) return say("Connecting you to an agent…");
    if (position === null || position === undefined) return say("Waiting for the next available agent…");
    let text = `You are number ${position} in the queue.`;
    if (waitSeconds === null || waitSeconds === undefined) {
      text += " No agent is available right now; we will connect you as soon as one is.";
    } else {
      text += ` Estimated wait: ${duration(waitSeconds)}.`;
    }
    say(text);
  }

  function duration(seconds) {
    const minutes = Math.max(1, Math.round(seconds / 60));
    if (minutes < 60) return `about ${minutes} minute${minutes === 1 ? "" : "s"}`;
    const hours = Math.floor(minutes / 60);
    const rest = minutes % 60;
    return `about ${hours} hour${hours === 1 ? "" : "s"}${rest ? ` ${rest} minutes` : ""}`;
  }

  function setPhase(phase, quiet = false) {
    state.phase = phase;
    const talking = phase === "active";
    ui.text.disabled = !talking;
    ui.send.disabled = !talking;
    ui.file.disabled = !talking;
    ui.end.disabled = !["waiting", "active"].includes(phase) || state.chatId === null;
    ui.agent.hidden = !(talking && state.agentName);
    if (talking && state.agentName) ui.agent.textContent = `You are chatting with ${state.agentName}.`;
    const titles = {
      connecting: "Connecting", waiting: "Waiting for an agent",
      active: state.agentName ? `Chatting with ${state.agentName}` : "Chatting",
      ended: "Chat ended", closed: "Chat closed", unavailable: "Chat unavailable",
      left: "Message sent",
      failed: "Chat not available",
    };
    setTitle(titles[phase]);
    // With no chat to show (closed, refused, unanswered) the empty thread and the box to
    // write in would only be clutter.
    const over = ["closed", "failed", "unavailable", "left"].includes(phase);
    ui.form.hidden = over;
    ui.typing.hidden = over;
    ui.messages.parentElement.hidden = over && ui.messages.children.length === 0;
    ui.intro.hidden = !["connecting", "waiting"].includes(phase);
    if (talking) ui.leave.hidden = true; // an agent answered while the customer was writing
    ui.instead.hidden = phase !== "waiting" || !ui.leave.hidden;
    if (talking && !quiet) {
      say(state.agentName ? `${state.agentName} has joined. You can write now.` : "You can write now.");
      if (document.activeElement === document.body || document.activeElement === null) ui.text.focus();
    }
    if (!talking) stopTyping();
  }

  function setTitle(words) {
    document.title = `${words} · Chat · case ${caseNumber} · frontdesk`;
  }

  function say(text) {
    // A polite live region: unchanged text is left alone, so it is not read again.
    if (ui.status.textContent !== text) ui.status.textContent = text;
  }

  function showError(text, extra, quiet = false) {
    // quiet: a fact to know (chat is closed now), not a fault: shown as a notice.
    ui.error.classList.toggle("chat-closed", quiet);
    ui.error.replaceChildren(text);
    if (extra) ui.error.append(extra);
    ui.error.hidden = false;
  }

  function hideError() {
    ui.error.hidden = true;
    ui.error.replaceChildren();
  }

  function signInLink(code) {
    if (code !== "NOT_SIGNED_IN") return null;
    const link = document.createElement("a");
    link.href = `/sign-in?next=${encodeURIComponent(location.pathname)}`;
    link.textContent = "Sign in again";
    return link;
  }

  // `note`: who ended it and why, when neither you nor your agent did (a supervisor).
  function ended(chat, byMe, wasWaiting = false, note = null) {
    setPhase("ended");
    setTyping(null);
    const text = byMe && wasWaiting
      ? "You left the queue. Your case stays open."
      : byMe ? "You ended the chat. The transcript is saved on your case."
        : `${note ? `${note} ` : ""}This chat has ended. The transcript is saved on your case.`;
    ui.endedText.textContent = text;
    ui.ended.hidden = false;
    say("The chat has ended.");
    if (byMe) ui.ended.focus();
    rating.ask(chat); // "How satisfied were you?", when an agent answered it
  }

  function unavailable(data) {
    setPhase("unavailable");
    setTyping(null);
    say("No agent could answer your chat.");
    ui.leaveReason.textContent = `${data.message} You can leave us a message on case ${data.case_number} and we will reply by email.`;
    ui.leave.dataset.caseNumber = data.case_number;
    ui.leave.dataset.replyBy = data.reply_by || "";
    ui.leave.hidden = false;
  }

  // Messages -----------------------------------------------------------------------------

  function addMessage(message) {
    if (!state.line.add(message.seq)) return;
    const pending = message.client_msg_id ? state.pending.get(message.client_msg_id) : null;
    if (pending) {
      state.pending.delete(message.client_msg_id);
      pending.remove();
    }
    const item = renderMessage(message);
    // In order of seq, whatever order they arrive in (a resume and a push may cross).
    const later = [...ui.messages.querySelectorAll("li[data-seq]")]
      .find((li) => Number(li.dataset.seq) > message.seq);
    ui.messages.insertBefore(item, later || firstPending());
    scrollDown();
  }

  function firstPending() {
    return ui.messages.querySelector("li.pending");
  }

  function renderMessage(message) {
    const own = message.sender_id === myId;
    const item = document.createElement("li");
    item.className = `chat-message ${own ? "own" : "theirs"}`;
    item.dataset.seq = String(message.seq);
    item.dataset.sender = message.sender_name;
    const meta = document.createElement("p");
    meta.className = "chat-meta";
    const who = document.createElement("span");
    who.className = "chat-sender";
    who.textContent = own ? "You" : message.sender_name;
    const when = document.createElement("time");
    const at = new Date(message.created_at);
    when.dateTime = message.created_at;
    when.textContent = clock.format(at);
    meta.append(who, " ", when);
    const body = document.createElement("p");
    body.className = "chat-body";
    if (message.attachment) body.append(sharedFile(message.attachment));
    else body.append(...linkedNodes(message.body));
    item.append(meta, body);
    return item;
  }

  function notice(text) {
    const item = document.createElement("li");
    item.className = "chat-notice";
    item.textContent = text;
    ui.messages.append(item);
    scrollDown();
  }

  function scrollDown() {
    const thread = ui.messages.parentElement;
    thread.scrollTop = thread.scrollHeight;
  }

  function newId() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    return `${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}`;
  }

  async function sendMessage(body, clientMsgId, pendingItem) {
    const item = pendingItem || document.createElement("li");
    if (!pendingItem) {
      item.className = "chat-message own pending";
      const meta = document.createElement("p");
      meta.className = "chat-meta";
      meta.textContent = "You · sending…";
      const text = document.createElement("p");
      text.className = "chat-body";
      text.textContent = body;
      item.append(meta, text);
      ui.messages.append(item);
      state.pending.set(clientMsgId, item);
      scrollDown();
    } else {
      item.querySelector(".chat-meta").textContent = "You · sending…";
      item.querySelector("button")?.remove();
    }
    const ack = await call("send_message", { chat_id: state.chatId, client_msg_id: clientMsgId, body });
    if (ack.ok) {
      addMessage(ack.data); // a no-op when message_created came first
      return;
    }
    if (!state.pending.has(clientMsgId)) return;
    item.querySelector(".chat-meta").textContent = `You · not sent: ${errorWords(ack.error)} `;
    if (ack.error.code === "TIMEOUT" || ack.error.code === "BAD_ANSWER") {
      const retry = document.createElement("button");
      retry.type = "button";
      retry.className = "link-button";
      retry.textContent = "Try again";
      retry.addEventListener("click", () => sendMessage(body, clientMsgId, item));
      item.querySelector(".chat-meta").append(retry);
    }
  }

  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (state.phase !== "active") return;
    const body = ui.text.value.trim();
    if (!body) {
      ui.text.focus();
      return;
    }
    ui.text.value = "";
    stopTyping();
    sendMessage(body, newId(), null);
    ui.text.focus();
  });

  ui.text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ui.form.requestSubmit();
    }
  });

  // Typing, both ways --------------------------------------------------------------------

  ui.text.addEventListener("input", () => {
    if (state.phase !== "active") return;
    if (!ui.text.value.trim()) return stopTyping();
    const now = Date.now();
    if (!state.typingSent || now - state.typingLastSent > TYPING_REPEAT_MS) {
      state.typingSent = true;
      state.typingLastSent = now;
      socket.emit("typing", { chat_id: state.chatId, typing: true });
    }
    clearTimeout(state.typingIdle);
    state.typingIdle = setTimeout(stopTyping, TYPING_IDLE_MS);
  });

  function stopTyping() {
    clearTimeout(state.typingIdle);
    state.typingIdle = null;
    if (!state.typingSent) return;
    state.typingSent = false;
    if (state.chatId && socket.connected) {
      socket.emit("typing", { chat_id: state.chatId, typing: false });
    }
  }

  function setTyping(name) {
    clearTimeout(state.theirTyping);
    const text = name ? `${name} is typing…` : "";
    if (ui.typing.textContent !== text) ui.typing.textContent = text;
    // A lost "stopped typing" must not leave the indicator up for ever.
    if (name) state.theirTyping = setTimeout(() => setTyping(null), 10000);
  }

  // Save Chat, End Chat ------------------------------------------------------------------

  ui.save.addEventListener("click", async () => {
    if (!state.chatId) return;
    ui.save.disabled = true;
    const ack = await call("save_chat", { chat_id: state.chatId });
    ui.save.disabled = false;
    if (!ack.ok) return showError(`We could not save the chat: ${errorWords(ack.error)}`);
    const blob = new Blob([ack.data.text], { type: "text/plain;charset=utf-8" });
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = ack.data.filename;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    say(`The chat was saved as ${ack.data.filename}.`);
  });

  ui.end.addEventListener("click", async () => {
    if (!state.chatId) return;
    ui.end.disabled = true;
    state.ending = true; // the ack tells it; the pushed chat_ended is then left alone
    const wasWaiting = state.phase === "waiting";
    const ack = await call("end_chat", { chat_id: state.chatId });
    state.ending = false;
    if (!ack.ok) {
      ui.end.disabled = false;
      return showError(`We could not end the chat: ${errorWords(ack.error)}`);
    }
    ended(ack.data.chat, true, wasWaiting);
  });

  ui.email.addEventListener("click", async () => {
    if (!state.chatId) return;
    ui.email.disabled = true;
    const ack = await call("email_transcript", { chat_id: state.chatId });
    ui.email.disabled = false;
    toolsSay(ack.ok
      ? `We have emailed the transcript so far to ${ack.data.to}.`
      : `The transcript was not emailed: ${errorWords(ack.error)}`, !ack.ok);
  });

  function toolsSay(text, refused = false) {
    ui.toolsStatus.classList.toggle("refused", refused);
    ui.toolsStatus.textContent = text;
  }

  // Files, by the button or dropped on the conversation ------------------------------------

  async function shareFiles(files) {
    if (files.length === 0) return;
    if (state.phase !== "active") {
      return fileSay("Files can be sent once an agent has joined the chat.", true);
    }
    for (const file of files) {
      fileSay(`Sending ${file.name}…`);
      const url = `/api/v1/chats/${encodeURIComponent(state.chatId)}/attachments`;
      const result = await sendFile(url, file, csrf);
      if (!result.ok) {
        fileSay(`Not sent: ${result.message}`, true);
        continue;
      }
      addMessage(result.body); // a no-op when message_created came first
      fileSay(`${file.name} sent (${sizeText(result.body.attachment.size)}).`);
    }
  }

  // Beside the file input, and read out (aria-live); a refusal marks the input too.
  function fileSay(text, refused = false) {
    ui.fileStatus.classList.toggle("refused", refused);
    ui.fileStatus.textContent = text;
    if (refused) ui.file.setAttribute("aria-invalid", "true");
    else ui.file.removeAttribute("aria-invalid");
  }

  ui.file.addEventListener("change", async () => {
    const files = [...ui.file.files];
    await shareFiles(files);
    ui.file.value = "";
  });
  acceptDrops(ui.thread, shareFiles, document);

  // Leave a message (after chat_unavailable) ---------------------------------------------

  ui.leaveForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = ui.leaveText.value.trim();
    if (!body) return leaveError("Write your message");
    const button = ui.leaveForm.querySelector("button");
    button.disabled = true;
    const waiting = state.phase === "waiting";
    state.leaving = waiting;
    const where = state.chatId ? { chat_id: state.chatId } : { case_number: caseNumber };
    const ack = await call("leave_message", { ...where, body });
    button.disabled = false;
    if (!ack.ok) {
      state.leaving = false;
      return leaveError((ack.error.fields && ack.error.fields.body) || errorWords(ack.error));
    }
    leaveError(null);
    ui.leaveForm.hidden = true;
    ui.leaveReason.hidden = true;
    if (waiting) {
      setPhase("left");
      say("Your chat request has ended: you left a message instead.");
    }
    const number = ack.data.case_number || ui.leave.dataset.caseNumber || caseNumber;
    const replyBy = ack.data.reply_by || ui.leave.dataset.replyBy;
    const by = replyBy ? ` We will reply by email by ${longDate.format(new Date(replyBy))} (UK time).` : " We will reply by email.";
    ui.leaveDone.textContent = `Thank you. Your message was added to case ${number}.${by}`;
    ui.leaveDone.hidden = false;
    ui.leaveDone.focus();
    ui.ended.hidden = false;
    ui.endedText.textContent = "You can follow your case in My Cases.";
  });

  function leaveError(message) {
    ui.leaveError.textContent = message ? `Error: ${message}` : "";
    ui.leaveError.hidden = !message;
    if (message) {
      ui.leaveText.setAttribute("aria-invalid", "true");
      ui.leaveText.setAttribute("aria-describedby", "chat-leave-text-error");
      ui.leaveText.focus();
    } else {
      ui.leaveText.removeAttribute("aria-invalid");
      ui.leaveText.removeAttribute("aria-describedby");
    }
  }

  setTitle("Connecting");
})();
