import type { Server } from "socket.io";
import type { ClientToServerEvents, Delivery, InterServerEvents, RelayOp, ServerToClientEvents, SocketData } from "./events";
import { rooms } from "./rooms";

export type RealtimeIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** A transport with its own connections on this node (the JSON WebSocket gateway). */
export interface LocalSink {
  deliver(delivery: Delivery): void;
  joinRoom(userId: string, room: string): void;
  leaveRoom(userId: string, room: string): void;
  disconnectUser(userId: string, reason: string): void;
}

/**
 * Sends events to rooms on every transport and, with the Redis adapter, on every node. Socket.IO
 * rooms go through the adapter; JSON WebSocket connections are reached through each node's gateway,
 * told by a relay message.
 */
export class Broadcaster {
  private readonly sinks: LocalSink[] = [];

  constructor(
    private readonly io: RealtimeIo,
    private readonly isClustered: boolean,
  ) {
    if (isClustered) io.on("relay", (op) => this.applyLocally(op));
  }

  addSink(sink: LocalSink): void {
    this.sinks.push(sink);
  }

  publish(delivery: Delivery): void {
    let operator = this.io.to(delivery.to);
    if (delivery.except?.length) operator = operator.except(delivery.except);
    (operator.emit as (event: string, payload: unknown) => boolean)(delivery.event, delivery.payload);
    this.fanOut({ kind: "deliver", delivery });
  }

  /** Adds every connection of a user, on every node, to a room. */
  joinRoom(userId: string, room: string): void {
    this.io.in(rooms.user(userId)).socketsJoin(room);
    this.fanOut({ kind: "join", userId, room });
  }

  leaveRoom(userId: string, room: string): void {
    this.io.in(rooms.user(userId)).socketsLeave(room);
    this.fanOut({ kind: "leave", userId, room });
  }

  /** Closes every connection of a user, on every node (deactivation, revocation). */
  disconnectUser(userId: string, reason: string): void {
    this.io.in(rooms.user(userId)).disconnectSockets(true);
    this.fanOut({ kind: "disconnect", userId, reason });
  }

  private fanOut(op: RelayOp): void {
    this.applyLocally(op);
    if (this.isClustered) this.io.serverSideEmit("relay", op);
  }

  private applyLocally(op: RelayOp): void {
    for (const sink of this.sinks) {
      if (op.kind === "deliver") sink.deliver(op.delivery);
      else if (op.kind === "join") sink.joinRoom(op.userId, op.room);
      else if (op.kind === "leave") sink.leaveRoom(op.userId, op.room);
      else sink.disconnectUser(op.userId, op.reason);
    }
  }
}
