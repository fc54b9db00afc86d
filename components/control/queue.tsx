"use client";

import { useEffect, useMemo, useState } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import { CATEGORY_LABELS, STATUS_LABELS, isUnacknowledgedEmergency, sortQueue } from "@/components/realtime/selectors";
import { CONVERSATION_FILTERS, type ConversationFilter, type ConversationView } from "@/lib/chat/types";
import { ROOM_LABELS, STATUS_FILTER_LABELS, formatDuration, isInRoom, matchesStatus, vehicleAndRoute, waitingSince, type RoomView } from "./queue-model";
import { useNow } from "./use-now";

interface QueueProps {
  room: RoomView;
  /** The conversations shown, in order, for next/previous shortcuts. */
  onOrderChange(ids: string[]): void;
}

const SEARCH_DEBOUNCE_MS = 300;

export function Queue({ room, onOrderChange }: QueueProps) {
  const me = useChat((s) => s.me);
  const conversations = useChat((s) => s.conversations);
  const escalated = useChat((s) => s.escalated);
  const connection = useChat((s) => s.connection);
  const activeId = useChat((s) => s.activeConversationId);
  const openConversation = useChat((s) => s.openConversation);
  const call = useChat((s) => s.call);
  const upsertConversations = useChat((s) => s.upsertConversations);
  const [status, setStatus] = useState<ConversationFilter>("open");
  const [search, setSearch] = useState("");
  const [found, setFound] = useState<{ query: string; ids: Set<string> } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const now = useNow();
  const query = search.trim();

  // The store holds open conversations live; resolved ones and text matches come from the server.
  useEffect(() => {
    if (connection !== "online" || (status === "open" && !query)) {
      setFound(null);
      return;
    }
    let isCurrent = true;
    const timer = setTimeout(() => {
      call("conversation:list", { ...(room === "all" ? {} : { room }), status, ...(query ? { search: query } : {}) }).then(
        ({ conversations: list }) => {
          if (!isCurrent) return;
          upsertConversations(list);
          setFound({ query, ids: new Set(list.map((c) => c.id)) });
          setError(null);
        },
        (caught: unknown) => {
          if (isCurrent) setError(caught instanceof Error ? caught.message : "Search failed.");
        },
      );
    }, query ? SEARCH_DEBOUNCE_MS : 0);
    return () => {
      isCurrent = false;
      clearTimeout(timer);
    };
  }, [call, connection, query, room, status, upsertConversations]);

  const queue = useMemo(() => {
    const matching = Object.values(conversations).filter(
      (c) => isInRoom(c, room) && matchesStatus(c, status, me.id) && (!query || (found?.query === query && found.ids.has(c.id))),
    );
    return sortQueue(matching);
  }, [conversations, found, me.id, query, room, status]);

  useEffect(() => onOrderChange(queue.map((c) => c.id)), [queue, onOrderChange]);

  return (
    <nav aria-label="Queue" className="flex min-h-0 flex-1 flex-col">
      <div className="flex flex-col gap-2 border-b border-slate-200 p-2 dark:border-slate-800">
        <h2 className="px-1 text-xs font-bold uppercase tracking-wide text-slate-600 dark:text-slate-300">
          Queue · {ROOM_LABELS[room]} <span data-testid="queue-count">{queue.length}</span>
        </h2>
        <div className="flex gap-2">
          <label className="flex flex-col text-xs font-medium">
            Status
            <select
              data-testid="status-filter"
              value={status}
              onChange={(event) => setStatus(event.target.value as ConversationFilter)}
              className="min-h-9 rounded-lg border border-slate-300 bg-white px-2 text-sm dark:border-slate-600 dark:bg-slate-900"
            >
              {CONVERSATION_FILTERS.map((filter) => (
                <option key={filter} value={filter}>
                  {STATUS_FILTER_LABELS[filter]}
                </option>
              ))}
            </select>
          </label>
          <label className="flex flex-1 flex-col text-xs font-medium">
            Search
            <input
              type="search"
              data-testid="queue-search"
              value={search}
              placeholder="Person or message text"
              onChange={(event) => setSearch(event.target.value)}
              className="min-h-9 rounded-lg border border-slate-300 bg-white px-2 text-sm dark:border-slate-600 dark:bg-slate-900"
            />
          </label>
        </div>
        {error ? (
          <p role="alert" className="text-xs text-red-800 dark:text-red-300">
            {error}
          </p>
        ) : null}
      </div>
      {queue.length === 0 ? <p className="p-4 text-sm text-slate-600 dark:text-slate-300">Nothing here.</p> : null}
      <ul data-testid="queue" className="min-h-0 flex-1 overflow-y-auto">
        {queue.map((c) => (
          <QueueRow key={c.id} conversation={c} isActive={activeId === c.id} isEscalated={Boolean(escalated[c.id]) && !c.emergencyAck} now={now} onOpen={() => void openConversation(c.id)} />
        ))}
      </ul>
    </nav>
  );
}

function QueueRow({ conversation: c, isActive, isEscalated, now, onOpen }: { conversation: ConversationView; isActive: boolean; isEscalated: boolean; now: number; onOpen(): void }) {
  const isAlarm = isUnacknowledgedEmergency(c);
  const isEmergency = c.category === "EMERGENCY";
  return (
    <li>
      <button
        type="button"
        data-testid="queue-item"
        data-conversation-id={c.id}
        data-category={c.category}
        aria-current={isActive ? "true" : undefined}
        onClick={onOpen}
        className={`flex w-full flex-col gap-0.5 border-b border-slate-200 px-3 py-2 text-left dark:border-slate-800 ${
          isAlarm ? "border-l-8 border-l-red-600 bg-red-50 dark:bg-red-950" : isEmergency ? "border-l-4 border-l-red-400" : ""
        } ${isActive ? "outline outline-2 -outline-offset-2 outline-teal-600" : "hover:bg-slate-100 dark:hover:bg-slate-900"}`}
      >
        <span className="flex items-center gap-2">
          <span className="truncate font-semibold">{c.creator.name}</span>
          {isAlarm ? <span className="rounded bg-red-700 px-1.5 text-xs font-bold text-white">EMERGENCY</span> : null}
          {isEscalated ? (
            <span data-testid="queue-escalated" className="rounded bg-black px-1.5 text-xs font-bold text-yellow-300">
              ESCALATED
            </span>
          ) : null}
          <span className="text-xs text-slate-600 dark:text-slate-300">{CATEGORY_LABELS[c.category]}</span>
          {c.unreadCount > 0 ? (
            <span data-testid="unread-badge" aria-label={`${c.unreadCount} unread`} className="ml-auto rounded-full bg-teal-700 px-2 text-xs font-bold text-white">
              {c.unreadCount}
            </span>
          ) : null}
        </span>
        <span className="truncate text-sm">{c.title}</span>
        <span className="text-xs text-slate-700 dark:text-slate-300">
          {vehicleAndRoute(c)} · {STATUS_LABELS[c.status]} · <span data-testid="queue-waiting">waiting {formatDuration(now - Date.parse(waitingSince(c)))}</span>
        </span>
        <span data-testid="queue-assignee" className="text-xs text-slate-700 dark:text-slate-300">
          {c.assignee ? `Taken by ${c.assignee.name}` : "Unclaimed"}
        </span>
        {c.lastMessage ? (
          <span className="truncate text-xs text-slate-700 dark:text-slate-300">
            {c.lastMessage.kind === "NOTE" ? "Note · " : ""}
            {c.lastMessage.senderName}: {c.lastMessage.body}
          </span>
        ) : null}
      </button>
    </li>
  );
}
