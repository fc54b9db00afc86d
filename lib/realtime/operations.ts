import { AppError } from "../errors";
import { findAccessibleConversation } from "../chat/access";
import { createConversation } from "../chat/create-conversation";
import { sendMessage } from "../chat/send-message";
import { listMessages } from "../chat/list-messages";
import { listActiveConversations } from "../chat/list-conversations";
import { markRead } from "../chat/mark-read";
import { getConversationView } from "../chat/get-conversation";
import { getMonitoredRooms, joinSupportRoom, leaveSupportRoom } from "../chat/support-rooms";
import {
  acknowledgeEmergency,
  reopenConversation,
  resolveConversation,
  takeConversation,
  transferConversation,
  type WorkflowResult,
} from "../chat/conversation-workflow";
import { conversationRefSchema, typingSchema, userRefSchema } from "../chat/schemas";
import { deactivateUser } from "../users/manage-user";
import { updateFieldContext } from "../users/update-field-context";
import { SUPPORT_ROOMS, type AuthUser, type SupportRoom } from "../chat/types";
import type { AckData, ClientEventName } from "./events";
import type { Broadcaster } from "./broadcaster";
import type { TypingTracker } from "./typing";
import {
  conversationUpdateForControl,
  conversationUpdateForCreator,
  messageDelivery,
  newConversationDelivery,
  readDelivery,
} from "./audience";
import { rooms } from "./rooms";

// Every client event, once, for both transports: validate and authorize (inside lib/chat), persist,
// then publish. The returned value is what the client's ack carries. Events are published only after
// the lib/chat call has resolved, i.e. after the transaction committed.

export interface OperationContext {
  user: AuthUser;
  broadcaster: Broadcaster;
  typing: TypingTracker;
}

type Operation<E extends ClientEventName> = (ctx: OperationContext, input: unknown) => Promise<AckData<E>>;
type OperationTable = { [E in ClientEventName]: Operation<E> };

/** Publishes a changed conversation: control staff get the actor's view, the creator their own. */
async function publishWorkflow(ctx: OperationContext, result: WorkflowResult): Promise<void> {
  ctx.broadcaster.publish(messageDelivery(result.message, result.creatorId));
  ctx.broadcaster.publish(conversationUpdateForControl(result.conversation));
  const creator = result.conversation.creator;
  const creatorView = await getConversationView({ id: creator.id, role: creator.role, name: creator.name, email: "" }, result.conversation.id);
  ctx.broadcaster.publish(conversationUpdateForCreator(creatorView));
}

function workflow(run: (user: AuthUser, input: unknown) => Promise<WorkflowResult>) {
  return async (ctx: OperationContext, input: unknown) => {
    const result = await run(ctx.user, input);
    await publishWorkflow(ctx, result);
    return { conversation: result.conversation };
  };
}

function applyRoomChange(ctx: OperationContext, before: readonly SupportRoom[], after: readonly SupportRoom[]): void {
  for (const room of SUPPORT_ROOMS) {
    if (after.includes(room) && !before.includes(room)) ctx.broadcaster.joinRoom(ctx.user.id, rooms.support(room));
    if (!after.includes(room) && before.includes(room)) ctx.broadcaster.leaveRoom(ctx.user.id, rooms.support(room));
  }
}

export const operations: OperationTable = {
  "conversation:create": async (ctx, input) => {
    const created = await createConversation(ctx.user, input);
    if (!created.duplicate) {
      ctx.broadcaster.publish(newConversationDelivery(created.conversation));
      ctx.broadcaster.publish(messageDelivery(created.message, ctx.user.id));
    }
    return { conversation: created.conversation, message: created.message };
  },

  "conversation:list": async (ctx, input) => ({ conversations: await listActiveConversations(ctx.user, input) }),

  "conversation:join": async (ctx, input) => {
    const parsed = conversationRefSchema.safeParse(input);
    if (!parsed.success) throw new AppError("VALIDATION", "conversationId is required.");
    await findAccessibleConversation(ctx.user, parsed.data.conversationId);
    return { conversation: await getConversationView(ctx.user, parsed.data.conversationId) };
  },

  "conversation:take": workflow(takeConversation),
  "conversation:transfer": workflow(transferConversation),
  "conversation:resolve": workflow(resolveConversation),
  "conversation:reopen": workflow(reopenConversation),
  "emergency:acknowledge": workflow(acknowledgeEmergency),

  "message:send": async (ctx, input) => {
    const sent = await sendMessage(ctx.user, input);
    if (!sent.duplicate) {
      ctx.broadcaster.publish(messageDelivery(sent.message, sent.creatorId));
      if (sent.conversation) {
        ctx.broadcaster.publish(conversationUpdateForCreator(sent.conversation));
        const controlView = await getConversationView({ ...ctx.user, role: "CONTROL_STAFF" }, sent.conversation.id);
        ctx.broadcaster.publish(conversationUpdateForControl(controlView));
      }
    }
    return { message: sent.message, duplicate: sent.duplicate };
  },

  "message:list": async (ctx, input) => listMessages(ctx.user, input),

  "message:read": async (ctx, input) => {
    const read = await markRead(ctx.user, input);
    if (read.moved) {
      ctx.broadcaster.publish(
        readDelivery({ conversationId: read.conversationId, user: { id: ctx.user.id, name: ctx.user.name, role: ctx.user.role }, lastReadSequence: read.lastReadSequence }, read.creatorId),
      );
    }
    return { lastReadSequence: read.lastReadSequence };
  },

  "typing:set": async (ctx, input) => {
    const parsed = typingSchema.safeParse(input);
    if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "Invalid typing signal.");
    const conversation = await findAccessibleConversation(ctx.user, parsed.data.conversationId);
    const user = { id: ctx.user.id, name: ctx.user.name, role: ctx.user.role };
    ctx.typing.update({ user, conversationId: conversation.id, creatorId: conversation.creatorId }, parsed.data.isTyping);
    return { isTyping: parsed.data.isTyping };
  },

  "room:join": async (ctx, input) => {
    const before = await getMonitoredRooms(ctx.user);
    const after = await joinSupportRoom(ctx.user, input);
    applyRoomChange(ctx, before, after);
    return { rooms: after };
  },

  "room:leave": async (ctx, input) => {
    const before = await getMonitoredRooms(ctx.user);
    const after = await leaveSupportRoom(ctx.user, input);
    applyRoomChange(ctx, before, after);
    return { rooms: after };
  },

  "profile:update": async (ctx, input) => ({ user: await updateFieldContext(ctx.user, input) }),

  "user:deactivate": async (ctx, input) => {
    if (ctx.user.role !== "CONTROL_ADMIN") throw new AppError("FORBIDDEN", "Only admins can deactivate accounts.");
    const parsed = userRefSchema.safeParse(input);
    if (!parsed.success) throw new AppError("VALIDATION", "userId is required.");
    if (parsed.data.userId === ctx.user.id) throw new AppError("CONFLICT", "You cannot deactivate your own account.");
    const { id } = await deactivateUser(parsed.data.userId, ctx.user.id);
    ctx.broadcaster.disconnectUser(id, "account deactivated");
    return { userId: id };
  },
};
