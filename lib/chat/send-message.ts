import { AppError } from "../errors";
import { getConversationView } from "./get-conversation";
import { getMessageWriter } from "./message-writer";
import { sendMessageSchema } from "./schemas";
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

/**
 * Stores a message and returns it as acknowledged. Idempotent per (sender, clientId): a retry returns
 * the stored message with `duplicate: true`. Throws VALIDATION, NOT_FOUND, FORBIDDEN or CONFLICT.
 * Access is checked by the writer against the rows its batch locked (no query of its own); this
 * resolves only after the batch committed, so the caller may ack and deliver at once.
 */
export async function sendMessage(sender: AuthUser, input: unknown): Promise<SentMessage> {
  const parsed = sendMessageSchema.safeParse(input);
  if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "Invalid message.", { issues: parsed.error.issues.map((i) => i.path.join(".")) });
  const { conversationId, body, clientId, isNote } = parsed.data;
  if (isNote && !isControlRole(sender.role)) throw new AppError("FORBIDDEN", "Only control staff can write internal notes.");

  const written = await getMessageWriter().write({ sender, conversationId, body, clientId, kind: isNote ? "NOTE" : "TEXT" });
  const changed = written.reopened && isFieldRole(sender.role) ? await getConversationView(sender, conversationId) : null;
  return { message: written.message, duplicate: written.duplicate, creatorId: written.creatorId, conversation: changed };
}
