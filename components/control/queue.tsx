"use client";

import { useMemo, useState } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import {
  CATEGORY_LABELS,
  ROOM_FILTERS,
  STATUS_LABELS,
  countByRoom,
  filterByRoom,
  formatTime,
  isUnacknowledgedEmergency,
  sortQueue,
  type RoomFilter,
} from "@/components/realtime/selectors";

export function Queue() {
  const conversations = useChat((s) => s.conversations);
  const activeId = useChat((s) => s.activeConversationId);
  const openConversation = useChat((s) => s.openConversation);
  const [filter, setFilter] = useState<RoomFilter>("ALL");
  const all = useMemo(() => Object.values(conversations), [conversations]);
  const counts = useMemo(() => countByRoom(all), [all]);
  const queue = useMemo(() => sortQueue(filterByRoom(all, filter)), [all, filter]);

  return (
    <nav aria-label="Queue" className="flex min-h-0 flex-col border-r border-slate-200 dark:border-slate-800">
      <div role="tablist" aria-label="Room" className="flex flex-wrap gap-1 border-b border-slate-200 p-2 dark:border-slate-800">
        {ROOM_FILTERS.map((room) => (
          <button
            key={room}
            type="button"
            role="tab"
            aria-selected={filter === room}
            data-testid={`room-filter-${room.toLowerCase()}`}
            onClick={() => setFilter(room)}
            className={`min-h-9 rounded-full px-3 text-sm font-medium ${
              filter === room ? "bg-teal-700 text-white" : "bg-slate-200 text-slate-800 hover:bg-slate-300 dark:bg-slate-800 dark:text-slate-100"
            }`}
          >
            {room === "ALL" ? "All" : CATEGORY_LABELS[room]} <span data-testid="room-count">{counts[room]}</span>
          </button>
        ))}
      </div>
      {queue.length === 0 ? <p className="p-4 text-sm text-slate-600 dark:text-slate-400">Nothing waiting.</p> : null}
      <ul data-testid="queue" className="min-h-0 flex-1 overflow-y-auto">
        {queue.map((c) => {
          const isEmergency = isUnacknowledgedEmergency(c);
          return (
            <li key={c.id}>
              <button
                type="button"
                data-testid="queue-item"
                data-conversation-id={c.id}
                aria-current={activeId === c.id ? "true" : undefined}
                onClick={() => void openConversation(c.id)}
                className={`flex w-full flex-col gap-0.5 border-b border-slate-200 px-3 py-2 text-left dark:border-slate-800 ${
                  activeId === c.id ? "bg-teal-50 dark:bg-teal-950" : "hover:bg-slate-100 dark:hover:bg-slate-900"
                } ${isEmergency ? "border-l-4 border-l-red-600" : ""}`}
              >
                <span className="flex items-center gap-2">
                  <span className="truncate font-semibold">{c.creator.name}</span>
                  {isEmergency ? <span className="rounded bg-red-700 px-1.5 text-xs font-bold text-white">EMERGENCY</span> : null}
                  <span className="text-xs text-slate-500">{CATEGORY_LABELS[c.category]}</span>
                  {c.unreadCount > 0 ? (
                    <span data-testid="unread-badge" className="ml-auto rounded-full bg-teal-700 px-2 text-xs font-bold text-white">
                      {c.unreadCount}
                    </span>
                  ) : null}
                </span>
                <span className="truncate text-sm">{c.title}</span>
                <span className="text-xs text-slate-600 dark:text-slate-400">
                  {[c.vehicle, c.route].filter(Boolean).join(" · ") || "No vehicle/route"} · {STATUS_LABELS[c.status]}
                  {c.assignee ? ` · ${c.assignee.name}` : " · Unassigned"}
                </span>
                {c.lastMessage ? (
                  <span className="truncate text-xs text-slate-600 dark:text-slate-400">
                    {c.lastMessage.senderName}: {c.lastMessage.body} · {formatTime(c.lastMessageAt)}
                  </span>
                ) : null}
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
