import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createTestDatabase, inspectDatabase, prepareDatabase, type TestDatabase, type TestUser, type TestUserSpec } from "../helpers/database";
import { ServerNode } from "../chaos/processes";
import { connect, ConnectionLost, RequestTimeout, toChatMessage, type Connection, type TransportKind } from "../chaos/transport";
import { readSnapshot, type DbSnapshot } from "../chaos/verify";

// Durability of what the server acknowledges:
// 1. The embedded PGlite server is SIGKILLed at random moments while clients write, several rounds.
//    After each restart on the same DATA_DIR (the dead process's pid lock is taken over) the server
//    becomes ready, every acknowledged message is there at its sequence, and a retry of the send that
//    was in flight finds it stored or stores it once. At the end the directory opens cleanly.
// 2. SIGTERM while many sends are in flight: the process exits 0, every acknowledged message is
//    stored exactly once, and the in-flight sends are drained (answered, none left to a closed
//    connection or a closed database). Runs on the TEST_DB database.
// Processes run as `node --import tsx server.ts` (no wrapper), so signals reach the server itself.

const START_TIMEOUT_MS = 240_000;
const REQUEST_TIMEOUT_MS = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Acked {
  userId: string;
  clientId: string;
  id: string;
  conversationId: string;
  sequence: number;
}

async function tokenFor(url: string, user: TestUser): Promise<string> {
  const response = await fetch(`${url}/api/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  assert.equal(response.status, 200, `token for ${user.email}: ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

function open(kind: TransportKind, url: string, token: string): Promise<Connection> {
  return connect(kind, {
    url,
    token,
    timeoutMs: 60_000,
    onMessage: () => undefined,
    onConversation: () => undefined,
    onProtocolError: (error) => assert.fail(`protocol error: ${error.message}`),
  });
}

/** One request, waiting out RATE_LIMITED as a client would; returns the reply (ok or a refusal). */
async function request(conn: Connection, name: "message:send" | "message:list" | "conversation:create", input: Record<string, unknown>) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const reply = await conn.request(name, input, REQUEST_TIMEOUT_MS);
    if (reply.ok || reply.error.code !== "RATE_LIMITED") return reply;
    await sleep(Number(reply.error.details?.retryAfterMs ?? 100));
  }
  throw new Error(`${name} stayed rate limited`);
}

function userOf(users: Record<string, TestUser>, key: string): TestUser {
  const user = users[key];
  if (!user) throw new Error(`no test user ${key}`);
  return user;
}

/** The stored-state invariants: sequences 1..N per conversation, lastSequence = N, read pointers ≤ N. */
function assertInvariants(snapshot: DbSnapshot): void {
  for (const conversation of snapshot.conversations) {
    const sequences = snapshot.messages.filter((m) => m.conversationId === conversation.id).map((m) => m.sequence);
    assert.deepEqual(sequences, Array.from({ length: sequences.length }, (_, i) => i + 1), `${conversation.id}: sequences are 1..N`);
    assert.equal(conversation.lastSequence, sequences.length, `${conversation.id}: lastSequence is N`);
  }
  const last = new Map(snapshot.conversations.map((c) => [c.id, c.lastSequence]));
  for (const p of snapshot.participants) assert.ok(p.lastReadSequence <= (last.get(p.conversationId) ?? 0), `read pointer of ${p.userId} within ${p.conversationId}`);
}

/** Every acknowledged message is stored exactly once, under the acknowledged id and sequence. */
function assertStoredOnce(snapshot: DbSnapshot, acked: readonly Acked[]): void {
  for (const a of acked) {
    const rows = snapshot.messages.filter((m) => m.senderId === a.userId && m.clientId === a.clientId);
    assert.deepEqual(
      rows.map((r) => [r.id, r.conversationId, r.sequence]),
      [[a.id, a.conversationId, a.sequence]],
      `${a.clientId} is stored exactly once, as acknowledged`,
    );
  }
}

