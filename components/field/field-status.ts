import type { ConversationView } from "@/lib/chat/types";

/** What a driver reads as a conversation's state: waiting, taken or acknowledged by whom, resolved, or a cancelled alarm. */
export function fieldStatusLabel(conversation: ConversationView): string {
  if (conversation.emergencyCancelledAt) return "Cancelled (false alarm)";
  if (conversation.status === "RESOLVED") return "Resolved";
  if (conversation.assignee) return `Taken by ${conversation.assignee.name}`;
  if (conversation.emergencyAck) return `Acknowledged by ${conversation.emergencyAck.by.name}`;
  return "Waiting for control";
}
