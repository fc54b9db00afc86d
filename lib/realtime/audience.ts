import type { ConversationView, MessageView, ReadReceipt, TypingSignal, ViewingSignal } from "../chat/types";
import { roomForCategory } from "../chat/types";
import type { Delivery } from "./events";
import { rooms } from "./rooms";

// The one place that decides who hears what. Participants of a support conversation are its creator
// and every control staff member, so "the conversation" is the creator's user room plus the control room.

function conversationRooms(creatorId: string): string[] {
  return [rooms.user(creatorId), rooms.control()];
}

/** A committed message: staff-only notes reach control staff only. */
export function messageDelivery(message: MessageView, creatorId: string): Delivery<"message:new"> {
  const to = message.kind === "NOTE" ? [rooms.control()] : conversationRooms(creatorId);
  return { to, event: "message:new", payload: message };
}

/**
 * A new conversation: general_support hears all, the category's room hears its own, and the creator's
 * other devices. An emergency reaches every control screen, whatever rooms it monitors.
 */
export function newConversationDelivery(conversation: ConversationView): Delivery<"conversation:new"> {
  const to = new Set([rooms.support("general_support"), rooms.support(roomForCategory(conversation.category)), rooms.user(conversation.creator.id)]);
  if (conversation.category === "EMERGENCY") to.add(rooms.control());
  return { to: [...to], event: "conversation:new", payload: conversation };
}

export function conversationUpdateForControl(conversation: ConversationView): Delivery<"conversation:updated"> {
  return { to: [rooms.control()], event: "conversation:updated", payload: conversation };
}

export function conversationUpdateForCreator(conversation: ConversationView): Delivery<"conversation:updated"> {
  return { to: [rooms.user(conversation.creator.id)], event: "conversation:updated", payload: conversation };
}

/** Typing is never echoed to the typer, on any of their devices. */
export function typingDelivery(signal: TypingSignal, creatorId: string): Delivery<"typing"> {
  return { to: conversationRooms(creatorId), except: [rooms.user(signal.user.id)], event: "typing", payload: signal };
}

/** Who has a conversation open concerns control staff only, and never the viewer's own devices. */
export function viewingDelivery(signal: ViewingSignal): Delivery<"viewing"> {
  return { to: [rooms.control()], except: [rooms.user(signal.user.id)], event: "viewing", payload: signal };
}

export function readDelivery(receipt: ReadReceipt, creatorId: string): Delivery<"read:updated"> {
  return { to: conversationRooms(creatorId), event: "read:updated", payload: receipt };
}
