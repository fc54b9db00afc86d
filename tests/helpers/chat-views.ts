// Views as the server sends them, for unit tests of the browser's chat store.
import type { AuthUser, ConversationView, MessageView } from "../../lib/chat/types";

export const DRIVER: AuthUser = { id: "driver-1", name: "Dana Driver", email: "driver@test.local", role: "BUS_DRIVER" };
export const CONTROL: AuthUser = { id: "control-1", name: "Casey Control", email: "control@test.local", role: "CONTROL_STAFF" };
export const COLLEAGUE: AuthUser = { id: "control-2", name: "Sam Okoye", email: "sam@test.local", role: "CONTROL_STAFF" };

const AT = "2026-12-07T12:00:00.000Z";

export function conversationView(overrides: Partial<ConversationView> = {}): ConversationView {
  return {
    id: "c1",
    category: "DRIVER",
    title: "Flat tyre",
    status: "OPEN",
    creator: { id: DRIVER.id, name: DRIVER.name, role: DRIVER.role, vehicle: "Bus 12", route: "Route 4" },
    creatorShiftStartedAt: null,
    assignee: null,
    vehicle: "Bus 12",
    route: "Route 4",
    emergencyAck: null,
    escalatedAt: null,
    emergencyCancelledAt: null,
    updatedAt: AT,
    lastSequence: 1,
    lastMessageAt: AT,
    createdAt: AT,
    unreadCount: 0,
    lastReadSequence: 1,
    peerReadSequence: 0,
    lastMessage: null,
    ...overrides,
  };
}

export function messageView(sequence: number, from: AuthUser, overrides: Partial<MessageView> = {}): MessageView {
  return {
    id: `m${sequence}`,
    conversationId: "c1",
    sequence,
    previousPublicSequence: sequence - 1,
    clientId: `client-${sequence}`,
    kind: "TEXT",
    body: `message ${sequence}`,
    sender: { id: from.id, name: from.name, role: from.role },
    createdAt: new Date(Date.parse(AT) + sequence * 1000).toISOString(),
    ...overrides,
  };
}
