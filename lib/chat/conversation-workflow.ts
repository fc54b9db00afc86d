import { getDb } from "../db";
import { AppError } from "../errors";
import { recordAudit } from "../audit";
import type { Prisma } from "../generated/prisma/client";
import { findAccessibleConversation, requireControl, requireField } from "./access";
import { EMERGENCY_CANCEL_WINDOW_MS } from "./constants";
import { appendMessage, TRANSACTION_OPTIONS } from "./append-message";
import { getConversationView } from "./get-conversation";
import { conversationRefSchema, transferSchema } from "./schemas";
import { toMessageView } from "./views";
import { isControlRole, type AuthUser, type ConversationView, type MessageView } from "./types";

// Take, transfer, resolve, reopen and acknowledge. Each is one conditional update (so a race has
// exactly one winner, even across nodes sharing PostgreSQL) plus a SYSTEM message in the same
// transaction, so the history shows who did what.

export interface WorkflowResult {
  conversation: ConversationView;
  message: MessageView;
  creatorId: string;
}

function parseRef(input: unknown): string {
  const parsed = conversationRefSchema.safeParse(input);
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "Invalid request.");
  return parsed.data.conversationId;
}

async function run(
  actor: AuthUser,
  conversationId: string,
  change: (tx: Prisma.TransactionClient) => Promise<string>,
): Promise<WorkflowResult> {
  const conversation = await findAccessibleConversation(actor, conversationId);
  const message = await getDb().$transaction(async (tx) => {
    const body = await change(tx);
    return (await appendMessage(tx, { conversationId, sender: actor, body, kind: "SYSTEM" })).message;
  }, TRANSACTION_OPTIONS);
  return { conversation: await getConversationView(actor, conversationId), message: toMessageView(message), creatorId: conversation.creatorId };
}

/** Assigns an unassigned conversation to the caller. Throws CONFLICT when someone else holds it. */
export async function takeConversation(actor: AuthUser, input: unknown): Promise<WorkflowResult> {
  requireControl(actor, "take conversations");
  const conversationId = parseRef(input);
  const result = await run(actor, conversationId, async (tx) => {
    const won = await tx.conversation.updateMany({
      where: { id: conversationId, assigneeId: null, status: { not: "RESOLVED" } },
      data: { assigneeId: actor.id, status: "ASSIGNED" },
    });
    if (won.count === 0) {
      const current = await tx.conversation.findUnique({ where: { id: conversationId }, select: { status: true, assignee: { select: { name: true } } } });
      if (current?.status === "RESOLVED") throw new AppError("CONFLICT", "This conversation is resolved; reopen it first.");
      throw new AppError("CONFLICT", `${current?.assignee?.name ?? "Someone"} has already taken this conversation.`, { assignee: current?.assignee?.name });
    }
    return `${actor.name} took this conversation.`;
  });
  await recordAudit({ action: "conversation.taken", actorId: actor.id, subject: conversationId });
  return result;
}

/** Hands a conversation to another active control staff member. Throws VALIDATION, NOT_FOUND or CONFLICT. */
export async function transferConversation(actor: AuthUser, input: unknown): Promise<WorkflowResult> {
  requireControl(actor, "transfer conversations");
  const parsed = transferSchema.safeParse(input);
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "Invalid request.");
  const { conversationId, toUserId } = parsed.data;
  const target = await getDb().user.findUnique({ where: { id: toUserId } });
  if (!target || !target.isActive || !isControlRole(target.role)) throw new AppError("NOT_FOUND", "No active control staff member with that id.");
  const result = await run(actor, conversationId, async (tx) => {
    const moved = await tx.conversation.updateMany({
      where: { id: conversationId, status: { not: "RESOLVED" } },
      data: { assigneeId: target.id, status: "ASSIGNED" },
    });
    if (moved.count === 0) throw new AppError("CONFLICT", "A resolved conversation cannot be transferred; reopen it first.");
    return `${actor.name} transferred this conversation to ${target.name}.`;
  });
  await recordAudit({ action: "conversation.transferred", actorId: actor.id, subject: conversationId, detail: { to: target.id } });
  return result;
}

/** Marks a conversation resolved. Throws CONFLICT when it already is. */
export async function resolveConversation(actor: AuthUser, input: unknown): Promise<WorkflowResult> {
  requireControl(actor, "resolve conversations");
  const conversationId = parseRef(input);
  const result = await run(actor, conversationId, async (tx) => {
    const done = await tx.conversation.updateMany({
      where: { id: conversationId, status: { not: "RESOLVED" } },
      data: { status: "RESOLVED", resolvedAt: new Date() },
    });
    if (done.count === 0) throw new AppError("CONFLICT", "This conversation is already resolved.");
    return `${actor.name} resolved this conversation.`;
  });
  await recordAudit({ action: "conversation.resolved", actorId: actor.id, subject: conversationId });
  return result;
}

