// Derived views of the chat state, shared by the field app and the control dashboard.
import { CATEGORIES, isControlRole, type Category, type ConversationView, type MessageView } from "@/lib/chat/types";
import type { PendingMessage, TypingEntry } from "./chat-store";

export type DeliveryState = "sending" | "sent" | "read" | "failed";

/** An own confirmed message is "read" once the other side's read pointer reached it. */
export function deliveryState(message: MessageView, conversation: ConversationView | undefined): DeliveryState {
  return conversation && conversation.peerReadSequence >= message.sequence ? "read" : "sent";
}

export function pendingState(pending: PendingMessage): DeliveryState {
  return pending.status === "failed" ? "failed" : "sending";
}

export const CATEGORY_LABELS: Record<Category, string> = {
  GENERAL: "General",
  DRIVER: "Driver",
  REGULATOR: "Regulator",
  EMERGENCY: "Emergency",
};

export const STATUS_LABELS: Record<ConversationView["status"], string> = {
  OPEN: "Waiting",
  ASSIGNED: "In progress",
  RESOLVED: "Resolved",
};

export type RoomFilter = "ALL" | Category;
export const ROOM_FILTERS: readonly RoomFilter[] = ["ALL", ...CATEGORIES];

export function isUnacknowledgedEmergency(conversation: ConversationView): boolean {
  return conversation.category === "EMERGENCY" && !conversation.emergencyAck && conversation.status !== "RESOLVED";
}

/** Field: newest activity first. */
export function sortByActivity(conversations: readonly ConversationView[]): ConversationView[] {
  return [...conversations].sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt));
}

/**
 * Control queue order: unacknowledged emergencies, then other emergencies, then the longest waiting
 * (oldest last activity) first; resolved conversations sink to the bottom.
 */
export function sortQueue(conversations: readonly ConversationView[]): ConversationView[] {
  const rank = (c: ConversationView) => (c.status === "RESOLVED" ? 3 : isUnacknowledgedEmergency(c) ? 0 : c.category === "EMERGENCY" ? 1 : 2);
  return [...conversations].sort((a, b) => rank(a) - rank(b) || a.lastMessageAt.localeCompare(b.lastMessageAt));
}

export function filterByRoom(conversations: readonly ConversationView[], filter: RoomFilter): ConversationView[] {
  return filter === "ALL" ? [...conversations] : conversations.filter((c) => c.category === filter);
}

/** Open (unresolved) conversations per filter. */
export function countByRoom(conversations: readonly ConversationView[]): Record<RoomFilter, number> {
  const counts: Record<RoomFilter, number> = { ALL: 0, GENERAL: 0, DRIVER: 0, REGULATOR: 0, EMERGENCY: 0 };
  for (const c of conversations) {
    if (c.status === "RESOLVED") continue;
    counts.ALL += 1;
    counts[c.category] += 1;
  }
  return counts;
}

/** "Control is typing…" for field staff; names for control staff. Null when nobody types. */
export function typingLabel(entries: Record<string, TypingEntry> | undefined, viewerIsControl: boolean): string | null {
  const typers = Object.values(entries ?? {});
  if (typers.length === 0) return null;
  if (!viewerIsControl) return typers.some((t) => isControlRole(t.role)) ? "Control is typing…" : null;
  const names = typers.map((t) => t.name);
  return names.length === 1 ? `${names[0]} is typing…` : `${names.join(", ")} are typing…`;
}

/** 24-hour clock everywhere: a shift runs through midnight. */
export function formatTime(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

/** Date and 24-hour time to the second, for records (the audit log). */
export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString([], { year: "numeric", month: "short", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
}

/** The last own confirmed message the other side has read, for "seen" markers. */
export function lastSeenOwnMessage(messages: readonly MessageView[], conversation: ConversationView | undefined, myId: string): MessageView | null {
  if (!conversation) return null;
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const message = messages[i];
    if (message && message.sender.id === myId && message.kind === "TEXT" && message.sequence <= conversation.peerReadSequence) return message;
  }
  return null;
}

function localDayKey(date: Date): string {
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

export function isSameDay(a: string, b: string): boolean {
  return localDayKey(new Date(a)) === localDayKey(new Date(b));
}

/** A date separator: "Today", "Yesterday", or the date ("Mon 5 Dec", with the year when not this year). */
export function dayLabel(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (localDayKey(date) === localDayKey(now)) return "Today";
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (localDayKey(date) === localDayKey(yesterday)) return "Yesterday";
  return date.toLocaleDateString([], { weekday: "short", day: "numeric", month: "short", ...(date.getFullYear() === now.getFullYear() ? {} : { year: "numeric" }) });
}
