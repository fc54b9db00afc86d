// The chat store's shape, one interface per slice (zustand's slices pattern). Components read state and
// call the public actions; the actions marked "between slices" exist so one slice can use another's
// work through `get()`, and are not for components.
import type { StateCreator, StoreApi } from "zustand/vanilla";
import type { Socket } from "socket.io-client";
import type { AckData, ClientEventName, ClientToServerEvents, ServerToClientEvents } from "@/lib/realtime/events";
import type {
  AuthUser,
  Category,
  ClientSettings,
  ConversationView,
  MessageView,
  PresenceChange,
  PresenceUser,
  ReadReceipt,
  Role,
  SupportRoom,
  TypingSignal,
  ViewingSignal,
} from "@/lib/chat/types";

/** The browser's Socket.IO client, typed from the one event contract. */
export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** `no-signal`: the device has no network (browser offline event or missed heartbeats); `offline`: the server refused us. */
export type ConnectionState = "connecting" | "online" | "reconnecting" | "no-signal" | "offline";

/** A message typed here and not yet acknowledged by the server. */
export interface PendingMessage {
  clientId: string;
  conversationId: string;
  body: string;
  createdAt: string;
  status: "sending" | "failed";
  error: string | null;
  /** Emitted on the current connection; an ack may still come. Cleared when the connection drops. */
  isInFlight: boolean;
  /** Control: a staff-only note. */
  isNote?: boolean;
  /** The user's order across conversations: the outbox sends oldest first, one at a time. */
  order: number;
}

/** A conversation opened while offline: kept in the outbox until the server creates it. */
export interface PendingConversation {
  clientId: string;
  category: Category;
  title?: string;
  body: string;
  createdAt: string;
  order: number;
  status: "sending" | "failed";
  error: string | null;
}

export type ActionResult = { ok: true; conversationId: string } | { ok: false; message: string };

/** createConversation: created now, or kept in the outbox until the connection returns. */
export type CreateResult = ActionResult | { ok: true; conversationId: null; isQueued: true };

export interface TypingEntry {
  name: string;
  role: Role;
}

export type WorkflowEvent = "conversation:take" | "conversation:resolve" | "conversation:reopen" | "emergency:acknowledge" | "emergency:cancel";

export interface ConnectionSlice {
  me: AuthUser;
  connection: ConnectionState;
  connectionError: string | null;
  rooms: SupportRoom[];
  isVisible: boolean;
  /** The last refused action, shown to the user until dismissed. */
  lastError: string | null;
  /** From session:ready (null until the first one). */
  settings: ClientSettings | null;
  attachSocket(socket: ChatSocket | null): void;
  setConnection(state: ConnectionState, error?: string | null): void;
  setVisible(isVisible: boolean): void;
  onSessionReady(session: { user: AuthUser; rooms: SupportRoom[]; settings?: ClientSettings }): Promise<void>;
  /** The network came back while the socket stayed connected: online again, send the outbox, catch up. */
  resume(): void;
  /** Control/admin panels: one request with the typed ack; rejects with a message to show. */
  call<E extends ClientEventName>(event: E, input: Parameters<ClientToServerEvents[E]>[0]): Promise<AckData<E>>;
  setRooms(rooms: SupportRoom[]): void;
  dismissError(): void;
}

export interface ConversationsSlice {
  conversations: Record<string, ConversationView>;
  activeConversationId: string | null;
  /** Control: new conversations not yet looked at, newest last. */
  alerts: string[];
  /** Control: emergencies the server escalated (id → when we heard it). */
  escalated: Record<string, string>;
  onConversationNew(conversation: ConversationView): void;
  onConversationUpdated(conversation: ConversationView): void;
  onEmergencyEscalated(conversation: ConversationView): void;
  onReadUpdated(receipt: ReadReceipt): void;
  /** Control: conversations fetched with filters (own views). */
  upsertConversations(conversations: ConversationView[]): void;
  openConversation(conversationId: string | null): Promise<void>;
  /**
   * A message to bring into view (a search result): `key` changes on every request, so asking for
   * the same message twice scrolls to it twice.
   */
  focus: { conversationId: string; sequence: number; key: number } | null;
  /** Opens a conversation and loads older history until `sequence` is held, then asks the list to show it. */
  openConversationAt(conversationId: string, sequence: number): Promise<void>;
  take(conversationId: string): Promise<ActionResult>;
  resolve(conversationId: string): Promise<ActionResult>;
  reopen(conversationId: string): Promise<ActionResult>;
  acknowledgeEmergency(conversationId: string): Promise<ActionResult>;
  /** Field: call one's own emergency off as a false alarm (within the server's window). */
  cancelEmergency(conversationId: string): Promise<ActionResult>;
  dismissAlerts(): void;
  /** Between slices: every active conversation, page by page, merged into what we hold. */
  loadConversationList(): Promise<void>;
  /** Between slices: one conversation's view from the server. */
  fetchConversation(conversationId: string): Promise<void>;
  /** Between slices: tells the server what the user has seen, when the conversation is on screen. */
  markReadIfVisible(): void;
  /** Between slices: our own read pointer moved (an ack or a receipt from another device). */
  applyOwnRead(conversationId: string, lastReadSequence: number): void;
}

