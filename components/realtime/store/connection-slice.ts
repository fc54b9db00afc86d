// Connection slice: who we are, whether the server hears us, the session's rooms and settings.
import { isControlRole } from "@/lib/chat/types";
import { messageOf, type ChatRuntime } from "./runtime";
import type { ChatSlice, ConnectionSlice } from "./types";

export function createConnectionSlice(runtime: ChatRuntime): ChatSlice<ConnectionSlice> {
  return (set, get) => ({
    me: runtime.me,
    connection: "connecting",
    connectionError: null,
    rooms: [],
    isVisible: true,
    lastError: null,
    settings: null,

    attachSocket(socket) {
      runtime.socket = socket;
    },

    setConnection(connection, error = null) {
      if (connection !== "online") {
        // Acks of anything emitted on the old connection will never come; resend after reconnecting.
        runtime.readInFlight.clear();
        set((state) => ({
          connection,
          connectionError: error,
          pending: Object.fromEntries(Object.entries(state.pending).map(([id, list]) => [id, list.map((p) => ({ ...p, isInFlight: false }))])),
          typing: {},
          viewers: {},
        }));
        return;
      }
      set({ connection, connectionError: null });
    },

    setVisible(isVisible) {
      set({ isVisible });
      get().markReadIfVisible();
    },

    async onSessionReady(session) {
      set((state) => ({ rooms: session.rooms, settings: session.settings ?? state.settings }));
      if (isControlRole(runtime.me.role)) {
        runtime.request("presence:list", {}).then(
          ({ online }) => set({ presence: Object.fromEntries(online.map((u) => [u.id, u])) }),
          () => undefined,
        );
      }
      get().setConnection("online");
      get().flushPending();
      try {
        await get().loadConversationList();
        await get().catchUpOpened();
        get().markReadIfVisible();
      } catch (error) {
        set({ lastError: messageOf(error) });
      }
    },

    resume() {
      if (!runtime.socket?.connected) return;
      get().setConnection("online");
      get().flushPending();
      get().catchUpOpened().catch(() => undefined);
    },

    call: (event, input) => runtime.request(event, input).catch((error: unknown) => Promise.reject(new Error(messageOf(error)))),

    setRooms(rooms) {
      set({ rooms });
    },

    dismissError() {
      set({ lastError: null });
    },
  });
}
