import type { Socket as NetSocket } from "node:net";
import type { Server } from "socket.io";
import type { WebSocket } from "ws";

// Write coalescing for fan-out. A group-commit batch answers and publishes many messages in one turn
// of the event loop, and every frame to a connection was its own write syscall: at the knee, half of
// the server's busy time was `writev` (bench --profile). Corking a connection's TCP socket at its
// first write in a turn and uncorking it on the next tick sends everything written to it in that turn
// in one syscall. Order and content are unchanged; a frame leaves at most one tick later.

const corked = new WeakSet<NetSocket>();

/** Holds writes to `socket` until the next tick (once per socket per turn). */
export function coalesceWrites(socket: NetSocket | null | undefined): void {
  if (!socket || corked.has(socket) || socket.destroyed || !socket.writable) return;
  corked.add(socket);
  socket.cork();
  // Scheduled before anything is written, so the socket is always uncorked, whatever the writes do.
  process.nextTick(() => {
    corked.delete(socket);
    socket.uncork();
  });
}

/** The TCP socket under a `ws` WebSocket (a documented-by-use internal of ws: `_socket`). */
export function tcpSocketOf(ws: WebSocket | null | undefined): NetSocket | null {
  return (ws as unknown as { _socket?: NetSocket | null } | null | undefined)?._socket ?? null;
}

interface EngineTransport {
  name: string;
  socket?: WebSocket;
  send(packets: unknown[]): void;
  coalesced?: boolean;
}

/**
 * Socket.IO: every WebSocket transport's `send` first corks its TCP socket for the turn. Applied on
 * connection and again after an upgrade from polling (a new transport).
 */
export function coalesceSocketIoWrites(io: Server): void {
  io.engine.on("connection", (conn: { transport: EngineTransport; on(event: "upgrade", listener: () => void): void }) => {
    const wrap = () => {
      const transport = conn.transport;
      if (transport.name !== "websocket" || transport.coalesced) return;
      const send = transport.send.bind(transport);
      transport.send = (packets) => {
        coalesceWrites(tcpSocketOf(transport.socket));
        send(packets);
      };
      transport.coalesced = true;
    };
    wrap();
    conn.on("upgrade", wrap);
  });
}
