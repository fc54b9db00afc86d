"use client";

import { Fragment, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import type { MessageView } from "@/lib/chat/types";
import type { PendingMessage } from "@/components/realtime/chat-store";
import { dayLabel, formatTime, isSameDay, pendingState, type DeliveryState } from "@/components/realtime/selectors";

/** A message by the same sender within this long of the previous one joins its group (no name line). */
const GROUP_GAP_MS = 5 * 60_000;
/** Closer than this to the bottom, the reader is "at the newest messages" and new ones scroll in. */
const AT_BOTTOM_PX = 120;

/** "anchored" lists load older history when scrolled this close to the top. */
const LOAD_OLDER_THRESHOLD_PX = 80;

/**
 * How a list pages in history and follows new messages.
 * - `"reveal"` (the field phone): older history loads whenever the top of the list is in view, with or
 *   without a scroll event, so a short list keeps filling; the newest row is scrolled into view when the
 *   last row changes.
 * - `"anchored"` (the control desk): older history loads when the reader scrolls near the top, and the row
 *   they were reading stays put when it lands; the list is pinned to its bottom when a message arrives or
 *   the outbox grows or shrinks.
 */
export type MessageListScrolling = "reveal" | "anchored";

/** What a conversation screen hands to its list. */
export interface MessageListData {
  messages: readonly MessageView[];
  pending: readonly PendingMessage[];
  hasOlder: boolean;
  onLoadOlder(): void | Promise<void>;
  onRetry(clientId: string): void;
}

/** How one side words and sizes what the list itself draws (pending rows, its buttons). */
export interface MessageListLook {
  /** What an own message's delivery state reads as. */
  stateText: Record<DeliveryState, string>;
  /** Extra classes for the delivery state line ("" for none). */
  stateClassName: string;
  /** Height and dark-mode colour of "Load earlier messages" and "Retry" (a phone needs 44 px targets). */
  actionClassName: string;
  /** The bubble of an own message still in the outbox. */
  pendingToneClassName: string;
}

interface MessageListProps extends MessageListData {
  scrolling: MessageListScrolling;
  look: MessageListLook;
  /** Announce new rows to screen readers as they arrive. */
  isLive?: boolean;
  /**
   * A USER or NOTE message, usually a MessageRow; SYSTEM lines, date separators and pending rows are
   * drawn by the list. `isContinued`: same sender as the message just above, shortly after.
   */
  renderMessage(message: MessageView, isContinued: boolean, isFocused: boolean): ReactNode;
  /** A message to scroll to and mark for a moment (a search result); `key` repeats the request. */
  focus?: { sequence: number; key: number } | null;
}

/** How long a message opened from search stays marked. */
const FOCUS_MARK_MS = 4000;

/**
 * A conversation's messages, oldest first, then the own messages still in the outbox. Every body renders
 * as React text only, so markup typed by anyone shows literally.
 */
export function MessageList({ messages, pending, hasOlder, onLoadOlder, onRetry, scrolling, look, isLive, renderMessage, focus }: MessageListProps) {
  const listRef = useRef<HTMLOListElement>(null);
  const topRef = useRef<HTMLLIElement>(null);
  const endRef = useRef<HTMLLIElement>(null);
  const isLoadingOlder = useRef(false);
  const isAtBottom = useRef(true);
  const [hasNewBelow, setHasNewBelow] = useState(false);
  const anchor = useRef<{ height: number; top: number } | null>(null);
  const isReveal = scrolling === "reveal";
  const firstSequence = messages[0]?.sequence ?? 0;
  // Neither key changes when older history is prepended, so the list only follows the newest rows.
  const lastKey = isReveal ? (pending.at(-1)?.clientId ?? messages.at(-1)?.id ?? "") : `${messages.at(-1)?.id ?? ""}:${pending.length}`;

  // After older messages were prepended, keep the same message under the reader's eyes.
  useLayoutEffect(() => {
    const list = listRef.current;
    const saved = anchor.current;
    if (!list || !saved) return;
    list.scrollTop = saved.top + (list.scrollHeight - saved.height);
    anchor.current = null;
  }, [firstSequence]);

  const lastIsOwn = pending.length > 0 && pending.at(-1)?.clientId === lastKey;
  useEffect(() => {
    if (isReveal) {
      // A reader scrolled up to older messages is not pulled down: a pill says there is more below.
      if (isAtBottom.current || lastIsOwn) {
        endRef.current?.scrollIntoView({ block: "end" });
        setHasNewBelow(false);
      } else {
        setHasNewBelow(true);
      }
      return;
    }
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
    // lastIsOwn is derived from lastKey.
  }, [isReveal, lastKey]);

  // A search result: once its message is in the list, bring it to the middle and mark it.
  const [focusedSequence, setFocusedSequence] = useState<number | null>(null);
  const focusKey = focus?.key;
  const focusTarget = focus?.sequence;
  const holdsTarget = focusTarget !== undefined && messages.some((m) => m.sequence === focusTarget);
  useEffect(() => {
    if (focusTarget === undefined || !holdsTarget) return;
    const row = listRef.current?.querySelector<HTMLElement>(`[data-sequence="${focusTarget}"]`);
    if (!row) return;
    row.scrollIntoView({ block: "center" });
    setFocusedSequence(focusTarget);
    const timer = setTimeout(() => setFocusedSequence(null), FOCUS_MARK_MS);
    return () => clearTimeout(timer);
  }, [focusKey, focusTarget, holdsTarget]);

  useEffect(() => {
    const top = topRef.current;
    const root = listRef.current;
    if (!isReveal || !hasOlder || !top || !root || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) void onLoadOlder();
    }, { root });
    observer.observe(top);
    return () => observer.disconnect();
  }, [isReveal, hasOlder, onLoadOlder, messages.length]);

  function onRevealScroll() {
    const list = listRef.current;
    if (!list) return;
    isAtBottom.current = list.scrollHeight - list.scrollTop - list.clientHeight < AT_BOTTOM_PX;
    if (isAtBottom.current) setHasNewBelow(false);
  }

  function onScroll() {
    const list = listRef.current;
    if (!list || !hasOlder || isLoadingOlder.current || list.scrollTop > LOAD_OLDER_THRESHOLD_PX) return;
    isLoadingOlder.current = true;
    anchor.current = { height: list.scrollHeight, top: list.scrollTop };
    void Promise.resolve(onLoadOlder()).finally(() => {
      isLoadingOlder.current = false;
    });
  }

  return (
    <div className="relative flex min-h-0 flex-1 flex-col">
      <ol
        ref={listRef}
        onScroll={isReveal ? onRevealScroll : onScroll}
        data-testid="message-list"
        aria-live={isLive ? "polite" : undefined}
        aria-label="Messages"
        className="flex min-h-0 flex-1 flex-col gap-1 overflow-y-auto p-3"
      >
        {hasOlder ? (
          <li ref={topRef} className="self-center">
            <button type="button" data-testid="load-older" onClick={() => void onLoadOlder()} className={`rounded-lg px-3 text-sm text-teal-800 underline ${look.actionClassName}`}>
              Load earlier messages
            </button>
          </li>
        ) : null}
        {messages.map((message, index) => {
          const previous = index > 0 ? messages[index - 1] : undefined;
          const isNewDay = !previous || !isSameDay(previous.createdAt, message.createdAt);
          const isContinued =
            !isNewDay &&
            previous !== undefined &&
            previous.kind !== "SYSTEM" &&
            previous.sender.id === message.sender.id &&
            previous.kind === message.kind &&
            Date.parse(message.createdAt) - Date.parse(previous.createdAt) < GROUP_GAP_MS;
          return (
            <Fragment key={message.id}>
              {isNewDay ? (
                // Sticky: the day of the messages on screen stays in view while scrolling (a thread
                // opened at a search result three days back says which day it is).
                <li data-testid="date-separator" className="sticky top-0 z-10 my-1 self-center rounded-full bg-slate-200 px-3 py-0.5 text-xs font-semibold text-slate-900 shadow-sm dark:bg-slate-700 dark:text-slate-100">
                  {dayLabel(message.createdAt)}
                </li>
              ) : null}
              {message.kind === "SYSTEM" ? (
                <li data-testid="system-message" className="my-1 self-center rounded-full bg-slate-200 px-3 py-1 text-center text-xs text-slate-900 dark:bg-slate-800 dark:text-slate-100">
                  {message.body} · {formatTime(message.createdAt)}
                </li>
              ) : (
                renderMessage(message, isContinued, focusedSequence === message.sequence)
              )}
            </Fragment>
          );
        })}
        {pending.map((item) => (
          <PendingRow key={item.clientId} item={item} look={look} onRetry={onRetry} />
        ))}
        {isReveal ? <li ref={endRef} aria-hidden="true" /> : null}
      </ol>
      {hasNewBelow ? (
        <button
          type="button"
          data-testid="new-messages-pill"
          onClick={() => {
            endRef.current?.scrollIntoView({ block: "end", behavior: "smooth" });
            setHasNewBelow(false);
          }}
          className="absolute bottom-2 left-1/2 min-h-11 -translate-x-1/2 rounded-full bg-teal-800 px-4 text-sm font-semibold text-white shadow-lg"
        >
          New messages ↓
        </button>
      ) : null}
    </div>
  );
}

