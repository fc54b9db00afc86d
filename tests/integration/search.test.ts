import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../helpers/server";
import { call, emitAck } from "../helpers/clients";
import { createSession } from "../helpers/session";
import type { MessageSearchHit } from "../../lib/chat/types";

// message:search: full-text search over every stored message, scoped by the server. A driver's search
// never returns another driver's messages nor a staff note, whatever the filters say; control finds
// everything. Snippets mark the matched words; filters and keyset paging hold; bad input is a typed
// error. Both transports.

let server: TestServer;
const { open, openJson, closeAll } = createSession(() => server);
const ids = { dana: "", otto: "", danaResolved: "", regulator: "" };

before(async () => {
  server = await startTestServer({
    dana: { role: "BUS_DRIVER", name: "Dana Quimby", vehicle: "Bus 12", route: "Route 4" },
    otto: { role: "BUS_DRIVER", name: "Otto Brennan", vehicle: "Bus 77", route: "Route 9" },
    regulator: { role: "QUEUE_REGULATOR", name: "Rafa Ruiz" },
    control: { role: "CONTROL_STAFF", name: "Casey Control" },
  }, { RATE_LIMIT_BURST: "1000" });
  const dana = await open("dana");
  const otto = await open("otto");
  const regulator = await open("regulator");
  const control = await open("control");
  ids.dana = (await call(dana, "conversation:create", { category: "DRIVER", title: "Brakes", body: "Brake squeal on the hill near Quarry Lane", clientId: "d1" })).conversation.id;
  ids.otto = (await call(otto, "conversation:create", { category: "DRIVER", title: "Brakes too", body: "Brake squeal at Quarry Lane as well", clientId: "o1" })).conversation.id;
  ids.regulator = (await call(regulator, "conversation:create", { category: "REGULATOR", title: "Queue", body: "Long queue at Quarry Lane stand", clientId: "r1" })).conversation.id;
  await call(control, "message:send", { conversationId: ids.dana, body: "Quarry Lane: note that Dana reported this twice", clientId: "n1", isNote: true });
  await call(control, "message:send", { conversationId: ids.dana, body: "Thanks, a fitter will meet you at Quarry Lane", clientId: "c1" });
  ids.danaResolved = (await call(dana, "conversation:create", { category: "GENERAL", title: "Roster", body: "Quarry Lane shift swap question", clientId: "d2" })).conversation.id;
  await call(control, "conversation:resolve", { conversationId: ids.danaResolved });
  for (let i = 1; i <= 7; i += 1) await call(dana, "message:send", { conversationId: ids.dana, body: `Paging check ${i} marigold`, clientId: `p${i}` });
});

after(async () => {
  closeAll();
  await server?.close();
});

const conversationsOf = (hits: MessageSearchHit[]) => new Set(hits.map((hit) => hit.conversationId));

void test("a driver finds only their own conversations' messages, never a staff note, whatever the filters say", async () => {
  const dana = await open("dana");
  for (const input of [
    { query: "Quarry Lane" },
    { query: "Quarry", room: "driver_support" },
    { query: "Quarry", driver: "Otto" },
    { query: "squeal", vehicle: "Bus" },
    { query: "Quarry or squeal or queue", status: "open" },
    { query: "Quarry", limit: 50 },
  ]) {
    const { hits } = await call(dana, "message:search", input);
    assert.ok(hits.length > 0, `Dana finds her own messages for ${JSON.stringify(input)}`);
    for (const hit of hits) {
      assert.ok([ids.dana, ids.danaResolved].includes(hit.conversationId), `only Dana's conversations (${JSON.stringify(input)})`);
      assert.equal(hit.isNote, false, "never a staff note");
      assert.ok(!hit.snippet.includes("reported this twice"), "the note's text never reaches her");
    }
  }
  const otto = await open("otto");
  const { hits } = await call(otto, "message:search", { query: "Quarry Lane" });
  assert.deepEqual([...conversationsOf(hits)], [ids.otto]);
  const regulator = await open("regulator");
  assert.deepEqual([...conversationsOf((await call(regulator, "message:search", { query: "squeal" })).hits)], [], "the regulator has no squeal of their own");
});

