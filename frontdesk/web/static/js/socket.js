// The one way the pages talk to the server's socket.io namespaces (chat.js, console.js,
// dashboard.js, desk.js, desk_view.js). Every client event is acknowledged with
// {ok: true, data} or {ok: false, error: {code, message, fields}} (chat/namespaces.py);
// `emitAcked` keeps that promise even when no answer comes, so a page handles one shape.
// Needs the socket.io client (vendor/socket.io/socket.io.min.js) loaded first, as `io`.

// Long enough for a loaded server, short enough that a person is told something.
export const ACK_TIMEOUT_MS = 10_000;
const NO_ANSWER = "The server did not answer. Please try again.";
const BAD_ANSWER = "Something went wrong on our side; please try again.";

// A socket to `namespace` (the session cookie signs it in), or null without socket.io
// or when the server would refuse this page's origin. Websocket only: a connection never
// moves between nodes (README, "Several nodes").
export function connect(namespace) {
  if (typeof io !== "function") return null;
  if (!originAccepted()) return null;
  return io(namespace, { transports: ["websocket"] });
}

// The server refuses sockets from pages of origins it does not know (frontdesk/origins.py),
// and a browser is told only "websocket error", so the page would retry forever. The
// page knows the accepted origins (base.html): opened elsewhere, it says what to open.
function originAccepted() {
  const meta = document.querySelector('meta[name="frontdesk-socket-origins"]');
  if (!meta) return true;
  const accepted = meta.content.split(" ").filter(Boolean);
  if (accepted.includes(location.origin)) return true;
  const notice = document.createElement("p");
  notice.className = "notice origin-refused";
  notice.setAttribute("role", "alert");
  const link = document.createElement("a");
  link.href = accepted[0] + location.pathname + location.search;
  link.textContent = accepted[0];
  notice.append(`Live updates cannot connect from ${location.origin}, which is not this portal's address. Open `,
    link, " instead, or ask whoever runs the portal to add this address to FRONTDESK_ALLOWED_ORIGINS.");
  const main = document.getElementById("main");
  if (main) main.prepend(notice);
  return false;
}

// Emit `event` and wait for its ack. Resolves to the ack as the server sent it, or to
// {ok: false, error: {code: "TIMEOUT", message}} when none comes within `timeoutMs`, or
// {ok: false, error: {code: "BAD_ANSWER", message}} when it is not an ack at all. Never
// rejects: `timeoutMessage` is what the page tells people when the server is silent.
export function emitAcked(socket, event, payload = {}, options = {}) {
  const { timeoutMs = ACK_TIMEOUT_MS, timeoutMessage = NO_ANSWER } = options;
  return new Promise((resolve) => {
    socket.timeout(timeoutMs).emit(event, payload, (timedOut, ack) => {
      if (timedOut) resolve(failure("TIMEOUT", timeoutMessage));
      else if (!ack || typeof ack !== "object" || typeof ack.ok !== "boolean") {
        resolve(failure("BAD_ANSWER", BAD_ANSWER));
      } else resolve(ack);
    });
  });
}

function failure(code, message) {
  return { ok: false, error: { code, message, fields: {} } };
}

// The server's reason for refusing a connection ({code, message}: signed out, wrong
// role), from a connect_error; null when the server was only out of reach. socket.io
// does not retry a refused connection.
export function refusalOf(error) {
  const data = error && error.data;
  return data && data.message ? data : null;
}

// How soon a page asks again after a timeout or an UNAVAILABLE answer.
export const RETRY_MS = 3000;

// A refusal because a part of ours is down or busy for now (UNAVAILABLE) passes:
// connect again shortly, as socket.io does by itself for a server out of reach. True
// when it is such a refusal.
export function retryLater(socket, refusal) {
  if (!refusal || refusal.code !== "UNAVAILABLE") return false;
  setTimeout(() => { if (!socket.connected) socket.connect(); }, RETRY_MS);
  return true;
}
