import { z } from "zod";
import { CATEGORIES, CONVERSATION_FILTERS, ROLES, SUPPORT_ROOMS } from "./types";
import {
  CLIENT_ID_MAX_LENGTH,
  HISTORY_PAGE_MAX,
  ID_MAX_LENGTH,
  MESSAGE_MAX_LENGTH,
  TITLE_MAX_LENGTH,
} from "./constants";

// One schema per client event. Shared by both transports; the JSON WebSocket gateway first maps the
// seed's snake_case fields onto these shapes.

/**
 * PostgreSQL text cannot hold NUL, nor an unpaired UTF-16 surrogate (it is not valid UTF-8): refuse
 * both as invalid input instead of failing in the database.
 */
export const noNul = (value: string) => !value.includes("\u0000") && !/\p{Cs}/u.test(value);
export const NO_NUL = "must not contain NUL characters or unpaired surrogates (invalid Unicode text)";

const id = z.string().trim().min(1).max(ID_MAX_LENGTH).regex(/^[A-Za-z0-9_-]+$/, "must be an id");
const body = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(MESSAGE_MAX_LENGTH, `must be at most ${MESSAGE_MAX_LENGTH} characters`)
  .refine(noNul, NO_NUL);
const clientId = z.string().trim().min(1).max(CLIENT_ID_MAX_LENGTH).regex(/^[A-Za-z0-9_.:-]+$/, "must be an id");
const sequence = z.number().int().min(0).max(2_147_483_647);
const fieldText = z.string().trim().max(40).refine(noNul, NO_NUL);
/** Category names are accepted in either case (`emergency`, `EMERGENCY`). */
const category = z
  .string()
  .transform((value) => value.toUpperCase())
  .pipe(z.enum(CATEGORIES));

export const createConversationSchema = z.object({
  title: z.string().trim().max(TITLE_MAX_LENGTH).refine(noNul, NO_NUL).optional(),
  body,
  category: category.optional(),
  clientId: clientId.optional(),
});
export type CreateConversationInput = z.infer<typeof createConversationSchema>;

export const sendMessageSchema = z.object({
  conversationId: id,
  body,
  clientId,
  /** Staff-only note: never delivered to field staff. */
  isNote: z.boolean().optional(),
});
export type SendMessageInput = z.infer<typeof sendMessageSchema>;

export const listConversationsSchema = z.object({
  room: z.enum(SUPPORT_ROOMS).optional(),
  /** Control staff only: open (default: OPEN or ASSIGNED), mine, assigned, resolved, all. */
  status: z.enum(CONVERSATION_FILTERS).optional(),
  /** Control staff only: matches the creator's name, the title, or message text. */
  search: z.string().trim().max(100).refine(noNul, NO_NUL).optional(),
  /** Page size (default 200). */
  limit: z.number().int().min(1).max(500).optional(),
  /** Cursor: conversations after this one in the list's order (older activity; ties by id). */
  afterId: id.optional(),
});
export type ListConversationsInput = z.infer<typeof listConversationsSchema>;

export const supportRoomSchema = z.object({ room: z.enum(SUPPORT_ROOMS) });
export type SupportRoomInput = z.infer<typeof supportRoomSchema>;

export const listMessagesSchema = z
  .object({
    conversationId: id,
    /** Cursor: messages with a smaller sequence, newest page first. */
    beforeSequence: sequence.optional(),
    /** Catch-up: messages with a larger sequence, oldest first. */
    afterSequence: sequence.optional(),
    limit: z.number().int().min(1).max(HISTORY_PAGE_MAX).optional(),
    /** The seed's offset paging, counted from the newest message. */
    skip: z.number().int().min(0).max(1_000_000).optional(),
  })
  .refine((input) => !(input.beforeSequence !== undefined && input.afterSequence !== undefined), {
    message: "use beforeSequence or afterSequence, not both",
  });
