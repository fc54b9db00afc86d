// Control-only derived views: support rooms, status filters, waiting times. Pure functions of the store's data.
import {
  categoriesForRoom,
  roomForCategory,
  type Category,
  type ConversationFilter,
  type ConversationView,
  type Role,
  type SupportRoom,
} from "@/lib/chat/types";

/**
 * The queue's category filter. "all" is the seed's general_support room (every support request);
 * the others narrow it to one category. They are filters, not rooms: see MONITOR_LABELS for rooms.
 */
export type QueueFilter = "all" | Category;
export const QUEUE_FILTERS: readonly QueueFilter[] = ["all", "EMERGENCY", "DRIVER", "REGULATOR", "GENERAL"];

export const QUEUE_FILTER_LABELS: Record<QueueFilter, string> = {
  all: "All",
  EMERGENCY: "Emergency",
  DRIVER: "Driver",
  REGULATOR: "Regulator",
  GENERAL: "General",
};

/** Support rooms as a controller monitors them (which new conversations alert this screen). */
export const MONITOR_LABELS: Record<SupportRoom, string> = {
  general_support: "All requests (general support)",
  driver_support: "Driver support",
  regulator_support: "Regulator support",
  emergency_support: "Emergency support",
};

/** The support room to ask the server for, when a filter maps to one narrower than "all". */
export function roomForFilter(filter: QueueFilter): SupportRoom | null {
  return filter === "all" || filter === "GENERAL" ? null : roomForCategory(filter);
}

export const STATUS_FILTER_LABELS: Record<ConversationFilter, string> = {
  open: "Open",
  mine: "Assigned to me",
  assigned: "Assigned",
  resolved: "Resolved",
  all: "All",
};

export const ROLE_LABELS: Record<Role, string> = {
  BUS_DRIVER: "Bus driver",
  QUEUE_REGULATOR: "Queue regulator",
  CONTROL_STAFF: "Control staff",
  CONTROL_ADMIN: "Control admin",
};

export function matchesFilter(conversation: ConversationView, filter: QueueFilter): boolean {
  return filter === "all" || conversation.category === filter;
}

/** A support room hears its categories; general_support hears every conversation. */
export function isMonitored(conversation: ConversationView, monitored: readonly SupportRoom[]): boolean {
  return monitored.some((room) => categoriesForRoom(room).includes(conversation.category));
}

export function matchesStatus(conversation: ConversationView, filter: ConversationFilter, myId: string): boolean {
  switch (filter) {
    case "open":
      return conversation.status !== "RESOLVED";
    case "mine":
      return conversation.status === "ASSIGNED" && conversation.assignee?.id === myId;
    case "assigned":
      return conversation.status === "ASSIGNED";
    case "resolved":
      return conversation.status === "RESOLVED";
    case "all":
      return true;
  }
}

/** Unclaimed: open and nobody has taken it. */
export function isWaiting(conversation: ConversationView): boolean {
  return conversation.status === "OPEN" && !conversation.assignee;
}

export interface FilterCount {
  open: number;
  unread: number;
}

/** Per filter: open (unresolved) conversations and those with unread messages. */
export function countFilters(conversations: readonly ConversationView[]): Record<QueueFilter, FilterCount> {
  const counts = Object.fromEntries(QUEUE_FILTERS.map((filter) => [filter, { open: 0, unread: 0 }])) as Record<QueueFilter, FilterCount>;
  for (const conversation of conversations) {
    if (conversation.status === "RESOLVED") continue;
    for (const filter of ["all", conversation.category] as const) {
      counts[filter].open += 1;
      if (conversation.unreadCount > 0) counts[filter].unread += 1;
    }
  }
  return counts;
}

/** Since when the field staff member has been waiting: creation while unclaimed, else the last activity. */
export function waitingSince(conversation: ConversationView): string {
  return isWaiting(conversation) ? conversation.createdAt : conversation.lastMessageAt;
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  return `${hours}h ${minutes % 60}m`;
}

export function vehicleAndRoute(conversation: { vehicle: string | null; route: string | null }): string {
  return [conversation.vehicle, conversation.route].filter(Boolean).join(" · ") || "No vehicle/route";
}
