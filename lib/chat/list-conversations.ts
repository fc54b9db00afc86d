import { getDb } from "../db";
import { AppError } from "../errors";
import type { Prisma } from "../generated/prisma/client";
import { RECENTLY_RESOLVED_MS } from "./constants";
import { toConversationViews } from "./get-conversation";
import { listConversationsSchema } from "./schemas";
import { conversationInclude } from "./views";
import { categoriesForRoom, isControlRole, type AuthUser, type ConversationFilter, type ConversationView } from "./types";

const DEFAULT_PAGE = 200;

function statusFilter(filter: ConversationFilter, viewer: AuthUser): Prisma.ConversationWhereInput {
  switch (filter) {
    case "open":
      return { status: { in: ["OPEN", "ASSIGNED"] } };
    case "mine":
      return { status: "ASSIGNED", assigneeId: viewer.id };
    case "assigned":
      return { status: "ASSIGNED" };
    case "resolved":
      return { status: "RESOLVED" };
    case "all":
      return {};
  }
}

/** By person (creator's name or email), title, or message text. Staff-only notes are searchable: only staff search. */
function searchFilter(search: string): Prisma.ConversationWhereInput {
  const contains = { contains: search, mode: "insensitive" as const };
  return {
    OR: [
      { title: contains },
      { creator: { name: contains } },
      { creator: { email: contains } },
      { vehicle: contains },
      { route: contains },
      { messages: { some: { body: contains } } },
    ],
  };
}

/**
 * Active conversations. Field staff: their open and assigned ones and those resolved in the last day.
 * Control staff: every open or assigned conversation (or the `status` filter), optionally only those a
 * support room hears, optionally matching `search`.
 * Newest activity first (ties by id), `limit` at a time (default 200); `hasMore` says whether
 * `afterId` = the last one's id would return more. Throws VALIDATION, or NOT_FOUND for an unknown cursor.
 */
export async function listActiveConversations(viewer: AuthUser, input: unknown = {}): Promise<{ conversations: ConversationView[]; hasMore: boolean }> {
  const parsed = listConversationsSchema.safeParse(input ?? {});
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "Invalid request.");
  const { room, status, search, limit = DEFAULT_PAGE, afterId } = parsed.data;
  const db = getDb();
  const filter: Prisma.ConversationWhereInput = isControlRole(viewer.role)
    ? {
        ...statusFilter(status ?? "open", viewer),
        ...(room ? { category: { in: categoriesForRoom(room) } } : {}),
        ...(search ? searchFilter(search) : {}),
      }
    : {
        creatorId: viewer.id,
        OR: [{ status: { in: ["OPEN", "ASSIGNED"] } }, { status: "RESOLVED", resolvedAt: { gte: new Date(Date.now() - RECENTLY_RESOLVED_MS) } }],
      };
  let where = filter;
  if (afterId) {
    const anchor = await db.conversation.findUnique({ where: { id: afterId }, select: { id: true, lastMessageAt: true } });
    if (!anchor) throw new AppError("NOT_FOUND", "That conversation does not exist.");
    where = { AND: [filter, { OR: [{ lastMessageAt: { lt: anchor.lastMessageAt } }, { lastMessageAt: anchor.lastMessageAt, id: { lt: anchor.id } }] }] };
  }
  const rows = await db.conversation.findMany({
    where,
    orderBy: [{ lastMessageAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    include: conversationInclude(viewer),
  });
  const hasMore = rows.length > limit;
  return { conversations: await toConversationViews(hasMore ? rows.slice(0, limit) : rows, viewer), hasMore };
}

/** The ids of a field user's open or assigned conversations (to refresh control's views of them). */
export async function findOpenConversationIds(creatorId: string): Promise<string[]> {
  const rows = await getDb().conversation.findMany({ where: { creatorId, status: { in: ["OPEN", "ASSIGNED"] } }, select: { id: true } });
  return rows.map((row) => row.id);
}
