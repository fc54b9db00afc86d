"use client";

import { createContext, useContext, useState, type ReactNode } from "react";
import { useStore } from "zustand";
import { createChatStore, type ChatState, type ChatStore } from "./chat-store";
import { useChatSocket } from "./use-chat-socket";
import type { AuthUser } from "@/lib/chat/types";

const ChatStoreContext = createContext<ChatStore | null>(null);

/** One store per signed-in page: per-user state never lives in a module global. */
export function ChatProvider({ user, children }: { user: AuthUser; children: ReactNode }) {
  const [store] = useState(() => createChatStore(user));
  useChatSocket(store);
  return <ChatStoreContext.Provider value={store}>{children}</ChatStoreContext.Provider>;
}

export function useChatStore(): ChatStore {
  const store = useContext(ChatStoreContext);
  if (!store) throw new Error("useChat must be used inside <ChatProvider>");
  return store;
}

/** Reads from the chat store. Selectors must return stored values (or primitives), not new objects. */
export function useChat<T>(selector: (state: ChatState) => T): T {
  return useStore(useChatStore(), selector);
}
