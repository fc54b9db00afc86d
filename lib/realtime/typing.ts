import { TYPING_EXPIRY_MS, TYPING_THROTTLE_MS } from "../chat/constants";
import type { TypingSignal } from "../chat/types";

export interface TypingSubject {
  user: TypingSignal["user"];
  conversationId: string;
  creatorId: string;
}

type Forward = (subject: TypingSubject, isTyping: boolean) => void;

/**
 * Typing state per (user, conversation). "Started" is forwarded at most once per throttle window;
 * if no refresh or "stopped" arrives within the expiry, the server forwards "stopped" itself.
 * Nothing is stored.
 */
export class TypingTracker {
  private readonly state = new Map<string, { subject: TypingSubject; lastForwardAt: number; timer: NodeJS.Timeout }>();

  constructor(
    private readonly forward: Forward,
    private readonly expiryMs = TYPING_EXPIRY_MS,
    private readonly throttleMs = TYPING_THROTTLE_MS,
  ) {}

  update(subject: TypingSubject, isTyping: boolean, now = Date.now()): void {
    const key = `${subject.user.id}\u0000${subject.conversationId}`;
    const current = this.state.get(key);
    if (current) clearTimeout(current.timer);
    if (!isTyping) {
      this.state.delete(key);
      if (current) this.forward(subject, false);
      return;
    }
    const shouldForward = !current || now - current.lastForwardAt >= this.throttleMs;
    const timer = setTimeout(() => {
      this.state.delete(key);
      this.forward(subject, false);
    }, this.expiryMs);
    timer.unref();
    this.state.set(key, { subject, lastForwardAt: shouldForward ? now : (current?.lastForwardAt ?? now), timer });
    if (shouldForward) this.forward(subject, true);
  }

  /** Ends every typing state of a user (their last connection closed). */
  clearUser(userId: string): void {
    for (const [key, entry] of this.state) {
      if (entry.subject.user.id !== userId) continue;
      clearTimeout(entry.timer);
      this.state.delete(key);
      this.forward(entry.subject, false);
    }
  }

  close(): void {
    for (const entry of this.state.values()) clearTimeout(entry.timer);
    this.state.clear();
  }
}
