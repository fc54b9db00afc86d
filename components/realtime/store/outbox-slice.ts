// Outbox slice: what the user wrote that the server has not acknowledged. Items are kept on the device
// (IndexedDB, ../outbox.ts) before they are sent, and sent one at a time, oldest first, each after the
// previous ack, so the user's order holds across conversations and reloads. An item leaves the outbox
// only on a successful ack or a final refusal; a lost ack is recovered by resending the same clientId.
import type { WireError } from "@/lib/errors";
import { MESSAGE_MAX_LENGTH, TITLE_MAX_LENGTH } from "@/lib/chat/constants";
import { isRetryableError, nextOutboxOrder, type OutboxItem } from "../outbox";
import { mergeConversation } from "./merge";
import { messageOf, newClientId, type ChatRuntime } from "./runtime";
import type { ChatSlice, ChatSocket, OutboxSlice, PendingConversation, PendingMessage } from "./types";

/** A retryable refusal without a server hint (e.g. database unavailable) is retried after this long. */
const RETRY_LATER_MS = 3000;

type Item = PendingMessage | PendingConversation;

export function createOutboxSlice(runtime: ChatRuntime): ChatSlice<OutboxSlice> {
  const { me, outbox } = runtime;
  /** True while the outbox is being sent, so only one send loop runs. */
  let isDraining = false;

  return (set, get) => {
    function oldestWaiting(): Item | undefined {
      let oldest: Item | undefined;
      const consider = (item: Item) => {
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

    function toOutboxItem(item: Item): OutboxItem {
      const base = { clientId: item.clientId, userId: me.id, order: item.order, body: item.body, createdAt: item.createdAt };
      return "category" in item
        ? { ...base, kind: "conversation", category: item.category, ...(item.title ? { title: item.title } : {}) }
        : { ...base, kind: "message", conversationId: item.conversationId, ...(item.isNote ? { isNote: true } : {}) };
    }

    /** Keeps the item on the device before it is sent; sending goes ahead even if storage fails. */
    function keepInOutbox(item: Item): Promise<void> {
      return outbox ? outbox.put(toOutboxItem(item)).catch(() => undefined) : Promise.resolve();
    }

    /** A refusal: retryable ones wait and go again; final ones leave the outbox and show their error. */
    function refuse(item: Item, error: WireError): boolean {
      if (isRetryableError(error.code)) {
        const after = error.details?.retryAfterMs;
        if ("category" in item) updatePendingConversation(item.clientId, {});
        else updatePending(item.conversationId, item.clientId, { isInFlight: false });
        setTimeout(() => get().flushPending(), typeof after === "number" && after > 0 ? after : RETRY_LATER_MS);
        return false;
      }
      runtime.forgetOutboxItem(item.clientId);
      if ("category" in item) updatePendingConversation(item.clientId, { status: "failed", error: error.message });
      else updatePending(item.conversationId, item.clientId, { status: "failed", error: error.message, isInFlight: false });
      return true;
    }

    /** Sends one item; resolves true once it is settled (acknowledged or finally refused). */
    function sendFromOutbox(current: ChatSocket, item: Item): Promise<boolean> {
      return new Promise((resolve) => {
        // No timeout: a lost ack is recovered by resending the same clientId after reconnecting (idempotent).
        const onDisconnect = () => resolve(false);
        current.once("disconnect", onDisconnect);
        if ("category" in item) {
          const input = { category: item.category, body: item.body, clientId: item.clientId, ...(item.title ? { title: item.title } : {}) };
          current.emit("conversation:create", input, (reply) => {
            current.off("disconnect", onDisconnect);
            if (!reply.ok) return resolve(refuse(item, reply.error));
            get().applyCreated(reply.data);
            runtime.forgetOutboxItem(item.clientId);
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
          runtime.forgetOutboxItem(item.clientId);
          resolve(true);
        });
      });
    }

    return {
      pending: {},
      pendingConversations: [],
      isSigningOut: false,

      async createConversation(input) {
        const body = input.body.trim();
        const title = input.title?.trim().slice(0, TITLE_MAX_LENGTH) || undefined;
        if (!body) return { ok: false, message: "Write a message first." };
        if (body.length > MESSAGE_MAX_LENGTH) return { ok: false, message: `Messages can be at most ${MESSAGE_MAX_LENGTH} characters.` };
        const clientId = newClientId();
        if (!runtime.socket?.connected || get().connection !== "online") {
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
          get().flushPending();
          return { ok: true, conversationId: null, isQueued: true };
        }
        try {
          const created = await runtime.request("conversation:create", { category: input.category, title, body, clientId });
          get().applyCreated(created);
          return { ok: true, conversationId: created.conversation.id };
        } catch (error) {
          return { ok: false, message: messageOf(error) };
        }
      },

      retryConversation(clientId) {
        updatePendingConversation(clientId, { status: "sending", error: null });
        const item = get().pendingConversations.find((p) => p.clientId === clientId);
        void (item ? keepInOutbox(item) : Promise.resolve()).then(() => get().flushPending());
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
        void keepInOutbox(item).then(() => get().flushPending());
        return { ok: true, conversationId };
      },

      retryMessage(conversationId, clientId) {
        updatePending(conversationId, clientId, { status: "sending", error: null, isInFlight: false });
        const item = get().pending[conversationId]?.find((p) => p.clientId === clientId);
        void (item ? keepInOutbox(item) : Promise.resolve()).then(() => get().flushPending());
      },

      countUnsent() {
        const state = get();
        return Object.values(state.pending).reduce((n, list) => n + list.filter((p) => p.status === "sending").length, 0) + state.pendingConversations.length;
      },

      async clearDevice() {
        set({ pending: {}, pendingConversations: [], isSigningOut: true });
        await outbox?.clear().catch(() => undefined);
      },

      flushPending() {
        if (isDraining) return;
        isDraining = true;
        const tried = new Set<string>();
        void (async () => {
          try {
            for (;;) {
              const current = runtime.socket;
              const item = oldestWaiting();
              if (!item || tried.has(item.clientId) || !current?.connected || get().connection !== "online") break;
              tried.add(item.clientId);
              if (!(await sendFromOutbox(current, item))) break;
            }
          } finally {
            isDraining = false;
          }
        })();
      },

      applyCreated({ conversation, message }) {
        set((state) => ({
          conversations: { ...state.conversations, [conversation.id]: mergeConversation(state.conversations[conversation.id], conversation, true) },
          historyLoaded: { ...state.historyLoaded, [conversation.id]: true },
          hasOlder: { ...state.hasOlder, [conversation.id]: false },
        }));
        get().storeMessages(conversation.id, [message]);
        // The first message is the whole history.
        runtime.cursor.cover(conversation.id, message.sequence);
      },

      async restoreOutbox() {
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
        get().flushPending();
      },
    };
  };
}
