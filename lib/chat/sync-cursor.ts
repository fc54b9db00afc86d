// How a client knows it holds every message of a conversation, shared by the web app
// (components/realtime/chat-store.ts) and the chaos clients (tests/chaos/device.ts).
//
// Sequences are contiguous per conversation on the server, but live pushes can be lost (a Redis
// restart, a node killed between commit and publish) or overtake each other (two nodes publish
// independently). A client therefore moves its catch-up cursor only over messages that follow on
// from what it holds, keeps messages that arrive after a hole aside, and asks for a catch-up
// (message:list afterSequence = syncedThrough). Messages are released to the screen in sequence
// order once the hole is filled.

export interface SequencedMessage {
  id: string;
  conversationId: string;
  sequence: number;
  previousPublicSequence: number;
}

/**
 * The sequence of the message before this one that the viewer may see: control staff see every
 * message (notes too), field staff every message but staff notes.
 */
export function previousVisibleSequence(message: SequencedMessage, seesNotes: boolean): number {
  return seesNotes ? message.sequence - 1 : message.previousPublicSequence;
}

export class SyncCursor<M extends SequencedMessage> {
  /** Per conversation, the sequence through which every visible message is held. */
  private readonly through = new Map<string, number>();
  /** Per conversation, live messages held beyond a hole, by sequence. */
  private readonly ahead = new Map<string, Map<number, M>>();

  constructor(private readonly seesNotes: boolean) {}

  /** Where a catch-up of this conversation starts (`afterSequence`). */
  syncedThrough(conversationId: string): number {
    return this.through.get(conversationId) ?? 0;
  }

  /** True when messages arrived after a hole: the conversation needs a catch-up. */
  hasHole(conversationId: string): boolean {
    return (this.ahead.get(conversationId)?.size ?? 0) > 0;
  }

  /** Conversations with a hole. */
  conversationsWithHoles(): string[] {
    return [...this.ahead].filter(([, held]) => held.size > 0).map(([id]) => id);
  }

  /**
   * Everything up to `sequence` is held, or is history the client loads on demand (the newest page of
   * a conversation just opened). Returns held messages released by it.
   */
  cover(conversationId: string, sequence: number): M[] {
    if (sequence <= this.syncedThrough(conversationId)) return [];
    this.through.set(conversationId, sequence);
    return this.releaseAhead(conversationId);
  }

  /** The first message of one's own new conversation: the whole conversation so far. */
  start(message: M): M[] {
    if (message.sequence <= this.syncedThrough(message.conversationId)) return [];
    return [message, ...this.cover(message.conversationId, message.sequence)];
  }

  /**
   * A live message (message:new). Returns the messages released by it, in sequence order: none when
   * it was already released or lands after a hole (it is kept until the hole is filled).
   */
  live(message: M): M[] {
    const { conversationId } = message;
    const through = this.syncedThrough(conversationId);
    if (message.sequence <= through) return [];
    if (previousVisibleSequence(message, this.seesNotes) > through) {
      let held = this.ahead.get(conversationId);
      if (!held) this.ahead.set(conversationId, (held = new Map()));
      held.set(message.sequence, message);
      return [];
    }
    this.through.set(conversationId, message.sequence);
    return [message, ...this.releaseAhead(conversationId)];
  }

  /**
   * A catch-up page: message:list with `afterSequence: after`, ascending. Every visible message in
   * (after, last] is in it. Returns the messages released, in sequence order.
   */
  page(conversationId: string, after: number, messages: readonly M[]): M[] {
    const through = this.syncedThrough(conversationId);
    const last = messages.at(-1);
    // A page that starts above the cursor proves nothing about what lies between.
    if (!last || after > through) return [];
    const released = messages.filter((m) => m.sequence > through);
    this.through.set(conversationId, Math.max(through, last.sequence));
    return [...released, ...this.releaseAhead(conversationId)];
  }

  /** Releases held messages that now follow on from the cursor, and drops those it passed. */
  private releaseAhead(conversationId: string): M[] {
    const held = this.ahead.get(conversationId);
    if (!held) return [];
    const released: M[] = [];
    for (const sequence of [...held.keys()].sort((a, b) => a - b)) {
      const message = held.get(sequence) as M;
      const through = this.syncedThrough(conversationId);
      if (sequence <= through) {
        held.delete(sequence);
        continue;
      }
      if (previousVisibleSequence(message, this.seesNotes) > through) break;
      held.delete(sequence);
      this.through.set(conversationId, sequence);
      released.push(message);
    }
    if (held.size === 0) this.ahead.delete(conversationId);
    return released;
  }
}
