// The clients' gap logic (static/js/sequence.js), run by node's own test runner.
import assert from "node:assert/strict";
import { test } from "node:test";

import { MessageLine } from "../../frontdesk/web/static/js/sequence.js";

// A server holding seqs 1..n; a catch-up hands the line what came after `afterSeq`.
function serverOf(line, stored) {
  const asked = [];
  const catchUp = async (afterSeq) => {
    asked.push(afterSeq);
    for (const seq of stored.filter((s) => s > afterSeq)) line().add(seq);
  };
  return { asked, catchUp };
}

test("messages in order move the line and ask for nothing", async () => {
  let line;
  const server = serverOf(() => line, [1, 2, 3]);
  line = new MessageLine(server.catchUp, { delayMs: 1 });
  assert.deepEqual([1, 2, 3].map((s) => line.add(s)), [true, true, true]);
  await line.settled();
  assert.equal(line.caughtUpTo, 3);
  assert.deepEqual(server.asked, []);
});

test("a message past a gap asks once, from the gap, and fills it", async () => {
  let line;
  const server = serverOf(() => line, [1, 2, 3, 4, 5]);
  line = new MessageLine(server.catchUp, { delayMs: 1 });
  line.add(1);
  line.add(4); // 2 and 3 were lost on their way
  line.add(5);
  assert.equal(line.caughtUpTo, 1, "the line stays before the gap");
  await line.settled();
  assert.deepEqual(server.asked, [1], "one catch-up, however many arrive past the gap");
  assert.equal(line.caughtUpTo, 5);
  assert.equal(line.hasGap(), false);
});

test("a duplicate is not shown twice, before or after the gap", () => {
  const line = new MessageLine(async () => {}, { delayMs: 1000 });
  assert.equal(line.add(1), true);
  assert.equal(line.add(1), false);
  assert.equal(line.add(3), true);
  assert.equal(line.add(3), false);
  clearTimeout(line.timer);
});

test("an out-of-order arrival closes the gap before any catch-up is sent", async () => {
  let asked = 0;
  const line = new MessageLine(async () => { asked += 1; }, { delayMs: 20 });
  line.add(1);
  line.add(3);
  line.add(2); // only late, not lost
  await line.settled();
  assert.equal(line.caughtUpTo, 3);
  assert.equal(asked, 0);
});

test("catch-ups run one at a time, and again while one that moved leaves a gap", async () => {
  let running = 0;
  let most = 0;
  let calls = 0;
  const line = new MessageLine(async () => {
    calls += 1;
    running += 1;
    most = Math.max(most, running);
    line.add(6); // arrives past the gap while this one runs: no second one at once
    await new Promise((resolve) => setTimeout(resolve, 5));
    running -= 1;
    line.add(calls === 1 ? 2 : 3); // the first finds 2 only, the second finds 3
  }, { delayMs: 1 });
  line.add(1);
  line.add(4);
  line.add(5);
  await line.settled();
  assert.equal(most, 1);
  assert.equal(calls, 2);
  assert.equal(line.caughtUpTo, 6);
});

test("a catch-up that finds nothing does not repeat by itself", async () => {
  let calls = 0;
  const line = new MessageLine(async () => { calls += 1; }, { delayMs: 1 });
  line.add(1);
  line.add(3);
  await line.settled();
  assert.equal(calls, 1);
  assert.equal(line.hasGap(), true);
});

test("a quiet chat catches up when told the chat's last seq", async () => {
  let line;
  const server = serverOf(() => line, [1, 2]);
  line = new MessageLine(server.catchUp, { delayMs: 1 });
  line.add(1); // 2 was lost, and nothing came after it
  line.knownUpTo(1);
  await line.settled();
  assert.deepEqual(server.asked, []);
  line.knownUpTo(2);
  await line.settled();
  assert.deepEqual(server.asked, [1]);
  assert.equal(line.caughtUpTo, 2);
});

test("a failed catch-up is asked again by the next sign of a gap", async () => {
  let fail = true;
  let line;
  line = new MessageLine(async () => {
    if (fail) throw new Error("socket down");
    line.add(2);
  }, { delayMs: 1 });
  line.add(1);
  line.add(3);
  await line.settled();
  assert.equal(line.caughtUpTo, 1);
  fail = false;
  line.add(4);
  await line.settled();
  assert.equal(line.caughtUpTo, 4);
});

test("a poll asks even with nothing known to be missing, and once however often", async () => {
  let line;
  const server = serverOf(() => line, [1, 2]);
  line = new MessageLine(server.catchUp, { delayMs: 1 });
  line.add(1);
  line.poll(); // the tab came back into view
  line.poll(); // and a heartbeat named another status
  await line.settled();
  assert.deepEqual(server.asked, [1], "one catch-up for both, from the line");
  assert.equal(line.caughtUpTo, 2, "what came meanwhile is shown");
  line.poll();
  await line.settled();
  assert.deepEqual(server.asked, [1, 2], "a later poll asks again, from where the line is");
});
