// Messages slice: confirmed messages per conversation, history paging, and catch-up after gaps. The
// sync cursor (runtime.cursor) decides when we hold everything; a live message after a hole starts a
// catch-up from the last contiguous sequence.
import { HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX } from "@/lib/chat/constants";
import { lastKnownSequence, mergeMessages } from "./merge";
import { messageOf, type ChatRuntime } from "./runtime";
import type { ChatSlice, MessagesSlice } from "./types";

export function createMessagesSlice(runtime: ChatRuntime): ChatSlice<MessagesSlice> {
  const { me, cursor } = runtime;
  const catchingUp = new Set<string>();

  return (set, get) => {
    async function catchUp(conversationId: string): Promise<void> {
      if (catchingUp.has(conversationId)) return;
      catchingUp.add(conversationId);
      try {
        for (;;) {
          const after = cursor.syncedThrough(conversationId);
          const page = await runtime.request("message:list", { conversationId, afterSequence: after, limit: HISTORY_PAGE_MAX });
          get().storeMessages(conversationId, page.messages);
          cursor.page(conversationId, after, page.messages);
          if (page.messages.length === 0) break;
          // Go on while the server has more, or while a push that came meanwhile shows a newer hole.
          if (!page.hasMore && !cursor.hasHole(conversationId)) break;
        }
      } finally {
        catchingUp.delete(conversationId);
      }
    }

    return {
      messages: {},
      historyLoaded: {},
      hasOlder: {},

      onMessageNew(message, isLiveEvent = true) {
        const state = get();
        // Only open conversations keep a cursor; opening one loads its newest page and catches up.
        if (isLiveEvent && state.historyLoaded[message.conversationId]) {
          cursor.live(message);
          if (cursor.hasHole(message.conversationId)) catchUp(message.conversationId).catch(() => undefined);
        }
        const known = state.messages[message.conversationId]?.some((m) => m.id === message.id) ?? false;
        get().storeMessages(message.conversationId, [message]);
        get().clearTyping(message.conversationId, message.sender.id);
        const conversation = get().conversations[message.conversationId];
        if (!conversation) {
          get().fetchConversation(message.conversationId).catch(() => undefined);
          return;
        }
        const isMine = message.sender.id === me.id;
        const isNewer = message.sequence > conversation.lastSequence;
        const isUnread = !known && !isMine && message.sequence > conversation.lastReadSequence;
        set((s) => ({
          conversations: {
            ...s.conversations,
            [message.conversationId]: {
              ...conversation,
              lastSequence: Math.max(conversation.lastSequence, message.sequence),
              lastMessageAt: isNewer ? message.createdAt : conversation.lastMessageAt,
              lastMessage: isNewer ? { body: message.body, senderName: message.sender.name, kind: message.kind, sequence: message.sequence } : conversation.lastMessage,
              // Our own newest message means we have read everything before it.
              unreadCount: isMine && message.sequence >= conversation.lastSequence ? 0 : isUnread ? conversation.unreadCount + 1 : conversation.unreadCount,
              // Whoever writes has read everything before their own message.
              lastReadSequence: isMine ? Math.max(conversation.lastReadSequence, message.sequence) : conversation.lastReadSequence,
            },
          },
        }));
        if (state.activeConversationId === message.conversationId) get().markReadIfVisible();
      },

      async loadOlder(conversationId) {
        const first = get().messages[conversationId]?.[0];
        if (!first) return;
        try {
          const page = await runtime.request("message:list", { conversationId, beforeSequence: first.sequence, limit: HISTORY_PAGE_DEFAULT });
          get().storeMessages(conversationId, page.messages);
          set((state) => ({ hasOlder: { ...state.hasOlder, [conversationId]: page.hasMore } }));
        } catch (error) {
          set({ lastError: messageOf(error) });
        }
      },

      storeMessages(conversationId, incoming) {
        if (incoming.length === 0) return;
        set((state) => {
          const existing = state.messages[conversationId] ?? [];
          const merged = mergeMessages(existing, incoming);
          const ownClientIds = new Set(incoming.filter((m) => m.sender.id === me.id).map((m) => m.clientId));
          const pending = state.pending[conversationId];
          const remaining = pending?.filter((p) => !ownClientIds.has(p.clientId));
          for (const clientId of ownClientIds) if (pending?.some((p) => p.clientId === clientId)) runtime.forgetOutboxItem(clientId);
          // The server moves a sender's read pointer to their own message without a read:updated, so a
          // message from the other side proves they read everything before it.
          const conversation = state.conversations[conversationId];
          const peerSequence = conversation
            ? Math.max(0, ...incoming.filter((m) => m.kind !== "NOTE" && runtime.isPeer(m.sender, conversation)).map((m) => m.sequence))
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
      },

      async loadHistory(conversationId) {
        const page = await runtime.request("message:list", { conversationId, limit: HISTORY_PAGE_DEFAULT });
        get().storeMessages(conversationId, page.messages);
        // Older messages are history, loaded on scroll; from the newest page on we must hold everything.
        cursor.cover(conversationId, lastKnownSequence(page.messages));
        set((state) => ({
          historyLoaded: { ...state.historyLoaded, [conversationId]: true },
          hasOlder: { ...state.hasOlder, [conversationId]: page.hasMore },
        }));
        // Anything that arrived while the page was on its way.
        await catchUp(conversationId);
      },

      async catchUpOpened() {
        const loaded = Object.keys(get().historyLoaded).filter((id) => get().historyLoaded[id]);
        await Promise.all(loaded.map((id) => catchUp(id)));
      },
    };
  };
}
