import { AppError } from "../errors";
import { findAccessibleConversation } from "../chat/access";
import { createConversation } from "../chat/create-conversation";
import { sendMessage } from "../chat/send-message";
import { searchMessages } from "../chat/search-messages";
import { listMessages } from "../chat/list-messages";
import { findOpenConversationIds, listActiveConversations } from "../chat/list-conversations";
import { markRead } from "../chat/mark-read";
import { getConversationView } from "../chat/get-conversation";
import { getMonitoredRooms, joinSupportRoom, leaveSupportRoom } from "../chat/support-rooms";
import {
  acknowledgeEmergency,
  cancelEmergency,
  reopenConversation,
  resolveConversation,
  takeConversation,
  transferConversation,
  type WorkflowResult,
} from "../chat/conversation-workflow";
import { conversationRefSchema, resetPasswordSchema, setRoleSchema, typingSchema, userRefSchema, viewingSchema } from "../chat/schemas";
import { changeRole, deactivateUser, reactivateUser, setPassword } from "../users/manage-user";
import { createUser } from "../users/create-user";
import { listUsers, toAccountView } from "../users/list-users";
import { getUserContext } from "../users/user-context";
import { listAudit } from "../audit";
import { getDb } from "../db";
import { requireControl } from "../chat/access";
import type { Presence } from "./presence";
import { updateFieldContext } from "../users/update-field-context";
import { SUPPORT_ROOMS, type AccountView, type AuthUser, type SupportRoom } from "../chat/types";
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
  transport: "socket.io" | "json-ws";
  user: AuthUser;
  broadcaster: Broadcaster;
  typing: TypingTracker;
  /** Which conversations control staff have open (collision signs); nothing is stored. */
  viewing: TypingTracker;
  presence: Presence;
}

function requireAdmin(ctx: OperationContext, action: string): void {
  if (ctx.user.role !== "CONTROL_ADMIN") throw new AppError("FORBIDDEN", `Only admins can ${action}.`);
}

function parseUserRef(input: unknown): string {
  const parsed = userRefSchema.safeParse(input);
  if (!parsed.success) throw new AppError("VALIDATION", "userId is required.");
  return parsed.data.userId;
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

  "conversation:list": async (ctx, input) => listActiveConversations(ctx.user, input),

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
  "emergency:cancel": workflow(cancelEmergency),

  "message:send": async (ctx, input) => {
    const sent = await sendMessage(ctx.user, input);
    if (!sent.duplicate) {
      ctx.broadcaster.publish(messageDelivery(sent.message, sent.creatorId));
      // The sender's read pointer moved to this message in the same commit; the message itself tells
      // the other side so (clients apply it from message:new), so no read:updated goes out for it.
      if (sent.conversation) {
        ctx.broadcaster.publish(conversationUpdateForCreator(sent.conversation));
        const controlView = await getConversationView({ ...ctx.user, role: "CONTROL_STAFF" }, sent.conversation.id);
        ctx.broadcaster.publish(conversationUpdateForControl(controlView));
      }
    }
    return { message: sent.message, duplicate: sent.duplicate };
  },

  "message:list": async (ctx, input) => listMessages(ctx.user, input),

  "message:search": async (ctx, input) => searchMessages(ctx.user, input),

  "message:read": async (ctx, input) => {
    const read = await markRead(ctx.user, input);
    if (read.moved) {
      ctx.broadcaster.publish(
        readDelivery(
          {
            conversationId: read.conversationId,
            userId: ctx.user.id,
            user: { id: ctx.user.id, name: ctx.user.name, role: ctx.user.role },
            lastReadSequence: read.lastReadSequence,
            messageId: read.messageId,
            readAt: read.readAt,
          },
          read.creatorId,
        ),
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

  "conversation:view": async (ctx, input) => {
    requireControl(ctx.user, "share which conversations they have open");
    const parsed = viewingSchema.safeParse(input);
    if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "Invalid viewing signal.");
    const conversation = await findAccessibleConversation(ctx.user, parsed.data.conversationId);
    const user = { id: ctx.user.id, name: ctx.user.name, role: ctx.user.role };
    ctx.viewing.update({ user, conversationId: conversation.id, creatorId: conversation.creatorId }, parsed.data.isViewing);
    return { isViewing: parsed.data.isViewing };
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

  "profile:update": async (ctx, input) => {
    const user = await updateFieldContext(ctx.user, input);
    // Control's conversation headers show the driver's vehicle, route and shift start: keep them live.
    for (const id of await findOpenConversationIds(ctx.user.id)) {
      ctx.broadcaster.publish(conversationUpdateForControl(await getConversationView({ ...ctx.user, role: "CONTROL_STAFF" }, id)));
    }
    return { user };
  },

  "user:deactivate": async (ctx, input) => {
    requireAdmin(ctx, "deactivate accounts");
    const userId = parseUserRef(input);
    if (userId === ctx.user.id) throw new AppError("CONFLICT", "You cannot deactivate your own account.");
    const { id } = await deactivateUser(userId, ctx.user.id);
    ctx.broadcaster.disconnectUser(id, "account deactivated");
    return { userId: id };
  },

  "user:reactivate": async (ctx, input) => {
    requireAdmin(ctx, "reactivate accounts");
    const { id } = await reactivateUser(parseUserRef(input), ctx.user.id);
    return { userId: id };
  },

  "user:create": async (ctx, input) => {
    requireAdmin(ctx, "create accounts");
    const created = await createUser(input, ctx.user.id);
    const row = await findAccount(created.id);
    return { user: row };
  },

  "user:set-role": async (ctx, input) => {
    requireAdmin(ctx, "change roles");
    const parsed = setRoleSchema.safeParse(input);
    if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "Invalid request.");
    if (parsed.data.userId === ctx.user.id) throw new AppError("CONFLICT", "You cannot change your own role.");
    await changeRole(parsed.data.userId, parsed.data.role, ctx.user.id);
    // The old role is in their session: end it so the next sign-in carries the new one (after this ack).
    setImmediate(() => ctx.broadcaster.disconnectUser(parsed.data.userId, "role changed"));
    return { user: await findAccount(parsed.data.userId) };
  },

  "user:reset-password": async (ctx, input) => {
    requireAdmin(ctx, "reset passwords");
    const parsed = resetPasswordSchema.safeParse(input);
    if (!parsed.success) throw new AppError("VALIDATION", parsed.error.issues[0]?.message ?? "Invalid request.");
    await setPassword(parsed.data.userId, parsed.data.password, ctx.user.id);
    setImmediate(() => ctx.broadcaster.disconnectUser(parsed.data.userId, "password reset"));
    return { userId: parsed.data.userId };
  },

  "user:list": async (ctx, input) => listUsers(ctx.user, input),

  "user:context": async (ctx, input) => {
    const context = await getUserContext(ctx.user, input);
    return { ...context, online: await ctx.presence.isOnline(context.user.id) };
  },

  "presence:list": async (ctx) => {
    requireControl(ctx.user, "see who is online");
    return { online: await ctx.presence.list() };
  },

  "audit:list": async (ctx, input) => ({ events: await listAudit(ctx.user, input) }),
};

async function findAccount(userId: string): Promise<AccountView> {
  const user = await getDb().user.findUnique({ where: { id: userId } });
  if (!user) throw new AppError("NOT_FOUND", "No such account.");
  return toAccountView(user);
}
