import { getDb } from "../db";
import { AppError } from "../errors";
import { findAccessibleConversation } from "./access";
import { markReadSchema } from "./schemas";
import type { AuthUser } from "./types";

export interface ReadResult {
  /** The validated (trimmed) conversation id, for the read receipt. */
  conversationId: string;
  lastReadSequence: number;
  /** False when the pointer was already at or past the sequence: nothing to broadcast. */
  moved: boolean;
  creatorId: string;
  /** The message at `lastReadSequence` (null for 0), and when the pointer moved. */
  messageId: string | null;
  readAt: string;
}

/**
 * Moves the viewer's read pointer forward to a sequence (or a message's sequence), never back and
 * never past the conversation's last message. Throws VALIDATION, NOT_FOUND or FORBIDDEN.
 */
export async function markRead(viewer: AuthUser, input: unknown): Promise<ReadResult> {
  const parsed = markReadSchema.safeParse(input);
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "Invalid request.");
  const { conversationId, messageId } = parsed.data;
  const conversation = await findAccessibleConversation(viewer, conversationId);
  const db = getDb();

  let target = parsed.data.sequence ?? 0;
  let targetId: string | null = null;
  if (messageId) {
    const message = await db.message.findUnique({ where: { id: messageId }, select: { conversationId: true, sequence: true } });
    if (!message || message.conversationId !== conversationId) throw new AppError("NOT_FOUND", "No such message in this conversation.");
    target = message.sequence;
    targetId = messageId;
  }
  target = Math.min(target, conversation.lastSequence);
  const readAt = new Date().toISOString();
  const result = async (lastReadSequence: number, moved: boolean): Promise<ReadResult> => {
    let id = lastReadSequence === target ? targetId : null;
    if (moved && id === null && lastReadSequence > 0) {
      const at = await db.message.findUnique({ where: { conversationId_sequence: { conversationId, sequence: lastReadSequence } }, select: { id: true } });
      id = at?.id ?? null;
    }
    return { conversationId, lastReadSequence, moved, creatorId: conversation.creatorId, messageId: id, readAt };
  };

  const moved = await db.participant.updateMany({
    where: { conversationId, userId: viewer.id, lastReadSequence: { lt: target } },
    data: { lastReadSequence: target },
  });
  if (moved.count === 0) {
    // Control staff created after the conversation may have no row yet.
    const row = await db.participant.findUnique({ where: { conversationId_userId: { conversationId, userId: viewer.id } } });
    if (!row) {
      await db.participant.create({ data: { conversationId, userId: viewer.id, lastReadSequence: target } }).catch(() => undefined);
      return result(target, target > 0);
    }
    return result(row.lastReadSequence, false);
  }
  return result(target, true);
}
