import type { Db } from "../../lib/db";
import type { Device, Held } from "./device";

// The end-of-run checks. The database is the truth (read directly, not through the app): every
// acknowledged message is stored exactly once, as acknowledged; every stored message reached every
// participant exactly once after catch-up; order is kept. Every check is counted.

export class Checks {
  passed = 0;
  failed = 0;
  readonly failures: string[] = [];

  check(ok: boolean, what: string | (() => string)): boolean {
    if (ok) {
      this.passed += 1;
    } else {
      this.failed += 1;
      if (this.failures.length < 200) this.failures.push(typeof what === "string" ? what : what());
    }
    return ok;
  }

  fail(what: string): void {
    this.check(false, what);
  }

  merge(other: Checks): void {
    this.passed += other.passed;
    this.failed += other.failed;
    for (const failure of other.failures) if (this.failures.length < 200) this.failures.push(failure);
  }
}

export interface StoredMessage {
  id: string;
  conversationId: string;
  sequence: number;
  previousPublicSequence: number;
  clientId: string;
  senderId: string;
  kind: string;
  body: string;
  createdAt: Date;
}

export interface DbSnapshot {
  messages: StoredMessage[];
  conversations: { id: string; creatorId: string; lastSequence: number }[];
  participants: { conversationId: string; userId: string; lastReadSequence: number }[];
}

export async function readSnapshot(db: Db): Promise<DbSnapshot> {
  const messages = await db.$queryRawUnsafe<StoredMessage[]>(
    `SELECT id, "conversationId", sequence, "previousPublicSequence", "clientId", "senderId", kind::text AS kind, body, "createdAt" FROM "Message" ORDER BY "conversationId", sequence`,
  );
  const conversations = await db.$queryRawUnsafe<DbSnapshot["conversations"]>(`SELECT id, "creatorId", "lastSequence" FROM "Conversation"`);
  const participants = await db.$queryRawUnsafe<DbSnapshot["participants"]>(`SELECT "conversationId", "userId", "lastReadSequence" FROM "Participant"`);
  return {
    messages: messages.map((m) => ({ ...m, sequence: Number(m.sequence), previousPublicSequence: Number(m.previousPublicSequence), createdAt: new Date(m.createdAt) })),
    conversations: conversations.map((c) => ({ ...c, lastSequence: Number(c.lastSequence) })),
    participants: participants.map((p) => ({ ...p, lastReadSequence: Number(p.lastReadSequence) })),
  };
}