interface RowProps {
  /** Same sender as the row above: the name and time line is for screen readers only. */
  isContinued?: boolean;
  /** Data attributes the end-to-end tests read. */
  attributes: { "data-mine": "true" | "false"; "data-pending"?: "true"; "data-kind"?: string; "data-sequence"?: number; "data-client-id": string; "data-focused"?: "true" };
  /** Our side of the conversation sits on the right. */
  isOnRight: boolean;
  meta: string;
  badge?: ReactNode;
  body: string;
  /** Background, border and text colours of the bubble. */
  toneClassName: string;
  children?: ReactNode;
}

function Row({ attributes, isOnRight, meta, badge, body, toneClassName, children, isContinued = false }: RowProps) {
  const isFocused = attributes["data-focused"] === "true";
  return (
    <li
      data-testid="message"
      {...attributes}
      className={`flex max-w-[85%] flex-col gap-0.5 ${isContinued ? "" : "mt-1.5"} ${isOnRight ? "items-end self-end" : "items-start self-start"} ${isFocused ? "rounded-2xl outline-4 outline-offset-4 outline-amber-500" : ""}`}
    >
      <span data-testid="message-meta" className={isContinued ? "sr-only" : "text-xs text-slate-700 dark:text-slate-300"}>
        {meta}
      </span>
      {badge}
      <p data-testid="message-body" className={`whitespace-pre-wrap break-words rounded-2xl px-3 py-2 text-base ${toneClassName}`}>
        {body}
      </p>
      {children}
    </li>
  );
}

