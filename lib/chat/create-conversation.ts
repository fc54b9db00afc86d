import { randomUUID } from "node:crypto";
import { getDb } from "../db";
import { recordAudit } from "../audit";
import { Prisma } from "../generated/prisma/client";
import { AppError } from "../errors";
import { requireField } from "./access";
import { appendMessage, TRANSACTION_OPTIONS } from "./append-message";
import { getConversationView } from "./get-conversation";
import { createConversationSchema } from "./schemas";
import { messageSelect, toMessageView } from "./views";
import type { AuthUser, Category, ConversationView, MessageView } from "./types";

export interface CreatedConversation {
  conversation: ConversationView;
  message: MessageView;
  /** True when the first message's client id was already stored: the earlier conversation is returned. */
  duplicate: boolean;
}

const DEFAULT_TITLES: Record<Category, string> = {
  GENERAL: "Support request",
  DRIVER: "Driver support",
  REGULATOR: "Regulator support",
  EMERGENCY: "EMERGENCY",
};

/**
 * Field staff open a support conversation with a first message. The category defaults from the role;
 * the user's vehicle and route are attached; every active control staff member and admin becomes a
 * participant. Idempotent on the first message's clientId. Throws VALIDATION, FORBIDDEN, or CONFLICT when
 * the clientId was already used for a message that did not open a conversation.
 */
/**
 * The message stored earlier under this (creator, clientId), if any. Only the opening message of a
 * conversation this user created makes a retried create; a client id already spent on a later
 * message must not hand back that older conversation (CONFLICT).
 */
async function findOpening(creatorId: string, clientId: string) {
  const earlier = await getDb().message.findUnique({
    where: { senderId_clientId: { senderId: creatorId, clientId } },
    select: { ...messageSelect, conversation: { select: { creatorId: true } } },
  });
  if (earlier && (earlier.sequence !== 1 || earlier.conversation.creatorId !== creatorId)) {
    throw new AppError("CONFLICT", "This client id was already used for a message in an existing conversation; use a new client id to open a conversation.");
  }
  return earlier;
}

export async function createConversation(creator: AuthUser, input: unknown): Promise<CreatedConversation> {
  requireField(creator, "open support conversations");
  const parsed = createConversationSchema.safeParse(input);
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "Invalid conversation.", { issues: parsed.error.issues.map((i) => i.path.join(".")) });
  const data = parsed.data;
  const category: Category = data.category ?? (creator.role === "QUEUE_REGULATOR" ? "REGULATOR" : "DRIVER");
  const clientId = data.clientId ?? `create:${randomUUID()}`;
  const db = getDb();

  const earlier = await findOpening(creator.id, clientId);
  if (earlier) return { conversation: await getConversationView(creator, earlier.conversationId), message: toMessageView(earlier), duplicate: true };

  const profile = await db.user.findUniqueOrThrow({ where: { id: creator.id }, select: { vehicle: true, route: true } });
  const created = await db.$transaction(async (tx) => {
    const staff = await tx.user.findMany({ where: { isActive: true, role: { in: ["CONTROL_STAFF", "CONTROL_ADMIN"] } }, select: { id: true } });
    const conversation = await tx.conversation.create({
      data: {
        category,
        title: data.title || DEFAULT_TITLES[category],
        creatorId: creator.id,
        vehicle: profile.vehicle,
        route: profile.route,
        participants: { create: [{ userId: creator.id }, ...staff.map((s) => ({ userId: s.id }))] },
      },
      select: { id: true },
    });
    const appended = await appendMessage(tx, { conversationId: conversation.id, sender: creator, body: data.body, kind: "TEXT", clientId });
    return { conversationId: conversation.id, message: appended.message };
  }, TRANSACTION_OPTIONS).catch(async (error: unknown) => {
    // A retry raced the first attempt: the loser rolled back whole; answer with the winner's conversation.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const winner = await findOpening(creator.id, clientId);
      if (winner) return { conversationId: winner.conversationId, message: winner, duplicate: true };
    }
    throw error;
  });
  const { conversationId, message } = created;
  if ("duplicate" in created) {
    return { conversation: await getConversationView(creator, conversationId), message: toMessageView(message), duplicate: true };
  }

  if (category === "EMERGENCY") await recordAudit({ action: "emergency.raised", actorId: creator.id, subject: conversationId });
  return { conversation: await getConversationView(creator, conversationId), message: toMessageView(message), duplicate: false };
}
