import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { getDb } from "../db";
import { AppError } from "../errors";
import { metrics } from "../metrics";
import { isControlRole, isFieldRole, type AuthUser, type MessageView, type Role } from "./types";
import { messageSelect, toMessageView } from "./views";

/*
 * Group commit for chat messages: the only writer of sent messages (system messages of the
 * workflows and a conversation's first message go through append-message.ts, under the same row
 * lock).
 *
 * Contract
 * - `write()` resolves only after the transaction that holds the message has COMMITTED. Callers ack
 *   the client and fan the message out after that, never before.
 * - Sends that arrive while the writer is idle wait FLUSH_DELAY_MS for company; sends that arrive while
 *   a batch commits form the next batch (at most MAX_BATCH). One batch commits at a time per process,
 *   so messages of one conversation are numbered in the order `write()` was called.
 * - A batch is one transaction: lock its conversations (FOR UPDATE, ordered by id, which also orders
 *   it against other nodes and the workflows) and its senders (FOR SHARE: a deactivation or role
 *   change waits for the batch, and every batch after it sees the change), read the previous public
 *   sequence and any stored rows of the batch's client ids, then one statement writes everything:
 *   a multi-row INSERT … ON CONFLICT DO NOTHING, the conversations' sequence and status, the senders'
 *   read pointers.
 * - Outcomes are per send: a stored client id answers with the stored message (`duplicate: true`);
 *   NOT_FOUND, FORBIDDEN (not a participant, deactivated, role changed) and CONFLICT (a control
 *   reply into a resolved conversation, a client id used in another conversation) refuse that send
 *   alone and write nothing for it.
 * - A batch that fails (database error) rejects every send in it with that error; the transaction
 *   rolled back, so nothing of it was written and each client may retry with its client id.
 * - If another node stored one of the batch's client ids between our read and our insert, the insert
 *   skips that row; the batch then rolls back and runs again (so no sequence is ever skipped). Any
 *   database error is retried the same way, up to ATTEMPTS runs in all (see isRetryable).
 */

export const MAX_BATCH = 256;
export const FLUSH_DELAY_MS = 1;
const ATTEMPTS = 3;

export interface WriteRequest {
  sender: AuthUser;
  conversationId: string;
  body: string;
  kind: "TEXT" | "NOTE";
  clientId: string;
}

export interface WriteOutcome {
  message: MessageView;
  /** The client id was already stored: nothing was written. */
  duplicate: boolean;
  /** A field message reopened the resolved conversation. */
  reopened: boolean;
  creatorId: string;
}

interface Pending {
  request: WriteRequest;
  resolve: (outcome: WriteOutcome) => void;
  reject: (error: unknown) => void;
}

interface ConversationRow {
  id: string;
  status: "OPEN" | "ASSIGNED" | "RESOLVED";
  creatorId: string;
  assigneeId: string | null;
  lastSequence: number;
}

interface SenderRow {
  id: string;
  name: string;
  role: Role;
  isActive: boolean;
}

interface Facts {
  last_public: Record<string, number> | null;
  stored: { senderId: string; clientId: string; id: string; conversationId: string }[] | null;
}

class RetryBatch extends Error {}

let idCounter = 0;
/** A collision-resistant id in the shape of Prisma's cuid() (letters and digits, starts with "c"). */
export function newId(): string {
  idCounter = (idCounter + 1) % 1_679_616;
  return `c${Date.now().toString(36)}${idCounter.toString(36).padStart(4, "0")}${randomBytes(6).toString("hex")}`;
}

const storedKey = (senderId: string, clientId: string) => `${senderId}\u0000${clientId}`;

/**
 * The decisions' facts as two columns: the previous public sequence of each conversation (ids in
 * $conversations) and the stored rows of the batch's (sender, client id) pairs ($senders, $senders + 1).
 */
function factsColumns(conversations: number, senders: number): string {
  return `(SELECT json_object_agg(c.id, coalesce((SELECT m.sequence FROM "Message" m
     WHERE m."conversationId" = c.id AND m.kind <> 'NOTE' ORDER BY m.sequence DESC LIMIT 1), 0))
   FROM unnest($${conversations}::text[]) AS c(id)) AS last_public,
  (SELECT json_agg(json_build_object('senderId', m."senderId", 'clientId', m."clientId", 'id', m.id, 'conversationId', m."conversationId"))
   FROM "Message" m JOIN unnest($${senders}::text[], $${senders + 1}::text[]) AS k(sender, client)
   ON m."senderId" = k.sender AND m."clientId" = k.client) AS stored`;
}

