"use client";

import { useEffect } from "react";
import { io } from "socket.io-client";
import { HEARTBEAT_INTERVAL_MS } from "@/lib/chat/constants";
import type { ChatSocket, ChatStore } from "./chat-store";

/** Heard no server heartbeat for this long while "connected": the link is dead, say so. */
const HEARTBEAT_GRACE_MS = HEARTBEAT_INTERVAL_MS + 2000;

/**
 * The one place socket events meet the store: opens the typed Socket.IO connection (authenticated by
 * the next-auth session cookie, same origin) and maps every server event and connection change to a
 * store action. The connection state is honest within seconds: the browser's offline/online events
 * and the server's heartbeat both feed it, and coming back online reconnects at once instead of
 * waiting out the retry backoff.
 */
export function useChatSocket(store: ChatStore): void {
  useEffect(() => {
    const socket: ChatSocket = io({ transports: ["websocket"], reconnectionDelayMax: 3000 });
    const actions = store.getState();
    actions.attachSocket(socket);
    let lastHeartbeat = Date.now();
    let isRestarting = false;
    const hasNetwork = () => typeof navigator === "undefined" || navigator.onLine !== false;
    const lostState = () => (!hasNetwork() ? "no-signal" : socket.active ? "reconnecting" : "offline");

    socket.on("session:ready", (session) => {
      lastHeartbeat = Date.now();
      void actions.onSessionReady(session);
    });
    socket.on("message:new", (message) => actions.onMessageNew(message));
    socket.on("conversation:new", (conversation) => actions.onConversationNew(conversation));
    socket.on("conversation:updated", (conversation) => actions.onConversationUpdated(conversation));
    socket.on("typing", (signal) => actions.onTyping(signal));
    socket.on("viewing", (signal) => actions.onViewing(signal));
    socket.on("read:updated", (receipt) => actions.onReadUpdated(receipt));
    socket.on("presence:updated", (change) => actions.onPresenceUpdated(change));
    socket.on("emergency:escalated", (conversation) => actions.onEmergencyEscalated(conversation));

    // "online" waits for session:ready: only then has the server joined our rooms.
    socket.on("disconnect", () => {
      if (!isRestarting) actions.setConnection(lostState());
    });
    socket.on("connect_error", (error) => {
      const data = (error as Error & { data?: { code?: string; message?: string } }).data;
      if (data?.code === "ACCOUNT_DISABLED") {
        window.location.assign("/deactivated");
        return;
      }
      actions.setConnection(lostState(), data?.message ?? null);
    });

    socket.io.on("ping", () => {
      lastHeartbeat = Date.now();
      if (socket.connected && store.getState().connection === "no-signal" && hasNetwork()) actions.resume();
    });
    const watchdog = setInterval(() => {
      if (socket.connected && store.getState().connection === "online" && Date.now() - lastHeartbeat > HEARTBEAT_GRACE_MS) actions.setConnection("no-signal");
    }, 1000);

    const onOffline = () => actions.setConnection("no-signal");
    const onOnline = () => {
      if (socket.connected) {
        lastHeartbeat = Date.now();
        actions.resume();
        return;
      }
      // Skip what is left of the retry backoff: try now.
      actions.setConnection("reconnecting");
      isRestarting = true;
      socket.disconnect();
      isRestarting = false;
      socket.connect();
    };
    window.addEventListener("offline", onOffline);
    window.addEventListener("online", onOnline);
    if (!hasNetwork()) onOffline();

    const onVisibility = () => actions.setVisible(document.visibilityState === "visible");
    onVisibility();
    document.addEventListener("visibilitychange", onVisibility);

    return () => {
      clearInterval(watchdog);
      window.removeEventListener("offline", onOffline);
      window.removeEventListener("online", onOnline);
      document.removeEventListener("visibilitychange", onVisibility);
      socket.removeAllListeners();
      socket.io.off("ping");
      socket.disconnect();
      actions.attachSocket(null);
    };
  }, [store]);
}
