import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import { HEARTBEAT_INTERVAL_MS, MAX_FRAME_BYTES } from "../chat/constants";
import { logger } from "../logger";
import { Broadcaster, type RealtimeIo } from "./broadcaster";
import { JsonGateway, JSON_WS_PATH } from "./json-gateway";
import { RateLimiter, type Limiter } from "./rate-limit";
import { TypingTracker } from "./typing";
import { attachSocketIo } from "./socket-io";
import { typingDelivery, viewingDelivery } from "./audience";
import { VIEWING_EXPIRY_MS, VIEWING_THROTTLE_MS } from "../chat/constants";
import { Presence } from "./presence";
import { escalateOverdueEmergencies } from "../chat/escalate-emergencies";
import type { ClientSettings } from "../chat/types";
import { rooms } from "./rooms";
import { EventGate } from "./event-gate";
import { coalesceSocketIoWrites } from "./coalesce";
import type { RealtimeDeps } from "./deps";

/** How long shutdown waits for running client events before it closes connections anyway. */
const DRAIN_TIMEOUT_MS = 10_000;
const RESYNC_SPREAD_MS = 2_000;
/** How long shutdown waits for answers already written to sockets to be sent. */
const FLUSH_TIMEOUT_MS = 2_000;

/** Resolves once no Socket.IO connection has packets waiting to be written (or after `timeoutMs`). */
async function flushSocketWrites(io: RealtimeIo, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = () => [...io.of("/").sockets.values()].some((socket) => (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length > 0);
  while (pending() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

/**
 * Every node sweeps for overdue emergencies; the database decides which node escalates each one
 * (escalateOverdueEmergencies claims rows with a conditional update), so it is announced once.
 */
function startEscalationLoop(broadcaster: Broadcaster, gate: EventGate, afterSeconds: number): NodeJS.Timeout {
  let isRunning = false;
  const timer = setInterval(() => {
    if (isRunning) return;
    isRunning = true;
    // A sweep is tracked like a client event: shutdown waits for it before closing the database.
    void gate
      .run(async () => {
        const escalated = await escalateOverdueEmergencies(afterSeconds);
        for (const conversation of escalated) {
          logger.warn({ conversationId: conversation.id }, "emergency escalated");
          broadcaster.publish({ to: [rooms.control()], event: "emergency:escalated", payload: conversation });
        }
      })
      .catch((error: unknown) => logger.error({ err: error }, "escalation sweep failed"))
      .finally(() => (isRunning = false));
  }, Math.min(2000, Math.max(250, (afterSeconds * 1000) / 4)));
  timer.unref();
  return timer;
}


export interface RealtimeOptions {
  allowedOrigins: readonly string[];
  settings: Omit<ClientSettings, "cannedResponses">;
  /** The per-user event limiter (cluster-wide in Redis when REDIS_URL is set; in memory otherwise). */
  limiter?: Limiter;
  /** The in-memory limiter's bucket (RATE_LIMIT_BURST / RATE_LIMIT_PER_SECOND) when no `limiter` is given. */
  rateLimit?: { burst: number; perSecond: number };
  /** A Socket.IO adapter constructor (the Redis Streams adapter when REDIS_URL is set). */
  adapter?: Parameters<RealtimeIo["adapter"]>[0];
}

export interface RealtimeServer {
  io: RealtimeIo;
  broadcaster: Broadcaster;
  /**
   * Makes every client of this node reconnect, and with it catch up (after a Redis outage lost
   * broadcasts). Connections are closed at the transport, as a network drop would, spread over
   * RESYNC_SPREAD_MS so that they don't all come back at once.
   */
  resyncClients(reason: string): void;
  /**
   * Drains and closes: refuses new client events (UNAVAILABLE), waits for the running ones to finish
   * and reply, then tells every client the server is going away and closes all connections.
   */
  close(reason: string): Promise<void>;
}

/** Both transports on one HTTP server: Socket.IO at /socket.io/, the seed's JSON WebSocket at JSON_WS_PATH. */
export function createRealtimeServer(httpServer: HttpServer, options: RealtimeOptions): RealtimeServer {
  const io: RealtimeIo = new Server(httpServer, {
    maxHttpBufferSize: MAX_FRAME_BYTES,
    // A heartbeat every 10 s (default 25 s): phones watch for it to say "No signal" honestly, and a
    // dead connection is dropped after 15 s instead of 45 s.
    pingInterval: HEARTBEAT_INTERVAL_MS,
    pingTimeout: 5000,
    // Other upgrades (the JSON WebSocket, Next's dev reload) belong to other handlers: don't end them.
    destroyUpgrade: false,
    cors: options.allowedOrigins.length > 0 ? { origin: [...options.allowedOrigins], credentials: true } : undefined,
    ...(options.adapter ? { adapter: options.adapter } : {}),
  });
  coalesceSocketIoWrites(io);
  const broadcaster = new Broadcaster(io, Boolean(options.adapter));
  const typing = new TypingTracker((subject, isTyping) =>
    broadcaster.publish(typingDelivery({ conversationId: subject.conversationId, user: subject.user, isTyping }, subject.creatorId)),
  );
  const viewing = new TypingTracker(
    (subject, isViewing) => broadcaster.publish(viewingDelivery({ conversationId: subject.conversationId, user: subject.user, isViewing })),
    VIEWING_EXPIRY_MS,
    VIEWING_THROTTLE_MS,
  );
  // Presence counts the gateway's connections, and the gateway needs presence: tie the knot late.
  const gatewayRef: { current?: JsonGateway } = {};
  const presence = new Presence(io, broadcaster, () => gatewayRef.current?.connectedUsers() ?? []);
  const gate = new EventGate();
  const deps: RealtimeDeps = { allowedOrigins: options.allowedOrigins, broadcaster, typing, viewing, limiter: options.limiter ?? new RateLimiter(options.rateLimit?.burst, options.rateLimit?.perSecond), presence, gate, settings: options.settings };
  const gateway = new JsonGateway(deps);
  gatewayRef.current = gateway;
  broadcaster.addSink(gateway);
  attachSocketIo(io, deps);
  const escalation = startEscalationLoop(broadcaster, gate, options.settings.emergencyEscalationSeconds);

  httpServer.on("upgrade", (req, socket, head) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (pathname === JSON_WS_PATH) gateway.handleUpgrade(req, socket, head);
  });

  return {
    io,
    broadcaster,
    resyncClients(reason) {
      logger.warn({ reason }, "making this node's clients reconnect and catch up");
      const later = (close: () => void) => setTimeout(close, Math.random() * RESYNC_SPREAD_MS).unref();
      for (const socket of io.of("/").sockets.values()) later(() => socket.conn.close());
      gateway.resyncAll(reason, later);
    },
    async close(reason) {
      logger.info({ reason }, "closing realtime connections");
      clearInterval(escalation);
      const unfinished = await gate.close(DRAIN_TIMEOUT_MS);
      if (unfinished > 0) logger.warn({ unfinished }, "shutdown: events still running after the drain timeout");
      typing.close();
      viewing.close();
      // A batch of sends is answered in one turn of the event loop; let those replies leave before closing.
      await flushSocketWrites(io, FLUSH_TIMEOUT_MS);
      gateway.closeAll(reason);
      io.disconnectSockets(true);
      // io.close() also closes the HTTP server; server.ts has already stopped it from accepting.
      await new Promise<void>((resolve) => void io.close(() => resolve()));
    },
  };
}
