"use client";

import { useMemo } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import { CATEGORY_LABELS, formatTime, sortByActivity } from "@/components/realtime/selectors";
import { fieldStatusLabel } from "./field-status";
import { CallControlLink, useControlPhone } from "./emergency-status";

export function ConversationList({ onOpen }: { onOpen(conversationId: string): void }) {
  const conversations = useChat((s) => s.conversations);
  const waiting = useChat((s) => s.pendingConversations);
  const retryConversation = useChat((s) => s.retryConversation);
  const phone = useControlPhone();
  const sorted = useMemo(() => sortByActivity(Object.values(conversations)), [conversations]);

  if (sorted.length === 0 && waiting.length === 0) {
    return <p className="p-4 text-slate-700 dark:text-slate-300">No conversations yet. Use “Contact support” to reach control.</p>;
  }
  return (
    <ul data-testid="conversation-list" className="flex flex-col divide-y divide-slate-200 dark:divide-slate-800">
      {waiting.map((p) => (
        <li key={p.clientId} data-testid="pending-conversation" data-client-id={p.clientId} className="flex flex-col gap-1 px-4 py-3">
          <span className="flex items-center gap-2">
            <span className={`font-semibold ${p.category === "EMERGENCY" ? "text-red-800 dark:text-red-300" : ""}`}>{p.title ?? CATEGORY_LABELS[p.category]}</span>
            <span className="text-xs text-slate-700 dark:text-slate-300">{CATEGORY_LABELS[p.category]}</span>
          </span>
          <span className="truncate text-sm text-slate-700 dark:text-slate-300">{p.body}</span>
          <span data-testid="pending-conversation-state" className="text-xs font-medium text-slate-700 dark:text-slate-300">
            {p.status === "failed" ? `not sent — ${p.error ?? "refused"}` : "waiting to send"}
          </span>
          {p.category === "EMERGENCY" ? (
            <p role="alert" data-testid="alarm-not-sent" className="flex flex-col gap-2 rounded-lg bg-red-100 p-2 text-sm font-semibold text-red-950 dark:bg-red-950 dark:text-red-100">
              Alarm not sent yet — it goes out first when signal returns.
              {phone ? <CallControlLink phone={phone} isProminent /> : null}
            </p>
          ) : null}
          {p.status === "failed" ? (
            <button type="button" onClick={() => retryConversation(p.clientId)} className="min-h-11 self-start rounded-lg px-3 text-sm font-semibold text-teal-800 underline dark:text-teal-200">
              Retry
            </button>
          ) : null}
        </li>
      ))}
      {sorted.map((c) => (
        <li key={c.id}>
          <button
            type="button"
            data-testid="conversation-item"
            data-conversation-id={c.id}
            data-category={c.category}
            onClick={() => onOpen(c.id)}
            className="flex min-h-16 w-full min-w-0 flex-col gap-0.5 px-4 py-2.5 text-left hover:bg-slate-100 dark:hover:bg-slate-900"
          >
            <span className="flex w-full min-w-0 items-center gap-2">
              <span className={`min-w-0 flex-1 truncate font-semibold ${c.category === "EMERGENCY" ? "text-red-800 dark:text-red-300" : ""}`}>{c.title}</span>
              <span className="shrink-0 text-xs text-slate-700 dark:text-slate-300">{formatTime(c.lastMessageAt)}</span>
            </span>
            <span className="flex w-full min-w-0 items-center gap-2">
              <span data-testid="conversation-last-message" className="min-w-0 flex-1 truncate text-sm text-slate-700 dark:text-slate-300">
                {c.lastMessage ? `${c.lastMessage.senderName}: ${c.lastMessage.body}` : CATEGORY_LABELS[c.category]}
              </span>
              {c.unreadCount > 0 ? (
                <span data-testid="unread-badge" aria-label={`${c.unreadCount} unread`} className="shrink-0 rounded-full bg-teal-800 px-2 text-sm font-bold text-white">
                  {c.unreadCount}
                </span>
              ) : null}
            </span>
            <span data-testid="conversation-status" data-status={c.status} className="text-xs font-medium text-slate-800 dark:text-slate-200">
              {fieldStatusLabel(c)} · {CATEGORY_LABELS[c.category]}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