export type ListMessagesInput = z.infer<typeof listMessagesSchema>;

export const conversationRefSchema = z.object({ conversationId: id });
export type ConversationRefInput = z.infer<typeof conversationRefSchema>;

export const typingSchema = z.object({ conversationId: id, isTyping: z.boolean() });
export type TypingInput = z.infer<typeof typingSchema>;

export const viewingSchema = z.object({ conversationId: id, isViewing: z.boolean() });
export type ViewingInput = z.infer<typeof viewingSchema>;

export const markReadSchema = z
  .object({ conversationId: id, sequence: sequence.optional(), messageId: id.optional() })
  .refine((input) => input.sequence !== undefined || input.messageId !== undefined, {
    message: "give sequence or messageId",
  });
export type MarkReadInput = z.infer<typeof markReadSchema>;

export const transferSchema = z.object({ conversationId: id, toUserId: id });
export type TransferInput = z.infer<typeof transferSchema>;

export const updateFieldContextSchema = z.object({
  vehicle: fieldText.nullable(),
  route: fieldText.nullable(),
});
export type UpdateFieldContextInput = z.infer<typeof updateFieldContextSchema>;

export const userRefSchema = z.object({ userId: id });
export type UserRefInput = z.infer<typeof userRefSchema>;

export const listUsersSchema = z.object({
  role: z.enum(ROLES).optional(),
  includeInactive: z.boolean().optional(),
  /** Matches the name, email, vehicle or route (case-insensitive). */
  search: z.string().trim().max(100).refine(noNul, NO_NUL).optional(),
  /** A page: `limit` accounts after skipping `offset` (by name). Without `limit`, the first 1,000. */
  limit: z.number().int().min(1).max(200).optional(),
  offset: z.number().int().min(0).max(1_000_000).optional(),
});
export type ListUsersInput = z.infer<typeof listUsersSchema>;

export const setRoleSchema = z.object({ userId: id, role: z.enum(ROLES) });
export type SetRoleInput = z.infer<typeof setRoleSchema>;

export const resetPasswordSchema = z.object({ userId: id, password: z.string().min(8).max(200) });
export type ResetPasswordInput = z.infer<typeof resetPasswordSchema>;

export const listAuditSchema = z.object({
  limit: z.number().int().min(1).max(200).optional(),
  /** Cursor: events created before this ISO time. */
  before: z.iso.datetime().optional(),
  /** Cursor: events older than the event with this id (ties on time broken by id). Wins over `before`. */
  afterId: id.optional(),
  /** Matches the action, the actor's name, the subject (email, account name or conversation title). */
  search: z.string().trim().max(100).refine(noNul, NO_NUL).optional(),
});
export type ListAuditInput = z.infer<typeof listAuditSchema>;

const searchText = z.string().trim().max(100).refine(noNul, NO_NUL);
const isoDate = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

export const searchMessagesSchema = z
  .object({
    /** Words, "a phrase", or -excluded (websearch_to_tsquery syntax; never a SQL error). */
    query: searchText.pipe(z.string().min(1, "must not be empty")),
    /** Control staff only (ignored for field staff, who search their own conversations). */
    room: z.enum(SUPPORT_ROOMS).optional(),
    /** The driver's or regulator's name, or part of it. */
    driver: searchText.optional(),
    /** The vehicle or route, or part of it. */
    vehicle: searchText.optional(),
    status: z.enum(["open", "resolved"]).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    limit: z.number().int().min(1).max(50).optional(),
    /** Keyset cursor: the `next` of the previous page. */
    after: z.string().max(200).regex(/^[0-9TZ:.+-]+\|[A-Za-z0-9_-]+$/, "must be a cursor from a previous page").optional(),
  })
  .refine((input) => !input.from || !input.to || input.from <= input.to, { message: "from must not be after to", path: ["from"] });
export type SearchMessagesInput = z.input<typeof searchMessagesSchema>;
