// The one place the Socket.IO event names and payloads exist. The server's `new Server<…>` and the
// browser's `io()` are both typed from here. Naming: `<noun>:<verb>`; docs/websocket-chat-events.md
// maps each name to the seed's JSON WebSocket type.
import type { Ack } from "../errors";
import type {
  CreateConversationInput,
  ListConversationsInput,
  ListMessagesInput,
  MarkReadInput,
  SendMessageInput,
  SupportRoomInput,
  TransferInput,
  TypingInput,
  ViewingInput,
  UpdateFieldContextInput,
  ConversationRefInput,
  UserRefInput,
  ListUsersInput,
  SetRoleInput,
  ResetPasswordInput,
  ListAuditInput,
  SearchMessagesInput,
} from "../chat/schemas";
import type { CreateUserInput } from "../users/create-user";
import type {
  AuthUser,
  ConversationView,
  MessageView,
  ReadReceipt,
  SupportRoom,
  TypingSignal,
  ViewingSignal,
  UserSummary,
  AccountView,
  AuditView,
  ClientSettings,
  PresenceChange,
  PresenceUser,
  UserContext,
  MessageSearchPage,
} from "../chat/types";

export type { Ack } from "../errors";

type Handler<Input, Output> = (input: Input, ack: (reply: Ack<Output>) => void) => void;

export interface ClientToServerEvents {
  "conversation:create": Handler<CreateConversationInput, { conversation: ConversationView; message: MessageView }>;
  "conversation:list": Handler<ListConversationsInput, { conversations: ConversationView[]; hasMore: boolean }>;
  "conversation:join": Handler<ConversationRefInput, { conversation: ConversationView }>;
  "conversation:take": Handler<ConversationRefInput, { conversation: ConversationView }>;
  "conversation:transfer": Handler<TransferInput, { conversation: ConversationView }>;
  "conversation:resolve": Handler<ConversationRefInput, { conversation: ConversationView }>;
  "conversation:reopen": Handler<ConversationRefInput, { conversation: ConversationView }>;
  "emergency:acknowledge": Handler<ConversationRefInput, { conversation: ConversationView }>;
  /** The creator: a false alarm, within a minute of raising it; resolves it and clears the alarm. */
  "emergency:cancel": Handler<ConversationRefInput, { conversation: ConversationView }>;
  "message:send": Handler<SendMessageInput, { message: MessageView; duplicate: boolean }>;
  "message:list": Handler<ListMessagesInput, { messages: MessageView[]; hasMore: boolean }>;
  /** Full-text search over all stored history; field staff find only their own conversations' messages. */
  "message:search": Handler<SearchMessagesInput, MessageSearchPage>;
  "message:read": Handler<MarkReadInput, { lastReadSequence: number }>;
  "typing:set": Handler<TypingInput, { isTyping: boolean }>;
  /** Control staff: "I have this conversation open" (refreshed while open), or closed it. */
  "conversation:view": Handler<ViewingInput, { isViewing: boolean }>;
  "room:join": Handler<SupportRoomInput, { rooms: SupportRoom[] }>;
  "room:leave": Handler<SupportRoomInput, { rooms: SupportRoom[] }>;
  "profile:update": Handler<UpdateFieldContextInput, { user: UserSummary }>;
  /** Admins only: deactivates an account and disconnects its sockets everywhere. */
  "user:deactivate": Handler<UserRefInput, { userId: string }>;
  /** Admins only. */
  "user:reactivate": Handler<UserRefInput, { userId: string }>;
  /** Admins only: creates an account (field or control staff). */
  "user:create": Handler<CreateUserInput, { user: AccountView }>;
  /** Admins only: changes a role; the user's sockets are disconnected so the new role applies. */
  "user:set-role": Handler<SetRoleInput, { user: AccountView }>;
  /** Admins only: sets a new password and ends the user's sessions. */
  "user:reset-password": Handler<ResetPasswordInput, { userId: string }>;
  /** Control staff: accounts (staff see control staff, for transfers; admins see everyone). */
  "user:list": Handler<ListUsersInput, { users: AccountView[]; total: number }>;
  /** Control staff: the field staff member behind a conversation (context panel). */
  "user:context": Handler<UserRefInput, UserContext>;
  /** Control staff: who is connected now. */
  "presence:list": Handler<Record<string, never>, { online: PresenceUser[] }>;
  /** Admins only: the audit record, newest first. */
  "audit:list": Handler<ListAuditInput, { events: AuditView[] }>;
}

export interface ServerToClientEvents {
  /** A message committed in a conversation the receiver takes part in. */
  "message:new": (message: MessageView) => void;
  /** A conversation was committed; sent to the support rooms that hear its category, and to its creator. */
  "conversation:new": (conversation: ConversationView) => void;
  /** Status, assignee or emergency acknowledgement changed. Viewer-specific counts are not included. */
  "conversation:updated": (conversation: ConversationView) => void;
  "typing": (signal: TypingSignal) => void;
  /** To control staff: a colleague opened or closed a conversation (never echoed to the viewer). */
  "viewing": (signal: ViewingSignal) => void;
  "read:updated": (receipt: ReadReceipt) => void;
  /** Sent once after connecting: who the server thinks you are and which rooms you monitor. */
  "session:ready": (session: { user: AuthUser; rooms: SupportRoom[]; settings: ClientSettings }) => void;
  /** To control staff: someone connected (first connection) or disconnected (last connection). */
  "presence:updated": (change: PresenceChange) => void;
  /** To control staff: an emergency went unacknowledged past the escalation time (sent once, by one node). */
  "emergency:escalated": (conversation: ConversationView) => void;
}

/** What one node tells the others (Redis adapter): work for their JSON WebSocket connections. */
export type RelayOp =
  | { kind: "deliver"; delivery: Delivery }
  | { kind: "join"; userId: string; room: string }
  | { kind: "leave"; userId: string; room: string }
  | { kind: "disconnect"; userId: string; reason: string };

export interface InterServerEvents {
  relay: (op: RelayOp) => void;
}

/** One server-to-client event and the rooms that hear it. */
export interface Delivery<E extends ServerEventName = ServerEventName> {
  to: string[];
  except?: string[];
  event: E;
  payload: Parameters<ServerToClientEvents[E]>[0];
}

/** The `data` of a successful ack for a client event. */
export type AckData<E extends ClientEventName> = ClientToServerEvents[E] extends Handler<never, infer Output> ? Output : never;

export interface SocketData {
  user: AuthUser;
  rooms: SupportRoom[];
}

export type ClientEventName = keyof ClientToServerEvents;
export type ServerEventName = keyof ServerToClientEvents;

/** Every client event name, for the protocol document check and the transports' dispatch tables. */
export const CLIENT_EVENTS = [
  "conversation:create",
  "conversation:list",
  "conversation:join",
  "conversation:take",
  "conversation:transfer",
  "conversation:resolve",
  "conversation:reopen",
  "emergency:acknowledge",
  "emergency:cancel",
  "message:send",
  "message:list",
  "message:search",
  "message:read",
  "typing:set",
  "conversation:view",
  "room:join",
  "room:leave",
  "profile:update",
  "user:deactivate",
  "user:reactivate",
  "user:create",
  "user:set-role",
  "user:reset-password",
  "user:list",
  "user:context",
  "presence:list",
  "audit:list",
] as const satisfies readonly ClientEventName[];

export const SERVER_EVENTS = [
  "message:new",
  "conversation:new",
  "conversation:updated",
  "typing",
  "viewing",
  "read:updated",
  "session:ready",
  "presence:updated",
  "emergency:escalated",
] as const satisfies readonly ServerEventName[];