export interface MessagesSlice {
  /** Confirmed messages per conversation, ascending by sequence, one entry per message id. */
  messages: Record<string, MessageView[]>;
  /** Conversations whose history was fetched: these are caught up after every reconnect. */
  historyLoaded: Record<string, boolean>;
  hasOlder: Record<string, boolean>;
  /** `isLiveEvent`: a message:new broadcast (false for an ack, which may overtake missed messages). */
  onMessageNew(message: MessageView, isLiveEvent?: boolean): void;
  loadOlder(conversationId: string): Promise<void>;
  /** Between slices: merges confirmed messages and retires the outbox entries they confirm. */
  storeMessages(conversationId: string, incoming: MessageView[]): void;
  /** Between slices: the newest page of a conversation, then whatever arrived meanwhile. */
  loadHistory(conversationId: string): Promise<void>;
  /** Between slices: after a gap, every conversation whose history was fetched is brought up to date. */
  catchUpOpened(): Promise<void>;
}

export interface OutboxSlice {
  pending: Record<string, PendingMessage[]>;
  /** Conversations opened offline, oldest first. */
  pendingConversations: PendingConversation[];
  /** Sign-out has begun: nothing more is kept on the device. */
  isSigningOut: boolean;
  /** Offline, the conversation is queued in the outbox (same clientId on every attempt). */
  createConversation(input: { category: Category; title?: string; body: string }): Promise<CreateResult>;
  retryConversation(clientId: string): void;
  sendMessage(conversationId: string, body: string, options?: { isNote?: boolean }): ActionResult;
  retryMessage(conversationId: string, clientId: string): void;
  /** Unsent messages and conversations in the outbox (sign-out warns about them). */
  countUnsent(): number;
  /** Sign-out: forgets this user's outbox on this device. */
  clearDevice(): Promise<void>;
  /** Between slices: sends the outbox, oldest first, one at a time (a second call while sending is a no-op). */
  flushPending(): void;
  /** Between slices: a created conversation and its first message, from an ack. */
  applyCreated(created: { conversation: ConversationView; message: MessageView }): void;
  /** Between slices: puts what an earlier page left in the device outbox back on screen, then sends it. */
  restoreOutbox(): Promise<void>;
}

export interface PresenceSlice {
  typing: Record<string, Record<string, TypingEntry>>;
  /** Control: colleagues who have a conversation open, per conversation id. */
  viewers: Record<string, Record<string, TypingEntry>>;
  /** Control: who is connected now, by user id. */
  presence: Record<string, PresenceUser>;
  onTyping(signal: TypingSignal): void;
  onViewing(signal: ViewingSignal): void;
  onPresenceUpdated(change: PresenceChange): void;
  /** Control: tells colleagues this conversation is open here (call again to refresh), or closed. */
  setViewing(conversationId: string, isViewing: boolean): void;
  noteTyping(conversationId: string): void;
  stopTyping(conversationId: string): void;
  /** Between slices: someone stopped typing (or their message arrived). */
  clearTyping(conversationId: string, userId: string): void;
}

export type ChatState = ConnectionSlice & ConversationsSlice & MessagesSlice & OutboxSlice & PresenceSlice;
export type ChatStore = StoreApi<ChatState>;

/** One slice of the chat store: zustand's StateCreator over the whole state, returning its own part. */
export type ChatSlice<T> = StateCreator<ChatState, [], [], T>;
