import { createStore, type StoreApi } from "zustand/vanilla";
import type { Socket } from "socket.io-client";
import type { AckData, ClientEventName, ClientToServerEvents, ServerToClientEvents } from "@/lib/realtime/events";
import type { Ack, WireError } from "@/lib/errors";
import { SyncCursor } from "@/lib/chat/sync-cursor";
import { isRetryableError, nextOutboxOrder, openOutbox, type Outbox, type OutboxItem } from "./outbox";
import {
  HISTORY_PAGE_DEFAULT,
  HISTORY_PAGE_MAX,
  MESSAGE_MAX_LENGTH,
  TITLE_MAX_LENGTH,
  TYPING_EXPIRY_MS,
  TYPING_THROTTLE_MS,
} from "@/lib/chat/constants";
import {
  isControlRole,
  type AuthUser,
  type Category,
  type ClientSettings,
  type ConversationView,
  type PresenceChange,
  type PresenceUser,
  type MessageView,
  type ReadReceipt,
  type Role,
  type SupportRoom,
  type TypingSignal,
  type ViewingSignal,
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

/** createConversation: created now, or kept in the outbox until the connection returns. */
export type CreateResult = ActionResult | { ok: true; conversationId: null; isQueued: true };

export interface TypingEntry {
  name: string;
  role: Role;
}

export type ActionResult = { ok: true; conversationId: string } | { ok: false; message: string };

export interface ChatState {
  me: AuthUser;
  connection: ConnectionState;
  connectionError: string | null;
  rooms: SupportRoom[];
  conversations: Record<string, ConversationView>;
  /** Confirmed messages per conversation, ascending by sequence, one entry per message id. */
  messages: Record<string, MessageView[]>;
  /** Conversations whose history was fetched: these are caught up after every reconnect. */
  historyLoaded: Record<string, boolean>;
  hasOlder: Record<string, boolean>;
  pending: Record<string, PendingMessage[]>;
  /** Conversations opened offline, oldest first. */
  pendingConversations: PendingConversation[];
  typing: Record<string, Record<string, TypingEntry>>;
  /** Control: colleagues who have a conversation open, per conversation id. */
  viewers: Record<string, Record<string, TypingEntry>>;
  activeConversationId: string | null;
  isVisible: boolean;
  /** Control: new conversations not yet looked at, newest last. */
  alerts: string[];
  /** The last refused action, shown to the user until dismissed. */
  lastError: string | null;
  /** From session:ready (null until the first one). */
  settings: ClientSettings | null;
  /** Control: who is connected now, by user id. */
  presence: Record<string, PresenceUser>;
  /** Control: emergencies the server escalated (id → when we heard it). */
  escalated: Record<string, string>;
  /** Sign-out has begun: nothing more is kept on the device. */
  isSigningOut: boolean;

  attachSocket(socket: ChatSocket | null): void;
  setConnection(state: ConnectionState, error?: string | null): void;
  setVisible(isVisible: boolean): void;

  onSessionReady(session: { user: AuthUser; rooms: SupportRoom[]; settings?: ClientSettings }): Promise<void>;
  onPresenceUpdated(change: PresenceChange): void;
  onEmergencyEscalated(conversation: ConversationView): void;
  /** Control/admin panels: one request with the typed ack; rejects with a message to show. */
  call<E extends ClientEventName>(event: E, input: Parameters<ClientToServerEvents[E]>[0]): Promise<AckData<E>>;
  /** Control: conversations fetched with filters (own views). */
  upsertConversations(conversations: ConversationView[]): void;
  setRooms(rooms: SupportRoom[]): void;
  /** `isLiveEvent`: a message:new broadcast (false for an ack, which may overtake missed messages). */
  onMessageNew(message: MessageView, isLiveEvent?: boolean): void;
  onConversationNew(conversation: ConversationView): void;
  onConversationUpdated(conversation: ConversationView): void;
  onTyping(signal: TypingSignal): void;
  onViewing(signal: ViewingSignal): void;
  /** Control: tells colleagues this conversation is open here (call again to refresh), or closed. */
  setViewing(conversationId: string, isViewing: boolean): void;
  onReadUpdated(receipt: ReadReceipt): void;

  openConversation(conversationId: string | null): Promise<void>;
  loadOlder(conversationId: string): Promise<void>;
  /** Offline, the conversation is queued in the outbox (same clientId on every attempt). */
  createConversation(input: { category: Category; title?: string; body: string }): Promise<CreateResult>;
  retryConversation(clientId: string): void;
  sendMessage(conversationId: string, body: string, options?: { isNote?: boolean }): ActionResult;
  retryMessage(conversationId: string, clientId: string): void;
  noteTyping(conversationId: string): void;
  stopTyping(conversationId: string): void;
  take(conversationId: string): Promise<ActionResult>;
  resolve(conversationId: string): Promise<ActionResult>;
  reopen(conversationId: string): Promise<ActionResult>;
  acknowledgeEmergency(conversationId: string): Promise<ActionResult>;
  /** Field: call one's own emergency off as a false alarm (within the server's window). */
  cancelEmergency(conversationId: string): Promise<ActionResult>;
  /** The network came back while the socket stayed connected: online again, send the outbox, catch up. */
  resume(): void;
  /** Unsent messages and conversations in the outbox (sign-out warns about them). */
  countUnsent(): number;
  /** Sign-out: forgets this user's outbox on this device. */
  clearDevice(): Promise<void>;
  dismissAlerts(): void;
  dismissError(): void;
}

export type ChatStore = StoreApi<ChatState>;

const REQUEST_TIMEOUT_MS = 15_000;
/** A retryable refusal without a server hint (e.g. database unavailable) is retried after this long. */
const RETRY_LATER_MS = 3000;
/** Stop signalling "typing" after this long without a keystroke. */
const TYPING_IDLE_MS = 3000;

class RequestError extends Error {}

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

function lastKnownSequence(messages: readonly MessageView[] | undefined): number {
  return messages && messages.length > 0 ? (messages[messages.length - 1]?.sequence ?? 0) : 0;
}

/**
 * Merges a conversation view into what we hold. Read pointers and sequences only move forward.
 * `isOwnView`: the view was computed for this viewer, so its unread count and read pointer are ours
 * (control's conversation:updated carries the actor's counts, which are not ours).
 */
function mergeConversation(current: ConversationView | undefined, incoming: ConversationView, isOwnView: boolean): ConversationView {
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

function newClientId(): string {
  return crypto.randomUUID();
}

export function createChatStore(me: AuthUser): ChatStore {
  /** The other side: control staff for field users, the conversation's creator for control staff. */
  function isPeer(user: { id: string; role: Role }, conversation: ConversationView): boolean {
    return isControlRole(me.role) ? user.id === conversation.creator.id : isControlRole(user.role);
  }

  let socket: ChatSocket | null = null;
  /** The device outbox (IndexedDB); absent while rendering on the server. */
  const outbox: Outbox | null = typeof indexedDB === "undefined" ? null : openOutbox(me.id);
  /** True while the outbox is being sent, so only one send loop runs. */
  let isDraining = false;
  const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  const ownTyping = new Map<string, { lastSentAt: number; idle: ReturnType<typeof setTimeout> }>();
  const readInFlight = new Map<string, number>();
  const catchingUp = new Set<string>();
  /**
   * Per conversation, the sequence through which we hold every message we may see (catch-up starts
   * there, not at the newest message held). A live message after a hole does not move it and starts
   * a catch-up: pushes can be lost or overtake each other between nodes (lib/chat/sync-cursor.ts).
   */
  const cursor = new SyncCursor<MessageView>(isControlRole(me.role));
  /** conversation:list pages on connect: 500 at a time, at most 20 pages (10,000 active conversations). */
  const LIST_PAGE = 500;
  const MAX_LIST_PAGES = 20;

  function request<E extends ClientEventName>(event: E, input: Parameters<ClientToServerEvents[E]>[0]): Promise<AckData<E>> {
    return new Promise((resolve, reject) => {
      if (!socket || !socket.connected) {
        reject(new RequestError("Not connected. Wait for the connection to come back."));
        return;
      }
      // One cast: Socket.IO cannot relate a generic event name to its handler's parameters.
      const timed = socket.timeout(REQUEST_TIMEOUT_MS);
      const emit = timed.emit as unknown as (
        this: typeof timed,
        event: E,
        input: unknown,
        ack: (error: Error | null, reply: Ack<AckData<E>>) => void,
      ) => void;
      emit.call(timed, event, input, (error, reply) => {
        if (error) reject(new RequestError("The server did not answer in time."));
        else if (!reply.ok) reject(new RequestError(reply.error.message));
        else resolve(reply.data);
      });
    });
  }

  function messageOf(error: unknown): string {
    return error instanceof RequestError ? error.message : "Something went wrong. Try again.";
  }

  const store = createStore<ChatState>()((set, get) => {
    function storeMessages(conversationId: string, incoming: MessageView[]): void {
      if (incoming.length === 0) return;
      set((state) => {
        const existing = state.messages[conversationId] ?? [];
        const merged = mergeMessages(existing, incoming);
        const ownClientIds = new Set(incoming.filter((m) => m.sender.id === me.id).map((m) => m.clientId));
        const pending = state.pending[conversationId];
        const remaining = pending?.filter((p) => !ownClientIds.has(p.clientId));
        for (const clientId of ownClientIds) if (pending?.some((p) => p.clientId === clientId)) forgetOutboxItem(clientId);
        // The server moves a sender's read pointer to their own message without a read:updated, so a
        // message from the other side proves they read everything before it.
        const conversation = state.conversations[conversationId];
        const peerSequence = conversation
          ? Math.max(0, ...incoming.filter((m) => m.kind !== "NOTE" && isPeer(m.sender, conversation)).map((m) => m.sequence))
          : 0;
        return {
          conversations:
            conversation && peerSequence > conversation.peerReadSequence
              ? { ...state.conversations, [conversationId]: { ...conversation, peerReadSequence: peerSequence } }
              : state.conversations,
          messages: merged === existing ? state.messages : { ...state.messages, [conversationId]: merged },
          pending: remaining && remaining.length !== pending?.length ? { ...state.pending, [conversationId]: remaining } : state.pending,
        };
      });
    }

    function clearTyping(conversationId: string, userId: string): void {
      const key = `${conversationId}\u0000${userId}`;
      const timer = typingTimers.get(key);
      if (timer) clearTimeout(timer);
      typingTimers.delete(key);
      set((state) => {
        const current = state.typing[conversationId];
        if (!current || !(userId in current)) return {};
        const { [userId]: _removed, ...rest } = current;
        return { typing: { ...state.typing, [conversationId]: rest } };
      });
    }

    async function catchUp(conversationId: string): Promise<void> {
      if (catchingUp.has(conversationId)) return;
      catchingUp.add(conversationId);
      try {
        for (;;) {
          const after = cursor.syncedThrough(conversationId);
          const page = await request("message:list", { conversationId, afterSequence: after, limit: HISTORY_PAGE_MAX });
          storeMessages(conversationId, page.messages);
          cursor.page(conversationId, after, page.messages);
          if (page.messages.length === 0) break;
          // Go on while the server has more, or while a push that came meanwhile shows a newer hole.
          if (!page.hasMore && !cursor.hasHole(conversationId)) break;
        }
      } finally {
        catchingUp.delete(conversationId);
      }
    }

    /** After a gap in the connection: every conversation whose history was fetched is brought up to date. */
    async function catchUpOpened(): Promise<void> {
      const loaded = Object.keys(get().historyLoaded).filter((id) => get().historyLoaded[id]);
      await Promise.all(loaded.map((id) => catchUp(id)));
    }

    async function loadHistory(conversationId: string): Promise<void> {
      const page = await request("message:list", { conversationId, limit: HISTORY_PAGE_DEFAULT });
      storeMessages(conversationId, page.messages);
      // Older messages are history, loaded on scroll; from the newest page on we must hold everything.
      cursor.cover(conversationId, lastKnownSequence(page.messages));
      set((state) => ({
        historyLoaded: { ...state.historyLoaded, [conversationId]: true },
        hasOlder: { ...state.hasOlder, [conversationId]: page.hasMore },
      }));
      // Anything that arrived while the page was on its way.
      await catchUp(conversationId);
    }

    /** Every active conversation, page by page (a control room can hold far more than one page). */
    async function listAllConversations(): Promise<ConversationView[]> {
      const all: ConversationView[] = [];
      for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
        const last = all.at(-1);
        const { conversations, hasMore } = await request("conversation:list", { limit: LIST_PAGE, ...(last ? { afterId: last.id } : {}) });
        all.push(...conversations);
        if (!hasMore) break;
      }
      return all;
    }

    async function fetchConversation(conversationId: string): Promise<void> {
      const { conversation } = await request("conversation:join", { conversationId });
      set((state) => ({
        conversations: { ...state.conversations, [conversation.id]: mergeConversation(state.conversations[conversation.id], conversation, true) },
      }));
    }

    /** Tells the server what the user has seen, when the conversation is on screen. */
    function markReadIfVisible(): void {
      const state = get();
      const conversationId = state.activeConversationId;
      if (!conversationId || !state.isVisible || state.connection !== "online") return;
      const conversation = state.conversations[conversationId];
      const seen = lastKnownSequence(state.messages[conversationId]);
      if (!conversation || seen <= conversation.lastReadSequence) return;
      if ((readInFlight.get(conversationId) ?? 0) >= seen) return;
      readInFlight.set(conversationId, seen);
      request("message:read", { conversationId, sequence: seen }).then(
        ({ lastReadSequence }) => applyOwnRead(conversationId, lastReadSequence),
        () => readInFlight.delete(conversationId),
      );
    }

    function applyOwnRead(conversationId: string, lastReadSequence: number): void {
      set((state) => {
        const conversation = state.conversations[conversationId];
        if (!conversation || lastReadSequence <= conversation.lastReadSequence) return {};
        const unreadCount = lastReadSequence >= conversation.lastSequence ? 0 : Math.min(conversation.unreadCount, conversation.lastSequence - lastReadSequence);
        return { conversations: { ...state.conversations, [conversationId]: { ...conversation, lastReadSequence, unreadCount } } };
      });
    }

    /**
     * Sends the outbox one item at a time, oldest first, each after the previous ack, so the user's
     * order is kept. An item leaves the outbox only on a successful ack or a final refusal.
     */
    function flushPending(): void {
      if (isDraining) return;
      isDraining = true;
      const tried = new Set<string>();
      void (async () => {
        try {
          for (;;) {
            const current = socket;
            const item = oldestWaiting();
            if (!item || tried.has(item.clientId) || !current?.connected || get().connection !== "online") break;
            tried.add(item.clientId);
            if (!(await sendFromOutbox(current, item))) break;
          }
        } finally {
          isDraining = false;
        }
      })();
    }

    function oldestWaiting(): PendingMessage | PendingConversation | undefined {
      let oldest: PendingMessage | PendingConversation | undefined;
      const consider = (item: PendingMessage | PendingConversation) => {
        if (item.status === "sending" && (!oldest || item.order < oldest.order)) oldest = item;
      };
      for (const list of Object.values(get().pending)) list.forEach(consider);
      get().pendingConversations.forEach(consider);
      return oldest;
    }

    function updatePending(conversationId: string, clientId: string, change: Partial<PendingMessage>): void {
      set((state) => {
        const list = state.pending[conversationId];
        if (!list) return {};
        return { pending: { ...state.pending, [conversationId]: list.map((p) => (p.clientId === clientId ? { ...p, ...change } : p)) } };
      });
    }

    function updatePendingConversation(clientId: string, change: Partial<PendingConversation>): void {
      set((state) => ({ pendingConversations: state.pendingConversations.map((p) => (p.clientId === clientId ? { ...p, ...change } : p)) }));
    }

    function toOutboxItem(item: PendingMessage | PendingConversation): OutboxItem {
      const base = { clientId: item.clientId, userId: me.id, order: item.order, body: item.body, createdAt: item.createdAt };
      return "category" in item
        ? { ...base, kind: "conversation", category: item.category, ...(item.title ? { title: item.title } : {}) }
        : { ...base, kind: "message", conversationId: item.conversationId, ...(item.isNote ? { isNote: true } : {}) };
    }

    /** Keeps the item on the device before it is sent; sending goes ahead even if storage fails. */
    function keepInOutbox(item: PendingMessage | PendingConversation): Promise<void> {
      return outbox ? outbox.put(toOutboxItem(item)).catch(() => undefined) : Promise.resolve();
    }

    function forgetOutboxItem(clientId: string): void {
      outbox?.remove(clientId).catch(() => undefined);
    }

    /** Puts what an earlier page left in the device outbox back on screen, then sends it. */
    async function restoreOutbox(): Promise<void> {
      if (!outbox) return;
      const items = await outbox.list().catch(() => [] as OutboxItem[]);
      if (items.length === 0) return;
      set((state) => {
        const known = new Set([...Object.values(state.pending).flat(), ...state.pendingConversations].map((p) => p.clientId));
        const pending = { ...state.pending };
        const pendingConversations = [...state.pendingConversations];
        for (const item of items) {
          if (known.has(item.clientId)) continue;
          const common = { clientId: item.clientId, body: item.body, createdAt: item.createdAt, order: item.order, status: "sending" as const, error: null };
          if (item.kind === "conversation") {
            pendingConversations.push({ ...common, category: item.category, ...(item.title ? { title: item.title } : {}) });
          } else {
            const restored: PendingMessage = { ...common, conversationId: item.conversationId, isInFlight: false, ...(item.isNote ? { isNote: true } : {}) };
            pending[item.conversationId] = [...(pending[item.conversationId] ?? []), restored].sort((a, b) => a.order - b.order);
          }
        }
        return { pending, pendingConversations: pendingConversations.sort((a, b) => a.order - b.order) };
      });
      flushPending();
    }

    /** A refusal: retryable ones wait and go again; final ones leave the outbox and show their error. */
    function refuse(item: PendingMessage | PendingConversation, error: WireError): boolean {
      if (isRetryableError(error.code)) {
        const after = error.details?.retryAfterMs;
        if ("category" in item) updatePendingConversation(item.clientId, {});
        else updatePending(item.conversationId, item.clientId, { isInFlight: false });
        setTimeout(flushPending, typeof after === "number" && after > 0 ? after : RETRY_LATER_MS);
        return false;
      }
      forgetOutboxItem(item.clientId);
      if ("category" in item) updatePendingConversation(item.clientId, { status: "failed", error: error.message });
      else updatePending(item.conversationId, item.clientId, { status: "failed", error: error.message, isInFlight: false });
      return true;
    }

    /** Sends one item; resolves true once it is settled (acknowledged or finally refused). */
    function sendFromOutbox(current: ChatSocket, item: PendingMessage | PendingConversation): Promise<boolean> {
      return new Promise((resolve) => {
        // No timeout: a lost ack is recovered by resending the same clientId after reconnecting (idempotent).
        const onDisconnect = () => resolve(false);
        current.once("disconnect", onDisconnect);
        if ("category" in item) {
          const input = { category: item.category, body: item.body, clientId: item.clientId, ...(item.title ? { title: item.title } : {}) };
          current.emit("conversation:create", input, (reply) => {
            current.off("disconnect", onDisconnect);
            if (!reply.ok) return resolve(refuse(item, reply.error));
            applyCreated(reply.data);
            forgetOutboxItem(item.clientId);
            set((state) => ({ pendingConversations: state.pendingConversations.filter((p) => p.clientId !== item.clientId) }));
            resolve(true);
          });
          return;
        }
        updatePending(item.conversationId, item.clientId, { isInFlight: true });
        const input = { conversationId: item.conversationId, body: item.body, clientId: item.clientId, ...(item.isNote ? { isNote: true } : {}) };
        current.emit("message:send", input, (reply) => {
          current.off("disconnect", onDisconnect);
          if (!reply.ok) return resolve(refuse(item, reply.error));
          get().onMessageNew(reply.data.message, false);
          forgetOutboxItem(item.clientId);
          resolve(true);
        });
      });
    }

    function applyCreated({ conversation, message }: { conversation: ConversationView; message: MessageView }): void {
      set((state) => ({
        conversations: { ...state.conversations, [conversation.id]: mergeConversation(state.conversations[conversation.id], conversation, true) },
        historyLoaded: { ...state.historyLoaded, [conversation.id]: true },
        hasOlder: { ...state.hasOlder, [conversation.id]: false },
      }));
      storeMessages(conversation.id, [message]);
      // The first message is the whole history.
      cursor.cover(conversation.id, message.sequence);
    }

    async function workflow(
      event: "conversation:take" | "conversation:resolve" | "conversation:reopen" | "emergency:acknowledge" | "emergency:cancel",
      conversationId: string,
    ): Promise<ActionResult> {
      try {
        const { conversation } = await request(event, { conversationId });
        set((state) => ({
          conversations: { ...state.conversations, [conversation.id]: mergeConversation(state.conversations[conversation.id], conversation, true) },
        }));
        return { ok: true, conversationId };
      } catch (error) {
        const message = messageOf(error);
        set({ lastError: message });
        return { ok: false, message };
      }
    }

    // Runs after the store exists: the outbox is read asynchronously.
    void restoreOutbox();

    return {
      me,
      connection: "connecting",
      connectionError: null,
      rooms: [],
      conversations: {},
      messages: {},
      historyLoaded: {},
      hasOlder: {},
      pending: {},
      pendingConversations: [],
      typing: {},
      viewers: {},
      activeConversationId: null,
      isVisible: true,
      alerts: [],
      lastError: null,
      settings: null,
      presence: {},
      escalated: {},
      isSigningOut: false,

      attachSocket(next) {
        socket = next;
      },

      setConnection(connection, error = null) {
        if (connection !== "online") {
          // Acks of anything emitted on the old connection will never come; resend after reconnecting.
          readInFlight.clear();
          set((state) => ({
            connection,
            connectionError: error,
            pending: Object.fromEntries(Object.entries(state.pending).map(([id, list]) => [id, list.map((p) => ({ ...p, isInFlight: false }))])),
            typing: {},
            viewers: {},
          }));
          return;
        }
        set({ connection, connectionError: null });
      },

      setVisible(isVisible) {
        set({ isVisible });
        markReadIfVisible();
      },

      async onSessionReady(session) {
        set((state) => ({ rooms: session.rooms, settings: session.settings ?? state.settings }));
        if (isControlRole(me.role)) {
          request("presence:list", {}).then(
            ({ online }) => set({ presence: Object.fromEntries(online.map((u) => [u.id, u])) }),
            () => undefined,
          );
        }
        get().setConnection("online");
        flushPending();
        try {
          const conversations = await listAllConversations();
          set((state) => {
            const next: Record<string, ConversationView> = {};
            for (const conversation of conversations) next[conversation.id] = mergeConversation(state.conversations[conversation.id], conversation, true);
            // Keep what is on screen even when it left the active list (e.g. just resolved).
            const active = state.activeConversationId;
            if (active && !next[active] && state.conversations[active]) next[active] = state.conversations[active];
            return { conversations: next };
          });
          await catchUpOpened();
          markReadIfVisible();
        } catch (error) {
          set({ lastError: messageOf(error) });
        }
      },

      onMessageNew(message, isLiveEvent = true) {
        const state = get();
        // Only open conversations keep a cursor; opening one loads its newest page and catches up.
        if (isLiveEvent && state.historyLoaded[message.conversationId]) {
          cursor.live(message);
          if (cursor.hasHole(message.conversationId)) catchUp(message.conversationId).catch(() => undefined);
        }
        const known = state.messages[message.conversationId]?.some((m) => m.id === message.id) ?? false;
        storeMessages(message.conversationId, [message]);
        clearTyping(message.conversationId, message.sender.id);
        const conversation = get().conversations[message.conversationId];
        if (!conversation) {
          fetchConversation(message.conversationId).catch(() => undefined);
          return;
        }
        const isNewer = message.sequence > conversation.lastSequence;
        const isUnread = !known && message.sender.id !== me.id && message.sequence > conversation.lastReadSequence;
        set((s) => ({
          conversations: {
            ...s.conversations,
            [message.conversationId]: {
              ...conversation,
              lastSequence: Math.max(conversation.lastSequence, message.sequence),
              lastMessageAt: isNewer ? message.createdAt : conversation.lastMessageAt,
              lastMessage: isNewer
                ? { body: message.body, senderName: message.sender.name, kind: message.kind, sequence: message.sequence }
                : conversation.lastMessage,
              unreadCount: isUnread ? conversation.unreadCount + 1 : conversation.unreadCount,
              // Whoever writes has read everything before their own message.
              lastReadSequence: message.sender.id === me.id ? Math.max(conversation.lastReadSequence, message.sequence) : conversation.lastReadSequence,
            },
          },
        }));
        if (message.sender.id === me.id && message.sequence >= conversation.lastSequence) {
          set((s) => {
            const c = s.conversations[message.conversationId];
            return c ? { conversations: { ...s.conversations, [c.id]: { ...c, unreadCount: 0 } } } : {};
          });
        }
        if (state.activeConversationId === message.conversationId) markReadIfVisible();
      },

      onConversationNew(conversation) {
        const isOwn = conversation.creator.id === me.id;
        set((state) => ({
          conversations: { ...state.conversations, [conversation.id]: mergeConversation(state.conversations[conversation.id], conversation, isOwn) },
          alerts:
            isControlRole(me.role) && !state.alerts.includes(conversation.id) && state.activeConversationId !== conversation.id
              ? [...state.alerts, conversation.id]
              : state.alerts,
        }));
      },

      onConversationUpdated(conversation) {
        // Field staff receive their own view; control staff receive the actor's.
        const isOwnView = !isControlRole(me.role);
        set((state) => ({
          conversations: {
            ...state.conversations,
            [conversation.id]: mergeConversation(state.conversations[conversation.id], conversation, isOwnView),
          },
        }));
      },

      onPresenceUpdated({ user, online }) {
        set((state) => {
          const { [user.id]: _gone, ...rest } = state.presence;
          return { presence: online ? { ...rest, [user.id]: user } : rest };
        });
      },

      onEmergencyEscalated(conversation) {
        get().onConversationUpdated(conversation);
        set((state) => ({ escalated: { ...state.escalated, [conversation.id]: new Date().toISOString() } }));
      },

      call: (event, input) => request(event, input).catch((error: unknown) => Promise.reject(new Error(messageOf(error)))),

      upsertConversations(list) {
        set((state) => {
          const next = { ...state.conversations };
          for (const conversation of list) next[conversation.id] = mergeConversation(state.conversations[conversation.id], conversation, true);
          return { conversations: next };
        });
      },

      setRooms(rooms) {
        set({ rooms });
      },

      onTyping(signal) {
        if (signal.user.id === me.id) return;
        if (!signal.isTyping) {
          clearTyping(signal.conversationId, signal.user.id);
          return;
        }
        const key = `${signal.conversationId}\u0000${signal.user.id}`;
        const timer = typingTimers.get(key);
        if (timer) clearTimeout(timer);
        // The server says "stopped" itself; this only covers a lost signal.
        typingTimers.set(key, setTimeout(() => clearTyping(signal.conversationId, signal.user.id), TYPING_EXPIRY_MS + 1000));
        set((state) => ({
          typing: {
            ...state.typing,
            [signal.conversationId]: { ...state.typing[signal.conversationId], [signal.user.id]: { name: signal.user.name, role: signal.user.role } },
          },
        }));
      },

      onViewing(signal) {
        if (signal.user.id === me.id) return;
        set((state) => {
          const { [signal.user.id]: _gone, ...others } = state.viewers[signal.conversationId] ?? {};
          const next = signal.isViewing ? { ...others, [signal.user.id]: { name: signal.user.name, role: signal.user.role } } : others;
          return { viewers: { ...state.viewers, [signal.conversationId]: next } };
        });
      },

      setViewing(conversationId, isViewing) {
        if (!isControlRole(me.role) || !socket?.connected) return;
        socket.emit("conversation:view", { conversationId, isViewing }, () => undefined);
      },

      onReadUpdated(receipt) {
        if (receipt.user.id === me.id) {
          applyOwnRead(receipt.conversationId, receipt.lastReadSequence);
          return;
        }
        set((state) => {
          const conversation = state.conversations[receipt.conversationId];
          if (!conversation) return {};
          if (!isPeer(receipt.user, conversation) || receipt.lastReadSequence <= conversation.peerReadSequence) return {};
          return { conversations: { ...state.conversations, [conversation.id]: { ...conversation, peerReadSequence: receipt.lastReadSequence } } };
        });
      },

      async openConversation(conversationId) {
        set((state) => ({ activeConversationId: conversationId, alerts: state.alerts.filter((id) => id !== conversationId) }));
        if (!conversationId) return;
        try {
          if (!get().conversations[conversationId]) await fetchConversation(conversationId);
          if (!get().historyLoaded[conversationId]) await loadHistory(conversationId);
          markReadIfVisible();
        } catch (error) {
          set({ lastError: messageOf(error) });
        }
      },

      async loadOlder(conversationId) {
        const first = get().messages[conversationId]?.[0];
        if (!first) return;
        try {
          const page = await request("message:list", { conversationId, beforeSequence: first.sequence, limit: HISTORY_PAGE_DEFAULT });
          storeMessages(conversationId, page.messages);
          set((state) => ({ hasOlder: { ...state.hasOlder, [conversationId]: page.hasMore } }));
        } catch (error) {
          set({ lastError: messageOf(error) });
        }
      },

      async createConversation(input) {
        const body = input.body.trim();
        const title = input.title?.trim().slice(0, TITLE_MAX_LENGTH) || undefined;
        if (!body) return { ok: false, message: "Write a message first." };
        if (body.length > MESSAGE_MAX_LENGTH) return { ok: false, message: `Messages can be at most ${MESSAGE_MAX_LENGTH} characters.` };
        const clientId = newClientId();
        if (!socket?.connected || get().connection !== "online") {
          const item: PendingConversation = {
            clientId,
            category: input.category,
            ...(title ? { title } : {}),
            body,
            createdAt: new Date().toISOString(),
            order: nextOutboxOrder(),
            status: "sending",
            error: null,
          };
          set((state) => ({ pendingConversations: [...state.pendingConversations, item] }));
          await keepInOutbox(item);
          flushPending();
          return { ok: true, conversationId: null, isQueued: true };
        }
        try {
          const created = await request("conversation:create", { category: input.category, title, body, clientId });
          applyCreated(created);
          return { ok: true, conversationId: created.conversation.id };
        } catch (error) {
          return { ok: false, message: messageOf(error) };
        }
      },

      sendMessage(conversationId, text, options) {
        const body = text.trim();
        if (!body) return { ok: false, message: "Write a message first." };
        if (body.length > MESSAGE_MAX_LENGTH) return { ok: false, message: `Messages can be at most ${MESSAGE_MAX_LENGTH} characters.` };
        get().stopTyping(conversationId);
        const item: PendingMessage = {
          clientId: newClientId(),
          conversationId,
          body,
          createdAt: new Date().toISOString(),
          status: "sending",
          error: null,
          isInFlight: false,
          ...(options?.isNote ? { isNote: true } : {}),
          order: nextOutboxOrder(),
        };
        set((state) => ({ pending: { ...state.pending, [conversationId]: [...(state.pending[conversationId] ?? []), item] } }));
        void keepInOutbox(item).then(flushPending);
        return { ok: true, conversationId };
      },

      retryMessage(conversationId, clientId) {
        updatePending(conversationId, clientId, { status: "sending", error: null, isInFlight: false });
        const item = get().pending[conversationId]?.find((p) => p.clientId === clientId);
        void (item ? keepInOutbox(item) : Promise.resolve()).then(flushPending);
      },

      retryConversation(clientId) {
        updatePendingConversation(clientId, { status: "sending", error: null });
        const item = get().pendingConversations.find((p) => p.clientId === clientId);
        void (item ? keepInOutbox(item) : Promise.resolve()).then(flushPending);
      },

      noteTyping(conversationId) {
        if (!socket?.connected) return;
        const now = Date.now();
        const current = ownTyping.get(conversationId);
        if (current) clearTimeout(current.idle);
        const shouldSend = !current || now - current.lastSentAt >= TYPING_THROTTLE_MS;
        const idle = setTimeout(() => get().stopTyping(conversationId), TYPING_IDLE_MS);
        ownTyping.set(conversationId, { lastSentAt: shouldSend ? now : (current?.lastSentAt ?? now), idle });
        if (shouldSend) socket.emit("typing:set", { conversationId, isTyping: true }, () => undefined);
      },

      stopTyping(conversationId) {
        const current = ownTyping.get(conversationId);
        if (!current) return;
        clearTimeout(current.idle);
        ownTyping.delete(conversationId);
        if (socket?.connected) socket.emit("typing:set", { conversationId, isTyping: false }, () => undefined);
      },

      take: (conversationId) => workflow("conversation:take", conversationId),
      resolve: (conversationId) => workflow("conversation:resolve", conversationId),
      reopen: (conversationId) => workflow("conversation:reopen", conversationId),
      acknowledgeEmergency: (conversationId) => workflow("emergency:acknowledge", conversationId),
      cancelEmergency: (conversationId) => workflow("emergency:cancel", conversationId),

      resume() {
        if (!socket?.connected) return;
        get().setConnection("online");
        flushPending();
        catchUpOpened().catch(() => undefined);
      },

      countUnsent() {
        const state = get();
        return Object.values(state.pending).reduce((n, list) => n + list.filter((p) => p.status === "sending").length, 0) + state.pendingConversations.length;
      },

      async clearDevice() {
        set({ pending: {}, pendingConversations: [], isSigningOut: true });
        await outbox?.clear().catch(() => undefined);
      },

      dismissAlerts() {
        set({ alerts: [] });
      },

      dismissError() {
        set({ lastError: null });
      },
    };
  });

  return store;
}
