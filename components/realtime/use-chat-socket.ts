"use client";

import { useEffect } from "react";
import { io } from "socket.io-client";
import type { ChatSocket, ChatStore } from "./chat-store";

/**
 * The one place socket events meet the store: opens the typed Socket.IO connection (authenticated by
 * the next-auth session cookie, same origin) and maps every server event and connection change to a
 * store action.
 */
export function useChatSocket(store: ChatStore): void {
  useEffect(() => {
    const socket: ChatSocket = io({ transports: ["websocket"] });
    const actions = store.getState();
    actions.attachSocket(socket);

    socket.on("session:ready", (session) => void actions.onSessionReady(session));
    socket.on("message:new", (message) => actions.onMessageNew(message));
    socket.on("conversation:new", (conversation) => actions.onConversationNew(conversation));
    socket.on("conversation:updated", (conversation) => actions.onConversationUpdated(conversation));
    socket.on("typing", (signal) => actions.onTyping(signal));
    socket.on("viewing", (signal) => actions.onViewing(signal));
    socket.on("read:updated", (receipt) => actions.onReadUpdated(receipt));
    socket.on("presence:updated", (change) => actions.onPresenceUpdated(change));
    socket.on("emergency:escalated", (conversation) => actions.onEmergencyEscalated(conversation));

    // "online" waits for session:ready: only then has the server joined our rooms.
    socket.on("disconnect", () => actions.setConnection(socket.active ? "reconnecting" : "offline"));
    socket.on("connect_error", (error) => {
      const data = (error as Error & { data?: { code?: string; message?: string } }).data;
      actions.setConnection(socket.active ? "reconnecting" : "offline", data?.message ?? null);
    });

    const onVisibility = () => actions.setVisible(document.visibilityState === "visible");
    onVisibility();
    document.addEventListener("visibilitychange", onVisibility);

    return () => {
      document.removeEventListener("visibilitychange", onVisibility);
      socket.removeAllListeners();
      socket.disconnect();
      actions.attachSocket(null);
    };
  }, [store]);
}
