"use client";

import { useEffect, useRef } from "react";
import { isControlRole, type ConversationView, type MessageView } from "@/lib/chat/types";
import type { PendingMessage } from "@/components/realtime/chat-store";
import { deliveryState, formatTime, pendingState, type DeliveryState } from "@/components/realtime/selectors";

/** What a driver reads under each of their messages. */
export const FIELD_STATE_TEXT: Record<DeliveryState, string> = {
  sending: "waiting to send",
  sent: "sent",
  read: "read by control",
  failed: "not sent",
};

interface FieldMessageListProps {
  myId: string;
  conversation: ConversationView | undefined;
  messages: readonly MessageView[];
  pending: readonly PendingMessage[];
  hasOlder: boolean;
  onLoadOlder(): void;
  onRetry(clientId: string): void;
}

/**
 * The field conversation: own messages on the right with their delivery state, control's on the left.
 * Older history loads when the top is scrolled into view. Bodies render as React text only, so markup
 * typed by anyone shows literally.
 */
export function FieldMessageList({ myId, conversation, messages, pending, hasOlder, onLoadOlder, onRetry }: FieldMessageListProps) {
  const listRef = useRef<HTMLOListElement>(null);
  const topRef = useRef<HTMLLIElement>(null);
  const endRef = useRef<HTMLLIElement>(null);
  const lastKey = pending.at(-1)?.clientId ?? messages.at(-1)?.id ?? "";

  // Follow the newest message, but not when older history is prepended.
  useEffect(() => {
    endRef.current?.scrollIntoView({ block: "end" });
  }, [lastKey]);

  useEffect(() => {
    const top = topRef.current;
    const root = listRef.current;
    if (!hasOlder || !top || !root || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) onLoadOlder();
    }, { root });
    observer.observe(top);
    return () => observer.disconnect();
  }, [hasOlder, onLoadOlder, messages.length]);

  return (
    <ol ref={listRef} data-testid="message-list" aria-label="Messages" className="flex min-h-0 flex-1 flex-col gap-2 overflow-y-auto p-3">
      {hasOlder ? (
        <li ref={topRef} className="self-center">
          <button type="button" onClick={onLoadOlder} className="min-h-11 rounded-lg px-3 text-sm text-teal-800 underline dark:text-teal-200">
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
        const isOurSide = isMine || !isControlRole(message.sender.role);
        const state = deliveryState(message, conversation);
        return (
          <li
            key={message.id}
            data-testid="message"
            data-mine={isMine ? "true" : "false"}
            data-sequence={message.sequence}
            data-client-id={message.clientId}
            className={`flex max-w-[85%] flex-col gap-0.5 ${isOurSide ? "items-end self-end" : "items-start self-start"}`}
          >
            <span className="text-xs text-slate-700 dark:text-slate-300">
              {isMine ? "You" : message.sender.name} · {formatTime(message.createdAt)}
            </span>
            <p
              data-testid="message-body"
              className={`whitespace-pre-wrap break-words rounded-2xl px-3 py-2 text-base ${
                isOurSide ? "bg-teal-800 text-white" : "bg-white text-slate-900 shadow-sm ring-1 ring-slate-200 dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-700"
              }`}
            >
              {message.body}
            </p>
            {isMine ? (
              <span data-testid="message-state" data-state={state} className="text-xs font-medium text-slate-700 dark:text-slate-300">
                {FIELD_STATE_TEXT[state]}
              </span>
            ) : null}
          </li>
        );
      })}
      {pending.map((item) => {
        const state = pendingState(item);
        return (
          <li
            key={item.clientId}
            data-testid="message"
            data-mine="true"
            data-pending="true"
            data-client-id={item.clientId}
            className="flex max-w-[85%] flex-col items-end gap-0.5 self-end"
          >
            <span className="text-xs text-slate-700 dark:text-slate-300">You</span>
            <p
              data-testid="message-body"
              className="whitespace-pre-wrap break-words rounded-2xl border-2 border-dashed border-teal-800 bg-white px-3 py-2 text-base text-slate-900 dark:border-teal-300 dark:bg-slate-900 dark:text-slate-100"
            >
              {item.body}
            </p>
            <span data-testid="message-state" data-state={state} className="text-xs font-medium text-slate-700 dark:text-slate-300">
              {FIELD_STATE_TEXT[state]}
              {item.error ? ` — ${item.error}` : ""}
            </span>
            {item.status === "failed" ? (
              <button type="button" onClick={() => onRetry(item.clientId)} className="min-h-11 rounded-lg px-3 text-sm font-semibold text-teal-800 underline dark:text-teal-200">
                Retry
              </button>
            ) : null}
          </li>
        );
      })}
      <li ref={endRef} aria-hidden="true" />
    </ol>
  );
}
