// Conversations slice: the list with its views and read pointers, the open conversation, control's
// alerts and escalations, and the workflow actions (take, resolve, reopen, acknowledge, cancel).
import { isControlRole, type ConversationView } from "@/lib/chat/types";
import { lastKnownSequence, mergeConversation } from "./merge";
import { messageOf, type ChatRuntime } from "./runtime";
import type { ActionResult, ChatSlice, ConversationsSlice, WorkflowEvent } from "./types";

/** conversation:list pages on connect: 500 at a time, at most 20 pages (10,000 active conversations). */
const LIST_PAGE = 500;
const MAX_LIST_PAGES = 20;
/** openConversationAt pages back at most this many history pages (50 messages each by default). */
const MAX_FOCUS_PAGES = 200;

export function createConversationsSlice(runtime: ChatRuntime): ChatSlice<ConversationsSlice> {
  const { me } = runtime;
  return (set, get) => {
    async function workflow(event: WorkflowEvent, conversationId: string): Promise<ActionResult> {
      try {
        const { conversation } = await runtime.request(event, { conversationId });
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

    return {
      conversations: {},
      activeConversationId: null,
      alerts: [],
      escalated: {},
      focus: null,

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
          conversations: { ...state.conversations, [conversation.id]: mergeConversation(state.conversations[conversation.id], conversation, isOwnView) },
        }));
      },

      onEmergencyEscalated(conversation) {
        get().onConversationUpdated(conversation);
        set((state) => ({ escalated: { ...state.escalated, [conversation.id]: new Date().toISOString() } }));
      },

      onReadUpdated(receipt) {
        if (receipt.user.id === me.id) {
          get().applyOwnRead(receipt.conversationId, receipt.lastReadSequence);
          return;
        }
        set((state) => {
          const conversation = state.conversations[receipt.conversationId];
          if (!conversation) return {};
          if (!runtime.isPeer(receipt.user, conversation) || receipt.lastReadSequence <= conversation.peerReadSequence) return {};
          return { conversations: { ...state.conversations, [conversation.id]: { ...conversation, peerReadSequence: receipt.lastReadSequence } } };
        });
      },

      upsertConversations(list) {
        set((state) => {
          const next = { ...state.conversations };
          for (const conversation of list) next[conversation.id] = mergeConversation(state.conversations[conversation.id], conversation, true);
          return { conversations: next };
        });
      },

      async openConversation(conversationId) {
        set((state) => ({ activeConversationId: conversationId, alerts: state.alerts.filter((id) => id !== conversationId) }));
        if (!conversationId) return;
        try {
          if (!get().conversations[conversationId]) await get().fetchConversation(conversationId);
          if (!get().historyLoaded[conversationId]) await get().loadHistory(conversationId);
          get().markReadIfVisible();
        } catch (error) {
          set({ lastError: messageOf(error) });
        }
      },

      async openConversationAt(conversationId, sequence) {
        set({ focus: null });
        await get().openConversation(conversationId);
        // Page back until the message is held (each page is one request; a long history takes a few).
        for (let page = 0; page < MAX_FOCUS_PAGES; page += 1) {
          const state = get();
          if (state.activeConversationId !== conversationId) return;
          const first = state.messages[conversationId]?.[0];
          if (!first || first.sequence <= sequence || !state.hasOlder[conversationId]) break;
          await get().loadOlder(conversationId);
          if (get().messages[conversationId]?.[0]?.sequence === first.sequence) break;
        }
        if (get().activeConversationId === conversationId) set({ focus: { conversationId, sequence, key: Date.now() } });
      },

      take: (conversationId) => workflow("conversation:take", conversationId),
      resolve: (conversationId) => workflow("conversation:resolve", conversationId),
      reopen: (conversationId) => workflow("conversation:reopen", conversationId),
      acknowledgeEmergency: (conversationId) => workflow("emergency:acknowledge", conversationId),
      cancelEmergency: (conversationId) => workflow("emergency:cancel", conversationId),

      dismissAlerts() {
        set({ alerts: [] });
      },

      async loadConversationList() {
        // What arrives while the pages load (a queued conversation created on reconnection, a push)
        // is newer than the snapshot: it must survive the replacement below.
        const knownAtStart = new Set(Object.keys(get().conversations));
        const all: ConversationView[] = [];
        for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
          const last = all.at(-1);
          const { conversations, hasMore } = await runtime.request("conversation:list", { limit: LIST_PAGE, ...(last ? { afterId: last.id } : {}) });
          all.push(...conversations);
          if (!hasMore) break;
        }
        set((state) => {
          const next: Record<string, ConversationView> = {};
          for (const conversation of all) next[conversation.id] = mergeConversation(state.conversations[conversation.id], conversation, true);
          // Keep what is on screen even when it left the active list (e.g. just resolved).
          const active = state.activeConversationId;
          if (active && !next[active] && state.conversations[active]) next[active] = state.conversations[active];
          for (const [id, conversation] of Object.entries(state.conversations)) {
            if (!next[id] && !knownAtStart.has(id)) next[id] = conversation;
          }
          return { conversations: next };
        });
      },

      async fetchConversation(conversationId) {
        const { conversation } = await runtime.request("conversation:join", { conversationId });
        set((state) => ({
          conversations: { ...state.conversations, [conversation.id]: mergeConversation(state.conversations[conversation.id], conversation, true) },
        }));
      },

      markReadIfVisible() {
        const state = get();
        const conversationId = state.activeConversationId;
        if (!conversationId || !state.isVisible || state.connection !== "online") return;
        const conversation = state.conversations[conversationId];
        const seen = lastKnownSequence(state.messages[conversationId]);
        if (!conversation || seen <= conversation.lastReadSequence) return;
        if ((runtime.readInFlight.get(conversationId) ?? 0) >= seen) return;
        runtime.readInFlight.set(conversationId, seen);
        runtime.request("message:read", { conversationId, sequence: seen }).then(
          ({ lastReadSequence }) => get().applyOwnRead(conversationId, lastReadSequence),
          () => runtime.readInFlight.delete(conversationId),
        );
      },

      applyOwnRead(conversationId, lastReadSequence) {
        set((state) => {
          const conversation = state.conversations[conversationId];
          if (!conversation || lastReadSequence <= conversation.lastReadSequence) return {};
          const unreadCount = lastReadSequence >= conversation.lastSequence ? 0 : Math.min(conversation.unreadCount, conversation.lastSequence - lastReadSequence);
          return { conversations: { ...state.conversations, [conversationId]: { ...conversation, lastReadSequence, unreadCount } } };
        });
      },
    };
  };
}
