// What the slices share besides state: the socket, the device outbox, the sync cursor and the request
// helper. One runtime per store (per signed-in page), created with it; nothing here is module-global.
import type { AckData, ClientEventName, ClientToServerEvents } from "@/lib/realtime/events";
import type { Ack } from "@/lib/errors";
import { SyncCursor } from "@/lib/chat/sync-cursor";
import { isControlRole, type AuthUser, type ConversationView, type MessageView, type Role } from "@/lib/chat/types";
import { openOutbox, type Outbox } from "../outbox";
import type { ChatSocket } from "./types";

const REQUEST_TIMEOUT_MS = 15_000;

/** A refusal or failure of a request, with the message to show the user. */
export class RequestError extends Error {}

export interface ChatRuntime {
  me: AuthUser;
  socket: ChatSocket | null;
  /** The device outbox (IndexedDB); absent while rendering on the server and in Node. */
  outbox: Outbox | null;
  /**
   * Per conversation, the sequence through which we hold every message we may see (catch-up starts
   * there, not at the newest message held). A live message after a hole does not move it and starts
   * a catch-up: pushes can be lost or overtake each other between nodes (lib/chat/sync-cursor.ts).
   */
  cursor: SyncCursor<MessageView>;
  /** One request on the current connection, resolved with the ack's data or rejected with a RequestError. */
  request<E extends ClientEventName>(event: E, input: Parameters<ClientToServerEvents[E]>[0]): Promise<AckData<E>>;
  /** The other side: control staff for field users, the conversation's creator for control staff. */
  isPeer(user: { id: string; role: Role }, conversation: ConversationView): boolean;
  /** Forgets an item of the device outbox (acknowledged or finally refused). */
  forgetOutboxItem(clientId: string): void;
  /** message:read requests on their way, per conversation: the sequence asked for. */
  readInFlight: Map<string, number>;
}

export function messageOf(error: unknown): string {
  return error instanceof RequestError ? error.message : "Something went wrong. Try again.";
}

export function newClientId(): string {
  return crypto.randomUUID();
}

export function createRuntime(me: AuthUser): ChatRuntime {
  const outbox = typeof indexedDB === "undefined" ? null : openOutbox(me.id);
  const runtime: ChatRuntime = {
    me,
    socket: null,
    outbox,
    cursor: new SyncCursor<MessageView>(isControlRole(me.role)),
    request(event, input) {
      return new Promise((resolve, reject) => {
        const socket = runtime.socket;
        if (!socket || !socket.connected) {
          reject(new RequestError("Not connected. Wait for the connection to come back."));
          return;
        }
        // One cast: Socket.IO cannot relate a generic event name to its handler's parameters.
        const timed = socket.timeout(REQUEST_TIMEOUT_MS);
        const emit = timed.emit as unknown as (
          this: typeof timed,
          event: ClientEventName,
          input: unknown,
          ack: (error: Error | null, reply: Ack<unknown>) => void,
        ) => void;
        emit.call(timed, event, input, (error, reply) => {
          if (error) reject(new RequestError("The server did not answer in time."));
          else if (!reply.ok) reject(new RequestError(reply.error.message));
          else resolve(reply.data as AckData<typeof event>);
        });
      });
    },
    isPeer(user, conversation) {
      return isControlRole(me.role) ? user.id === conversation.creator.id : isControlRole(user.role);
    },
    forgetOutboxItem(clientId) {
      outbox?.remove(clientId).catch(() => undefined);
    },
    readInFlight: new Map(),
  };
  return runtime;
}
