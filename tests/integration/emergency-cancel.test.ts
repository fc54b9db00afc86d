import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../helpers/server";
import { call, emitAck, record, waitFor } from "../helpers/clients";
import { createSession } from "../helpers/session";

// A driver's false alarm: only the creator may call it off, within the window; control hears it at
// once (the conversation resolved, a system line in the thread), the audit keeps it, and nothing is
// written by a refused attempt. Also: a driver's new vehicle, route and shift reach control's
// conversation headers live.

let server: TestServer;
const { open, openJson, closeAll } = createSession(() => server);

before(async () => {
  server = await startTestServer({
    driver: { role: "BUS_DRIVER", name: "Dana Quimby", vehicle: "Bus 12", route: "Route 4" },
    other: { role: "BUS_DRIVER", name: "Otto Brennan" },
    regulator: { role: "QUEUE_REGULATOR", name: "Rafa Ruiz" },
    control: { role: "CONTROL_STAFF", name: "Casey Control" },
    admin: { role: "CONTROL_ADMIN", name: "Alex Admin" },
  });
});

after(async () => {
  closeAll();
  await server?.close();
});

void test("the creator cancels a false alarm: control sees it resolved with a system line; others are refused and change nothing", async () => {
  const driver = await open("driver");
  const other = await open("other");
  const control = await open("control");
  const updates = record(control, "conversation:updated");
  const lines = record(control, "message:new");

  const { conversation } = await call(driver, "conversation:create", { category: "EMERGENCY", body: "Emergency: need help now", clientId: "sos-1" });
  assert.equal(conversation.status, "OPEN");

  const byControl = await emitAck(control, "emergency:cancel", { conversationId: conversation.id });
  assert.equal(byControl.ok, false);
  assert.equal(!byControl.ok && byControl.error.code, "FORBIDDEN");
  const byOther = await emitAck(other, "emergency:cancel", { conversationId: conversation.id });
  assert.equal(!byOther.ok && byOther.error.code, "FORBIDDEN");
  const unchanged = await call(control, "conversation:join", { conversationId: conversation.id });
  assert.equal(unchanged.conversation.status, "OPEN");
  assert.equal(unchanged.conversation.lastSequence, 1, "a refused cancel writes nothing");

  const cancelled = await call(driver, "emergency:cancel", { conversationId: conversation.id });
  assert.equal(cancelled.conversation.status, "RESOLVED");
  assert.ok(cancelled.conversation.emergencyCancelledAt, "the view says when it was called off");

  await waitFor(() => updates.some((u) => u.id === conversation.id && u.status === "RESOLVED"), "control hears the conversation resolved");
  const update = updates.find((u) => u.id === conversation.id && u.status === "RESOLVED")!;
  assert.ok(update.emergencyCancelledAt);
  await waitFor(() => lines.some((m) => m.conversationId === conversation.id && m.kind === "SYSTEM"), "control gets the system line");
  const line = lines.find((m) => m.conversationId === conversation.id && m.kind === "SYSTEM")!;
  assert.equal(line.body, "False alarm: Dana Quimby cancelled this emergency.");

  const again = await emitAck(driver, "emergency:cancel", { conversationId: conversation.id });
  assert.equal(!again.ok && again.error.code, "CONFLICT");

  const { conversation: plain } = await call(driver, "conversation:create", { category: "DRIVER", body: "Flat tyre", clientId: "plain-1" });
  const notEmergency = await emitAck(driver, "emergency:cancel", { conversationId: plain.id });
  assert.equal(!notEmergency.ok && notEmergency.error.code, "CONFLICT");

  const admin = await open("admin");
  const { events } = await call(admin, "audit:list", { search: "emergency.cancelled" });
  assert.deepEqual(
    events.filter((e) => e.action === "emergency.cancelled").map((e) => [e.subject, e.actor?.id]),
    [[conversation.id, server.users.driver!.id]],
  );
});

void test("the seed protocol's cancel_emergency works on the JSON WebSocket", async () => {
  const regulator = await openJson("regulator");
  const created = await regulator.request("create_support_conversation", { category: "emergency", content: "Crowd crush at the depot" });
  assert.equal(created.type, "response");
  const id = (created.data as { conversation: { id: string } }).conversation.id;
  const reply = await regulator.request("cancel_emergency", { conversation_id: id });
  assert.equal(reply.type, "response", JSON.stringify(reply.error));
  assert.equal((reply.data as { conversation: { status: string } }).conversation.status, "RESOLVED");
});

void test("a new vehicle and route reach control's view of the driver's open conversations at once", async () => {
  const driver = await open("driver");
  const control = await open("control");
  const { conversation } = await call(driver, "conversation:create", { category: "DRIVER", body: "Door fault", clientId: "door-1" });
  const updates = record(control, "conversation:updated");
  await call(driver, "profile:update", { vehicle: "Bus 55", route: "Route 9" });
  await waitFor(() => updates.some((u) => u.id === conversation.id && u.creator.vehicle === "Bus 55" && u.creator.route === "Route 9"), "control hears the new vehicle");
  const seen = updates.find((u) => u.id === conversation.id)!;
  assert.ok(seen.creatorShiftStartedAt, "the shift start travels with it");
});
