"use client";

import { useEffect } from "react";
import type { ChatState, ChatStore } from "@/components/realtime/chat-store";
import { formatTime } from "@/components/realtime/selectors";
import { notifyInBackground } from "./service-worker";

/**
 * While the page is hidden, a reply from control or an emergency acknowledgement becomes a system
 * notification shown by the service worker. Only what arrives after a conversation was first seen
 * counts: restoring the offline copy or loading history never notifies.
 */
export function useBackgroundNotifications(store: ChatStore): void {
  useEffect(() => {
    const seenThrough = new Map<string, number>();
    const track = (state: ChatState) => {
      for (const conversation of Object.values(state.conversations)) {
        if (!seenThrough.has(conversation.id)) seenThrough.set(conversation.id, conversation.lastSequence);
      }
    };
    track(store.getState());

    return store.subscribe((state, previous) => {
      const isHidden = document.visibilityState === "hidden";
      if (state.messages !== previous.messages) {
        for (const [conversationId, list] of Object.entries(state.messages)) {
          if (list === previous.messages[conversationId]) continue;
          const through = seenThrough.get(conversationId);
          if (through === undefined) continue;
          const replies = list.filter((m) => m.sequence > through && m.kind === "TEXT" && m.sender.id !== state.me.id);
          const latest = replies.at(-1);
          if (!latest) continue;
          seenThrough.set(conversationId, latest.sequence);
          if (isHidden) {
            const title = state.conversations[conversationId]?.title ?? "Control";
            void notifyInBackground({ title: `${latest.sender.name} replied — ${title}`, body: latest.body, tag: conversationId });
          }
        }
      }
      if (state.conversations !== previous.conversations) {
        for (const conversation of Object.values(state.conversations)) {
          const before = previous.conversations[conversation.id];
          if (isHidden && before && !before.emergencyAck && conversation.emergencyAck) {
            void notifyInBackground({
              title: "Emergency acknowledged",
              body: `Acknowledged by ${conversation.emergencyAck.by.name} at ${formatTime(conversation.emergencyAck.at)}`,
              tag: `ack-${conversation.id}`,
            });
          }
        }
        track(state);
      }
    });
  }, [store]);
}
