// The device-side outbox: what the user wrote that the server has not acknowledged yet, kept in
// IndexedDB so it survives a reload, a closed tab and a dead battery. Raw IndexedDB (no wrapper
// dependency): four calls do not justify one. The chat store decides when to send; this module only
// stores, lists in the user's order, and says which refusals are worth retrying.
import type { Category, ConversationView, MessageView } from "@/lib/chat/types";
import type { ErrorCode } from "@/lib/errors";

interface OutboxItemBase {
  /** The idempotency key the server dedupes on; the same one is sent on every attempt. */
  clientId: string;
  userId: string;
  /** The user's order: items are sent oldest first, each after the previous one's ack. */
  order: number;
  body: string;
  createdAt: string;
}

export interface OutboxMessage extends OutboxItemBase {
  kind: "message";
  conversationId: string;
  /** Control: a staff-only note. */
  isNote?: boolean;
}

export interface OutboxConversation extends OutboxItemBase {
  kind: "conversation";
  category: Category;
  title?: string;
}

export type OutboxItem = OutboxMessage | OutboxConversation;

/** What the field app keeps for reading offline: the list and the latest messages of each conversation. */
export interface ReadingSnapshot {
  userId: string;
  savedAt: string;
  conversations: Record<string, ConversationView>;
  messages: Record<string, MessageView[]>;
}

export interface Outbox {
  /** This user's items, oldest first. */
  list(): Promise<OutboxItem[]>;
  put(item: OutboxItem): Promise<void>;
  remove(clientId: string): Promise<void>;
  loadSnapshot(): Promise<ReadingSnapshot | null>;
  saveSnapshot(snapshot: Omit<ReadingSnapshot, "userId" | "savedAt">): Promise<void>;
  /** Forgets everything this user left on the device (sign-out). */
  clear(): Promise<void>;
}

const DB_NAME = "transit-support";
const DB_VERSION = 1;
const OUTBOX = "outbox";
const SNAPSHOTS = "snapshots";
const BY_USER = "byUser";

/**
 * Refusals that say "not now" rather than "never": the item stays in the outbox and is sent again.
 * Everything else (VALIDATION, FORBIDDEN, NOT_FOUND, CONFLICT, INTERNAL…) is final for this item: it
 * leaves the outbox and the error is shown next to it, with a Retry button.
 */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>(["RATE_LIMITED", "UNAVAILABLE"]);

export function isRetryableError(code: ErrorCode): boolean {
  return RETRYABLE.has(code);
}

let lastOrder = 0;
/** Strictly increasing within a tab, and ordered by time across tabs and reloads. */
export function nextOutboxOrder(): number {
  lastOrder = Math.max(lastOrder + 1, Date.now() * 1000);
  return lastOrder;
}

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
  });
}

function completed(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error ?? new Error("IndexedDB transaction failed"));
    transaction.onabort = () => reject(transaction.error ?? new Error("IndexedDB transaction aborted"));
  });
}

let opening: Promise<IDBDatabase> | null = null;

function openDatabase(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(OUTBOX)) db.createObjectStore(OUTBOX, { keyPath: "clientId" }).createIndex(BY_USER, "userId");
      if (!db.objectStoreNames.contains(SNAPSHOTS)) db.createObjectStore(SNAPSHOTS, { keyPath: "userId" });
    };
    request.onsuccess = () => {
      const db = request.result;
      // Another tab upgrading the schema: let it, and reopen next time.
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      resolve(db);
    };
    request.onerror = () => {
      opening = null;
      reject(request.error ?? new Error("IndexedDB unavailable"));
    };
  });
  return opening;
}

/** The outbox of one signed-in user on this device. */
export function openOutbox(userId: string): Outbox {
  async function write(stores: string[], work: (transaction: IDBTransaction) => void): Promise<void> {
    const db = await openDatabase();
    const transaction = db.transaction(stores, "readwrite");
    work(transaction);
    await completed(transaction);
  }

  return {
    async list() {
      const db = await openDatabase();
      const index = db.transaction(OUTBOX, "readonly").objectStore(OUTBOX).index(BY_USER);
      const items = (await promised(index.getAll(IDBKeyRange.only(userId)))) as OutboxItem[];
      return items.sort((a, b) => a.order - b.order);
    },
    put(item) {
      return write([OUTBOX], (t) => t.objectStore(OUTBOX).put(item));
    },
    remove(clientId) {
      return write([OUTBOX], (t) => t.objectStore(OUTBOX).delete(clientId));
    },
    async loadSnapshot() {
      const db = await openDatabase();
      const found = (await promised(db.transaction(SNAPSHOTS, "readonly").objectStore(SNAPSHOTS).get(userId))) as ReadingSnapshot | undefined;
      return found ?? null;
    },
    saveSnapshot(snapshot) {
      const record: ReadingSnapshot = { ...snapshot, userId, savedAt: new Date().toISOString() };
      return write([SNAPSHOTS], (t) => t.objectStore(SNAPSHOTS).put(record));
    },
    clear() {
      return write([OUTBOX, SNAPSHOTS], (t) => {
        t.objectStore(SNAPSHOTS).delete(userId);
        const index = t.objectStore(OUTBOX).index(BY_USER);
        const cursor = index.openCursor(IDBKeyRange.only(userId));
        cursor.onsuccess = () => {
          const current = cursor.result;
          if (!current) return;
          current.delete();
          current.continue();
        };
      });
    },
  };
}