// One statement takes the locks and reads what the decisions need. Its snapshot is taken before it
// waits for a lock: when another transaction held one of these conversations and wrote to it,
// `visibleSequence` (the highest sequence this snapshot sees) is behind the freshly locked
// `lastSequence`, and READ_FACTS runs again in a new statement that sees that write.
const LOCK_AND_READ = `WITH locked AS (
  SELECT id, status::text AS status, "creatorId", "assigneeId", "lastSequence"
  FROM "Conversation" WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE
), senders AS (
  SELECT id, name, role::text AS role, "isActive" FROM "User" WHERE id = ANY($2::text[]) ORDER BY id FOR SHARE
)
SELECT
  (SELECT json_agg(json_build_object('id', l.id, 'status', l.status, 'creatorId', l."creatorId", 'assigneeId', l."assigneeId",
     'lastSequence', l."lastSequence",
     'visibleSequence', coalesce((SELECT max(m.sequence) FROM "Message" m WHERE m."conversationId" = l.id), 0))) FROM locked l) AS conversations,
  (SELECT json_agg(s) FROM senders s) AS senders,
  ${factsColumns(1, 3)}`;

// Read after the locks are held, so this statement's snapshot includes every committed write to these conversations.
const READ_FACTS = `SELECT ${factsColumns(1, 2)}`;

const WRITE_BATCH = `WITH inserted AS (
  INSERT INTO "Message" (id, "conversationId", "senderId", body, kind, "clientId", sequence, "previousPublicSequence", "createdAt")
  SELECT id, conversation, sender, body, kind::"MessageKind", client, seq, prev, $9::timestamp(3)
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[])
    AS t(id, conversation, sender, body, kind, client, seq, prev)
  ON CONFLICT ("senderId", "clientId") DO NOTHING
  RETURNING id
), conversations AS (
  UPDATE "Conversation" c SET "lastSequence" = u.seq, "lastMessageAt" = $9::timestamp(3), "updatedAt" = $9::timestamp(3),
    status = u.status::"ConversationStatus", "resolvedAt" = CASE WHEN u.reopened THEN NULL ELSE c."resolvedAt" END
  FROM unnest($10::text[], $11::int[], $12::text[], $13::bool[]) AS u(id, seq, status, reopened)
  WHERE c.id = u.id
), readers AS (
  INSERT INTO "Participant" (id, "conversationId", "userId", "lastReadSequence", "joinedAt")
  SELECT id, conversation, reader, seq, $9::timestamp(3) FROM unnest($14::text[], $15::text[], $16::text[], $17::int[]) AS p(id, conversation, reader, seq)
  ON CONFLICT ("conversationId", "userId") DO UPDATE SET "lastReadSequence" = GREATEST("Participant"."lastReadSequence", EXCLUDED."lastReadSequence")
)
SELECT count(*)::int AS inserted FROM inserted`;

type Decision =
  | { kind: "write"; id: string; sequence: number; previousPublicSequence: number; reopened: boolean; creatorId: string; sender: SenderRow }
  | { kind: "stored"; id: string; creatorId: string }
  | { kind: "same-as"; index: number }
  | { kind: "refused"; error: AppError };

