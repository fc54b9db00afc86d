import { getDb } from "../db";
import { AppError } from "../errors";
import { findAccessibleConversation } from "./access";
import { HISTORY_PAGE_DEFAULT } from "./constants";
import { listMessagesSchema } from "./schemas";
import { messageSelect, toMessageView, visibleKinds } from "./views";
import type { AuthUser, MessageView } from "./types";

export interface MessagePage {
  /** Always in ascending sequence order. */
  messages: MessageView[];
  /** More messages exist beyond this page in the direction asked (older for history, newer for catch-up). */
  hasMore: boolean;
}

/**
 * History and catch-up. `afterSequence` returns what came after it, oldest first (catch-up after a
 * reconnect, page by page until hasMore is false). `beforeSequence` returns the page before the cursor.
 * `skip` is the seed's offset from the newest. Throws VALIDATION, NOT_FOUND or FORBIDDEN.
 */
export async function listMessages(viewer: AuthUser, input: unknown): Promise<MessagePage> {
  const parsed = listMessagesSchema.safeParse(input);
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "Invalid request.");
  const { conversationId, beforeSequence, afterSequence, skip } = parsed.data;
  const limit = parsed.data.limit ?? HISTORY_PAGE_DEFAULT;
  await findAccessibleConversation(viewer, conversationId);
  const db = getDb();
  const visible = visibleKinds(viewer);

  if (afterSequence !== undefined) {
    const rows = await db.message.findMany({
      where: { conversationId, sequence: { gt: afterSequence }, ...visible },
      orderBy: { sequence: "asc" },
      take: limit + 1,
      select: messageSelect,
    });
    return { messages: rows.slice(0, limit).map(toMessageView), hasMore: rows.length > limit };
  }
  const rows = await db.message.findMany({
    where: { conversationId, ...(beforeSequence !== undefined ? { sequence: { lt: beforeSequence } } : {}), ...visible },
    orderBy: { sequence: "desc" },
    skip: beforeSequence === undefined ? (skip ?? 0) : 0,
    take: limit + 1,
    select: messageSelect,
  });
  return { messages: rows.slice(0, limit).reverse().map(toMessageView), hasMore: rows.length > limit };
}
