import type { Prisma } from "../generated/prisma/client";
import { getDb } from "../db";
import { AppError } from "../errors";
import { conversationInclude, toConversationView, type ConversationRow } from "./views";
import { isFieldRole, type AuthUser, type ConversationView } from "./types";

/** Notes after a field viewer's read pointer: invisible to them, so not unread either. */
async function hiddenNotesAfterRead(rows: ConversationRow[], viewer: AuthUser, db: Prisma.TransactionClient): Promise<Map<string, number>> {
  const hidden = new Map<string, number>();
  if (!isFieldRole(viewer.role)) return hidden;
  await Promise.all(
    rows.map(async (row) => {
      const lastRead = row.participants.find((p) => p.userId === viewer.id)?.lastReadSequence ?? 0;
      if (row.lastSequence <= lastRead) return;
      const count = await db.message.count({ where: { conversationId: row.id, kind: "NOTE", sequence: { gt: lastRead } } });
      hidden.set(row.id, count);
    }),
  );
  return hidden;
}

export async function toConversationViews(rows: ConversationRow[], viewer: AuthUser, db: Prisma.TransactionClient = getDb()): Promise<ConversationView[]> {
  const hidden = await hiddenNotesAfterRead(rows, viewer, db);
  return rows.map((row) => toConversationView(row, viewer, hidden.get(row.id) ?? 0));
}

/** A conversation as `viewer` sees it. The caller has checked access. Throws NOT_FOUND. */
export async function getConversationView(viewer: AuthUser, conversationId: string, db: Prisma.TransactionClient = getDb()): Promise<ConversationView> {
  const row = await db.conversation.findUnique({ where: { id: conversationId }, include: conversationInclude(viewer) });
  if (!row) throw new AppError("NOT_FOUND", "No such conversation.");
  const [view] = await toConversationViews([row], viewer, db);
  return view as ConversationView;
}
