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
  UpdateFieldContextInput,
  ConversationRefInput,
  UserRefInput,
} from "../chat/schemas";
import type {
  AuthUser,
  ConversationView,
  MessageView,
  ReadReceipt,
  SupportRoom,
  TypingSignal,
  UserSummary,
} from "../chat/types";

export type { Ack } from "../errors";

type Handler<Input, Output> = (input: Input, ack: (reply: Ack<Output>) => void) => void;

export interface ClientToServerEvents {
  "conversation:create": Handler<CreateConversationInput, { conversation: ConversationView; message: MessageView }>;
  "conversation:list": Handler<ListConversationsInput, { conversations: ConversationView[] }>;
  "conversation:join": Handler<ConversationRefInput, { conversation: ConversationView }>;
  "conversation:take": Handler<ConversationRefInput, { conversation: ConversationView }>;
  "conversation:transfer": Handler<TransferInput, { conversation: ConversationView }>;
  "conversation:resolve": Handler<ConversationRefInput, { conversation: ConversationView }>;
  "conversation:reopen": Handler<ConversationRefInput, { conversation: ConversationView }>;
  "emergency:acknowledge": Handler<ConversationRefInput, { conversation: ConversationView }>;
  "message:send": Handler<SendMessageInput, { message: MessageView; duplicate: boolean }>;
  "message:list": Handler<ListMessagesInput, { messages: MessageView[]; hasMore: boolean }>;
  "message:read": Handler<MarkReadInput, { lastReadSequence: number }>;
  "typing:set": Handler<TypingInput, { isTyping: boolean }>;
  "room:join": Handler<SupportRoomInput, { rooms: SupportRoom[] }>;
  "room:leave": Handler<SupportRoomInput, { rooms: SupportRoom[] }>;
  "profile:update": Handler<UpdateFieldContextInput, { user: UserSummary }>;
  /** Admins only: deactivates an account and disconnects its sockets everywhere. */
  "user:deactivate": Handler<UserRefInput, { userId: string }>;
}

export interface ServerToClientEvents {
  /** A message committed in a conversation the receiver takes part in. */
  "message:new": (message: MessageView) => void;
  /** A conversation was committed; sent to the support rooms that hear its category, and to its creator. */
  "conversation:new": (conversation: ConversationView) => void;
  /** Status, assignee or emergency acknowledgement changed. Viewer-specific counts are not included. */
  "conversation:updated": (conversation: ConversationView) => void;
  "typing": (signal: TypingSignal) => void;
  "read:updated": (receipt: ReadReceipt) => void;
  /** Sent once after connecting: who the server thinks you are and which rooms you monitor. */
  "session:ready": (session: { user: AuthUser; rooms: SupportRoom[] }) => void;
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
  "message:send",
  "message:list",
  "message:read",
  "typing:set",
  "room:join",
  "room:leave",
  "profile:update",
  "user:deactivate",
] as const satisfies readonly ClientEventName[];

export const SERVER_EVENTS = [
  "message:new",
  "conversation:new",
  "conversation:updated",
  "typing",
  "read:updated",
  "session:ready",
] as const satisfies readonly ServerEventName[];