interface MessageRowProps {
  message: MessageView;
  isMine: boolean;
  isOnRight: boolean;
  toneClassName: string;
  /** Between the sender line and the bubble (a note's staff-only label). */
  badge?: ReactNode;
  /** Under the bubble: the delivery state, a seen marker. */
  children?: ReactNode;
  isContinued?: boolean;
  /** Opened from a search result: marked for a moment. */
  isFocused?: boolean;
}

/** A confirmed USER or NOTE message: "You" or the sender's name, the time, then the bubble. */
export function MessageRow({ message, isMine, isOnRight, toneClassName, badge, children, isContinued, isFocused }: MessageRowProps) {
  return (
    <Row
      isContinued={isContinued}
      attributes={{
        "data-mine": isMine ? "true" : "false",
        "data-kind": message.kind,
        "data-sequence": message.sequence,
        "data-client-id": message.clientId,
        ...(isFocused ? { "data-focused": "true" as const } : {}),
      }}
      isOnRight={isOnRight}
      meta={`${isMine ? "You" : message.sender.name} · ${formatTime(message.createdAt)}`}
      badge={badge}
      body={message.body}
      toneClassName={toneClassName}
    >
      {children}
    </Row>
  );
}

/** An own message's delivery state, with the reason when it was refused. */
export function MessageState({ state, look, error }: { state: DeliveryState; look: MessageListLook; error?: string | null }) {
  return (
    <span data-testid="message-state" data-state={state} className={`text-xs text-slate-700 dark:text-slate-300 ${look.stateClassName}`}>
      {look.stateText[state]}
      {error ? ` — ${error}` : ""}
    </span>
  );
}

/** An own message still in the outbox: its state, and Retry once it failed. */
function PendingRow({ item, look, onRetry }: { item: PendingMessage; look: MessageListLook; onRetry(clientId: string): void }) {
  return (
    <Row
      attributes={{ "data-mine": "true", "data-pending": "true", "data-client-id": item.clientId }}
      isOnRight
      meta={`You${item.isNote ? " · internal note" : ""}`}
      body={item.body}
      toneClassName={look.pendingToneClassName}
    >
      <MessageState state={pendingState(item)} look={look} error={item.error} />
      {item.status === "failed" ? (
        <button type="button" onClick={() => onRetry(item.clientId)} className={`rounded-lg px-3 text-sm font-semibold text-teal-800 underline ${look.actionClassName}`}>
          Retry
        </button>
      ) : null}
    </Row>
  );
}
