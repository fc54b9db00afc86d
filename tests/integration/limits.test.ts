import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { startTestServer, type TestServer } from "../helpers/server";
import { call, connectSocketIo, disconnected, emitAck, expectRefusal, requestToken, sleep, withTimeout, type JsonFrame } from "../helpers/clients";
import { createSession } from "../helpers/session";
import { RATE_LIMIT_BURST, RATE_LIMIT_PER_SECOND } from "../../lib/chat/constants";

// The per-user event rate limit on both transports, and deactivation by an admin. One server for
// the file; each test has its own users (the rate limit is per user).

let server: TestServer;
const { open, openJson, track, user, closeAll } = createSession(() => server);

before(async () => {
  server = await startTestServer({
    rateDriver: { role: "BUS_DRIVER", name: "Rita" },
    rateWsDriver: { role: "QUEUE_REGULATOR", name: "Walt" },
    admin: { role: "CONTROL_ADMIN", name: "Alma" },
    staff: { role: "CONTROL_STAFF", name: "Stan" },
    goneDriver: { role: "BUS_DRIVER", name: "Gus" },
    keptDriver: { role: "BUS_DRIVER", name: "Kay" },
  });
});

after(async () => {
  closeAll();
  await server?.close();
});

function retryAfterOf(details: unknown): number {
  const value = (details as { retryAfterMs?: unknown; retry_after_ms?: unknown } | undefined)?.retryAfterMs;
  assert.equal(typeof value, "number", `RATE_LIMITED carries details.retryAfterMs (got ${JSON.stringify(details)})`);
  const ms = value as number;
  assert.ok(ms > 0 && ms <= 1000 / RATE_LIMIT_PER_SECOND, `retryAfterMs is the time to the next token (got ${ms})`);
  return ms;
}

void test("Socket.IO: events beyond the bucket get RATE_LIMITED with retryAfterMs; the socket stays and can send again", async () => {
  const socket = await open("rateDriver");
  let wasDisconnected = false;
  socket.on("disconnect", () => (wasDisconnected = true));
  const created = await call(socket, "conversation:create", { body: "Rate limit check", clientId: "rate-conv" });
  const conversationId = created.conversation.id;

  const inputs = Array.from({ length: RATE_LIMIT_BURST + 20 }, (_, i) => ({ conversationId, body: `burst ${i}`, clientId: `rate-${i}` }));
  const acks = await Promise.all(inputs.map((input) => emitAck(socket, "message:send", input)));
  const accepted = inputs.filter((_, i) => acks[i]!.ok);
  const limited = acks.flatMap((ack, i) => (ack.ok ? [] : [{ error: ack.error, input: inputs[i]! }]));
  for (const { error } of limited) assert.equal(error.code, "RATE_LIMITED", JSON.stringify(error));
  assert.ok(limited.length > 0, "a burst beyond the bucket is limited");
  assert.ok(accepted.length >= RATE_LIMIT_BURST - 1, `the whole bucket was usable (accepted ${accepted.length})`);
  const waits = limited.map(({ error }) => retryAfterOf(error.details));

  assert.equal(socket.connected, true, "a limited client is not disconnected");
  assert.equal(wasDisconnected, false);

  // Limited sends were not stored; accepted ones were, once each.
  await sleep(Math.max(...waits));
  const listed = await call(socket, "message:list", { conversationId, limit: 100 });
  assert.deepEqual(listed.messages.map((m) => m.clientId).sort(), ["rate-conv", ...accepted.map((i) => i.clientId)].sort());

  // After waiting, a limited send goes through.
  const retryInput = limited[0]!.input;
  let again = await emitAck(socket, "message:send", retryInput);
  if (!again.ok) {
    // The list above took the refilled token; wait as told and try once more.
    assert.equal(again.error.code, "RATE_LIMITED");
    await sleep(retryAfterOf(again.error.details));
    again = await emitAck(socket, "message:send", retryInput);
  }
  assert.ok(again.ok, `the send succeeds after waiting: ${JSON.stringify(again)}`);
  assert.equal(again.data.duplicate, false, "the limited attempt had stored nothing");
  assert.equal(again.data.message.clientId, retryInput.clientId);
  assert.equal(socket.connected, true);
});

