import { test } from "node:test";
import assert from "node:assert/strict";
import type { z } from "zod";
import {
  createConversationSchema,
  listMessagesSchema,
  markReadSchema,
  sendMessageSchema,
  supportRoomSchema,
  transferSchema,
  updateFieldContextSchema,
} from "../../lib/chat/schemas";
import { MESSAGE_MAX_LENGTH } from "../../lib/chat/constants";

/** The first issue's message of a failed parse; fails the test when the input is accepted. */
function rejection(schema: z.ZodType, input: unknown): string {
  const result = schema.safeParse(input);
  assert.equal(result.success, false, `accepted ${JSON.stringify(input)?.slice(0, 80)}`);
  return result.error?.issues[0]?.message ?? "";
}

const send = (body: unknown, extra: Record<string, unknown> = {}) => ({ conversationId: "conv_1", clientId: "c-1", body, ...extra });

void test("message bodies are trimmed", () => {
  assert.equal(sendMessageSchema.parse(send("  on my way \n")).body, "on my way");
  assert.equal(createConversationSchema.parse({ body: "\tflat tyre " }).body, "flat tyre");
});

void test("an empty or blank body is refused", () => {
  assert.equal(rejection(sendMessageSchema, send("")), "must not be empty");
  assert.equal(rejection(sendMessageSchema, send(" \n\t ")), "must not be empty");
  rejection(sendMessageSchema, send(42));
  rejection(createConversationSchema, {});
});

void test(`a body of ${MESSAGE_MAX_LENGTH} characters is accepted, ${MESSAGE_MAX_LENGTH + 1} is refused`, () => {
  assert.equal(MESSAGE_MAX_LENGTH, 4000);
  assert.equal(sendMessageSchema.parse(send("x".repeat(4000))).body.length, 4000);
  assert.equal(rejection(sendMessageSchema, send("x".repeat(4001))), "must be at most 4000 characters");
  rejection(createConversationSchema, { body: "x".repeat(4001) });
  // The limit applies after trimming.
  assert.equal(sendMessageSchema.parse(send(`  ${"x".repeat(4000)}  `)).body.length, 4000);
});

void test("message:send requires a conversation id and a client id of the allowed characters", () => {
  rejection(sendMessageSchema, { body: "hi", clientId: "c-1" });
  rejection(sendMessageSchema, { body: "hi", conversationId: "conv_1" });
  rejection(sendMessageSchema, send("hi", { clientId: "has space" }));
  rejection(sendMessageSchema, send("hi", { clientId: "x".repeat(65) }));
  rejection(sendMessageSchema, send("hi", { conversationId: "../etc" }));
  assert.equal(sendMessageSchema.parse(send("hi", { clientId: "ws:5f0c.a_b-c" })).clientId, "ws:5f0c.a_b-c");
  assert.equal(sendMessageSchema.parse(send("hi", { conversationId: " conv_1 " })).conversationId, "conv_1");
  rejection(sendMessageSchema, send("hi", { isNote: "yes" }));
});

const NO_NUL = "must not contain NUL characters or unpaired surrogates (invalid Unicode text)";

void test("text fields refuse NUL characters and unpaired surrogates, and say so", () => {
  assert.equal(rejection(sendMessageSchema, send("a\u0000b")), NO_NUL);
  assert.equal(rejection(sendMessageSchema, send("a\ud83db")), NO_NUL, "a lone high surrogate");
  assert.equal(rejection(sendMessageSchema, send("\udc61\udff9")), NO_NUL, "two lone low surrogates");
  assert.equal(rejection(createConversationSchema, { body: "help", title: "a\u0000" }), NO_NUL);
  assert.equal(rejection(updateFieldContextSchema, { vehicle: "Bus\u000012", route: null }), NO_NUL);
  assert.equal(rejection(updateFieldContextSchema, { vehicle: "Bus 12", route: "Route \udfff" }), NO_NUL);
  assert.equal(sendMessageSchema.parse(send("bus \ud83d\ude8c")).body, "bus \ud83d\ude8c", "a surrogate pair (an emoji) is fine");
});

