import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createTestDatabase, inspectDatabase, prepareDatabase, type TestDatabase, type TestUser, type TestUserSpec } from "../helpers/database";
import { ServerNode } from "../chaos/processes";
import { connect, ConnectionLost, RequestTimeout, toChatMessage, type Connection, type TransportKind } from "../chaos/transport";
import { readSnapshot, type DbSnapshot } from "../chaos/verify";

// The group-commit writer (lib/chat/message-writer.ts) on the TEST_DB database:
// 1. A burst from many senders on both transports is committed in batches (the metrics show more
//    than one send per batch), every send is acknowledged once, each conversation is numbered 1..N
//    in order, previousPublicSequence skips staff notes, a client id repeated inside one batch is
//    stored once, and a client id reused in another conversation is refused with CONFLICT.
// 2. SIGKILL while batches are committing: after the restart every acknowledged message is stored
//    exactly once, under the acknowledged id and sequence, and every resend of an unanswered send
//    is stored once.

const START_TIMEOUT_MS = 240_000;
const REQUEST_TIMEOUT_MS = 60_000;
const METRICS_TOKEN = "metrics-token-for-the-group-commit-test";
const DRIVERS = ["d1", "d2", "d3", "d4", "d5", "d6"];

let database: TestDatabase;
let users: Record<string, TestUser>;
let node: ServerNode;
const tokens = new Map<string, string>();

before(async () => {
  const specs: Record<string, TestUserSpec> = { controlA: { role: "CONTROL_STAFF", name: "Alma" }, controlB: { role: "CONTROL_ADMIN", name: "Bo" } };
  for (const key of DRIVERS) specs[key] = { role: "BUS_DRIVER" };
  database = await createTestDatabase();
  users = await prepareDatabase(database, specs);
  // Every send of the burst is in flight at once: the per-user limit must not refuse them.
  node = new ServerNode({
    name: "group-commit",
    database,
    dataDir: database.dataDir,
    env: { RATE_LIMIT_BURST: "10000", RATE_LIMIT_PER_SECOND: "10000", METRICS_TOKEN },
    startTimeoutMs: START_TIMEOUT_MS,
  });
  await node.start();
  for (const key of Object.keys(specs)) tokens.set(key, await tokenFor(userOf(key)));
});

after(async () => {
  await node?.kill();
  await database?.drop();
});

function userOf(key: string): TestUser {
  const user = users[key];
  if (!user) throw new Error(`no test user ${key}`);
  return user;
}