/** Reopens a resolved conversation. Throws CONFLICT when it is not resolved. */
export async function reopenConversation(actor: AuthUser, input: unknown): Promise<WorkflowResult> {
  requireControl(actor, "reopen conversations");
  const conversationId = parseRef(input);
  const result = await run(actor, conversationId, async (tx) => {
    const current = await tx.conversation.findUnique({ where: { id: conversationId }, select: { assigneeId: true } });
    const done = await tx.conversation.updateMany({
      where: { id: conversationId, status: "RESOLVED" },
      data: { status: current?.assigneeId ? "ASSIGNED" : "OPEN", resolvedAt: null },
    });
    if (done.count === 0) throw new AppError("CONFLICT", "This conversation is not resolved.");
    return `${actor.name} reopened this conversation.`;
  });
  await recordAudit({ action: "conversation.reopened", actorId: actor.id, subject: conversationId });
  return result;
}

/**
 * Acknowledges an emergency: records who and when, once. Throws CONFLICT when it is not an
 * emergency or was already acknowledged.
 */
export async function acknowledgeEmergency(actor: AuthUser, input: unknown): Promise<WorkflowResult> {
  requireControl(actor, "acknowledge emergencies");
  const conversationId = parseRef(input);
  const result = await run(actor, conversationId, async (tx) => {
    const done = await tx.conversation.updateMany({
      where: { id: conversationId, category: "EMERGENCY", emergencyAckAt: null },
      data: { emergencyAckAt: new Date(), emergencyAckById: actor.id },
    });
    if (done.count === 0) {
      const current = await tx.conversation.findUnique({ where: { id: conversationId }, select: { category: true, emergencyAckBy: { select: { name: true } } } });
      if (current?.category !== "EMERGENCY") throw new AppError("CONFLICT", "This conversation is not an emergency.");
      throw new AppError("CONFLICT", `${current.emergencyAckBy?.name ?? "Someone"} already acknowledged this emergency.`);
    }
    return `Emergency acknowledged by ${actor.name}.`;
  });
  await recordAudit({ action: "emergency.acknowledged", actorId: actor.id, subject: conversationId });
  return result;
}

/**
 * The driver calls their own emergency off as a false alarm, within EMERGENCY_CANCEL_WINDOW_MS of
 * raising it: it is resolved (which clears the alarm on every control screen) and the thread says so.
 * Throws FORBIDDEN for anyone but its creator, CONFLICT when it is not an emergency, is already
 * resolved or cancelled, or the window has passed.
 */
export async function cancelEmergency(actor: AuthUser, input: unknown, now = new Date()): Promise<WorkflowResult> {
  requireField(actor, "call off an emergency");
  const conversationId = parseRef(input);
  const result = await run(actor, conversationId, async (tx) => {
    const current = await tx.conversation.findUnique({ where: { id: conversationId }, select: { creatorId: true, category: true, status: true, createdAt: true } });
    if (!current || current.creatorId !== actor.id) throw new AppError("FORBIDDEN", "Only the driver who raised an emergency can call it off.");
    if (current.category !== "EMERGENCY") throw new AppError("CONFLICT", "This conversation is not an emergency.");
    if (!isWithinCancelWindow(current.createdAt, now)) {
      throw new AppError("CONFLICT", "It is too late to cancel this alarm; write to control or call them instead.");
    }
    const done = await tx.conversation.updateMany({
      where: { id: conversationId, category: "EMERGENCY", status: { not: "RESOLVED" }, emergencyCancelledAt: null },
      data: { status: "RESOLVED", resolvedAt: now, emergencyCancelledAt: now },
    });
    if (done.count === 0) throw new AppError("CONFLICT", "This emergency is already closed.");
    return `False alarm: ${actor.name} cancelled this emergency.`;
  });
  await recordAudit({ action: "emergency.cancelled", actorId: actor.id, subject: conversationId });
  return result;
}

/** Whether an emergency raised at `raisedAt` can still be called off at `now`. */
export function isWithinCancelWindow(raisedAt: Date, now: Date): boolean {
  const age = now.getTime() - raisedAt.getTime();
  return age >= -5_000 && age <= EMERGENCY_CANCEL_WINDOW_MS;
}
