import { test } from "node:test";
import assert from "node:assert/strict";
import {
  conversationUpdateForControl,
  conversationUpdateForCreator,
  messageDelivery,
  newConversationDelivery,
  readDelivery,
  typingDelivery,
} from "../../lib/realtime/audience";
import { rooms } from "../../lib/realtime/rooms";
import type { Category, ConversationView, MessageKind, MessageView } from "../../lib/chat/types";

const CREATOR = { id: "driver1", name: "Dana", role: "BUS_DRIVER" as const };
const STAFF = { id: "staff1", name: "Casey", role: "CONTROL_STAFF" as const };

function message(kind: MessageKind): MessageView {
  return { id: "m1", conversationId: "c1", sequence: 2, previousPublicSequence: 1, clientId: "x", kind, body: "hi", sender: STAFF, createdAt: new Date(0).toISOString() };
}

function conversation(category: Category): ConversationView {
  const at = new Date(0).toISOString();
  return {
    id: "c1",
    category,
    title: "t",
    status: "OPEN",
    creator: { ...CREATOR, vehicle: null, route: null },
    creatorShiftStartedAt: null,
    assignee: null,
    vehicle: null,
    route: null,
    emergencyAck: null,
    escalatedAt: null,
    emergencyCancelledAt: null,
    updatedAt: at,
    lastSequence: 1,
    lastMessageAt: at,
    createdAt: at,
    unreadCount: 0,
    lastReadSequence: 1,
    peerReadSequence: 0,
    lastMessage: null,
  };
}

const sorted = (list: readonly string[]) => [...list].sort();

void test("staff-only notes go to control staff only", () => {
  const delivery = messageDelivery(message("NOTE"), CREATOR.id);
  assert.deepEqual(delivery.to, [rooms.control()]);
  assert.ok(!delivery.to.includes(rooms.user(CREATOR.id)));
  assert.equal(delivery.event, "message:new");
});

void test("text and system messages go to the creator and control staff", () => {
  for (const kind of ["TEXT", "SYSTEM"] as const) {
    const delivery = messageDelivery(message(kind), CREATOR.id);
    assert.deepEqual(sorted(delivery.to), sorted([rooms.user(CREATOR.id), rooms.control()]));
    assert.equal(delivery.except, undefined);
    assert.equal(delivery.payload.kind, kind);
  }
});

void test("typing goes to the conversation but never back to the typer's user room", () => {
  const fromCreator = typingDelivery({ conversationId: "c1", user: CREATOR, isTyping: true }, CREATOR.id);
  assert.deepEqual(sorted(fromCreator.to), sorted([rooms.user(CREATOR.id), rooms.control()]));
  assert.deepEqual(fromCreator.except, [rooms.user(CREATOR.id)]);
  assert.equal(fromCreator.event, "typing");

  const fromStaff = typingDelivery({ conversationId: "c1", user: STAFF, isTyping: false }, CREATOR.id);
  assert.deepEqual(sorted(fromStaff.to), sorted([rooms.user(CREATOR.id), rooms.control()]));
  assert.deepEqual(fromStaff.except, [rooms.user(STAFF.id)]);
});

void test("a new conversation goes to general_support, its category's room and its creator", () => {
  const expectations: [Category, string][] = [
    ["DRIVER", "driver_support"],
    ["REGULATOR", "regulator_support"],
  ];
  for (const [category, room] of expectations) {
    const delivery = newConversationDelivery(conversation(category));
    assert.deepEqual(sorted(delivery.to), sorted([rooms.support("general_support"), rooms.support(room as "driver_support"), rooms.user(CREATOR.id)]));
    assert.ok(!delivery.to.includes(rooms.control()), "not to every control connection");
    assert.equal(delivery.event, "conversation:new");
  }
});

void test("a new emergency reaches every control screen, whatever rooms it monitors", () => {
  const delivery = newConversationDelivery(conversation("EMERGENCY"));
  assert.deepEqual(
    sorted(delivery.to),
    sorted([rooms.support("general_support"), rooms.support("emergency_support"), rooms.control(), rooms.user(CREATOR.id)]),
  );
});

void test("a GENERAL conversation is announced in general_support once", () => {
  const delivery = newConversationDelivery(conversation("GENERAL"));
  assert.deepEqual(sorted(delivery.to), sorted([rooms.support("general_support"), rooms.user(CREATOR.id)]));
});

void test("read receipts go to the whole conversation, including the reader", () => {
  const delivery = readDelivery({ conversationId: "c1", userId: STAFF.id, user: STAFF, lastReadSequence: 3, messageId: "m3", readAt: "2026-12-04T21:00:00.000Z" }, CREATOR.id);
  assert.deepEqual(sorted(delivery.to), sorted([rooms.user(CREATOR.id), rooms.control()]));
  assert.equal(delivery.except, undefined);
  assert.equal(delivery.event, "read:updated");
});

void test("conversation updates: one delivery for control staff, one for the creator", () => {
  assert.deepEqual(conversationUpdateForControl(conversation("DRIVER")).to, [rooms.control()]);
  assert.deepEqual(conversationUpdateForCreator(conversation("DRIVER")).to, [rooms.user(CREATOR.id)]);
});
