import { test } from "node:test";
import assert from "node:assert/strict";
import { SyncCursor, previousVisibleSequence, type SequencedMessage } from "../../lib/chat/sync-cursor";

// A conversation "c" whose sequences 3 and 6 are staff notes.
const NOTES = new Set([3, 6]);
function message(sequence: number): SequencedMessage {
  let previousPublicSequence = 0;
  for (let s = sequence - 1; s > 0; s--) {
    if (!NOTES.has(s)) {
      previousPublicSequence = s;
      break;
    }
  }
  return { id: `m${sequence}`, conversationId: "c", sequence, previousPublicSequence };
}
const seqs = (messages: readonly SequencedMessage[]) => messages.map((m) => m.sequence);

void test("previousVisibleSequence: staff expect every sequence, field staff skip notes", () => {
  assert.equal(previousVisibleSequence(message(4), true), 3);
  assert.equal(previousVisibleSequence(message(4), false), 2);
  assert.equal(previousVisibleSequence(message(1), false), 0);
});

void test("in-order live messages are released at once and move the cursor", () => {
  const cursor = new SyncCursor<SequencedMessage>(true);
  assert.deepEqual(seqs(cursor.live(message(1))), [1]);
  assert.deepEqual(seqs(cursor.live(message(2))), [2]);
  assert.equal(cursor.syncedThrough("c"), 2);
  assert.equal(cursor.hasHole("c"), false);
});

void test("a message after a hole is held back; the late one releases both, in order", () => {
  const cursor = new SyncCursor<SequencedMessage>(true);
  cursor.live(message(1));
  assert.deepEqual(seqs(cursor.live(message(3))), []);
  assert.equal(cursor.syncedThrough("c"), 1, "the cursor does not move past the hole");
  assert.equal(cursor.hasHole("c"), true);
  assert.deepEqual(cursor.conversationsWithHoles(), ["c"]);
  assert.deepEqual(seqs(cursor.live(message(2))), [2, 3]);
  assert.equal(cursor.syncedThrough("c"), 3);
  assert.equal(cursor.hasHole("c"), false);
});

void test("field staff: a hidden note is not a hole, a lost public message is", () => {
  const cursor = new SyncCursor<SequencedMessage>(false);
  cursor.live(message(1));
  cursor.live(message(2));
  assert.deepEqual(seqs(cursor.live(message(4))), [4], "3 is a note: 4 follows on from 2");
  assert.deepEqual(seqs(cursor.live(message(7))), [], "5 was lost (6 is a note)");
  assert.equal(cursor.syncedThrough("c"), 4);
  assert.deepEqual(seqs(cursor.page("c", 4, [message(5), message(7)])), [5, 7]);
  assert.equal(cursor.syncedThrough("c"), 7);
  assert.equal(cursor.hasHole("c"), false);
});

void test("a catch-up page fills the hole and releases what was held beyond it", () => {
  const cursor = new SyncCursor<SequencedMessage>(true);
  cursor.live(message(1));
  cursor.live(message(4));
  cursor.live(message(6));
  assert.deepEqual(seqs(cursor.page("c", 1, [message(2), message(3)])), [2, 3, 4], "6 still waits for 5");
  assert.equal(cursor.syncedThrough("c"), 4);
  assert.deepEqual(seqs(cursor.page("c", 4, [message(5), message(6)])), [5, 6]);
  assert.equal(cursor.hasHole("c"), false);
});

void test("duplicates and pages that start above the cursor release nothing", () => {
  const cursor = new SyncCursor<SequencedMessage>(true);
  cursor.live(message(1));
  assert.deepEqual(seqs(cursor.live(message(1))), []);
  assert.deepEqual(seqs(cursor.page("c", 3, [message(4), message(5)])), [], "(1, 3] is not covered");
  assert.equal(cursor.syncedThrough("c"), 1);
  assert.deepEqual(seqs(cursor.page("c", 0, [message(1), message(2)])), [2]);
});

void test("start: one's own new conversation begins at its first message", () => {
  const cursor = new SyncCursor<SequencedMessage>(false);
  assert.deepEqual(seqs(cursor.start(message(1))), [1]);
  assert.deepEqual(seqs(cursor.start(message(1))), []);
  assert.equal(cursor.syncedThrough("c"), 1);
});

void test("any arrival order with losses: releases are ascending, and a final catch-up completes them", () => {
  for (let seed = 1; seed <= 200; seed++) {
    let state = seed;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const seesNotes = seed % 2 === 0;
    const all = Array.from({ length: 30 }, (_, i) => message(i + 1)).filter((m) => seesNotes || !NOTES.has(m.sequence));
    const arrivals = all.filter(() => random() > 0.2).sort(() => random() - 0.5);
    const cursor = new SyncCursor<SequencedMessage>(seesNotes);
    const released: number[] = [];
    for (const m of arrivals) released.push(...seqs(cursor.live(m)));
    const after = cursor.syncedThrough("c");
    released.push(...seqs(cursor.page("c", after, all.filter((m) => m.sequence > after))));
    assert.deepEqual(released, seqs(all), `seed ${seed}: every visible message once, in order`);
    assert.equal(cursor.hasHole("c"), false);
  }
});
