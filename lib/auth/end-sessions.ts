import { getDb } from "../db";
import { logger } from "../logger";
import { getRealtime } from "../realtime/registry";

/**
 * Revokes every token and session of an account (tokenVersion bump) and disconnects its sockets on
 * every node. Used on sign-out; deactivation and password resets revoke the same way.
 */
export async function endSessions(userId: string, reason: string): Promise<void> {
  try {
    await getDb().user.update({ where: { id: userId }, data: { tokenVersion: { increment: 1 } } });
  } catch (error) {
    logger.warn({ err: error, userId }, "could not revoke sessions");
  }
  getRealtime()?.broadcaster.disconnectUser(userId, reason);
}
