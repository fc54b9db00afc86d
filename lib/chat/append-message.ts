import { randomUUID } from "node:crypto";
import type { Prisma } from "../generated/prisma/client";
import { messageSelect, type MessageRow } from "./views";
import { AppError } from "../errors";
import { isFieldRole, type MessageKind, type Role } from "./types";

export interface AppendMessageOptions {
  conversationId: string;
  sender: { id: string; role: Role };
  body: string;
  kind: MessageKind;
  clientId?: string;
}

/**
 * Inside a transaction: advances the conversation's sequence (the row lock orders concurrent
 * senders), stores the message with that sequence and the sequence of the previous non-note
 * message (how field clients detect a missed message), and moves the sender's read pointer to it.
 * A field staff message reopens a resolved conversation; a control reply into one is refused
 * (CONFLICT, nothing written): control reopens first, so nobody answers into a closed request
 * without the thread saying so. Staff notes stay allowed. Returns the row and whether the
 * conversation's status changed.
 */
export async function appendMessage(tx: Prisma.TransactionClient, options: AppendMessageOptions): Promise<{ message: MessageRow; reopened: boolean }> {
  const now = new Date();
  const advanced = await tx.conversation.update({
    where: { id: options.conversationId },
    data: { lastSequence: { increment: 1 }, lastMessageAt: now },
    select: { lastSequence: true, status: true, assigneeId: true },
  });
  let reopened = false;
  if (advanced.status === "RESOLVED" && !isFieldRole(options.sender.role) && options.kind === "TEXT") {
    throw new AppError("CONFLICT", "This conversation is resolved; reopen it before replying.");
  }
  if (advanced.status === "RESOLVED" && isFieldRole(options.sender.role) && options.kind === "TEXT") {
    await tx.conversation.update({
      where: { id: options.conversationId },
      data: { status: advanced.assigneeId ? "ASSIGNED" : "OPEN", resolvedAt: null },
    });
    reopened = true;
  }
  // The row lock taken by the update above orders concurrent senders, so no public message can land
  // between this lookup and the insert.
  const previousPublic = await tx.message.findFirst({
    where: { conversationId: options.conversationId, kind: { not: "NOTE" }, sequence: { lt: advanced.lastSequence } },
    orderBy: { sequence: "desc" },
    select: { sequence: true },
  });
  const message = await tx.message.create({
    data: {
      conversationId: options.conversationId,
      senderId: options.sender.id,
      body: options.body,
      kind: options.kind,
      clientId: options.clientId ?? `server:${randomUUID()}`,
      sequence: advanced.lastSequence,
      previousPublicSequence: previousPublic?.sequence ?? 0,
      createdAt: now,
    },
    select: messageSelect,
  });
  await tx.participant.upsert({
    where: { conversationId_userId: { conversationId: options.conversationId, userId: options.sender.id } },
    create: { conversationId: options.conversationId, userId: options.sender.id, lastReadSequence: advanced.lastSequence },
    update: { lastReadSequence: advanced.lastSequence },
  });
  return { message, reopened };
}

/** Interactive transactions queue behind each other on PGlite's single connection: allow for that. */
export const TRANSACTION_OPTIONS = { maxWait: 15_000, timeout: 15_000 } as const;
