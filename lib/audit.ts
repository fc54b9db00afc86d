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
  | "emergency.escalated"
  | "emergency.cancelled";

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

const ROLE_NAMES: Record<string, string> = { BUS_DRIVER: "Bus driver", QUEUE_REGULATOR: "Queue regulator", CONTROL_STAFF: "Control staff", CONTROL_ADMIN: "Control admin" };

/**
 * The audit record, newest first, for admins: each event with the subject's name (account name and
 * email, or conversation title) and a readable detail, so nobody reads raw ids. Pages with `afterId`
 * (or `before`); `search` matches the action, the actor, and the subject's email, name or title.
 * Throws FORBIDDEN or VALIDATION.
 */
export async function listAudit(viewer: { role: string }, input: unknown): Promise<AuditView[]> {
  if (viewer.role !== "CONTROL_ADMIN") throw new AppError("FORBIDDEN", "Only admins can read the audit record.");
  const parsed = listAuditSchema.safeParse(input ?? {});
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "Invalid request.");
  const { limit, before, afterId, search } = parsed.data;
  const db = getDb();

  const where: Prisma.AuditEventWhereInput[] = [];
  if (afterId) {
    const anchor = await db.auditEvent.findUnique({ where: { id: afterId }, select: { createdAt: true, id: true } });
    if (!anchor) throw new AppError("NOT_FOUND", "That audit event does not exist.");
    where.push({ OR: [{ createdAt: { lt: anchor.createdAt } }, { createdAt: anchor.createdAt, id: { lt: anchor.id } }] });
  } else if (before) {
    where.push({ createdAt: { lt: new Date(before) } });
  }
  if (search) {
    const contains = { contains: search, mode: "insensitive" as const };
    const [users, conversations] = await Promise.all([
      db.user.findMany({ where: { OR: [{ name: contains }, { email: contains }] }, select: { id: true }, take: 500 }),
      db.conversation.findMany({ where: { title: contains }, select: { id: true }, take: 500 }),
    ]);
    const ids = [...users.map((u) => u.id), ...conversations.map((c) => c.id)];
    where.push({ OR: [{ action: contains }, { subject: contains }, { actor: { name: contains } }, ...(ids.length ? [{ subject: { in: ids } }] : [])] });
  }

  const rows = await db.auditEvent.findMany({
    where: where.length ? { AND: where } : {},
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit ?? 50,
    include: { actor: { select: { id: true, name: true } } },
  });
  const labels = await subjectLabels(rows);
  return rows.map((row) => ({
    id: row.id,
    action: row.action,
    actor: row.actor,
    subject: row.subject,
    subjectLabel: row.subject ? (labels.get(row.subject) ?? row.subject) : null,
    summary: summarize(row.detail, labels),
    detail: row.detail as unknown,
    createdAt: row.createdAt.toISOString(),
  }));
}

type AuditRow = { subject: string | null; detail: Prisma.JsonValue };

/** Names for the ids an audit page mentions: accounts ("Name (email)") and conversations (their title). */
async function subjectLabels(rows: AuditRow[]): Promise<Map<string, string>> {
  const ids = new Set<string>();
  for (const row of rows) {
    if (row.subject && !row.subject.includes("@")) ids.add(row.subject);
    const to = detailField(row.detail, "to");
    if (to) ids.add(to);
  }
  if (ids.size === 0) return new Map();
  const db = getDb();
  const [users, conversations] = await Promise.all([
    db.user.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true, email: true } }),
    db.conversation.findMany({ where: { id: { in: [...ids] } }, select: { id: true, title: true } }),
  ]);
  const labels = new Map<string, string>();
  for (const user of users) labels.set(user.id, `${user.name} (${user.email})`);
  for (const conversation of conversations) labels.set(conversation.id, `“${conversation.title}”`);
  return labels;
}

function detailField(detail: Prisma.JsonValue, key: string): string | null {
  if (!detail || typeof detail !== "object" || Array.isArray(detail)) return null;
  const value = (detail as Record<string, unknown>)[key];
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : null;
}

/** The detail in words: a role change, a transfer target by name, an escalation delay, a refusal reason. */
function summarize(detail: Prisma.JsonValue, labels: Map<string, string>): string | null {
  const from = detailField(detail, "from");
  const to = detailField(detail, "to");
  const role = detailField(detail, "role");
  const afterSeconds = detailField(detail, "afterSeconds");
  const reason = detailField(detail, "reason");
  if (from && to) return `${ROLE_NAMES[from] ?? from} → ${ROLE_NAMES[to] ?? to}`;
  if (to) return `to ${labels.get(to) ?? to}`;
  if (role) return ROLE_NAMES[role] ?? role;
  if (afterSeconds) return `after ${afterSeconds} s unacknowledged`;
  if (reason) return reason;
  return null;
}
