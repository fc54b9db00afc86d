"use client";

import { useChat } from "./chat-provider";
import type { MessageView } from "@/lib/chat/types";
import type { PendingMessage } from "./chat-store";

const NO_MESSAGES: MessageView[] = [];
const NO_PENDING: PendingMessage[] = [];

/** Everything one conversation screen shows, as stable store references. */
export function useConversation(conversationId: string) {
  const conversation = useChat((s) => s.conversations[conversationId]);
  const messages = useChat((s) => s.messages[conversationId] ?? NO_MESSAGES);
  const pending = useChat((s) => s.pending[conversationId] ?? NO_PENDING);
  const typing = useChat((s) => s.typing[conversationId]);
  const hasOlder = useChat((s) => s.hasOlder[conversationId] ?? false);
  const isLoaded = useChat((s) => s.historyLoaded[conversationId] ?? false);
  return { conversation, messages, pending, typing, hasOlder, isLoaded };
}
