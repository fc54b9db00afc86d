import { getDb } from "../db";
import { AppError } from "../errors";
import { requireControl } from "../chat/access";
import { userRefSchema } from "../chat/schemas";
import { conversationInclude } from "../chat/views";
import { toConversationViews } from "../chat/get-conversation";
import type { AuthUser, UserContext } from "../chat/types";

const PREVIOUS_CONVERSATIONS = 10;

/**
 * The field staff member behind a conversation, for the dashboard's context panel: who, which
 * vehicle and route, and their latest conversations. `online` is filled in by the transport.
 * Throws FORBIDDEN, VALIDATION or NOT_FOUND.
 */
export async function getUserContext(viewer: AuthUser, input: unknown): Promise<Omit<UserContext, "online">> {
  requireControl(viewer, "see staff context");
  const parsed = userRefSchema.safeParse(input);
  if (!parsed.success) throw new AppError("VALIDATION", "userId is required.");
  const db = getDb();
  const user = await db.user.findUnique({ where: { id: parsed.data.userId } });
  if (!user) throw new AppError("NOT_FOUND", "No such account.");
  const rows = await db.conversation.findMany({
    where: { creatorId: user.id },
    orderBy: { lastMessageAt: "desc" },
    take: PREVIOUS_CONVERSATIONS,
    include: conversationInclude(viewer),
  });
  return {
    user: { id: user.id, name: user.name, role: user.role, vehicle: user.vehicle, route: user.route },
    conversations: await toConversationViews(rows, viewer),
  };
}