void test("JSON WebSocket: RATE_LIMITED error frames, the connection stays open and can send again", async () => {
  const ws = await openJson("rateWsDriver");
  let closed = false;
  ws.ws.on("close", () => (closed = true));
  const created = await ws.request("create_support_conversation", { title: "ws rate", content: "Rate limit over ws", client_id: "ws-rate-conv" });
  assert.equal(created.type, "response");
  const conversationId = (created.data?.conversation as { id: string }).id;

  const frames = await Promise.all(
    Array.from({ length: RATE_LIMIT_BURST + 20 }, (_, i) => ws.request("send_chat_message", { conversation_id: conversationId, content: `burst ${i}`, client_id: `ws-rate-${i}` })),
  );
  const errors = frames.filter((f) => f.type === "error");
  const responses = frames.filter((f) => f.type === "response");
  assert.equal(errors.length + responses.length, frames.length);
  assert.ok(errors.length > 0, "a burst beyond the bucket is limited");
  assert.ok(responses.length >= RATE_LIMIT_BURST - 1, `the whole bucket was usable (accepted ${responses.length})`);
  for (const frame of errors) {
    assert.equal(frame.error?.code, "RATE_LIMITED", JSON.stringify(frame));
    assert.equal(frame.request_type, "send_chat_message");
    assert.equal(typeof frame.request_id, "string");
  }
  const waits = errors.map((f) => retryAfterOf((f.error as JsonFrame["error"] & { details?: unknown }).details));

  assert.equal(ws.ws.readyState, WebSocket.OPEN, "a limited connection stays open");
  assert.equal(closed, false);

  await sleep(Math.max(...waits));
  const again = await ws.request("send_chat_message", { conversation_id: conversationId, content: "after the wait", client_id: "ws-rate-after" });
  assert.equal(again.type, "response", JSON.stringify(again));
  assert.equal(again.data?.duplicate, false);
  assert.equal(ws.ws.readyState, WebSocket.OPEN);
});

void test("an admin's user:deactivate disconnects the user's sockets on both transports and locks the account out", async () => {
  const admin = await open("admin");
  const staff = await open("staff");
  const driverToken = await server.token("goneDriver");
  const driver = await open("goneDriver");
  const driverWs = await openJson("goneDriver");
  const keptToken = await server.token("keptDriver");
  const kept = await open("keptDriver");

  // Only admins may deactivate: staff and field users get FORBIDDEN, and nothing happens.
  const byStaff = await emitAck(staff, "user:deactivate", { userId: user("keptDriver").id });
  assert.equal(byStaff.ok, false);
  assert.equal(!byStaff.ok && byStaff.error.code, "FORBIDDEN");
  const byDriver = await emitAck(driver, "user:deactivate", { userId: user("keptDriver").id });
  assert.equal(!byDriver.ok && byDriver.error.code, "FORBIDDEN");
  const bySelf = await emitAck(admin, "user:deactivate", { userId: user("admin").id });
  assert.equal(!bySelf.ok && bySelf.error.code, "CONFLICT");
  assert.equal(kept.connected, true);
  await call(kept, "conversation:list", {});
  track(await connectSocketIo(server.url, { token: keptToken }));
  assert.equal((await requestToken(server.url, user("keptDriver"))).status, 200, "the staff attempt changed nothing");

  const ioClosed = disconnected(driver);
  const wsClosed = new Promise<number>((resolve) => driverWs.ws.once("close", (code) => resolve(code)));
  const done = await call(admin, "user:deactivate", { userId: user("goneDriver").id });
  assert.equal(done.userId, user("goneDriver").id);
  const [reason, code] = await withTimeout(Promise.all([ioClosed, wsClosed]), "both of the driver's connections to close");
  assert.equal(reason, "io server disconnect");
  assert.equal(code, 4401);
  assert.equal(kept.connected, true, "other users stay connected");

  // The old token no longer connects, on either transport.
  const refusal = await expectRefusal(server.url, { token: driverToken });
  assert.ok(["ACCOUNT_DISABLED", "UNAUTHENTICATED"].includes(refusal.code), `refused with ${refusal.code}`);
  const upgrade = await new Promise<number>((resolve, reject) => {
    const raw = new WebSocket(`${server.url.replace(/^http/, "ws")}/api/websocket/connect?token=${encodeURIComponent(driverToken)}`);
    raw.on("unexpected-response", (_req, res) => (resolve(res.statusCode ?? 0), raw.terminate()));
    raw.on("open", () => (raw.close(), reject(new Error("the JSON WebSocket accepted a deactivated account"))));
    raw.on("error", () => undefined);
  });
  assert.ok(upgrade === 401 || upgrade === 403, `JSON WebSocket refused with ${upgrade}`);

  // And no new token is issued.
  const tokenResponse = await requestToken(server.url, user("goneDriver"));
  assert.equal(tokenResponse.status, 401);
  const body = (await tokenResponse.json()) as { token?: string; error?: { code: string } };
  assert.equal(body.token, undefined);
  assert.ok(body.error && ["ACCOUNT_DISABLED", "UNAUTHENTICATED"].includes(body.error.code));
});
