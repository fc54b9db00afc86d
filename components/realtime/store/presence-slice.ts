// Presence slice: who is typing where, which colleagues have a conversation open (control's collision
// signs), who is connected, and our own typing signal (throttled, stopped when idle).
import { TYPING_EXPIRY_MS, TYPING_THROTTLE_MS } from "@/lib/chat/constants";
import { isControlRole } from "@/lib/chat/types";
import type { ChatRuntime } from "./runtime";
import type { ChatSlice, PresenceSlice } from "./types";

/** Stop signalling "typing" after this long without a keystroke. */
const TYPING_IDLE_MS = 3000;

export function createPresenceSlice(runtime: ChatRuntime): ChatSlice<PresenceSlice> {
  const { me } = runtime;
  const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  const ownTyping = new Map<string, { lastSentAt: number; idle: ReturnType<typeof setTimeout> }>();
  const keyOf = (conversationId: string, userId: string) => `${conversationId}\u0000${userId}`;

  return (set, get) => ({
    typing: {},
    viewers: {},
    presence: {},

    onTyping(signal) {
      if (signal.user.id === me.id) return;
      if (!signal.isTyping) {
        get().clearTyping(signal.conversationId, signal.user.id);
        return;
      }
      const key = keyOf(signal.conversationId, signal.user.id);
      const timer = typingTimers.get(key);
      if (timer) clearTimeout(timer);
      // The server says "stopped" itself; this only covers a lost signal.
      typingTimers.set(key, setTimeout(() => get().clearTyping(signal.conversationId, signal.user.id), TYPING_EXPIRY_MS + 1000));
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

    onPresenceUpdated({ user, online }) {
      set((state) => {
        const { [user.id]: _gone, ...rest } = state.presence;
        return { presence: online ? { ...rest, [user.id]: user } : rest };
      });
    },

    setViewing(conversationId, isViewing) {
      const socket = runtime.socket;
      if (!isControlRole(me.role) || !socket?.connected) return;
      socket.emit("conversation:view", { conversationId, isViewing }, () => undefined);
    },

    noteTyping(conversationId) {
      const socket = runtime.socket;
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
      if (runtime.socket?.connected) runtime.socket.emit("typing:set", { conversationId, isTyping: false }, () => undefined);
    },

    clearTyping(conversationId, userId) {
      const key = keyOf(conversationId, userId);
      const timer = typingTimers.get(key);
      if (timer) clearTimeout(timer);
      typingTimers.delete(key);
      set((state) => {
        const current = state.typing[conversationId];
        if (!current || !(userId in current)) return {};
        const { [userId]: _removed, ...rest } = current;
        return { typing: { ...state.typing, [conversationId]: rest } };
      });
    },
  });
}
