import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { io } from "socket.io-client";
import { call, JsonWsClient, withTimeout, type ChatSocket } from "../helpers/clients";
import { missingClusterServices, startCluster } from "../helpers/cluster";
import { PrivateRedis } from "../chaos/processes";

// A node whose Redis restarts (empty) may have lost broadcasts meanwhile, so when its Redis connection
// comes back it makes its clients reconnect and catch up: Socket.IO transports are closed (the client
// reconnects by itself, as after a network drop) and JSON WebSocket connections get close code 1012.
// One node on PostgreSQL and a private redis-server that this test kills and restarts.
// Needs PostgreSQL and redis-server; without them the test is skipped, and with CI=true it fails.

const WAIT_MS = 60_000;

void test("after a Redis restart a node makes its clients reconnect and catch up", { timeout: 300_000 }, async (t) => {
  const missing = (await missingClusterServices()) ?? (PrivateRedis.isInstalled() ? null : "needs redis-server on PATH");
  if (missing) {
    if (process.env.CI === "true") assert.fail(`the Redis recovery test ${missing} (CI=true)`);
    t.skip(missing);
    return;
  }
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "transit-redis-"));
  const redis = new PrivateRedis(workDir);
  await redis.start();
  const cluster = await startCluster({ driver: { role: "BUS_DRIVER", name: "Dana" }, staff: { role: "CONTROL_STAFF", name: "Casey" } }, ["A"], { redisUrl: redis.url });
  let socket: ChatSocket | undefined;
  let json: JsonWsClient | undefined;
  try {
    const url = cluster.nodes.A?.url ?? assert.fail("no node A");
    // The control desk, as the web app connects: Socket.IO with reconnection on.
    socket = io(url, { transports: ["websocket"], auth: { token: await cluster.token("staff", "A") }, forceNew: true, reconnectionDelay: 200 });
    let ready = 0;
    const disconnects: string[] = [];
    socket.on("session:ready", () => (ready += 1));
    socket.on("disconnect", (reason) => disconnects.push(reason));
    await withTimeout(
      new Promise<void>((resolve) => socket?.once("session:ready", () => resolve())),
      "the first session:ready",
      WAIT_MS,
    );
    json = await JsonWsClient.connect(url, await cluster.token("driver", "A"));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => json?.ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));

    // Redis dies with everything in it and comes back empty.
    await redis.restart(500);

    const close = await withTimeout(closed, "the JSON WebSocket close after Redis came back", WAIT_MS);
    assert.deepEqual(close, { code: 1012, reason: "redis connection restored" });
    await withTimeout(
      (async () => {
        while (ready < 2) await new Promise((resolve) => setTimeout(resolve, 100));
      })(),
      "the Socket.IO client back with a new session:ready",
      WAIT_MS,
    );
    assert.deepEqual(disconnects, ["transport close"], "the Socket.IO transport was closed as a network drop, so the client reconnected by itself");

    // The node serves both again: a new JSON WebSocket connection opens a conversation that the
    // reconnected control desk can read.
    json = await JsonWsClient.connect(url, await cluster.token("driver", "A"));
    const created = await json.request("create_support_conversation", { content: "After the Redis restart", client_id: "after-redis" });
    assert.equal(created.type, "response", JSON.stringify(created));
    const conversationId = (created.data as { conversation: { id: string } }).conversation.id;
    const page = await call(socket, "message:list", { conversationId, afterSequence: 0 });
    assert.deepEqual(
      page.messages.map((m) => m.body),
      ["After the Redis restart"],
    );
  } finally {
    socket?.disconnect();
    json?.close();
    await cluster.close();
    await redis.kill();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
});
