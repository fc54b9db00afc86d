import { getDb } from "../db";
import { recordAudit } from "../audit";
import { getConversationView } from "./get-conversation";
import type { ConversationView } from "./types";

/**
 * Marks emergencies unacknowledged for longer than `afterSeconds` as escalated and returns them.
 * Each row is claimed by one conditional update, so with several nodes sharing the database exactly
 * one node escalates each emergency. Views are as a control staff member sees them.
 */
export async function escalateOverdueEmergencies(afterSeconds: number, now = new Date()): Promise<ConversationView[]> {
  const db = getDb();
  const cutoff = new Date(now.getTime() - afterSeconds * 1000);
  const candidates = await db.conversation.findMany({
    where: { category: "EMERGENCY", emergencyAckAt: null, emergencyEscalatedAt: null, status: { not: "RESOLVED" }, createdAt: { lte: cutoff } },
    select: { id: true },
    take: 50,
  });
  const escalated: ConversationView[] = [];
  for (const { id } of candidates) {
    const claimed = await db.conversation.updateMany({ where: { id, emergencyAckAt: null, emergencyEscalatedAt: null, status: { not: "RESOLVED" } }, data: { emergencyEscalatedAt: now } });
    if (claimed.count !== 1) continue;
    await recordAudit({ action: "emergency.escalated", subject: id, detail: { afterSeconds } });
    escalated.push(await getConversationView({ id: "escalation", name: "", email: "", role: "CONTROL_STAFF" }, id));
  }
  return escalated;
}
