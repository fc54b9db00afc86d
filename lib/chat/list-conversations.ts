import { getDb } from "../db";
import { AppError } from "../errors";
import type { Prisma } from "../generated/prisma/client";
import { RECENTLY_RESOLVED_MS } from "./constants";
import { toConversationViews } from "./get-conversation";
import { listConversationsSchema } from "./schemas";
import { conversationInclude } from "./views";
import { categoriesForRoom, isControlRole, type AuthUser, type ConversationView } from "./types";

const LIST_LIMIT = 200;

/**
 * Active conversations. Field staff: their open and assigned ones and those resolved in the last day.
 * Control staff: every open or assigned conversation, optionally only those a support room hears.
 * Newest activity first. Throws VALIDATION.
 */
export async function listActiveConversations(viewer: AuthUser, input: unknown = {}): Promise<ConversationView[]> {
  const parsed = listConversationsSchema.safeParse(input ?? {});
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "Invalid request.");
  const where: Prisma.ConversationWhereInput = isControlRole(viewer.role)
    ? {
        status: { in: ["OPEN", "ASSIGNED"] },
        ...(parsed.data.room ? { category: { in: categoriesForRoom(parsed.data.room) } } : {}),
      }
    : {
        creatorId: viewer.id,
        OR: [{ status: { in: ["OPEN", "ASSIGNED"] } }, { status: "RESOLVED", resolvedAt: { gte: new Date(Date.now() - RECENTLY_RESOLVED_MS) } }],
      };
  const rows = await getDb().conversation.findMany({
    where,
    orderBy: { lastMessageAt: "desc" },
    take: LIST_LIMIT,
    include: conversationInclude(viewer),
  });
  return toConversationViews(rows, viewer);
}
