import type { Prisma } from "../generated/prisma/client";
import { PREVIEW_LENGTH } from "./constants";
import { isControlRole, isFieldRole, type AuthUser, type ConversationView, type MessageView } from "./types";

// Maps rows to the plain views carried on the wire. Viewer-specific fields (unread count, read
// pointers, the preview) depend on who is looking: field staff never see staff-only notes.

export const messageSelect = {
  id: true,
  conversationId: true,
  sequence: true,
  previousPublicSequence: true,
  clientId: true,
  kind: true,
  body: true,
  createdAt: true,
  sender: { select: { id: true, name: true, role: true } },
} satisfies Prisma.MessageSelect;

export type MessageRow = Prisma.MessageGetPayload<{ select: typeof messageSelect }>;

export function toMessageView(row: MessageRow): MessageView {
  return {
    id: row.id,
    conversationId: row.conversationId,
    sequence: row.sequence,
    previousPublicSequence: row.previousPublicSequence,
    clientId: row.clientId,
    kind: row.kind,
    body: row.body,
    sender: { id: row.sender.id, name: row.sender.name, role: row.sender.role },
    createdAt: row.createdAt.toISOString(),
  };
}

/** Messages a viewer may see: field staff never get staff-only notes. */
export function visibleKinds(viewer: Pick<AuthUser, "role">): Prisma.MessageWhereInput {
  return isFieldRole(viewer.role) ? { kind: { not: "NOTE" } } : {};
}

export function conversationInclude(viewer: Pick<AuthUser, "role">) {
  return {
    creator: { select: { id: true, name: true, role: true, vehicle: true, route: true, shiftStartedAt: true } },
    assignee: { select: { id: true, name: true } },
    emergencyAckBy: { select: { id: true, name: true } },
    participants: { select: { userId: true, lastReadSequence: true, user: { select: { role: true } } } },
    messages: {
      where: visibleKinds(viewer),
      orderBy: { sequence: "desc" },
      take: 1,
      select: { body: true, kind: true, sequence: true, sender: { select: { name: true } } },
    },
  } satisfies Prisma.ConversationInclude;
}

export type ConversationRow = Prisma.ConversationGetPayload<{ include: ReturnType<typeof conversationInclude> }>;

/**
 * `hiddenAfterRead` is the number of staff-only notes after the field viewer's read pointer, which
 * must not count as unread for them (computed by the caller, 0 for control staff).
 */
export function toConversationView(row: ConversationRow, viewer: AuthUser, hiddenAfterRead = 0): ConversationView {
  const own = row.participants.find((p) => p.userId === viewer.id);
  const lastReadSequence = own?.lastReadSequence ?? 0;
  const peers = isControlRole(viewer.role)
    ? row.participants.filter((p) => p.userId === row.creatorId)
    : row.participants.filter((p) => isControlRole(p.user.role));
  const peerReadSequence = peers.reduce((max, p) => Math.max(max, p.lastReadSequence), 0);
  const last = row.messages[0];
  return {
    id: row.id,
    category: row.category,
    title: row.title,
    status: row.status,
    creator: { id: row.creator.id, name: row.creator.name, role: row.creator.role, vehicle: row.creator.vehicle, route: row.creator.route },
    creatorShiftStartedAt: row.creator.shiftStartedAt?.toISOString() ?? null,
    assignee: row.assignee,
    vehicle: row.vehicle,
    route: row.route,
    emergencyAck: row.emergencyAckBy && row.emergencyAckAt ? { by: row.emergencyAckBy, at: row.emergencyAckAt.toISOString() } : null,
    escalatedAt: row.emergencyEscalatedAt?.toISOString() ?? null,
    emergencyCancelledAt: row.emergencyCancelledAt?.toISOString() ?? null,
    updatedAt: row.updatedAt.toISOString(),
    lastSequence: row.lastSequence,
    lastMessageAt: row.lastMessageAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    unreadCount: Math.max(0, row.lastSequence - lastReadSequence - hiddenAfterRead),
    lastReadSequence,
    peerReadSequence,
    lastMessage: last
      ? { body: last.body.slice(0, PREVIEW_LENGTH), senderName: last.sender.name, kind: last.kind, sequence: last.sequence }
      : null,
  };
}
