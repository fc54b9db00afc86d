import { test } from "node:test";
import assert from "node:assert/strict";
import { call, connectSocketIo, emitAck, expectRefusal, JsonWsClient, nextEvent, record, waitFor, type ChatSocket } from "../helpers/clients";
import { callPaced, Inbox, killNode, listAfter, missingClusterServices, startCluster, within } from "../helpers/cluster";
import { RATE_LIMIT_BURST, RATE_LIMIT_PER_SECOND } from "../../lib/chat/constants";

// Two real server processes (A and B) on one PostgreSQL database and one Redis, as behind a load
// balancer: clients on different nodes talk to each other, a race across nodes has one winner, the
// rate limit and deactivation are cluster-wide, and when node A is killed its clients move to B and
// lose nothing. Every acknowledged message is checked in PostgreSQL (stored once) and in every
// participant's inbox (received once, in order, after catch-up).
//
// Needs PostgreSQL (TEST_PG_URL) and Redis (TEST_REDIS_URL); without them the test is skipped, and
// with CI=true it fails.

/** How long to wait for an event to cross nodes before failing: generous, for loaded CI machines. */
const WAIT_MS = 30_000;

/** A message a client saw acknowledged: it must be stored exactly once, under this id. */
interface Acked {
  senderKey: string;
  clientId: string;
  id: string;
}

