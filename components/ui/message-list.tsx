"use client";

import { useEffect, useRef } from "react";
import { isControlRole, type ConversationView, type MessageView, type Role } from "@/lib/chat/types";
import type { PendingMessage } from "@/components/realtime/chat-store";
import { deliveryState, formatTime, pendingState, type DeliveryState } from "@/components/realtime/selectors";

const STATE_TEXT: Record<DeliveryState, string> = { sending: "sending", sent: "sent", read: "read", failed: "not sent" };

interface MessageListProps {
  me: { id: string; role: Role };
  conversation: ConversationView | undefined;
  messages: readonly MessageView[];
  pending: readonly PendingMessage[];
  hasOlder: boolean;
  onLoadOlder(): void;
  onRetry(clientId: string): void;
  /** Shown under the last own message the other side has read (control: "Seen by driver"). */
  seenLabel?: string;
  seenMessageId?: string | null;
}

/** Bodies render as React text only: markup typed by anyone shows literally. */
export function MessageList({ me, conversation, messages, pending, hasOlder, onLoadOlder, onRetry, seenLabel, seenMessageId }: MessageListProps) {
  const endRef = useRef<HTMLDivElement>(null);
  const count = messages.length + pending.length;
  useEffect(() => {
    endRef.current?.scrollIntoView({ block: "end" });
  }, [count]);
  const isOurSide = (role: Role) => isControlRole(role) === isControlRole(me.role);

  return (
    <ol data-testid="message-list" className="flex flex-1 flex-col gap-2 overflow-y-auto p-3" aria-live="polite">
      {hasOlder ? (
        <li className="self-center">
          <button type="button" onClick={onLoadOlder} className="min-h-11 rounded-lg px-3 text-sm text-teal-700 underline dark:text-teal-300">
            Load earlier messages
          </button>
        </li>
      ) : null}
      {messages.map((message) => {
        if (message.kind === "SYSTEM") {
          return (
            <li key={message.id} data-testid="system-message" className="self-center rounded-full bg-slate-200 px-3 py-1 text-xs text-slate-700 dark:bg-slate-800 dark:text-slate-300">
              {message.body} · {formatTime(message.createdAt)}
            </li>
          );
        }
        const isMine = message.sender.id === me.id;
        const ours = isOurSide(message.sender.role);
        return (
          <li
            key={message.id}
            data-testid="message"
            data-mine={isMine ? "true" : "false"}
            data-sequence={message.sequence}
            className={`flex max-w-[85%] flex-col gap-0.5 ${ours ? "items-end self-end" : "items-start self-start"}`}
          >
            <span className="text-xs text-slate-600 dark:text-slate-400">
              {isMine ? "You" : message.sender.name}
              {message.kind === "NOTE" ? " · internal note" : ""} · {formatTime(message.createdAt)}
            </span>
            <p
              data-testid="message-body"
              className={`whitespace-pre-wrap break-words rounded-2xl px-3 py-2 text-base ${
                message.kind === "NOTE"
                  ? "bg-yellow-100 text-yellow-950 dark:bg-yellow-900 dark:text-yellow-50"
                  : ours
                    ? "bg-teal-700 text-white"
                    : "bg-white text-slate-900 shadow-sm dark:bg-slate-800 dark:text-slate-100"
              }`}
            >
              {message.body}
            </p>
            {isMine ? (
              <span data-testid="message-state" data-state={deliveryState(message, conversation)} className="text-xs text-slate-600 dark:text-slate-400">
                {STATE_TEXT[deliveryState(message, conversation)]}
              </span>
            ) : null}
            {seenLabel && seenMessageId === message.id ? (
              <span data-testid="seen-marker" className="text-xs font-medium text-teal-700 dark:text-teal-300">
                {seenLabel}
              </span>
            ) : null}
          </li>
        );
      })}
      {pending.map((item) => (
        <li key={item.clientId} data-testid="message" data-mine="true" data-pending="true" className="flex max-w-[85%] flex-col items-end gap-0.5 self-end">
          <span className="text-xs text-slate-600 dark:text-slate-400">You</span>
          <p data-testid="message-body" className="whitespace-pre-wrap break-words rounded-2xl bg-teal-700/70 px-3 py-2 text-base text-white">
            {item.body}
          </p>
          <span data-testid="message-state" data-state={pendingState(item)} className="text-xs text-slate-600 dark:text-slate-400">
            {STATE_TEXT[pendingState(item)]}
            {item.error ? ` — ${item.error}` : ""}
          </span>
          {item.status === "failed" ? (
            <button type="button" onClick={() => onRetry(item.clientId)} className="min-h-11 rounded-lg px-3 text-sm font-semibold text-teal-700 underline dark:text-teal-300">
              Retry
            </button>
          ) : null}
        </li>
      ))}
      <div ref={endRef} />
    </ol>
  );
}