async function tokenFor(user: TestUser): Promise<string> {
  const response = await fetch(`${node.url}/api/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  assert.equal(response.status, 200, `token for ${user.email}`);
  return ((await response.json()) as { token: string }).token;
}

function open(kind: TransportKind, key: string): Promise<Connection> {
  return connect(kind, {
    url: node.url,
    token: tokens.get(key) ?? "",
    timeoutMs: 60_000,
    onMessage: () => undefined,
    onConversation: () => undefined,
    onProtocolError: (error) => assert.fail(`protocol error: ${error.message}`),
  });
}

const transportOf = (index: number): TransportKind => (index % 2 === 0 ? "socket.io" : "ws");

/** The histogram's _count and _sum from a scrape. */
async function batchFigures(): Promise<{ batches: number; sends: number }> {
  const response = await fetch(`${node.url}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  assert.equal(response.status, 200);
  const text = await response.text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
  return { batches: read("transit_message_batch_size_count"), sends: read("transit_message_batch_size_sum") };
}

/** Sequences 1..N per conversation, lastSequence N, previousPublicSequence = the last earlier non-note. */
function assertNumbering(snapshot: DbSnapshot): void {
  for (const conversation of snapshot.conversations) {
    const messages = snapshot.messages.filter((m) => m.conversationId === conversation.id);
    assert.deepEqual(
      messages.map((m) => m.sequence),
      Array.from({ length: messages.length }, (_, i) => i + 1),
      `${conversation.id}: sequences are 1..N`,
    );
    assert.equal(conversation.lastSequence, messages.length, `${conversation.id}: lastSequence is N`);
    let lastPublic = 0;
    for (const message of messages) {
      assert.equal(message.previousPublicSequence, lastPublic, `${conversation.id} #${message.sequence}: previousPublicSequence`);
      if (message.kind !== "NOTE") lastPublic = message.sequence;
    }
  }
}

interface Acked {
  userId: string;
  clientId: string;
  id: string;
  conversationId: string;
  sequence: number;
}

function assertStoredOnce(snapshot: DbSnapshot, acked: readonly Acked[]): void {
  for (const a of acked) {
    const rows = snapshot.messages.filter((m) => m.senderId === a.userId && m.clientId === a.clientId);
    assert.deepEqual(rows.map((r) => [r.id, r.conversationId, r.sequence]), [[a.id, a.conversationId, a.sequence]], `${a.clientId} stored exactly once, as acknowledged`);
  }
}

/** Stops the server for PGlite (one process per data directory), reads, and starts it again. */
async function snapshot(): Promise<DbSnapshot> {
  if (database.kind === "pglite") await node.stop();
  const read = await inspectDatabase(database, readSnapshot);
  if (!node.isRunning) await node.start();
  return read;
}

const conversationOf = new Map<string, string>();

void test("a burst is committed in batches: each send once, in order, notes skipped by previousPublicSequence, duplicates and reused ids handled", { timeout: 10 * 60_000 }, async (t) => {
  const conns = new Map<string, Connection>();
  for (const [index, key] of [...DRIVERS, "controlA", "controlB"].entries()) conns.set(key, await open(transportOf(index), key));
  const acked: Acked[] = [];
  const ack = (key: string, reply: { ok: true; data: Record<string, unknown> }) => {
    const message = toChatMessage(reply.data.message);
    acked.push({ userId: userOf(key).id, clientId: message.clientId, id: message.id, conversationId: message.conversationId, sequence: message.sequence });
    return message;
  };
  for (const key of DRIVERS) {
    const reply = await conns.get(key)!.request("conversation:create", { body: `Opening from ${key}`, clientId: `${key}-open` }, REQUEST_TIMEOUT_MS);
    assert.ok(reply.ok, JSON.stringify(reply));
    conversationOf.set(key, ack(key, reply).conversationId);
  }
  const before = await batchFigures();

  // Everything at once: 30 sends per driver, and from each control staff member a text and a note
  // into every conversation between them.
  const sends: Promise<{ key: string; clientId: string; reply: Awaited<ReturnType<Connection["request"]>> }>[] = [];
  const send = (key: string, conversationId: string, clientId: string, extra: Record<string, unknown> = {}) =>
    sends.push(
      conns
        .get(key)!
        .request("message:send", { conversationId, body: `Burst ${clientId}`, clientId, ...extra }, REQUEST_TIMEOUT_MS)
        .then((reply) => ({ key, clientId, reply })),
    );
  for (let n = 1; n <= 30; n++) {
    for (const key of DRIVERS) send(key, conversationOf.get(key)!, `${key}-${n}`);
    if (n % 10 === 0) {
      for (const key of DRIVERS) {
        send("controlA", conversationOf.get(key)!, `a-${key}-${n}`);
        send("controlB", conversationOf.get(key)!, `b-note-${key}-${n}`, { isNote: true });
      }
    }
  }
  // The same client id twice in one burst: stored once, both answered with the same message.
  send("d1", conversationOf.get("d1")!, "d1-twice");
  send("d1", conversationOf.get("d1")!, "d1-twice");
  // One client id in two conversations at once: one is stored, the other is CONFLICT.
  send("controlA", conversationOf.get("d2")!, "a-reused");
  send("controlA", conversationOf.get("d3")!, "a-reused");

  const results = await Promise.all(sends);
  const twice = results.filter((r) => r.clientId === "d1-twice");
  const reused = results.filter((r) => r.clientId === "a-reused");
  for (const r of results) {
    if (r.clientId === "a-reused") continue;
    assert.ok(r.reply.ok, `${r.clientId}: ${JSON.stringify(r.reply)}`);
    const message = toChatMessage(r.reply.data.message);
    if (r.clientId === "d1-twice" && acked.some((a) => a.clientId === "d1-twice")) continue;
    ack(r.key, r.reply);
    assert.equal(message.body, `Burst ${r.clientId}`);
  }
  const twiceIds = twice.map((r) => (r.reply.ok ? toChatMessage(r.reply.data.message).id : "refused"));
  assert.equal(new Set(twiceIds).size, 1, `both sends of one client id answer with one message: ${twiceIds.join(", ")}`);
  assert.deepEqual(twice.map((r) => r.reply.ok && r.reply.data.duplicate).sort(), [false, true], "one of them is marked as the duplicate");
  const reusedCodes = reused.map((r) => (r.reply.ok ? "ok" : r.reply.error.code)).sort();
  assert.deepEqual(reusedCodes, ["CONFLICT", "ok"], "a client id reused in another conversation is refused");
  for (const r of reused) if (r.reply.ok) ack(r.key, r.reply);

  const after = await batchFigures();
  const committed = after.sends - before.sends;
  const batches = after.batches - before.batches;
  t.diagnostic(`${results.length} sends in ${batches} batches (${(committed / batches).toFixed(1)} per batch)`);
  assert.equal(committed, results.length, "every send went through the writer");
  assert.ok(batches < committed, `sends share batches (${batches} batches for ${committed} sends)`);

  for (const conn of conns.values()) conn.close();
  const stored = await snapshot();
  assertNumbering(stored);
  assertStoredOnce(stored, acked);
  assert.equal(stored.messages.length, acked.length, "nothing was stored that was not acknowledged");
  // Each sender's read pointer is at (or past) their last message.
  for (const key of DRIVERS) {
    const mine = stored.messages.filter((m) => m.senderId === userOf(key).id);
    const pointer = stored.participants.find((p) => p.userId === userOf(key).id && p.conversationId === conversationOf.get(key));
    assert.equal(pointer?.lastReadSequence, Math.max(...mine.map((m) => m.sequence)), `${key}'s read pointer`);
  }
});

void test("SIGKILL while batches commit: every acknowledged message is stored exactly once, and resends are stored once", { timeout: 15 * 60_000 }, async (t) => {
  const ROUNDS = 3;
  const PER_SENDER = 60;
  const acked: Acked[] = [];
  const unanswered = new Map<string, { key: string; conversationId: string; clientId: string }>();
  for (let round = 1; round <= ROUNDS; round++) {
    const conns = await Promise.all(DRIVERS.map((key, index) => open(transportOf(index), key)));
    let answers = 0;
    let kill: () => void = () => undefined;
    const killAt = new Promise<void>((resolve) => (kill = resolve));
    const killAfter = 20 + Math.floor(Math.random() * 120);
    const sends = DRIVERS.flatMap((key, index) =>
      Array.from({ length: PER_SENDER }, (_, i) => {
        const clientId = `${key}-k${round}-${i + 1}`;
        const conversationId = conversationOf.get(key)!;
        unanswered.set(`${key}/${clientId}`, { key, conversationId, clientId });
        return conns[index]!.request("message:send", { conversationId, body: `Kill round ${round} ${clientId}`, clientId }, REQUEST_TIMEOUT_MS).then(
          (reply) => {
            assert.ok(reply.ok, `${clientId}: ${JSON.stringify(reply)}`);
            const message = toChatMessage(reply.data.message);
            acked.push({ userId: userOf(key).id, clientId, id: message.id, conversationId, sequence: message.sequence });
            unanswered.delete(`${key}/${clientId}`);
            if (++answers >= killAfter) kill();
          },
          (error: unknown) => {
            if (!(error instanceof ConnectionLost || error instanceof RequestTimeout)) throw error;
          },
        );
      }),
    );
    await killAt;
    await node.kill();
    await Promise.all(sends);
    t.diagnostic(`round ${round}: killed after ${answers} of ${sends.length} answers; ${unanswered.size} unanswered`);
    assert.ok(unanswered.size > 0, "sends were still in flight when the server died");
    for (const conn of conns) conn.close();

    // The restart on the same database; then every unanswered send is retried with its client id.
    await node.start();
    for (const key of DRIVERS) tokens.set(key, await tokenFor(userOf(key)));
    const retryConns = new Map(await Promise.all(DRIVERS.map(async (key, index) => [key, await open(transportOf(index + round), key)] as const)));
    await Promise.all(
      [...unanswered.values()].map(async ({ key, conversationId, clientId }) => {
        const reply = await retryConns.get(key)!.request("message:send", { conversationId, body: `Kill round ${round} ${clientId}`, clientId }, REQUEST_TIMEOUT_MS);
        assert.ok(reply.ok, `retry of ${clientId}: ${JSON.stringify(reply)}`);
        const message = toChatMessage(reply.data.message);
        acked.push({ userId: userOf(key).id, clientId, id: message.id, conversationId, sequence: message.sequence });
        unanswered.delete(`${key}/${clientId}`);
      }),
    );
    for (const conn of retryConns.values()) conn.close();
  }
  const stored = await snapshot();
  assertNumbering(stored);
  assertStoredOnce(stored, acked);
  for (const key of DRIVERS) {
    const sent = stored.messages.filter((m) => m.senderId === userOf(key).id && m.clientId.includes("-k"));
    assert.equal(sent.length, ROUNDS * PER_SENDER, `${key}: every send of every round is stored once`);
  }
});
