// Pure merge rules of the chat store: what we hold only ever moves forward.
import type { ConversationView, MessageView } from "@/lib/chat/types";

/** Inserts messages into an ascending list, one entry per id (and per sequence). */
export function mergeMessages(existing: readonly MessageView[], incoming: readonly MessageView[]): MessageView[] {
  const bySequence = new Map<number, MessageView>();
  for (const message of existing) bySequence.set(message.sequence, message);
  const knownIds = new Set(existing.map((m) => m.id));
  let changed = false;
  for (const message of incoming) {
    if (knownIds.has(message.id)) continue;
    bySequence.set(message.sequence, message);
    knownIds.add(message.id);
    changed = true;
  }
  if (!changed) return existing as MessageView[];
  return [...bySequence.values()].sort((a, b) => a.sequence - b.sequence);
}

export function lastKnownSequence(messages: readonly MessageView[] | undefined): number {
  return messages && messages.length > 0 ? (messages[messages.length - 1]?.sequence ?? 0) : 0;
}

/**
 * Merges a conversation view into what we hold. Read pointers and sequences only move forward.
 * `isOwnView`: the view was computed for this viewer, so its unread count and read pointer are ours
 * (control's conversation:updated carries the actor's counts, which are not ours).
 */
export function mergeConversation(current: ConversationView | undefined, incoming: ConversationView, isOwnView: boolean): ConversationView {
  if (!current) return isOwnView ? incoming : { ...incoming, unreadCount: 0, lastReadSequence: 0 };
  const newer = incoming.lastSequence >= current.lastSequence;
  // A view computed before the one we hold (an escalation push overtaken by the resolve) must not bring
  // back an old status; its counters still merge forward.
  const isStale = incoming.updatedAt < current.updatedAt;
  return {
    ...(isStale ? current : incoming),
    lastSequence: Math.max(current.lastSequence, incoming.lastSequence),
    lastMessage: newer ? incoming.lastMessage : current.lastMessage,
    lastMessageAt: newer ? incoming.lastMessageAt : current.lastMessageAt,
    peerReadSequence: Math.max(current.peerReadSequence, incoming.peerReadSequence),
    lastReadSequence: isOwnView ? Math.max(current.lastReadSequence, incoming.lastReadSequence) : current.lastReadSequence,
    unreadCount: isOwnView ? incoming.unreadCount : current.unreadCount,
  };
}