/** Decides every send of a batch from the locked rows, in queue order. Pure: it writes nothing. */
function decide(batch: Pending[], conversations: Map<string, ConversationRow>, senders: Map<string, SenderRow>, facts: Facts): Decision[] {
  const lastPublic = new Map(Object.entries(facts.last_public ?? {}));
  const stored = new Map((facts.stored ?? []).map((row) => [storedKey(row.senderId, row.clientId), row] as const));
  const firstInBatch = new Map<string, { index: number; conversationId: string }>();
  return batch.map(({ request }, index): Decision => {
    const conversation = conversations.get(request.conversationId);
    if (!conversation) return { kind: "refused", error: new AppError("NOT_FOUND", "No such conversation.") };
    const sender = senders.get(request.sender.id);
    if (!sender || !sender.isActive) return { kind: "refused", error: new AppError("FORBIDDEN", "This account is deactivated.") };
    if (sender.role !== request.sender.role) return { kind: "refused", error: new AppError("FORBIDDEN", "Your role has changed; sign in again.") };
    const mayWrite = isControlRole(sender.role) || (isFieldRole(sender.role) && conversation.creatorId === sender.id);
    if (!mayWrite) return { kind: "refused", error: new AppError("FORBIDDEN", "You are not a participant of this conversation.") };

    const key = storedKey(sender.id, request.clientId);
    const previous = stored.get(key);
    const earlier = firstInBatch.get(key);
    if (previous || earlier !== undefined) {
      const usedIn = previous ? previous.conversationId : earlier?.conversationId;
      if (usedIn !== request.conversationId) return { kind: "refused", error: new AppError("CONFLICT", "This client id was already used for a message in another conversation.") };
      return previous ? { kind: "stored", id: previous.id, creatorId: conversation.creatorId } : { kind: "same-as", index: earlier?.index ?? index };
    }

    let reopened = false;
    if (conversation.status === "RESOLVED" && request.kind === "TEXT") {
      if (!isFieldRole(sender.role)) return { kind: "refused", error: new AppError("CONFLICT", "This conversation is resolved; reopen it before replying.") };
      conversation.status = conversation.assigneeId ? "ASSIGNED" : "OPEN";
      reopened = true;
    }
    firstInBatch.set(key, { index, conversationId: request.conversationId });
    const sequence = ++conversation.lastSequence;
    const previousPublicSequence = lastPublic.get(conversation.id) ?? 0;
    if (request.kind !== "NOTE") lastPublic.set(conversation.id, sequence);
    return { kind: "write", id: newId(), sequence, previousPublicSequence, reopened, creatorId: conversation.creatorId, sender };
  });
}

/**
 * `ownIds` collects the ids this batch generated on every attempt: a row found stored under one of
 * them was written by an attempt whose COMMIT succeeded although its answer was lost, so it is new
 * (delivered as such), not a client's duplicate.
 */
async function commitBatch(batch: Pending[], ownIds: Set<string>): Promise<(WriteOutcome | AppError)[]> {
  const db = getDb();
  const requests = batch.map((p) => p.request);
  const conversationIds = [...new Set(batch.map((p) => p.request.conversationId))].sort();
  const senderIds = [...new Set(batch.map((p) => p.request.sender.id))].sort();
  const createdAt = new Date();
  const decisions = await db.$transaction(
    async (tx) => {
      const senderOfEach = batch.map((p) => p.request.sender.id);
      const clientIdOfEach = batch.map((p) => p.request.clientId);
      const [read] = await tx.$queryRawUnsafe<(Facts & { conversations: (ConversationRow & { visibleSequence: number })[] | null; senders: SenderRow[] | null })[]>(
        LOCK_AND_READ,
        conversationIds,
        senderIds,
        senderOfEach,
        clientIdOfEach,
      );
      const conversationRows = read?.conversations ?? [];
      const senderRows = read?.senders ?? [];
      let facts: Facts | undefined = read;
      if (conversationRows.some((row) => Number(row.visibleSequence) < Number(row.lastSequence))) {
        [facts] = await tx.$queryRawUnsafe<Facts[]>(READ_FACTS, conversationIds, senderOfEach, clientIdOfEach);
      }
      const conversations = new Map(conversationRows.map((row) => [row.id, { ...row, lastSequence: Number(row.lastSequence) }]));
      const statusBefore = new Map(conversationRows.map((row) => [row.id, row.status]));
      const decided = decide(batch, conversations, new Map(senderRows.map((row) => [row.id, row])), facts ?? { last_public: null, stored: null });

      const writes = decided.flatMap((decision, index) => (decision.kind === "write" ? [{ decision, request: requests[index]! }] : []));
      if (writes.length === 0) return decided;
      for (const { decision } of writes) ownIds.add(decision.id);
      const touched = [...new Set(writes.map((w) => w.request.conversationId))].map((id) => conversations.get(id)!);
      const readers = new Map<string, { conversationId: string; userId: string; sequence: number }>();
      for (const { decision, request } of writes) readers.set(`${request.conversationId}\u0000${request.sender.id}`, { conversationId: request.conversationId, userId: request.sender.id, sequence: decision.sequence });
      const [result] = await tx.$queryRawUnsafe<{ inserted: number }[]>(
        WRITE_BATCH,
        writes.map((w) => w.decision.id),
        writes.map((w) => w.request.conversationId),
        writes.map((w) => w.request.sender.id),
        writes.map((w) => w.request.body),
        writes.map((w) => w.request.kind),
        writes.map((w) => w.request.clientId),
        writes.map((w) => w.decision.sequence),
        writes.map((w) => w.decision.previousPublicSequence),
        createdAt.toISOString(),
        touched.map((c) => c.id),
        touched.map((c) => c.lastSequence),
        touched.map((c) => c.status),
        touched.map((c) => statusBefore.get(c.id) === "RESOLVED" && c.status !== "RESOLVED"),
        [...readers.values()].map(() => newId()),
        [...readers.values()].map((r) => r.conversationId),
        [...readers.values()].map((r) => r.userId),
        [...readers.values()].map((r) => r.sequence),
      );
      if (Number(result?.inserted) !== writes.length) throw new RetryBatch("a client id of this batch was stored concurrently");
      return decided;
    },
    { maxWait: 15_000, timeout: 15_000 },
  );

  // Stored client ids (retries) answer with the stored row, loaded after the commit.
  const storedIds = decisions.flatMap((d) => (d.kind === "stored" ? [d.id] : []));
  const storedRows = storedIds.length ? await db.message.findMany({ where: { id: { in: storedIds } }, select: messageSelect }) : [];
  const byId = new Map(storedRows.map((row) => [row.id, row]));

  const outcomes: (WriteOutcome | AppError)[] = [];
  decisions.forEach((decision, index) => {
    const request = requests[index]!;
    if (decision.kind === "refused") outcomes.push(decision.error);
    else if (decision.kind === "same-as") {
      const first = outcomes[decision.index];
      if (!first) outcomes.push(new AppError("INTERNAL", "A repeated send could not be matched."));
      else outcomes.push(first instanceof AppError ? first : { ...first, duplicate: true, reopened: false });
    } else if (decision.kind === "stored") {
      const row = byId.get(decision.id);
      if (!row) outcomes.push(new AppError("INTERNAL", "The stored message could not be read back."));
      else outcomes.push({ message: toMessageView(row), duplicate: !ownIds.has(row.id), reopened: false, creatorId: decision.creatorId });
    } else {
      outcomes.push({
        message: {
          id: decision.id,
          conversationId: request.conversationId,
          sequence: decision.sequence,
          previousPublicSequence: decision.previousPublicSequence,
          clientId: request.clientId,
          kind: request.kind,
          body: request.body,
          sender: { id: decision.sender.id, name: decision.sender.name, role: decision.sender.role },
          createdAt: createdAt.toISOString(),
        },
        duplicate: false,
        reopened: decision.reopened,
        creatorId: decision.creatorId,
      });
    }
  });
  return outcomes;
}