void test("SIGKILL of the embedded PGlite server during writes loses no acknowledged message, round after round", { timeout: 45 * 60_000 }, async (t) => {
  const ROUNDS = 4;
  const writerKeys = ["w1", "w2", "w3", "w4"];
  const specs: Record<string, TestUserSpec> = { reader: { role: "CONTROL_STAFF" } };
  for (const key of writerKeys) specs[key] = { role: "BUS_DRIVER" };
  const database = await createTestDatabase("pglite");
  const users = await prepareDatabase(database, specs);
  const node = new ServerNode({ name: "pglite", database, dataDir: database.dataDir, startTimeoutMs: START_TIMEOUT_MS });
  try {
    await node.start();
    const tokens = new Map<string, string>();
    for (const key of Object.keys(specs)) tokens.set(key, await tokenFor(node.url, userOf(users, key)));
    const transportOf = (index: number): TransportKind => (index % 2 === 0 ? "socket.io" : "ws");

    // One conversation per writer.
    const acked: Acked[] = [];
    const conversationOf = new Map<string, string>();
    for (const [index, key] of writerKeys.entries()) {
      const conn = await open(transportOf(index), node.url, tokens.get(key) ?? "");
      const reply = await request(conn, "conversation:create", { body: `Round 0 from ${key}`, clientId: `${key}-open` });
      assert.ok(reply.ok, JSON.stringify(reply));
      const message = toChatMessage(reply.data.message);
      conversationOf.set(key, message.conversationId);
      acked.push({ userId: userOf(users, key).id, clientId: `${key}-open`, id: message.id, conversationId: message.conversationId, sequence: message.sequence });
      conn.close();
    }

    /** The send each writer had in flight when the server died (never acknowledged). */
    const unanswered = new Map<string, { clientId: string; body: string }>();
    for (let round = 1; round <= ROUNDS; round++) {
      const conns = await Promise.all(writerKeys.map((key, index) => open(transportOf(index), node.url, tokens.get(key) ?? "")));
      let ackedThisRound = 0;
      let stop = false;
      const writers = writerKeys.map(async (key, index) => {
        const conn = conns[index] as Connection;
        const conversationId = conversationOf.get(key) ?? "";
        for (let n = 1; !stop && n <= 10_000; n++) {
          const clientId = `${key}-r${round}-${n}`;
          const body = `Round ${round}, message ${n} from ${key}`;
          unanswered.set(key, { clientId, body });
          let reply;
          try {
            reply = await request(conn, "message:send", { conversationId, body, clientId });
          } catch (error) {
            if (error instanceof ConnectionLost || error instanceof RequestTimeout) return;
            throw error;
          }
          assert.ok(reply.ok, `${clientId}: ${JSON.stringify(reply)}`);
          const message = toChatMessage(reply.data.message);
          acked.push({ userId: userOf(users, key).id, clientId, id: message.id, conversationId, sequence: message.sequence });
          unanswered.delete(key);
          ackedThisRound += 1;
        }
      });

      // A random moment among the writes.
      const killAfter = 5 + Math.floor(Math.random() * 40);
      for (let waited = 0; ackedThisRound < killAfter; waited++) {
        assert.ok(waited < 6000, `round ${round}: the writers stalled at ${ackedThisRound} acknowledged messages`);
        await sleep(50);
      }
      await sleep(Math.random() * 200);
      const killedPid = node.pid;
      await node.kill();
      stop = true;
      await Promise.all(writers);
      for (const conn of conns) conn.close();
      t.diagnostic(`round ${round}: SIGKILL after ${ackedThisRound} acknowledged messages (${[...unanswered.values()].length} sends in flight)`);

      // The dead process's lock is still there; the restart takes it over.
      const lockFile = path.join(database.dataDir, "server.lock");
      assert.equal(fs.readFileSync(lockFile, "utf8"), String(killedPid), "the killed server's pid lock is left behind");
      await node.start();
      assert.equal(fs.readFileSync(lockFile, "utf8"), String(node.pid), "the restarted server took the lock over");
      const ready = await fetch(`${node.url}/api/ready`);
      assert.equal(ready.status, 200, `round ${round}: ready after the restart (${await ready.text()})`);

      // Through the restarted server: every acknowledged message, at its sequence, in 1..N.
      const reader = await open("socket.io", node.url, tokens.get("reader") ?? "");
      for (const [key, conversationId] of conversationOf) {
        const listed: { id: string; sequence: number; clientId: string }[] = [];
        for (let after = 0, page = 0; page < 1000; page++) {
          const reply = await request(reader, "message:list", { conversationId, afterSequence: after, limit: 100 });
          assert.ok(reply.ok, JSON.stringify(reply));
          const messages = (reply.data.messages as unknown[]).map(toChatMessage);
          listed.push(...messages);
          const last = messages.at(-1);
          if (reply.data.hasMore !== true || !last) break;
          after = last.sequence;
        }
        assert.deepEqual(listed.map((m) => m.sequence), Array.from({ length: listed.length }, (_, i) => i + 1), `round ${round}, ${key}: sequences 1..N after the restart`);
        const byClientId = new Map(listed.map((m) => [m.clientId, m]));
        for (const a of acked.filter((x) => x.conversationId === conversationId)) {
          const found = byClientId.get(a.clientId);
          assert.ok(found, `round ${round}: acknowledged ${a.clientId} is there after the SIGKILL`);
          assert.equal(found.id, a.id, `${a.clientId}: same id`);
          assert.equal(found.sequence, a.sequence, `${a.clientId}: same sequence`);
        }
      }
      reader.close();

      // The send in flight at the kill, retried with its clientId: stored once either way.
      for (const [index, key] of writerKeys.entries()) {
        const pending = unanswered.get(key);
        if (!pending) continue;
        const conn = await open(transportOf(index), node.url, tokens.get(key) ?? "");
        const reply = await request(conn, "message:send", { conversationId: conversationOf.get(key), body: pending.body, clientId: pending.clientId });
        assert.ok(reply.ok, JSON.stringify(reply));
        const message = toChatMessage(reply.data.message);
        acked.push({ userId: userOf(users, key).id, clientId: pending.clientId, id: message.id, conversationId: message.conversationId, sequence: message.sequence });
        unanswered.delete(key);
        conn.close();
      }
    }

    assert.equal(await node.stop(), 0, "graceful stop after the rounds");
    const snapshot = await inspectDatabase(database, readSnapshot);
    assertInvariants(snapshot);
    assertStoredOnce(snapshot, acked);
    assert.equal(snapshot.messages.length, acked.length, "nothing stored that no client had acknowledged or retried");
    t.diagnostic(`${acked.length} acknowledged messages over ${ROUNDS} SIGKILL rounds, all stored once`);
  } finally {
    await node.kill();
    await database.drop();
  }
});

