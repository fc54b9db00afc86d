import { getDb } from "../db";
import { AppError } from "../errors";
import type { AuthUser } from "../chat/types";

/**
 * The account behind a verified token, if it may still act: active, and the token not revoked.
 * Throws UNAUTHENTICATED (unknown or revoked) or ACCOUNT_DISABLED.
 */
export async function findActiveUser(userId: string, tokenVersion: number): Promise<AuthUser> {
  const user = await getDb().user.findUnique({ where: { id: userId } });
  if (!user) throw new AppError("UNAUTHENTICATED", "Unknown account; sign in again.");
  if (!user.isActive) throw new AppError("ACCOUNT_DISABLED", "This account has been deactivated.");
  if (user.tokenVersion !== tokenVersion) throw new AppError("UNAUTHENTICATED", "This session was revoked; sign in again.");
  return { id: user.id, name: user.name, email: user.email, role: user.role };
}