void test("a two-node cluster on PostgreSQL and Redis", { timeout: 240_000 }, async (t) => {
  const missing = await missingClusterServices();
  if (missing) {
    if (process.env.CI === "true") assert.fail(`the cluster test ${missing} (CI=true)`);
    t.skip(missing);
    return;
  }

  const cluster = await startCluster(
    {
      driver: { role: "BUS_DRIVER", name: "Dana", vehicle: "Bus 12", route: "Route 4" },
      staffA: { role: "CONTROL_STAFF", name: "Ada" },
      staffB: { role: "CONTROL_STAFF", name: "Ben" },
      watcher: { role: "CONTROL_STAFF", name: "Wes" },
      admin: { role: "CONTROL_ADMIN", name: "Alma" },
      goneDriver: { role: "BUS_DRIVER", name: "Gus" },
      rateUser: { role: "QUEUE_REGULATOR", name: "Rita" },
    },
    ["A", "B"],
  );
  const nodeUrl = (name: "A" | "B") => {
    const node = cluster.nodes[name];
    if (!node) throw new Error(`no node ${name}`);
    return node.url;
  };
  const urlA = nodeUrl("A");
  const urlB = nodeUrl("B");
  const sockets: ChatSocket[] = [];
  const jsonClients: JsonWsClient[] = [];
  const open = async (key: string, node: "A" | "B", token?: string) => {
    const socket = await connectSocketIo(nodeUrl(node), { token: token ?? (await cluster.token(key, node)) });
    sockets.push(socket);
    return socket;
  };
  const userId = (key: string) => {
    const found = cluster.users[key];
    if (!found) throw new Error(`no test user ${key}`);
    return found.id;
  };
  try {
    const acked: Acked[] = [];
    const conversations: string[] = [];

    // One inbox per participant, fed by each of their connections in turn. The driver's token is
    // issued by node A and later presented to node B, as after a failover.
    const driverToken = await cluster.token("driver", "A");
    const inbox = {
      driver: new Inbox("driver"),
      staffA: new Inbox("staffA"),
      staffB: new Inbox("staffB"),
      admin: new Inbox("admin"),
      watcher: new Inbox("watcher (JSON WebSocket)"),
    };
    let driver = await open("driver", "A", driverToken);
    inbox.driver.watch(driver, "A");
    let staffA = await open("staffA", "A", await cluster.token("staffA", "B"));
    inbox.staffA.watch(staffA, "A");
    const staffB = await open("staffB", "B");
    inbox.staffB.watch(staffB, "B");
    const admin = await open("admin", "B");
    inbox.admin.watch(admin, "B");
    const watcher = await JsonWsClient.connect(urlB, await cluster.token("watcher", "B"));
    watcher.ws.on("error", () => undefined);
    jsonClients.push(watcher);
    inbox.watcher.watchJson(watcher, "B");
    /** The inboxes whose connections are up; the ones on node A drop out when it dies. */
    let connected: Inbox[] = Object.values(inbox);

    /** Waits until every connected participant has received `sequence` of the conversation. */
    const settle = (conversationId: string, sequence: number, what: string) =>
      waitFor(() => connected.every((i) => i.last(conversationId) >= sequence), `${what} at every connected participant`, WAIT_MS);

    /** Sends, records the ack for the database check, and (unless `settled` is false) waits for it everywhere. */
    const send = async (socket: ChatSocket, senderKey: string, input: { conversationId: string; body: string; clientId: string }, settled = true) => {
      const sent = await callPaced(socket, "message:send", input);
      acked.push({ senderKey, clientId: input.clientId, id: sent.message.id });
      if (settled) await settle(input.conversationId, sent.message.sequence, `message ${input.clientId}`);
      return sent;
    };

    let conversationId = "";

    await t.test("a driver on node A and control on node B: the new conversation, messages both ways, typing and read receipts", async () => {
      const announced = nextEvent(staffB, "conversation:new", WAIT_MS);
      const created = await call(driver, "conversation:create", { title: "Flat tyre", body: "Flat tyre at Elm St", clientId: "d-1" });
      acked.push({ senderKey: "driver", clientId: "d-1", id: created.message.id });
      conversationId = created.conversation.id;
      conversations.push(conversationId);
      const notice = await announced;
      assert.equal(notice.id, conversationId, "control on B hears of the conversation created on A");
      assert.equal(notice.creator.name, "Dana");
      assert.equal(notice.vehicle, "Bus 12");
      await settle(conversationId, 1, "the opening message");

      const reply = await send(staffB, "staffB", { conversationId, body: "On our way", clientId: "b-1" });
      assert.equal(reply.message.sequence, 2);
      assert.ok(inbox.driver.has(reply.message.id), "the driver on A received control's reply from B");

      // Three in a row from A: one node's publications reach the other node in order.
      await send(driver, "driver", { conversationId, body: "Thanks", clientId: "d-2" }, false);
      await send(driver, "driver", { conversationId, body: "Passengers are waiting", clientId: "d-3" }, false);
      const third = await send(driver, "driver", { conversationId, body: "Some are leaving", clientId: "d-4" });
      assert.deepEqual(inbox.staffB.in(conversationId).map((r) => r.clientId), ["d-1", "b-1", "d-2", "d-3", "d-4"]);

      const typingAtB = record(staffB, "typing");
      const typingAtDriver = record(driver, "typing");
      await call(driver, "typing:set", { conversationId, isTyping: true });
      await waitFor(() => typingAtB.some((s) => s.user.id === userId("driver") && s.isTyping), "control on B sees the driver typing on A", WAIT_MS);
      await waitFor(() => watcher.frames.some((f) => f.type === "typing_indicator" && f.data?.conversation_id === conversationId), "the JSON client on B sees it too", WAIT_MS);
      await call(staffB, "typing:set", { conversationId, isTyping: true });
      await waitFor(() => typingAtDriver.some((s) => s.user.id === userId("staffB") && s.isTyping), "the driver on A sees control typing on B", WAIT_MS);
      await call(driver, "typing:set", { conversationId, isTyping: false });
      await call(staffB, "typing:set", { conversationId, isTyping: false });

      // Read receipts: each side reads the other's latest message (one's own messages count as read).
      const readsAtDriver = record(driver, "read:updated");
      const readsAtB = record(staffB, "read:updated");
      await call(staffB, "message:read", { conversationId, sequence: third.message.sequence });
      await waitFor(
        () => readsAtDriver.some((r) => r.user.id === userId("staffB") && r.lastReadSequence === third.message.sequence),
        "the driver on A gets control's read receipt from B",
        WAIT_MS,
      );
      const latest = await send(staffB, "staffB", { conversationId, body: "Put the hazard lights on", clientId: "b-2" });
      await call(driver, "message:read", { conversationId, sequence: latest.message.sequence });
      await waitFor(
        () => readsAtB.some((r) => r.user.id === userId("driver") && r.lastReadSequence === latest.message.sequence),
        "control on B gets the driver's read receipt from A",
        WAIT_MS,
      );
    });

    await t.test("a JSON WebSocket client on node B and a Socket.IO client on node A, both ways", async () => {
      const fromA = await send(driver, "driver", { conversationId, body: "Bus 12 stopped at Elm St", clientId: "d-json" });
      const frame = await watcher.waitFor((f) => f.type === "new_message" && f.data?.client_id === "d-json", WAIT_MS);
      assert.equal(frame.data?.id, fromA.message.id);
      assert.equal(frame.data?.conversation_id, conversationId);
      assert.equal(frame.data?.sequence, fromA.message.sequence);

      const sent = await watcher.request("send_chat_message", { conversation_id: conversationId, content: "Noted on the board", client_id: "w-1" });
      assert.equal(sent.type, "response", JSON.stringify(sent.error));
      const message = sent.data?.message as { id: string; sequence: number };
      acked.push({ senderKey: "watcher", clientId: "w-1", id: message.id });
      await settle(conversationId, message.sequence, "the JSON client's message");
      assert.ok(inbox.driver.has(message.id), "the driver on A received the JSON client's message from B");
    });

    await t.test("a take race between control on A and control on B has exactly one winner", async () => {
      for (let round = 1; round <= 3; round++) {
        const created = await call(driver, "conversation:create", { title: `race ${round}`, body: `Race ${round}`, clientId: `race-${round}` });
        const raceId = created.conversation.id;
        acked.push({ senderKey: "driver", clientId: `race-${round}`, id: created.message.id });
        conversations.push(raceId);
        await settle(raceId, 1, `race ${round}'s opening message`);
        const updatesAtA = record(staffA, "conversation:updated");
        const updatesAtB = record(staffB, "conversation:updated");

        const [a, b] = await Promise.all([emitAck(staffA, "conversation:take", { conversationId: raceId }), emitAck(staffB, "conversation:take", { conversationId: raceId })]);
        const winners = [a, b].filter((ack) => ack.ok);
        assert.equal(winners.length, 1, `round ${round}: exactly one take succeeds (${JSON.stringify([a, b])})`);
        const loser = [a, b].find((ack) => !ack.ok);
        assert.equal(loser && !loser.ok && loser.error.code, "CONFLICT", `round ${round}: the other gets CONFLICT`);
        const winnerId = userId(a.ok ? "staffA" : "staffB");
        const assignedTo = (updates: typeof updatesAtA) => updates.some((u) => u.id === raceId && u.assignee?.id === winnerId);
        await waitFor(() => assignedTo(updatesAtA) && assignedTo(updatesAtB), `round ${round}: both nodes hear who won`, WAIT_MS);
        await settle(raceId, 2, `round ${round}'s take`);
        const listed = await callPaced(staffB, "message:list", { conversationId: raceId });
        assert.deepEqual(listed.messages.map((m) => [m.sequence, m.kind]), [[1, "TEXT"], [2, "SYSTEM"]], `round ${round}: one take is recorded`);
      }
    });

    await t.test("the rate limit is one bucket per user across nodes", async () => {
      const onA = await open("rateUser", "A");
      const onB = await open("rateUser", "B");
      // Invalid events are the cheapest ones: the bucket is charged before validation.
      const perNode = RATE_LIMIT_BURST;
      const started = performance.now();
      const acks = await Promise.all([
        ...Array.from({ length: perNode }, () => emitAck(onA, "typing:set", {})),
        ...Array.from({ length: perNode }, () => emitAck(onB, "typing:set", {})),
      ]);
      const elapsedMs = performance.now() - started;
      const codes = acks.map((ack) => (ack.ok ? "OK" : ack.error.code));
      assert.deepEqual([...new Set(codes)].filter((code) => code !== "VALIDATION" && code !== "RATE_LIMITED"), [], `only VALIDATION or RATE_LIMITED (${codes.join(",")})`);
      const allowed = codes.filter((code) => code === "VALIDATION").length;
      // One shared bucket: the burst plus what refilled while the events ran; two node-local buckets
      // would have let all 2 × burst through.
      const bound = RATE_LIMIT_BURST + Math.floor((elapsedMs * RATE_LIMIT_PER_SECOND) / 1000);
      assert.ok(allowed <= bound, `${allowed} of ${codes.length} events passed in ${Math.round(elapsedMs)} ms; one cluster-wide bucket allows at most ${bound}`);
      for (const ack of acks) {
        if (ack.ok || ack.error.code !== "RATE_LIMITED") continue;
        const wait = ack.error.details?.retryAfterMs;
        assert.ok(typeof wait === "number" && wait > 0 && wait <= 1000 / RATE_LIMIT_PER_SECOND, `retryAfterMs is the time to the next token (got ${String(wait)})`);
      }
      assert.equal(onA.connected && onB.connected, true, "limited clients stay connected");
    });

    await t.test("an admin on node B deactivating a driver disconnects the driver's connections on node A", async () => {
      const goneToken = await cluster.token("goneDriver", "A");
      const gone = await open("goneDriver", "A", goneToken);
      const goneJson = await JsonWsClient.connect(urlA, goneToken);
      goneJson.ws.on("error", () => undefined);
      jsonClients.push(goneJson);
      const ioClosed = new Promise<string>((resolve) => gone.once("disconnect", (reason) => resolve(reason)));
      const wsClosed = new Promise<number>((resolve) => goneJson.ws.once("close", (code) => resolve(code)));

      const done = await call(admin, "user:deactivate", { userId: userId("goneDriver") });
      assert.equal(done.userId, userId("goneDriver"));
      const [reason, code] = await within(Promise.all([ioClosed, wsClosed]), "both of the driver's connections on A to close", WAIT_MS);
      assert.equal(reason, "io server disconnect", "the Socket.IO connection on A was closed by the server");
      assert.equal(code, 4401, "the JSON WebSocket on A was closed as a session end");
      assert.equal(driver.connected, true, "other users on A stay connected");
      const refusal = await expectRefusal(urlA, { token: goneToken });
      assert.ok(["ACCOUNT_DISABLED", "UNAUTHENTICATED"].includes(refusal.code), `node A refuses the old token (${refusal.code})`);
    });

    /** What the driver knows of the send that was in flight when node A died. */
    let inflight: { acked: boolean; storedByA: boolean; sequence: number; id: string } | undefined;
    let lostId = "";

    await t.test("node A is killed; its clients reconnect to node B, catch up, retry and go on", async (st) => {
      // A second device of the driver sends, and its transport drops before the ack: stored, never acknowledged.
      const lostTab = await open("driver", "A", driverToken);
      const lostInput = { conversationId, body: "Did this get through?", clientId: "d-lost" };
      const lostAck = emitAck(lostTab, "message:send", lostInput).then(
        () => "acknowledged",
        () => "ack never seen",
      );
      lostTab.io.engine.close();
      assert.equal(await lostAck, "ack never seen");
      await waitFor(() => inbox.staffB.in(conversationId).some((r) => r.clientId === "d-lost"), "the unacknowledged message reaches node B", WAIT_MS);
      lostId = inbox.staffB.in(conversationId).find((r) => r.clientId === "d-lost")?.id ?? "";
      await settle(conversationId, inbox.staffB.last(conversationId), "the unacknowledged message");

      // One more send is in flight when A dies: stored or not, acknowledged or not — the retry decides.
      const inflightInput = { conversationId, body: "Anyone there?", clientId: "d-inflight" };
      const inflightAck = emitAck(driver, "message:send", inflightInput).catch(() => null);
      const driverDropped = new Promise<void>((resolve) => driver.once("disconnect", () => resolve()));
      const staffADropped = new Promise<void>((resolve) => staffA.once("disconnect", () => resolve()));
      await killNode(cluster.nodes.A ?? assert.fail("no node A"));
      const beforeKill = await inflightAck;
      await within(Promise.all([driverDropped, staffADropped]), "the clients on A to notice", WAIT_MS);
      connected = [inbox.staffB, inbox.admin, inbox.watcher];

      // Control on B writes while the driver has no connection.
      const gap = await send(staffB, "staffB", { conversationId, body: "Are you still there?", clientId: "b-gap" });

      // The driver's phone reconnects; the load balancer routes it to B. Same token.
      driver = await open("driver", "B", driverToken);
      inbox.driver.watch(driver, "B");
      const missed = await inbox.driver.catchUp(driver, conversationId);
      assert.ok(missed.some((m) => m.id === gap.message.id), "catch-up brings the message sent while the driver was away");
      staffA = await open("staffA", "B");
      inbox.staffA.watch(staffA, "B");
      for (const id of conversations) await inbox.staffA.catchUp(staffA, id);
      connected = Object.values(inbox);

      // The retry of the message whose ack was never seen: the stored one, not a second one.
      const lostRetry = await callPaced(driver, "message:send", lostInput);
      assert.equal(lostRetry.duplicate, true, "the retry on B finds the message stored through A");
      assert.equal(lostRetry.message.id, lostId);
      acked.push({ senderKey: "driver", clientId: "d-lost", id: lostRetry.message.id });

      const inflightRetry = await callPaced(driver, "message:send", inflightInput);
      if (beforeKill?.ok) {
        assert.equal(inflightRetry.duplicate, true, "a send acknowledged before the kill is a duplicate on retry");
        assert.equal(inflightRetry.message.id, beforeKill.data.message.id);
      }
      acked.push({ senderKey: "driver", clientId: "d-inflight", id: inflightRetry.message.id });
      inflight = { acked: Boolean(beforeKill?.ok), storedByA: inflightRetry.duplicate, sequence: inflightRetry.message.sequence, id: inflightRetry.message.id };
      if (!inflight.storedByA) await settle(conversationId, inflight.sequence, "the in-flight message, stored by B");
      st.diagnostic(`in-flight send at the kill: ${inflight.acked ? "acknowledged" : "not acknowledged"}, ${inflight.storedByA ? "stored by A" : "stored by B on retry"}`);

      const after = await send(driver, "driver", { conversationId, body: "Back online", clientId: "d-after" });
      assert.equal(after.duplicate, false);
      const answer = await send(staffB, "staffB", { conversationId, body: "Good, help is 5 minutes out", clientId: "b-after" });
      assert.ok(inbox.driver.has(answer.message.id), "the driver, now on B, receives live again");
      assert.ok(inbox.staffA.has(after.message.id), "control, now on B, receives live again");
    });

    await t.test("every acknowledged message is stored once, and every participant receives each message once, in order", async (st) => {
      // PostgreSQL, directly.
      for (const { senderKey, clientId, id } of acked) {
        const rows = await cluster.query<{ id: string }>(`SELECT id FROM "Message" WHERE "senderId" = $1 AND "clientId" = $2`, [userId(senderKey), clientId]);
        assert.deepEqual(rows.map((r) => r.id), [id], `${senderKey}/${clientId} is stored exactly once, as acknowledged`);
      }
      assert.ok(acked.length >= 15, `the scenario acknowledged its messages (${acked.length})`);
      const stored = new Map<string, { id: string; sequence: number }[]>();
      for (const id of conversations) {
        const rows = await cluster.query<{ id: string; sequence: number }>(`SELECT id, sequence FROM "Message" WHERE "conversationId" = $1 ORDER BY sequence`, [id]);
        const [head] = await cluster.query<{ lastSequence: number }>(`SELECT "lastSequence" FROM "Conversation" WHERE id = $1`, [id]);
        assert.deepEqual(rows.map((r) => r.sequence), Array.from({ length: rows.length }, (_, i) => i + 1), `${id}: sequences run 1..N`);
        assert.equal(head?.lastSequence, rows.length, `${id}: lastSequence is N`);
        stored.set(id, rows);
      }
      const atKill = inflight ?? assert.fail("the failover step did not run");

      // Each participant: what arrived (live on each connection in turn, then catch-up after each
      // reconnect) is strictly increasing and matches the stored ids. The only message a participant
      // may have missed live is the one in flight when A died, if A stored it (A may have died before
      // publishing it); a client finds such a gap by its sequence and fills it with afterSequence.
      // How each participant fills a gap: through its current connection.
      const listOne: Record<keyof typeof inbox, (id: string, afterSequence: number) => Promise<{ id: string; sequence: number }[]>> = {
        driver: (id, after) => listAfter(driver, id, after, 1),
        staffA: (id, after) => listAfter(staffA, id, after, 1),
        staffB: (id, after) => listAfter(staffB, id, after, 1),
        admin: (id, after) => listAfter(admin, id, after, 1),
        watcher: async (id, after) =>
          (await watcher.request("get_conversation_messages", { conversation_id: id, after_sequence: after, limit: 1 })).data?.messages as { id: string; sequence: number }[],
      };
      for (const [key, participant] of Object.entries(inbox) as [keyof typeof inbox, Inbox][]) {
        for (const id of conversations) {
          const rows = stored.get(id) ?? [];
          const idBySequence = new Map(rows.map((r) => [r.sequence, r.id]));
          const maybeLate: number = id === conversationId && atKill.storedByA ? atKill.sequence : -1;
          const got = participant.in(id);
          for (const r of got) assert.equal(r.id, idBySequence.get(r.sequence), `${participant.name}: sequence ${r.sequence} is the stored message`);
          const ordered = got.map((r) => r.sequence).filter((s) => s !== maybeLate);
          assert.deepEqual(ordered, [...new Set(ordered)].sort((x, y) => x - y), `${participant.name} in ${id}: each message once, in order (${got.map((r) => `${r.sequence}@${r.via}`).join(" ")})`);
          assert.ok(got.filter((r) => r.sequence === maybeLate).length <= 1, `${participant.name}: the in-flight message at most once`);

          const have = new Set(got.map((r) => r.sequence));
          const gaps = rows.map((r) => r.sequence).filter((s) => !have.has(s));
          assert.ok(gaps.every((s) => s === maybeLate), `${participant.name} in ${id}: missed only the in-flight message (missed ${gaps.join(",") || "none"})`);
          for (const s of gaps) {
            const filled = await listOne[key](id, s - 1);
            assert.deepEqual(filled.map((m) => [m.sequence, m.id]), [[s, idBySequence.get(s)]], `${participant.name}: afterSequence ${s - 1} fills the gap`);
          }
        }
      }
      st.diagnostic(`${acked.length} acknowledged messages in ${conversations.length} conversations, checked at ${Object.keys(inbox).length} participants`);
    });
  } finally {
    for (const client of jsonClients) client.close();
    for (const socket of sockets) socket.disconnect();
    await cluster.close();
  }
});