void test("categories are accepted in any case and normalised to upper case", () => {
  assert.equal(createConversationSchema.parse({ body: "help", category: "emergency" }).category, "EMERGENCY");
  assert.equal(createConversationSchema.parse({ body: "help", category: "Regulator" }).category, "REGULATOR");
  assert.equal(createConversationSchema.parse({ body: "help", category: "GENERAL" }).category, "GENERAL");
  assert.equal(createConversationSchema.parse({ body: "help" }).category, undefined);
  rejection(createConversationSchema, { body: "help", category: "urgent" });
  rejection(createConversationSchema, { body: "help", category: 3 });
});

void test("conversation titles are trimmed and at most 120 characters", () => {
  assert.equal(createConversationSchema.parse({ body: "b", title: "  Flat tyre " }).title, "Flat tyre");
  assert.equal(createConversationSchema.parse({ body: "b", title: "t".repeat(120) }).title?.length, 120);
  rejection(createConversationSchema, { body: "b", title: "t".repeat(121) });
});

void test("message:list takes beforeSequence or afterSequence, not both", () => {
  assert.equal(rejection(listMessagesSchema, { conversationId: "c1", beforeSequence: 10, afterSequence: 2 }), "use beforeSequence or afterSequence, not both");
  assert.equal(listMessagesSchema.parse({ conversationId: "c1", afterSequence: 0 }).afterSequence, 0);
  assert.equal(listMessagesSchema.parse({ conversationId: "c1", beforeSequence: 10 }).beforeSequence, 10);
  assert.deepEqual(listMessagesSchema.parse({ conversationId: "c1" }), { conversationId: "c1" });
});

void test("message:list pages hold 1 to 100 messages", () => {
  assert.equal(listMessagesSchema.parse({ conversationId: "c1", limit: 100 }).limit, 100);
  assert.equal(listMessagesSchema.parse({ conversationId: "c1", limit: 1 }).limit, 1);
  rejection(listMessagesSchema, { conversationId: "c1", limit: 101 });
  rejection(listMessagesSchema, { conversationId: "c1", limit: 0 });
  rejection(listMessagesSchema, { conversationId: "c1", limit: 2.5 });
  rejection(listMessagesSchema, { conversationId: "c1", afterSequence: -1 });
  rejection(listMessagesSchema, { conversationId: "c1", skip: -1 });
});

void test("message:read needs a sequence or a message id", () => {
  assert.equal(rejection(markReadSchema, { conversationId: "c1" }), "give sequence or messageId");
  assert.equal(markReadSchema.parse({ conversationId: "c1", sequence: 0 }).sequence, 0);
  assert.equal(markReadSchema.parse({ conversationId: "c1", messageId: "m1" }).messageId, "m1");
  assert.deepEqual(markReadSchema.parse({ conversationId: "c1", sequence: 3, messageId: "m1" }), { conversationId: "c1", sequence: 3, messageId: "m1" });
  rejection(markReadSchema, { conversationId: "c1", sequence: "3" });
});

void test("support rooms are the seed's four names", () => {
  for (const room of ["general_support", "driver_support", "regulator_support", "emergency_support"]) {
    assert.equal(supportRoomSchema.parse({ room }).room, room);
  }
  rejection(supportRoomSchema, { room: "GENERAL_SUPPORT" });
  rejection(supportRoomSchema, {});
});

void test("transfer needs both ids", () => {
  rejection(transferSchema, { conversationId: "c1" });
  assert.deepEqual(transferSchema.parse({ conversationId: "c1", toUserId: "u2" }), { conversationId: "c1", toUserId: "u2" });
});

void test("vehicle and route: trimmed, at most 40 characters, null allowed, keys required", () => {
  assert.deepEqual(updateFieldContextSchema.parse({ vehicle: " Bus 12 ", route: null }), { vehicle: "Bus 12", route: null });
  rejection(updateFieldContextSchema, { vehicle: "v".repeat(41), route: null });
  rejection(updateFieldContextSchema, { vehicle: "Bus 12" });
});