void test("control finds every conversation's messages, notes included and marked; snippets mark the matched words", async () => {
  const control = await open("control");
  const { hits } = await call(control, "message:search", { query: "Quarry Lane" });
  assert.deepEqual(conversationsOf(hits), new Set([ids.dana, ids.otto, ids.regulator, ids.danaResolved]));
  const note = hits.find((hit) => hit.isNote);
  assert.ok(note, "the staff note is found by staff");
  assert.equal(note.conversationId, ids.dana);
  const first = hits.find((hit) => hit.conversationId === ids.otto)!;
  assert.equal(first.snippet, "Brake squeal at \u0002Quarry\u0003 \u0002Lane\u0003 as well");
  assert.equal(first.conversation.creatorName, "Otto Brennan");
  assert.equal(first.conversation.vehicle, "Bus 77");
  assert.equal(first.sequence, 1);
  // Newest first.
  const times = hits.map((hit) => Date.parse(hit.createdAt));
  assert.deepEqual(times, [...times].sort((a, b) => b - a));
  // System lines (the resolve) are not searched.
  assert.equal((await call(control, "message:search", { query: "resolved" })).hits.length, 0);
});

void test("control's filters: room, driver, vehicle or route, status, dates", async () => {
  const control = await open("control");
  const only = async (input: Record<string, unknown>) => conversationsOf((await call(control, "message:search", { query: "Quarry", ...input })).hits);
  assert.deepEqual(await only({ room: "regulator_support" }), new Set([ids.regulator]));
  assert.deepEqual(await only({ room: "general_support" }), new Set([ids.dana, ids.otto, ids.regulator, ids.danaResolved]), "general_support is every request");
  assert.deepEqual(await only({ driver: "otto" }), new Set([ids.otto]));
  assert.deepEqual(await only({ vehicle: "route 4" }), new Set([ids.dana, ids.danaResolved]));
  assert.deepEqual(await only({ status: "resolved" }), new Set([ids.danaResolved]));
  assert.ok(!(await only({ status: "open" })).has(ids.danaResolved));
  assert.deepEqual(await only({ to: "2020-01-01T00:00:00Z" }), new Set());
  assert.deepEqual(await only({ from: "2020-01-01T00:00:00Z", to: "2099-01-01T00:00:00Z" }), new Set([ids.dana, ids.otto, ids.regulator, ids.danaResolved]));
  // A pattern character is matched literally.
  assert.deepEqual(await only({ driver: "%" }), new Set());
});

void test("keyset paging visits every match once, newest first", async () => {
  const control = await open("control");
  const seen: string[] = [];
  let after: string | undefined;
  for (let page = 0; page < 10; page += 1) {
    const result = await call(control, "message:search", { query: "marigold", limit: 3, ...(after ? { after } : {}) });
    seen.push(...result.hits.map((hit) => hit.messageId));
    if (!result.next) break;
    after = result.next;
  }
  assert.equal(seen.length, 7);
  assert.equal(new Set(seen).size, 7, "no message twice");
});

void test("bad input is a typed VALIDATION error; query syntax never is", async () => {
  const control = await open("control");
  for (const input of [{}, { query: "" }, { query: "   " }, { query: "x".repeat(101) }, { query: "a", from: "yesterday" }, { query: "a", from: "2026-12-07T00:00:00Z", to: "2026-12-01T00:00:00Z" }, { query: "a", after: "not a cursor" }, { query: "a", after: "2026-99-99T00:00:00Z|abc" }, { query: "a", limit: 51 }, { query: "a\u0000" }]) {
    const reply = await emitAck(control, "message:search", input);
    assert.equal(!reply.ok && reply.error.code, "VALIDATION", JSON.stringify(input));
  }
  for (const query of ['"unclosed', "a & !b", "a:*", "or", "-", "'; DROP TABLE \"Message\"; --", "()", "<script>"]) {
    const reply = await emitAck(control, "message:search", { query });
    assert.equal(reply.ok, true, `${query} is searched, not an error: ${JSON.stringify(reply)}`);
  }
  assert.ok((await call(control, "message:search", { query: "Quarry" })).hits.length > 0, "the messages are still there");
});

void test("the JSON WebSocket's search_messages: snake_case, the same scope", async () => {
  const dana = await openJson("dana");
  const reply = await dana.request("search_messages", { query: "Quarry Lane", room_type: "emergency_support" });
  assert.equal(reply.type, "response");
  const data = reply.data as { hits: { conversation_id: string; is_note: boolean; message_id: string }[]; next: string | null };
  assert.ok(data.hits.length > 0);
  assert.ok(data.hits.every((hit) => [ids.dana, ids.danaResolved].includes(hit.conversation_id) && hit.is_note === false));
  const bad = await dana.request("search_messages", { query: "" });
  assert.equal(bad.type, "error");
});
