"use client";

import { useChat } from "@/components/realtime/chat-provider";
import { isUnacknowledgedEmergency } from "@/components/realtime/selectors";

interface ConversationTabsProps {
  tabs: readonly string[];
  activeId: string | null;
  onClose(id: string): void;
}

/** Several conversations open at once; switching only changes which one the workspace shows. */
export function ConversationTabs({ tabs, activeId, onClose }: ConversationTabsProps) {
  const conversations = useChat((s) => s.conversations);
  const openConversation = useChat((s) => s.openConversation);
  if (tabs.length === 0) return null;
  return (
    <nav aria-label="Open conversations" data-testid="conversation-tabs" className="flex gap-1 overflow-x-auto border-b border-slate-200 px-2 pt-2 dark:border-slate-800">
      {tabs.map((id) => {
        const c = conversations[id];
        const isActive = id === activeId;
        const isAlarm = c ? isUnacknowledgedEmergency(c) : false;
        return (
          <div key={id} className={`flex items-center rounded-t-lg border border-b-0 ${isActive ? "border-teal-600 bg-white dark:bg-slate-900" : "border-slate-300 dark:border-slate-700"} ${isAlarm ? "bg-red-100 dark:bg-red-950" : ""}`}>
            <button
              type="button"
              aria-current={isActive ? "true" : undefined}
              data-testid="conversation-tab"
              data-conversation-id={id}
              onClick={() => void openConversation(id)}
              className="flex max-w-48 min-h-9 items-center gap-1 px-2 text-sm"
            >
              <span className="truncate">{c ? `${c.creator.name}: ${c.title}` : "…"}</span>
              {c && c.unreadCount > 0 && !isActive ? (
                <span aria-label={`${c.unreadCount} unread`} className="rounded-full bg-teal-700 px-1.5 text-xs font-bold text-white">
                  {c.unreadCount}
                </span>
              ) : null}
            </button>
            <button type="button" aria-label={`Close ${c?.title ?? "conversation"}`} data-testid="conversation-tab-close" onClick={() => onClose(id)} className="min-h-9 px-2 text-sm">
              ×
            </button>
          </div>
        );
      })}
    </nav>
  );
}
