// Control-only derived views: support rooms, status filters, waiting times. Pure functions of the store's data.
import {
  SUPPORT_ROOMS,
  categoriesForRoom,
  type ConversationFilter,
  type ConversationView,
  type Role,
  type SupportRoom,
} from "@/lib/chat/types";

export type RoomView = "all" | SupportRoom;
export const ROOM_VIEWS: readonly RoomView[] = ["all", ...SUPPORT_ROOMS];

export const ROOM_LABELS: Record<RoomView, string> = {
  all: "All",
  general_support: "General",
  driver_support: "Driver",
  regulator_support: "Regulator",
  emergency_support: "Emergency",
};

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

/** A support room hears its categories; general_support hears every conversation. */
export function isInRoom(conversation: ConversationView, room: RoomView): boolean {
  return room === "all" || categoriesForRoom(room).includes(conversation.category);
}

export function isMonitored(conversation: ConversationView, monitored: readonly SupportRoom[]): boolean {
  return monitored.some((room) => isInRoom(conversation, room));
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

export interface RoomCount {
  open: number;
  unread: number;
}

/** Per room: open (unresolved) conversations and those with unread messages. */
export function countRooms(conversations: readonly ConversationView[]): Record<RoomView, RoomCount> {
  const counts = Object.fromEntries(ROOM_VIEWS.map((room) => [room, { open: 0, unread: 0 }])) as Record<RoomView, RoomCount>;
  for (const conversation of conversations) {
    if (conversation.status === "RESOLVED") continue;
    for (const room of ROOM_VIEWS) {
      if (!isInRoom(conversation, room)) continue;
      counts[room].open += 1;
      if (conversation.unreadCount > 0) counts[room].unread += 1;
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
