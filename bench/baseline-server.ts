import http from "node:http";
import { Server } from "socket.io";
import type { MessageView } from "../lib/chat/types";
import type { BenchClientEvents, BenchServerEvents } from "./lib/contract";

// Scenario (a): the transport's limit. A bare Socket.IO server on its own HTTP server that relays each
// message to the same rooms the product uses (the creator's user room + the control room), with an ack
// shaped like the product's. No auth (the handshake says who you are), no validation, no persistence;
// sequences come from an in-memory counter. Prints the product's "listening" line so the benchmark
// starts both the same way. Started only by bench/run.ts.

interface BaselineAuth {
  role?: unknown;
  userId?: unknown;
  conversationId?: unknown;
}

const httpServer = http.createServer((_req, res) => {
  res.writeHead(404).end();
});
const io = new Server<BenchClientEvents, BenchServerEvents>(httpServer, { transports: ["websocket"] });
const creatorOf = new Map<string, string>();
const sequences = new Map<string, number>();
let nextId = 1;

io.on("connection", (socket) => {
  const auth = socket.handshake.auth as BaselineAuth;
  const userId = String(auth.userId ?? socket.id);
  const isControl = auth.role === "control";
  void socket.join(isControl ? "control" : `user:${userId}`);
  if (!isControl && typeof auth.conversationId === "string") creatorOf.set(auth.conversationId, userId);

  socket.on("message:send", (input, ack) => {
    const creatorId = creatorOf.get(input.conversationId) ?? userId;
    const sequence = (sequences.get(input.conversationId) ?? 0) + 1;
    sequences.set(input.conversationId, sequence);
    const message: MessageView = {
      id: `m${nextId++}`,
      conversationId: input.conversationId,
      sequence,
      previousPublicSequence: sequence - 1,
      clientId: input.clientId,
      kind: "TEXT",
      body: input.body,
      sender: { id: userId, name: userId, role: isControl ? "CONTROL_STAFF" : "BUS_DRIVER" },
      createdAt: new Date().toISOString(),
    };
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
