// Plain data shapes returned by lib/chat and carried on both transports. No Prisma or Node imports:
// the browser imports this file too.

export const ROLES = ["BUS_DRIVER", "QUEUE_REGULATOR", "CONTROL_STAFF", "CONTROL_ADMIN"] as const;
export type Role = (typeof ROLES)[number];

export const CATEGORIES = ["GENERAL", "DRIVER", "REGULATOR", "EMERGENCY"] as const;
export type Category = (typeof CATEGORIES)[number];

export const CONVERSATION_STATUSES = ["OPEN", "ASSIGNED", "RESOLVED"] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

export const MESSAGE_KINDS = ["TEXT", "SYSTEM", "NOTE"] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** The seed's support rooms. `general_support` hears every new conversation; the others their category. */
export const SUPPORT_ROOMS = ["general_support", "driver_support", "regulator_support", "emergency_support"] as const;
export type SupportRoom = (typeof SUPPORT_ROOMS)[number];

export function isFieldRole(role: Role): boolean {
  return role === "BUS_DRIVER" || role === "QUEUE_REGULATOR";
}

export function isControlRole(role: Role): boolean {
  return role === "CONTROL_STAFF" || role === "CONTROL_ADMIN";
}

/** The support room that hears a category, besides general_support. */
export function roomForCategory(category: Category): SupportRoom {
  switch (category) {
    case "DRIVER":
      return "driver_support";
    case "REGULATOR":
      return "regulator_support";
    case "EMERGENCY":
      return "emergency_support";
    case "GENERAL":
      return "general_support";
  }
}

export function categoriesForRoom(room: SupportRoom): Category[] {
  if (room === "general_support") return [...CATEGORIES];
  return CATEGORIES.filter((category) => roomForCategory(category) === room);
}

export interface AuthUser {
  id: string;
  name: string;
  email: string;
  role: Role;
}

export interface UserSummary {
  id: string;
  name: string;
  role: Role;
  vehicle: string | null;
  route: string | null;
}

export interface MessageView {
  id: string;
  conversationId: string;
  sequence: number;
  /** Sequence of the previous message that is not a staff note (0 for none); see previousVisibleSequence. */
  previousPublicSequence: number;
  clientId: string;
  kind: MessageKind;
  body: string;
  sender: { id: string; name: string; role: Role };
  createdAt: string;
}

export interface ConversationView {
  id: string;
  category: Category;
  title: string;
  status: ConversationStatus;
  creator: UserSummary;
  /** When the creator's current shift began (field staff set it with their vehicle/route), if known. */
  creatorShiftStartedAt: string | null;
  assignee: { id: string; name: string } | null;
  vehicle: string | null;
  route: string | null;
  emergencyAck: { by: { id: string; name: string }; at: string } | null;
  /** When an unacknowledged emergency escalated, if it did. */
  escalatedAt: string | null;
  /** When the driver called this emergency off as a false alarm (it is resolved then too). */
  emergencyCancelledAt: string | null;
  /** When the conversation row last changed: a client keeps the newer of two views (pushes can overtake). */
  updatedAt: string;
  lastSequence: number;
  lastMessageAt: string;
  createdAt: string;
  /** Per viewer: messages after the viewer's read pointer that the viewer may see. */
  unreadCount: number;
  /** Per viewer: the viewer's read pointer. */
  lastReadSequence: number;
  /** The other side's furthest read pointer (field staff: control's; control: the creator's). */
  peerReadSequence: number;
  lastMessage: { body: string; senderName: string; kind: MessageKind; sequence: number } | null;
}

export interface ReadReceipt {
  conversationId: string;
  /** The reader (also in `user`; flat for the seed's `message_read`, which carries `user_id`). */
  userId: string;
  user: { id: string; name: string; role: Role };
  lastReadSequence: number;
  /** The message at `lastReadSequence`: the one marked read (or sent). */
  messageId: string | null;
  readAt: string;
}

export interface TypingSignal {
  conversationId: string;
  user: { id: string; name: string; role: Role };
  isTyping: boolean;
}

/** To control staff: a colleague has a conversation open on their dashboard (or closed it). */
export interface ViewingSignal {
  conversationId: string;
  user: { id: string; name: string; role: Role };
  isViewing: boolean;
}

export interface PresenceUser {
  id: string;
  name: string;
  role: Role;
}

export interface PresenceChange {
  user: PresenceUser;
  online: boolean;
}

/** What an admin sees of an account. */
export interface AccountView extends UserSummary {
  email: string;
  isActive: boolean;
  createdAt: string;
}

export interface AuditView {
  id: string;
  action: string;
  actor: { id: string; name: string } | null;
  subject: string | null;
  /** The subject in words: "Name (email)" for an account, the title for a conversation, else `subject`. */
  subjectLabel: string | null;
  /** The detail in words ("Bus driver → Control staff", "to Sam Okoye (sam@…)"), or null. */
  summary: string | null;
  detail: unknown;
  createdAt: string;
}

/** The field staff member behind a conversation, for the dashboard's context panel. */
export interface UserContext {
  user: UserSummary;
  online: boolean;
  conversations: ConversationView[];
}

/** Settings the server hands each client in session:ready. */
export interface ClientSettings {
  unclaimedReminderSeconds: number;
  emergencyEscalationSeconds: number;
  /** The control room's phone number (CONTROL_PHONE) for "Call control" on the field app, or null. */
  controlPhone: string | null;
  /** Control staff only: canned responses for the composer. */
  cannedResponses: string[];
}

export const CONVERSATION_FILTERS = ["open", "mine", "assigned", "resolved", "all"] as const;
export type ConversationFilter = (typeof CONVERSATION_FILTERS)[number];

/** One message found by message:search. `snippet` marks matched words with \u0002 … \u0003 (plain text otherwise). */
export interface MessageSearchHit {
  messageId: string;
  conversationId: string;
  sequence: number;
  isNote: boolean;
  createdAt: string;
  senderName: string;
  snippet: string;
  conversation: { title: string; category: Category; status: ConversationStatus; vehicle: string | null; route: string | null; creatorName: string };
}

export interface MessageSearchPage {
  hits: MessageSearchHit[];
  /** Cursor of the next page (pass it as `after`), or null on the last page. */
  next: string | null;
}
