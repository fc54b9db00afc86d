import { getDb } from "./db";
import { logger } from "./logger";
import { AppError } from "./errors";
import { listAuditSchema } from "./chat/schemas";
import type { AuditView } from "./chat/types";
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
  | "emergency.acknowledged"
  | "emergency.raised"
  | "emergency.escalated";

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

/** The audit record, newest first, for admins. Throws FORBIDDEN or VALIDATION. */
export async function listAudit(viewer: { role: string }, input: unknown): Promise<AuditView[]> {
  if (viewer.role !== "CONTROL_ADMIN") throw new AppError("FORBIDDEN", "Only admins can read the audit record.");
  const parsed = listAuditSchema.safeParse(input ?? {});
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "Invalid request.");
  const rows = await getDb().auditEvent.findMany({
    where: parsed.data.before ? { createdAt: { lt: new Date(parsed.data.before) } } : {},
    orderBy: { createdAt: "desc" },
    take: parsed.data.limit ?? 50,
    include: { actor: { select: { id: true, name: true } } },
  });
  return rows.map((row) => ({
    id: row.id,
    action: row.action,
    actor: row.actor,
    subject: row.subject,
    detail: row.detail as unknown,
    createdAt: row.createdAt.toISOString(),
  }));
}
