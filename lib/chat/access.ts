import type { Prisma } from "../generated/prisma/client";
import { getDb } from "../db";
import { AppError } from "../errors";
import { isControlRole, isFieldRole, type AuthUser } from "./types";

/**
 * Loads a conversation the user may read and write. Control staff and admins take part in every
 * support conversation; field staff only in their own. Throws NOT_FOUND or FORBIDDEN.
 */
export async function findAccessibleConversation(user: AuthUser, conversationId: string, db: Prisma.TransactionClient = getDb()) {
  const conversation = await db.conversation.findUnique({ where: { id: conversationId } });
  if (!conversation) throw new AppError("NOT_FOUND", "No such conversation.");
  if (isControlRole(user.role)) return conversation;
  if (isFieldRole(user.role) && conversation.creatorId === user.id) return conversation;
  throw new AppError("FORBIDDEN", "You are not a participant of this conversation.");
}

export function requireControl(user: AuthUser, action: string): void {
  if (!isControlRole(user.role)) throw new AppError("FORBIDDEN", `Only control staff can ${action}.`);
}

export function requireField(user: AuthUser, action: string): void {
  if (!isFieldRole(user.role)) throw new AppError("FORBIDDEN", `Only field staff can ${action}.`);
}
