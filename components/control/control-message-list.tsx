"use client";

import { useEffect, useLayoutEffect, useRef } from "react";
import { isControlRole, type ConversationView, type MessageView } from "@/lib/chat/types";
import type { PendingMessage } from "@/components/realtime/chat-store";
import { deliveryState, formatTime, pendingState, type DeliveryState } from "@/components/realtime/selectors";

const STATE_TEXT: Record<DeliveryState, string> = { sending: "sending", sent: "sent", read: "read", failed: "not sent" };
/** Load older history when scrolled this close to the top. */
const LOAD_OLDER_THRESHOLD_PX = 80;

interface ControlMessageListProps {
  myId: string;
  conversation: ConversationView;
  messages: readonly MessageView[];
  pending: readonly PendingMessage[];
  hasOlder: boolean;
  seenMessageId: string | null;
  onLoadOlder(): Promise<void>;
  onRetry(clientId: string): void;
}

/**
 * The control side of a conversation. Older history loads as you scroll up (keeping your place);
 * new messages scroll into view. Internal notes are marked staff-only. Bodies are React text only.
 */
export function ControlMessageList({ myId, conversation, messages, pending, hasOlder, seenMessageId, onLoadOlder, onRetry }: ControlMessageListProps) {
  const listRef = useRef<HTMLOListElement>(null);
  const isLoadingOlder = useRef(false);
  const anchor = useRef<{ height: number; top: number } | null>(null);
  const firstSequence = messages[0]?.sequence ?? 0;
  const lastKey = `${messages[messages.length - 1]?.id ?? ""}:${pending.length}`;

  // After older messages were prepended, keep the same message under the reader's eyes.
  useLayoutEffect(() => {
    const list = listRef.current;
    const saved = anchor.current;
    if (!list || !saved) return;
    list.scrollTop = saved.top + (list.scrollHeight - saved.height);
    anchor.current = null;
  }, [firstSequence]);

  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [lastKey]);

  function onScroll() {
    const list = listRef.current;
    if (!list || !hasOlder || isLoadingOlder.current || list.scrollTop > LOAD_OLDER_THRESHOLD_PX) return;
    isLoadingOlder.current = true;
    anchor.current = { height: list.scrollHeight, top: list.scrollTop };
    void onLoadOlder().finally(() => {
      isLoadingOlder.current = false;
    });
  }

  return (
    <ol ref={listRef} onScroll={onScroll} data-testid="message-list" className="flex min-h-0 flex-1 flex-col gap-2 overflow-y-auto p-3" aria-live="polite" aria-label="Messages">
      {hasOlder ? (
        <li className="self-center">
          <button type="button" data-testid="load-older" onClick={() => void onLoadOlder()} className="min-h-9 rounded-lg px-3 text-sm text-teal-800 underline dark:text-teal-300">
            Load earlier messages
          </button>
        </li>
      ) : null}
      {messages.map((message) => {
        if (message.kind === "SYSTEM") {
          return (
            <li key={message.id} data-testid="system-message" className="self-center rounded-full bg-slate-200 px-3 py-1 text-xs text-slate-800 dark:bg-slate-800 dark:text-slate-200">
              {message.body} · {formatTime(message.createdAt)}
            </li>
          );
        }
        const isMine = message.sender.id === myId;
        const isOurs = isControlRole(message.sender.role);
        const isNote = message.kind === "NOTE";
        const state = deliveryState(message, conversation);
        return (
          <li
            key={message.id}
            data-testid="message"
            data-mine={isMine ? "true" : "false"}
            data-kind={message.kind}
            data-sequence={message.sequence}
            className={`flex max-w-[85%] flex-col gap-0.5 ${isOurs ? "items-end self-end" : "items-start self-start"}`}
          >
            <span className="text-xs text-slate-700 dark:text-slate-300">
              {isMine ? "You" : message.sender.name} · {formatTime(message.createdAt)}
            </span>
            {isNote ? (
              <span data-testid="note-label" className="rounded bg-yellow-300 px-1.5 text-xs font-bold text-yellow-950">
                Internal note — staff only
              </span>
            ) : null}
            <p
              data-testid="message-body"
              className={`whitespace-pre-wrap break-words rounded-2xl px-3 py-2 text-base ${
                isNote
                  ? "border-2 border-dashed border-yellow-500 bg-yellow-50 text-yellow-950 dark:bg-yellow-950 dark:text-yellow-50"
                  : isOurs
                    ? "bg-teal-700 text-white"
                    : "bg-white text-slate-900 shadow-sm dark:bg-slate-800 dark:text-slate-100"
              }`}
            >
              {message.body}
            </p>
            {isMine && !isNote ? (
              <span data-testid="message-state" data-state={state} className="text-xs text-slate-700 dark:text-slate-300">
                {STATE_TEXT[state]}
              </span>
            ) : null}
            {seenMessageId === message.id ? (
              <span data-testid="seen-marker" className="text-xs font-medium text-teal-800 dark:text-teal-300">
                Seen by driver
              </span>
            ) : null}
          </li>
        );
      })}
      {pending.map((item) => (
        <li key={item.clientId} data-testid="message" data-mine="true" data-pending="true" className="flex max-w-[85%] flex-col items-end gap-0.5 self-end">
          <span className="text-xs text-slate-700 dark:text-slate-300">You{item.isNote ? " · internal note" : ""}</span>
          <p data-testid="message-body" className="whitespace-pre-wrap break-words rounded-2xl bg-teal-800 px-3 py-2 text-base text-white">
            {item.body}
          </p>
          <span data-testid="message-state" data-state={pendingState(item)} className="text-xs text-slate-700 dark:text-slate-300">
            {STATE_TEXT[pendingState(item)]}
            {item.error ? ` — ${item.error}` : ""}
          </span>
          {item.status === "failed" ? (
            <button type="button" onClick={() => onRetry(item.clientId)} className="min-h-9 rounded-lg px-3 text-sm font-semibold text-teal-800 underline dark:text-teal-300">
              Retry
            </button>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