void test("SIGTERM drains in-flight sends: each is answered, every acknowledged message is stored once, exit code 0", { timeout: 20 * 60_000 }, async (t) => {
  const senders = ["s1", "s2", "s3", "s4", "s5", "s6"];
  const perSender = 20; // within the burst of 30 events per user
  const database: TestDatabase = await createTestDatabase();
  const users = await prepareDatabase(database, Object.fromEntries(senders.map((key) => [key, { role: "BUS_DRIVER" as const }])));
  const node = new ServerNode({ name: "drain", database, dataDir: database.dataDir, startTimeoutMs: START_TIMEOUT_MS });
  try {
    await node.start();
    const conns: Connection[] = [];
    const acked: Acked[] = [];
    const conversations: string[] = [];
    for (const [index, key] of senders.entries()) {
      const conn = await open(index % 2 === 0 ? "socket.io" : "ws", node.url, await tokenFor(node.url, userOf(users, key)));
      conns.push(conn);
      const reply = await request(conn, "conversation:create", { body: `Opening from ${key}`, clientId: `${key}-open` });
      assert.ok(reply.ok, JSON.stringify(reply));
      const message = toChatMessage(reply.data.message);
      conversations.push(message.conversationId);
      acked.push({ userId: userOf(users, key).id, clientId: `${key}-open`, id: message.id, conversationId: message.conversationId, sequence: message.sequence });
    }

    // Every sender fires its messages at once; SIGTERM as soon as the server has answered one of them.
    let firstAnswer: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => (firstAnswer = resolve));
    const outcomes = senders.flatMap((key, index) =>
      Array.from({ length: perSender }, (_, i) => {
        const clientId = `${key}-${i + 1}`;
        const conn = conns[index] as Connection;
        return conn.request("message:send", { conversationId: conversations[index], body: `In flight ${clientId}`, clientId }, REQUEST_TIMEOUT_MS).then(
          (reply) => {
            firstAnswer();
            return { key, clientId, reply } as const;
          },
          (error: unknown) => ({ key, clientId, lost: error instanceof Error ? error.name : String(error) }) as const,
        );
      }),
    );
    await answered;
    const code = await node.stop();
    const results = await Promise.all(outcomes);
    assert.equal(code, 0, `exit code on SIGTERM:\n${node.tail(3000)}`);

    const tally = new Map<string, number>();
    for (const r of results) {
      const outcome = "lost" in r ? r.lost : r.reply.ok ? "acknowledged" : r.reply.error.code;
      tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
      if (!("lost" in r) && r.reply.ok) {
        const message = toChatMessage(r.reply.data.message);
        acked.push({ userId: userOf(users, r.key).id, clientId: r.clientId, id: message.id, conversationId: message.conversationId, sequence: message.sequence });
      }
    }
    t.diagnostic(`${results.length} sends in flight at SIGTERM: ${[...tally].map(([k, v]) => `${k} ${v}`).join(", ")}`);

    const snapshot = await inspectDatabase(database, readSnapshot);
    assertInvariants(snapshot);
    assertStoredOnce(snapshot, acked);
    // Drained: every send the clients had in flight was answered before its connection closed, the
    // server answered everything it stored, and nothing ran into the closing server.
    const ackedKeys = new Set(acked.map((a) => `${a.userId}/${a.clientId}`));
    const storedUnanswered = snapshot.messages.filter((m) => !ackedKeys.has(`${m.senderId}/${m.clientId}`)).map((m) => m.clientId);
    const lost = results.filter((r) => "lost" in r).map((r) => r.clientId);
    const shutdownLog = node.tail(200_000).split('"msg":"shutting down"').at(-1) ?? "";
    const failedDuringShutdown = shutdownLog.split("\n").filter((line) => /"msg":"event failed"/.test(line));
    const failureKinds = [...new Set(failedDuringShutdown.map((line) => /"message":"([^"]{0,120})/.exec(line)?.[1] ?? line.slice(0, 120)))];
    const problems = [
      ...(lost.length > 0 ? [`${lost.length} of ${results.length} in-flight sends got no reply before their connection closed`] : []),
      ...(storedUnanswered.length > 0 ? [`stored without an answer to the client: ${storedUnanswered.join(", ")}`] : []),
      ...(failedDuringShutdown.length > 0 ? [`${failedDuringShutdown.length} events failed in the closing server: ${failureKinds.join(" | ")}`] : []),
    ];
    assert.deepEqual(problems, [], "SIGTERM drains the sends in flight");
  } finally {
    await node.kill();
    await database.drop();
  }
});
