import { getDb } from "./db";
import { logger } from "./logger";
import type { Prisma } from "./generated/prisma/client";

export type AuditAction =
  | "auth.sign_in"
  | "auth.sign_in_failed"
  | "auth.sign_in_throttled"
  | "auth.token_issued"
  | "user.created"
  | "user.deactivated"
  | "user.reactivated"
  | "user.role_changed"
  | "user.password_set"
  | "conversation.taken"
  | "conversation.transferred"
  | "conversation.resolved"
  | "conversation.reopened"
  | "emergency.acknowledged";

export interface AuditInput {
  action: AuditAction;
  actorId?: string | null;
  subject?: string | null;
  detail?: Prisma.InputJsonValue;
  ip?: string | null;
}

/** Records a security-relevant action. An audit failure is logged, never thrown at the user. */
export async function recordAudit(input: AuditInput, db: Prisma.TransactionClient = getDb()): Promise<void> {
  try {
    await db.auditEvent.create({
      data: { action: input.action, actorId: input.actorId ?? null, subject: input.subject ?? null, detail: input.detail, ip: input.ip ?? null },
    });
  } catch (error) {
    logger.error({ err: error, action: input.action }, "audit write failed");
  }
}
