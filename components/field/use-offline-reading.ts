"use client";

import { useEffect } from "react";
import { mergeMessages, type ChatStore } from "@/components/realtime/chat-store";
import { openOutbox } from "@/components/realtime/outbox";
import type { MessageView } from "@/lib/chat/types";

/** Messages per conversation kept on the device for reading without signal. */
const KEPT_PER_CONVERSATION = 50;
const SAVE_DELAY_MS = 500;

/**
 * Keeps a reading copy of the conversation list and recent messages in IndexedDB, and puts it on
 * screen when the page starts, so a driver who reloads without signal can still read. The server's
 * answers replace it as soon as the connection is up (the store merges by id and sequence).
 */
export function useOfflineReading(store: ChatStore): void {
  useEffect(() => {
    if (typeof indexedDB === "undefined") return;
    const outbox = openOutbox(store.getState().me.id);
    let isCancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;

    outbox
      .loadSnapshot()
      .then((snapshot) => {
        if (!snapshot || isCancelled) return;
        // Only fills what the server has not told us yet; never overrides fresher state.
        store.setState((state) => {
          const messages: Record<string, MessageView[]> = { ...state.messages };
          for (const [id, kept] of Object.entries(snapshot.messages)) messages[id] = mergeMessages(kept, state.messages[id] ?? []);
          return { conversations: { ...snapshot.conversations, ...state.conversations }, messages };
        });
      })
      .catch(() => undefined);

    const unsubscribe = store.subscribe((state, previous) => {
      if (state.isSigningOut || (state.conversations === previous.conversations && state.messages === previous.messages)) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        const current = store.getState();
        if (current.isSigningOut) return;
        const messages = Object.fromEntries(Object.entries(current.messages).map(([id, list]) => [id, list.slice(-KEPT_PER_CONVERSATION)]));
        outbox.saveSnapshot({ conversations: current.conversations, messages }).catch(() => undefined);
      }, SAVE_DELAY_MS);
    });
    return () => {
      isCancelled = true;
      clearTimeout(timer);
      unsubscribe();
    };
  }, [store]);
}
