"use client";

import { useMemo } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import { CATEGORY_LABELS, STATUS_LABELS, formatTime, sortByActivity } from "@/components/realtime/selectors";

export function ConversationList({ onOpen }: { onOpen(conversationId: string): void }) {
  const conversations = useChat((s) => s.conversations);
  const sorted = useMemo(() => sortByActivity(Object.values(conversations)), [conversations]);

  if (sorted.length === 0) {
    return <p className="p-4 text-slate-600 dark:text-slate-400">No conversations yet. Use “Contact support” to reach control.</p>;
  }
  return (
    <ul data-testid="conversation-list" className="flex flex-col divide-y divide-slate-200 dark:divide-slate-800">
      {sorted.map((c) => (
        <li key={c.id}>
          <button
            type="button"
            data-testid="conversation-item"
            data-conversation-id={c.id}
            onClick={() => onOpen(c.id)}
            className="flex min-h-16 w-full flex-col gap-1 px-4 py-3 text-left hover:bg-slate-100 dark:hover:bg-slate-900"
          >
            <span className="flex items-center gap-2">
              <span className={`font-semibold ${c.category === "EMERGENCY" ? "text-red-700 dark:text-red-300" : ""}`}>{c.title}</span>
              <span data-testid="conversation-status" className="rounded bg-slate-200 px-1.5 text-xs dark:bg-slate-800">
                {STATUS_LABELS[c.status]}
              </span>
              <span className="text-xs text-slate-500">{CATEGORY_LABELS[c.category]}</span>
              {c.unreadCount > 0 ? (
                <span data-testid="unread-badge" aria-label={`${c.unreadCount} unread`} className="ml-auto rounded-full bg-teal-700 px-2 text-sm font-bold text-white">
                  {c.unreadCount}
                </span>
              ) : null}
            </span>
            {c.lastMessage ? (
              <span data-testid="conversation-last-message" className="truncate text-sm text-slate-600 dark:text-slate-400">
                {c.lastMessage.senderName}: {c.lastMessage.body} · {formatTime(c.lastMessageAt)}
              </span>
            ) : null}
          </button>
        </li>
      ))}
    </ul>
  );
}
