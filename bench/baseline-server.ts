import http from "node:http";
import { Server } from "socket.io";
import { WebSocketServer, type WebSocket } from "ws";
import { toSnakeCase } from "../lib/realtime/json-gateway";
import type { MessageView } from "../lib/chat/types";
import type { BenchClientEvents, BenchServerEvents } from "./lib/contract";

// Scenario (a): the transport's limit. A bare Socket.IO server on its own HTTP server that relays each
// message to the same rooms the product uses (the creator's user room + the control room), with an ack
// shaped like the product's. No auth (the handshake says who you are), no validation, no persistence;
// sequences come from an in-memory counter. Prints the product's "listening" line so the benchmark
// starts both the same way. Started only by bench/run.ts.
// The seed's JSON WebSocket is relayed the same way at /api/websocket/connect (`?role=&userId=&conversationId=`):
// `send_chat_message` → a `new_message` frame serialised once per broadcast, then the `response`.

interface BaselineAuth {
  role?: unknown;
  userId?: unknown;
  conversationId?: unknown;
}

const httpServer = http.createServer((_req, res) => {
  res.writeHead(404).end();
});
const io = new Server<BenchClientEvents, BenchServerEvents>(httpServer, { transports: ["websocket"], destroyUpgrade: false });
const creatorOf = new Map<string, string>();
const sequences = new Map<string, number>();
let nextId = 1;

function relayed(conversationId: string, clientId: string, body: string, userId: string, isControl: boolean): { message: MessageView; creatorId: string } {
  const creatorId = creatorOf.get(conversationId) ?? userId;
  const sequence = (sequences.get(conversationId) ?? 0) + 1;
  sequences.set(conversationId, sequence);
  const message: MessageView = {
    id: `m${nextId++}`,
    conversationId,
    sequence,
    previousPublicSequence: sequence - 1,
    clientId,
    kind: "TEXT",
    body,
    sender: { id: userId, name: userId, role: isControl ? "CONTROL_STAFF" : "BUS_DRIVER" },
    createdAt: new Date().toISOString(),
  };
  return { message, creatorId };
}

// The JSON WebSocket relay: rooms are sets of sockets.
const wss = new WebSocketServer({ noServer: true });
const wsRooms = new Map<string, Set<WebSocket>>();
httpServer.on("upgrade", (req, socket, head) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname !== "/api/websocket/connect") return;
  wss.handleUpgrade(req, socket, head, (ws) => {
    const userId = url.searchParams.get("userId") ?? "anonymous";
    const isControl = url.searchParams.get("role") === "control";
    const conversationId = url.searchParams.get("conversationId");
    if (!isControl && conversationId) creatorOf.set(conversationId, userId);
    const room = isControl ? "control" : `user:${userId}`;
    let members = wsRooms.get(room);
    if (!members) wsRooms.set(room, (members = new Set()));
    members.add(ws);
    ws.on("close", () => wsRooms.get(room)?.delete(ws));
    ws.on("message", (raw) => {
      const frame = JSON.parse(raw.toString()) as { type?: string; request_id?: unknown; data?: { conversation_id?: string; content?: string; client_id?: string } };
      if (frame.type !== "send_chat_message" || !frame.data) return;
      const { message, creatorId } = relayed(String(frame.data.conversation_id), String(frame.data.client_id), String(frame.data.content), userId, isControl);
      const push = JSON.stringify({ type: "new_message", data: toSnakeCase(message) });
      for (const target of [`user:${creatorId}`, "control"]) for (const member of wsRooms.get(target) ?? []) member.send(push);
      ws.send(JSON.stringify({ type: "response", request_type: frame.type, request_id: frame.request_id, ok: true, data: toSnakeCase({ message, duplicate: false }) }));
    });
    ws.send(JSON.stringify({ type: "connection_established", data: { user: { id: userId } } }));
  });
});

io.on("connection", (socket) => {
  const auth = socket.handshake.auth as BaselineAuth;
  const userId = String(auth.userId ?? socket.id);
  const isControl = auth.role === "control";
  void socket.join(isControl ? "control" : `user:${userId}`);
  if (!isControl && typeof auth.conversationId === "string") creatorOf.set(auth.conversationId, userId);

  socket.on("message:send", (input, ack) => {
    const { message, creatorId } = relayed(input.conversationId, input.clientId, input.body, userId, isControl);
    // The product's order: publish, then ack.
    io.to([`user:${creatorId}`, "control"]).emit("message:new", message);
    ack({ ok: true, data: { message, duplicate: false } });
  });

  socket.emit("session:ready", { userId });
});

httpServer.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = httpServer.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port, msg: "listening" })}\n`);
});

const shutdown = () => {
  void io.close();
  httpServer.closeAllConnections();
  httpServer.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
