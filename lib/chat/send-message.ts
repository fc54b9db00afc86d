import { getDb } from "../db";
import { AppError } from "../errors";
import { Prisma } from "../generated/prisma/client";
import { findAccessibleConversation } from "./access";
import { appendMessage, TRANSACTION_OPTIONS } from "./append-message";
import { getConversationView } from "./get-conversation";
import { sendMessageSchema } from "./schemas";
import { messageSelect, toMessageView, type MessageRow } from "./views";
import { isControlRole, isFieldRole, type AuthUser, type ConversationView, type MessageView } from "./types";

export interface SentMessage {
  message: MessageView;
  /** True when this client id was already stored: nothing new was written and nothing must be delivered. */
  duplicate: boolean;
  /** The conversation's creator (the field side of the audience). */
  creatorId: string;
  /** Set when the message changed the conversation (a field message reopened it). */
  conversation: ConversationView | null;
}

async function findByClientId(senderId: string, clientId: string): Promise<MessageRow | null> {
  return getDb().message.findUnique({ where: { senderId_clientId: { senderId, clientId } }, select: messageSelect });
}

function asDuplicate(row: MessageRow, conversationId: string, creatorId: string): SentMessage {
  if (row.conversationId !== conversationId) {
    throw new AppError("CONFLICT", "This client id was already used for a message in another conversation.");
  }
  return { message: toMessageView(row), duplicate: true, creatorId, conversation: null };
}

/**
 * Stores a message and returns it as acknowledged. Idempotent per (sender, clientId): a retry returns
 * the stored message with `duplicate: true`. Throws VALIDATION, NOT_FOUND, FORBIDDEN or CONFLICT.
 * The caller delivers the message only after this resolves (the transaction has committed).
 */
export async function sendMessage(sender: AuthUser, input: unknown): Promise<SentMessage> {
  const parsed = sendMessageSchema.safeParse(input);
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "Invalid message.", { issues: parsed.error.issues.map((i) => i.path.join(".")) });
  const { conversationId, body, clientId, isNote } = parsed.data;
  if (isNote && !isControlRole(sender.role)) throw new AppError("FORBIDDEN", "Only control staff can write internal notes.");

  const conversation = await findAccessibleConversation(sender, conversationId);
  const existing = await findByClientId(sender.id, clientId);
  if (existing) return asDuplicate(existing, conversationId, conversation.creatorId);

  try {
    const { message, reopened } = await getDb().$transaction(
      (tx) => appendMessage(tx, { conversationId, sender, body, kind: isNote ? "NOTE" : "TEXT", clientId }),
      TRANSACTION_OPTIONS,
    );
    const changed = reopened && isFieldRole(sender.role) ? await getConversationView(sender, conversationId) : null;
    return { message: toMessageView(message), duplicate: false, creatorId: conversation.creatorId, conversation: changed };
  } catch (error) {
    // Two sends of one client id raced: the loser's transaction rolled back; answer with the winner's row.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const stored = await findByClientId(sender.id, clientId);
      if (stored) return asDuplicate(stored, conversationId, conversation.creatorId);
    }
    throw error;
  }
}
