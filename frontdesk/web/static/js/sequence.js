// A chat's messages as a client holds them, by sequence number. `caughtUpTo` is the
// highest seq with no gap before it: what a reconnect or a catch-up resumes from. The
// highest seq seen would skip over a message lost on its way (a fan-out outage), and
// nothing would ever ask for it again.
//
// A message past a gap asks for one catch-up, a moment later (the missing one may still
// be on its way) and one at a time. One that moved the line but left a gap asks again;
// one that failed or moved nothing waits for the next sign (a message, a heartbeat, a
// reconnect), so a broken connection is never hammered.

export const CATCH_UP_DELAY_MS = 300;

export class MessageLine {
  // `catchUp(afterSeq)` fetches the messages after `afterSeq` and hands each to `add`.
  constructor(catchUp, { delayMs = CATCH_UP_DELAY_MS } = {}) {
    this.caughtUpTo = 0;
    this.ahead = new Set(); // seen, beyond a gap
    this.knownLast = 0; // the chat's last seq, as the server last said
    this.catchUp = catchUp;
    this.delayMs = delayMs;
    this.timer = null;
    this.running = null;
    this.forced = false; // a catch-up asked for whatever the line holds
  }

  // True the first time a seq is seen: show it. False for one already shown.
  add(seq) {
    if (seq <= this.caughtUpTo || this.ahead.has(seq)) return false;
    this.ahead.add(seq);
    while (this.ahead.delete(this.caughtUpTo + 1)) this.caughtUpTo += 1;
    if (this.missing()) this.askForCatchUp();
    return true;
  }

  hasGap() {
    return this.ahead.size > 0;
  }

  missing() {
    return this.hasGap() || this.knownLast > this.caughtUpTo;
  }

  // The chat is at `lastSeq` (the server says so on a heartbeat or a state): catch up if
  // anything up to it is missing.
  knownUpTo(lastSeq) {
    this.knownLast = Math.max(this.knownLast, lastSeq);
    if (this.missing()) this.askForCatchUp();
  }

  // Ask the server whatever the line holds: the tab came back into view, a heartbeat
  // named another status, or the heartbeats fell silent. Debounced with the rest.
  poll() {
    this.forced = true;
    this.askForCatchUp();
  }

  askForCatchUp() {
    if (this.timer !== null || this.running !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // A late message may have closed the gap meanwhile.
      if (this.forced || this.missing()) {
        this.forced = false;
        this.running = this.run();
      }
    }, this.delayMs);
  }

  async run() {
    const from = this.caughtUpTo;
    let moved = false;
    try {
      await null; // `running` is set before the catch-up hands back any message
      await this.catchUp(from);
      moved = this.caughtUpTo > from;
    } catch {
      // The next message, heartbeat or reconnect asks again.
    } finally {
      this.running = null;
    }
    if (moved && this.missing()) this.askForCatchUp();
  }

  // Resolves once no catch-up is waiting or running (for tests).
  async settled() {
    while (this.timer !== null || this.running !== null) {
      await (this.running || new Promise((resolve) => setTimeout(resolve, this.delayMs)));
    }
  }
}