/**
 * Whether a failed batch runs again. A deadlock, a serialization failure, a concurrent client id, or
 * a connection lost under the transaction: running it again is safe even when the COMMIT went through
 * before the connection died, because the batch then finds its own rows by client id and answers
 * them as stored.
 */
function isRetryable(error: unknown): boolean {
  return !(error instanceof AppError);
}

export class MessageWriter {
  private queue: Pending[] = [];
  private isFlushing = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly maxBatch = MAX_BATCH,
    private readonly delayMs = FLUSH_DELAY_MS,
  ) {}

  /** Stores one message; resolves after its batch committed. Rejects with an AppError for this send alone, or the batch's error. */
  write(request: WriteRequest): Promise<WriteOutcome> {
    return new Promise<WriteOutcome>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.isFlushing) return; // the running batch starts the next one when it is done
    if (this.queue.length >= this.maxBatch) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.delayMs);
    }
  }

  private async flush(): Promise<void> {
    this.isFlushing = true;
    const batch = this.queue.splice(0, this.maxBatch);
    const started = performance.now();
    try {
      let outcomes: (WriteOutcome | AppError)[] | undefined;
      const ownIds = new Set<string>();
      for (let attempt = 1; !outcomes; attempt++) {
        try {
          outcomes = await commitBatch(batch, ownIds);
        } catch (error) {
          if (attempt >= ATTEMPTS || !isRetryable(error)) throw error;
        }
      }
      metrics.batchCommitted(batch.length, outcomes.filter((o) => !(o instanceof AppError) && !o.duplicate).length, performance.now() - started);
      outcomes.forEach((outcome, index) => {
        const pending = batch[index]!;
        if (outcome instanceof AppError) pending.reject(outcome);
        else pending.resolve(outcome);
      });
    } catch (error) {
      metrics.batchFailed();
      for (const pending of batch) pending.reject(error);
    } finally {
      this.isFlushing = false;
      // What queued during this batch waited already: start at once.
      if (this.queue.length > 0) void this.flush();
    }
  }
}

let writer: MessageWriter | undefined;

/** The process's writer (one batch in flight per process). */
export function getMessageWriter(): MessageWriter {
  return (writer ??= new MessageWriter());
}
