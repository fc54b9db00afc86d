import { toWireError } from "../errors";
import { logger } from "../logger";
import { metrics } from "../metrics";
import { getMonitoredRooms } from "../chat/support-rooms";
import { isControlRole } from "../chat/types";
import { CANNED_RESPONSES } from "../chat/canned-responses";
import { authenticateHandshake } from "./authenticate";
import { CLIENT_EVENTS, type ClientEventName } from "./events";
import { dispatch, SHUTTING_DOWN } from "./dispatch";
import { rooms } from "./rooms";
import type { RealtimeIo } from "./broadcaster";
import type { OperationContext } from "./operations";
import type { RealtimeDeps } from "./deps";

const CLIENT_EVENT_NAMES: ReadonlySet<unknown> = new Set(CLIENT_EVENTS);
function isClientEvent(event: unknown): event is ClientEventName {
  return CLIENT_EVENT_NAMES.has(event);
}

/**
 * Socket.IO transport: authenticate the handshake, join the user's rooms, and route each client event
 * to the shared dispatcher. A refused handshake reaches the client as `connect_error` whose
 * `data` is `{ code, message }`.
 */
export function attachSocketIo(io: RealtimeIo, deps: RealtimeDeps): void {
  metrics.countSockets("socket.io", () => io.engine.clientsCount);
  io.use((socket, next) => {
    const headers = socket.handshake.headers;
    authenticateHandshake(
      {
        token: (socket.handshake.auth as { token?: unknown } | undefined)?.token,
        cookieHeader: headers.cookie,
        origin: headers.origin,
        host: headers.host,
      },
      deps.allowedOrigins,
    ).then(
      (user) => {
        socket.data.user = user;
        socket.data.rooms = [];
        next();
      },
      (error: unknown) => {
        const wire = toWireError(error, (unknown) => logger.error({ err: unknown }, "handshake failed"));
        logger.warn({ transport: "socket.io", code: wire.code, address: socket.handshake.address }, "connection refused");
        const refusal = new Error(wire.message) as Error & { data?: unknown };
        refusal.data = { code: wire.code, message: wire.message };
        next(refusal);
      },
    );
  });

  io.on("connection", (socket) => {
    const user = socket.data.user;
    const ctx: OperationContext = { transport: "socket.io", user, broadcaster: deps.broadcaster, typing: deps.typing, viewing: deps.viewing, presence: deps.presence };
    // Handlers are registered at once (a packet that arrives before its handler is dropped by
    // Socket.IO); each waits for the room joins below before it runs.
    const joined = (async () => {
      await socket.join(rooms.user(user.id));
      if (isControlRole(user.role)) {
        await socket.join(rooms.control());
        socket.data.rooms = await getMonitoredRooms(user).catch(() => []);
        await socket.join(socket.data.rooms.map(rooms.support));
      }
    })();
    // One listener for every event (not one per event name: at 10,000 sockets, each closure counts).
    // The ack is always the last argument: `emit(event, ack)` without a payload still gets an answer.
    // An event outside the protocol is answered like the JSON WebSocket answers an unknown type.
    socket.onAny((event: unknown, ...args: unknown[]) => {
      const ack = args[args.length - 1];
      if (isClientEvent(event)) void respond(event, ctx, args.length > 1 ? args[0] : undefined, ack);
      else if (typeof ack === "function") ack({ ok: false, error: { code: "UNKNOWN_EVENT", message: `Unknown event "${String(event).slice(0, 64)}".` } });
    });
    // The handshake's HTTP request (headers, raw headers, parser state) is not needed once the socket
    // is authenticated; engine.io would keep it for the life of the connection.
    (socket.conn as unknown as { request: unknown }).request = null;
    joined.then(
      () => {
        logger.info({ transport: "socket.io", userId: user.id, role: user.role, socketId: socket.id }, "connected");
        const settings = { ...deps.settings, cannedResponses: isControlRole(user.role) ? [...CANNED_RESPONSES] : [] };
        socket.emit("session:ready", { user, rooms: socket.data.rooms, settings });
        void deps.presence.connected({ id: user.id, name: user.name, role: user.role });
      },
      (error: unknown) => {
        logger.error({ err: error }, "connection setup failed");
        socket.disconnect(true);
      },
    );

    async function respond(event: ClientEventName, ctx: OperationContext, input: unknown, ack: unknown): Promise<void> {
      const reply = typeof ack === "function" ? (ack as (reply: unknown) => void) : undefined;
      if (!reply) {
        // Every event takes an ack; without one the client cannot learn the outcome, so nothing is done.
        logger.debug({ event, userId: ctx.user.id }, "event without ack ignored");
        return;
      }
      // Tracked by the gate until the reply is written, so that shutdown waits for it.
      const ran = await deps.gate.run(async () => {
        await joined.catch(() => undefined);
        reply(await dispatch(event, ctx, input, deps.limiter));
      });
      if (!ran) reply(SHUTTING_DOWN);
    }

    socket.on("disconnect", (reason) => {
      logger.info({ transport: "socket.io", userId: socket.data.user?.id, reason }, "disconnected");
      const gone = socket.data.user;
      if (!gone) return;
      void deps.presence.isOnline(gone.id).then((stillOnline) => {
        if (stillOnline) return;
        deps.typing.clearUser(gone.id);
        deps.viewing.clearUser(gone.id);
        void deps.presence.disconnected({ id: gone.id, name: gone.name, role: gone.role });
      });
    });
  });
}
