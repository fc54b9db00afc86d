// The chat store: one zustand store per signed-in page, composed from slices (components/realtime/store/)
// that share one runtime (socket, device outbox, sync cursor). Components read state and call actions;
// use-chat-socket.ts feeds it the server's events.
import { createStore } from "zustand/vanilla";
import type { AuthUser } from "@/lib/chat/types";
import { createConnectionSlice } from "./store/connection-slice";
import { createConversationsSlice } from "./store/conversations-slice";
import { createMessagesSlice } from "./store/messages-slice";
import { createOutboxSlice } from "./store/outbox-slice";
import { createPresenceSlice } from "./store/presence-slice";
import { createRuntime } from "./store/runtime";
import type { ChatState, ChatStore } from "./store/types";

export { mergeMessages } from "./store/merge";
export type {
  ActionResult,
  ChatSocket,
  ChatState,
  ChatStore,
  ConnectionState,
  CreateResult,
  PendingConversation,
  PendingMessage,
  TypingEntry,
} from "./store/types";

export function createChatStore(me: AuthUser): ChatStore {
  const runtime = createRuntime(me);
  const store = createStore<ChatState>()((...api) => ({
    ...createConnectionSlice(runtime)(...api),
    ...createConversationsSlice(runtime)(...api),
    ...createMessagesSlice(runtime)(...api),
    ...createOutboxSlice(runtime)(...api),
    ...createPresenceSlice(runtime)(...api),
  }));
  // The device outbox is read asynchronously, once the store exists.
  void store.getState().restoreOutbox();
  return store;
}
