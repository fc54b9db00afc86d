import type { PresenceUser } from "../chat/types";
import type { Broadcaster, RealtimeIo } from "./broadcaster";
import { rooms } from "./rooms";

/**
 * Who is connected. Socket.IO connections are counted across nodes through the adapter; JSON
 * WebSocket connections through `localGatewayUsers` (this node's only). Control staff hear
 * `presence:updated` when a user's first connection opens and when their last one closes.
 */
export class Presence {
  constructor(
    private readonly io: RealtimeIo,
    private readonly broadcaster: Broadcaster,
    private readonly localGatewayUsers: () => PresenceUser[],
  ) {}

  private async socketCount(userId: string): Promise<number> {
    const sockets = await this.io.in(rooms.user(userId)).fetchSockets().catch(() => []);
    const onGateway = this.localGatewayUsers().filter((u) => u.id === userId).length;
    return sockets.length + onGateway;
  }

  async isOnline(userId: string): Promise<boolean> {
    return (await this.socketCount(userId)) > 0;
  }

  /** Call after a connection has joined its user room. */
  async connected(user: PresenceUser): Promise<void> {
    if ((await this.socketCount(user.id)) === 1) this.publish(user, true);
  }

  /** Call after a connection has closed. */
  async disconnected(user: PresenceUser): Promise<void> {
    if ((await this.socketCount(user.id)) === 0) this.publish(user, false);
  }

  async list(): Promise<PresenceUser[]> {
    const sockets = await this.io.fetchSockets().catch(() => []);
    const byId = new Map<string, PresenceUser>();
    for (const socket of sockets) {
      const user = socket.data.user;
      if (user) byId.set(user.id, { id: user.id, name: user.name, role: user.role });
    }
    for (const user of this.localGatewayUsers()) byId.set(user.id, user);
    return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  private publish(user: PresenceUser, online: boolean): void {
    this.broadcaster.publish({ to: [rooms.control()], event: "presence:updated", payload: { user, online } });
  }
}