export interface DeliveryCounts {
  written: number;
  acknowledged: number;
  /** Never acknowledged and still in the client's outbox at the end (allowed to be missing). */
  unsentHeld: number;
  /** Rows written by this run's clients. */
  stored: number;
  conversations: number;
  participants: number;
  /** Stored messages × the participants who may see them. */
  expectedDeliveries: number;
  delivered: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  droppedDuplicates: number;
  /** Live pushes that overtook an earlier one on a connection (the client reorders them; not a failure). */
  pushInversions: number;
  /** Each stored message a participant never received: when it was stored (ms since epoch). */
  misses: { device: string; transport: string; storedAt: number }[];
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export interface RunContext {
  /** The run's start (times in failures are relative to it). */
  t0: number;
  /** A node's name for a URL a client connected to. */
  nodeOf(url: string): string;
}

/** Where a device was when a message was stored, and what it holds next to it: for a lost message. */
function explainMiss(device: Device, message: StoredMessage, held: Map<string, Held>, context: RunContext): string {
  const at = message.createdAt.getTime();
  const rel = (t: number | undefined) => (t === undefined ? "–" : `${((t - context.t0) / 1000).toFixed(1)}s`);
  const connection = device.connections.find((c) => c.openedAt <= at && (c.closedAt === undefined || c.closedAt >= at));
  const where = connection
    ? `connected to ${context.nodeOf(connection.url)} (opened ${rel(connection.openedAt)}, live ${rel(connection.liveAt)}, closed ${rel(connection.closedAt)})`
    : "not connected";
  const sequences = [...held.values()].map((h) => h.sequence);
  const below = Math.max(0, ...sequences.filter((s) => s < message.sequence));
  const above = Math.min(...sequences.filter((s) => s > message.sequence));
  const via = (sequence: number) => [...held.values()].find((h) => h.sequence === sequence)?.firstVia ?? "–";
  return `stored at ${rel(at)} while the device was ${where}; it holds ${below} (${via(below)}) and ${Number.isFinite(above) ? `${above} (${via(above)})` : "nothing above"}`;
}

/** Every check of one run; `runId` marks the clientIds this run's clients wrote. */
export function verifyRun(devices: readonly Device[], snapshot: DbSnapshot, runId: string, checks: Checks, context: RunContext): DeliveryCounts {
  const counts: DeliveryCounts = {
    written: 0,
    acknowledged: 0,
    unsentHeld: 0,
    stored: 0,
    conversations: snapshot.conversations.length,
    participants: devices.length,
    expectedDeliveries: 0,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    outOfOrder: 0,
    droppedDuplicates: 0,
    pushInversions: 0,
    misses: [],
  };
  const bySenderClient = groupBy(snapshot.messages, (m) => `${m.senderId}\u0000${m.clientId}`);
  const byConversation = groupBy(snapshot.messages, (m) => m.conversationId);
  const ours = snapshot.messages.filter((m) => m.clientId.startsWith(`${runId}.`));
  counts.stored = ours.length;

  // 1. The database: sequences 1..N without gaps or repeats, lastSequence = N, read pointers ≤ N.
  const lastSequence = new Map(snapshot.conversations.map((c) => [c.id, c.lastSequence]));
  for (const conversation of snapshot.conversations) {
    const sequences = (byConversation.get(conversation.id) ?? []).map((m) => m.sequence);
    const contiguous = sequences.every((s, i) => s === i + 1);
    checks.check(contiguous, () => `conversation ${conversation.id}: sequences are not 1..N (${sequences.slice(0, 30).join(",")}…)`);
    checks.check(conversation.lastSequence === sequences.length, () => `conversation ${conversation.id}: lastSequence ${conversation.lastSequence} but ${sequences.length} messages`);
    // previousPublicSequence names the previous message that is not a note (what field clients chain on).
    let previousPublic = 0;
    for (const message of byConversation.get(conversation.id) ?? []) {
      const expected = previousPublic;
      checks.check(message.previousPublicSequence === expected, () => `message ${message.id}: previousPublicSequence ${message.previousPublicSequence}, expected ${expected}`);
      if (message.kind !== "NOTE") previousPublic = message.sequence;
    }
  }
  for (const p of snapshot.participants) {
    checks.check(p.lastReadSequence <= (lastSequence.get(p.conversationId) ?? 0), () => `participant ${p.userId} in ${p.conversationId}: read pointer ${p.lastReadSequence} beyond the last sequence`);
  }

  // 2. Every message a client wrote: acknowledged → stored exactly once, as acknowledged; never
  //    acknowledged → may be missing only while the client still holds it as unsent.
  const composedKeys = new Set<string>();
  for (const device of devices) {
    const userId = device.spec.userId;
    const outbox = new Set(device.outbox.map((item) => item.clientId));
    for (const item of device.composed) {
      counts.written += 1;
      composedKeys.add(`${userId}\u0000${item.clientId}`);
      const rows = bySenderClient.get(`${userId}\u0000${item.clientId}`) ?? [];
      if (rows.length > 1) counts.duplicated += rows.length - 1;
      const ack = device.acks.get(item.clientId);
      if (ack) {
        counts.acknowledged += 1;
        const row = rows[0];
        const exact =
          rows.length === 1 &&
          row !== undefined &&
          row.id === ack.id &&
          row.sequence === ack.sequence &&
          row.conversationId === ack.conversationId &&
          row.body === item.body &&
          row.kind === (item.isNote ? "NOTE" : "TEXT");
        if (rows.length === 0) counts.lost += 1;
        checks.check(exact, () => `${device.name} ${item.clientId}: acknowledged as ${ack.id} (sequence ${ack.sequence}) but stored as ${JSON.stringify(rows.map((r) => [r.id, r.sequence, r.kind]))}`);
      } else if (outbox.has(item.clientId)) {
        counts.unsentHeld += 1;
        checks.check(rows.length <= 1, () => `${device.name} ${item.clientId}: unsent, stored ${rows.length} times`);
      } else {
        if (rows.length === 0) counts.lost += 1;
        checks.fail(`${device.name} ${item.clientId}: neither acknowledged nor held as unsent (stored ${rows.length} times)`);
      }
    }
    // Order of one device's messages: written one after the other's ack, so their sequences rise.
    const acked = [...device.acks.values()].sort((a, b) => a.n - b.n);
    for (const [conversationId, list] of groupBy(acked, (a) => a.conversationId)) {
      const inOrder = list.every((a, i) => i === 0 || a.sequence > (list[i - 1]?.sequence ?? 0));
      if (!inOrder) counts.outOfOrder += 1;
      checks.check(inOrder, () => `${device.name} in ${conversationId}: its messages are stored out of the order written (${list.map((a) => `${a.n}@${a.sequence}`).join(" ")})`);
    }
  }
  for (const row of ours) {
    checks.check(composedKeys.has(`${row.senderId}\u0000${row.clientId}`), () => `stored message ${row.id} (${row.clientId}) was never written by a client`);
  }

  // 3. Delivery: each participant (device) holds every message of its conversations that it may see,
  //    exactly once, at its stored sequence, and nothing else.
  const storedById = new Map(snapshot.messages.map((m) => [m.id, m]));
  for (const device of devices) {
    counts.droppedDuplicates += device.stats.droppedDuplicates;
    counts.pushInversions += device.stats.pushInversions;
    const conversations = device.spec.isField ? snapshot.conversations.filter((c) => c.creatorId === device.spec.userId) : snapshot.conversations;
    for (const conversation of conversations) {
      const expected = (byConversation.get(conversation.id) ?? []).filter((m) => !device.spec.isField || m.kind !== "NOTE");
      const held = device.view.get(conversation.id) ?? new Map();
      counts.expectedDeliveries += expected.length;
      for (const message of expected) {
        const got = held.get(message.id);
        if (!got) {
          counts.lost += 1;
          counts.misses.push({ device: device.name, transport: device.spec.transport, storedAt: message.createdAt.getTime() });
        } else {
          counts.delivered += 1;
        }
        checks.check(got !== undefined, () => `${device.name} never received ${message.id} (sequence ${message.sequence} of ${conversation.id}, ${message.clientId}): ${explainMiss(device, message, held, context)}`);
        if (got && got.sequence !== message.sequence) {
          counts.outOfOrder += 1;
          checks.fail(`${device.name} holds ${message.id} at sequence ${got.sequence}, stored at ${message.sequence}`);
        }
      }
      // The view in sequence order: one message per sequence, one per (sender, clientId), nothing unexpected.
      const view = [...held.values()].sort((a, b) => a.sequence - b.sequence);
      const bySequence = groupBy(view, (h) => String(h.sequence));
      const byKey = groupBy(view, (h) => `${h.senderId}\u0000${h.clientId}`);
      const twice = [...bySequence.values(), ...byKey.values()].filter((list) => list.length > 1).length;
      counts.duplicated += twice;
      checks.check(twice === 0, () => `${device.name} in ${conversation.id}: ${twice} messages appear twice in the view`);
      const expectedIds = new Set(expected.map((m) => m.id));
      const extra = view.filter((h) => !expectedIds.has(h.id));
      checks.check(extra.length === 0, () => `${device.name} in ${conversation.id}: holds messages it must not see or that are not stored: ${extra.map((h) => `${h.id}/${h.kind}/${storedById.has(h.id) ? "stored" : "not stored"}`).join(", ")}`);
    }
    for (const conversationId of device.view.keys()) {
      checks.check(conversations.some((c) => c.id === conversationId), () => `${device.name} holds messages of ${conversationId}, which is not its conversation`);
    }
    // Order as the user sees it: each conversation's messages reach the screen once each, in sequence
    // order (live pushes may overtake each other between nodes; the client holds them back).
    for (const conversation of conversations) {
      const expected = (byConversation.get(conversation.id) ?? []).filter((m) => !device.spec.isField || m.kind !== "NOTE").map((m) => m.sequence);
      const released = device.released.get(conversation.id) ?? [];
      const inversions = released.filter((sequence, i) => i > 0 && sequence <= (released[i - 1] ?? 0)).length;
      counts.outOfOrder += inversions;
      checks.check(
        released.length === expected.length && released.every((sequence, i) => sequence === expected[i]),
        () => `${device.name} in ${conversation.id}: released ${released.length} messages (${inversions} out of order), expected ${expected.length}; first difference at ${released.findIndex((s, i) => s !== expected[i])}`,
      );
    }
    checks.check(device.problems.length === 0, () => `${device.name}: ${device.problems.length} client-side problems: ${device.problems.slice(0, 5).join(" | ")}`);
    checks.check(device.isSynced, () => `${device.name}: did not finish its final catch-up`);
  }
  return counts;
}
