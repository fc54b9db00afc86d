"use client";

import { memo, useEffect, useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useChat } from "@/components/realtime/chat-provider";
import { CATEGORY_LABELS, isUnacknowledgedEmergency, sortQueue } from "@/components/realtime/selectors";
import { CONVERSATION_FILTERS, type Category, type ConversationFilter, type ConversationView } from "@/lib/chat/types";
import { QUEUE_FILTER_LABELS, STATUS_FILTER_LABELS, formatDuration, matchesFilter, matchesStatus, roomForFilter, vehicleAndRoute, waitingSince, type QueueFilter } from "./queue-model";
import { MonitorMenu } from "./monitor-menu";
import { useNow } from "./use-now";
import { QUEUE_ROW_PX } from "./dimensions";

interface QueueProps {
  filter: QueueFilter;
  /** The conversations shown, in order, for next/previous shortcuts. */
  onOrderChange(ids: string[]): void;
}

const SEARCH_DEBOUNCE_MS = 300;

/** The main scrolling surface of the dashboard: a virtual list, so a thousand rows cost what twenty do. */
export function Queue({ filter, onOrderChange }: QueueProps) {
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
  const isLoading = connection !== "online" && Object.keys(conversations).length === 0;
  const now = useNow();
  const query = search.trim();
  const scroller = useRef<HTMLDivElement>(null);

  // The store holds open conversations live; resolved ones and text matches come from the server.
  useEffect(() => {
    if (connection !== "online" || (status === "open" && !query)) {
      setFound(null);
      return;
    }
    let isCurrent = true;
    const room = roomForFilter(filter);
    const timer = setTimeout(() => {
      call("conversation:list", { ...(room ? { room } : {}), status, ...(query ? { search: query } : {}) }).then(
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
  }, [call, connection, query, filter, status, upsertConversations]);

  const queue = useMemo(() => {
    const matching = Object.values(conversations).filter(
      (c) => matchesFilter(c, filter) && matchesStatus(c, status, me.id) && (!query || (found?.query === query && found.ids.has(c.id))),
    );
    return sortQueue(matching);
  }, [conversations, found, me.id, query, filter, status]);

  useEffect(() => onOrderChange(queue.map((c) => c.id)), [queue, onOrderChange]);

  const virtualizer = useVirtualizer({
    count: queue.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => QUEUE_ROW_PX,
    overscan: 8,
    getItemKey: (index) => queue[index]?.id ?? index,
  });

  // Keyboard next/previous: keep the active conversation in view.
  const activeIndex = activeId ? queue.findIndex((c) => c.id === activeId) : -1;
  useEffect(() => {
    if (activeIndex >= 0) virtualizer.scrollToIndex(activeIndex, { align: "auto" });
  }, [activeIndex, virtualizer]);

  return (
    <nav aria-label="Queue" className="flex min-h-0 flex-1 flex-col">
      <div className="flex items-center gap-1.5 border-b border-slate-200 px-2 py-1 dark:border-slate-800">
        <h2 className="sr-only">
          Queue · {QUEUE_FILTER_LABELS[filter]}
        </h2>
        <select
          aria-label="Status"
          data-testid="status-filter"
          value={status}
          onChange={(event) => setStatus(event.target.value as ConversationFilter)}
          className="h-8 shrink-0 rounded-md border border-slate-300 bg-white px-1 text-[13px] dark:border-slate-600 dark:bg-slate-900"
        >
          {CONVERSATION_FILTERS.map((f) => (
            <option key={f} value={f}>
              {STATUS_FILTER_LABELS[f]}
            </option>
          ))}
        </select>
        <input
          type="search"
          aria-label="Search the queue"
          data-testid="queue-search"
          value={search}
          placeholder="Search person or text ( / )"
          onChange={(event) => setSearch(event.target.value)}
          className="h-8 min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-2 text-[13px] dark:border-slate-600 dark:bg-slate-900"
        />
        <span className="shrink-0 text-[13px] tabular-nums text-slate-700 dark:text-slate-300" aria-label={`${queue.length} in the queue`}>
          <span data-testid="queue-count">{queue.length}</span>
        </span>
        <MonitorMenu />
      </div>
      {error ? (
        <p role="alert" className="px-3 py-1 text-[13px] text-red-800 dark:text-red-300">
          {error}
        </p>
      ) : null}
      {isLoading ? <QueueSkeleton /> : null}
      {!isLoading && queue.length === 0 ? (
        <p data-testid="queue-empty" className="p-4 text-sm text-slate-700 dark:text-slate-300">
          {query ? `Nothing matches “${query}”. Try a name, vehicle or words from a message.` : status === "open" ? "No open conversations. New requests appear here and sound an alert." : "Nothing here with this filter."}
        </p>
      ) : null}
      <div ref={scroller} data-testid="queue-scroller" className="min-h-0 flex-1 overflow-y-auto overscroll-contain">
        <ul data-testid="queue" aria-label="Conversations" className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const c = queue[item.index];
            if (!c) return null;
            return (
              <li key={item.key} className="absolute left-0 top-0 w-full" style={{ height: QUEUE_ROW_PX, transform: `translateY(${item.start}px)` }}>
                <QueueRow
                  conversation={c}
                  myId={me.id}
                  isActive={activeId === c.id}
                  isEscalated={Boolean(escalated[c.id]) && !c.emergencyAck}
                  waited={formatDuration(now - Date.parse(waitingSince(c)))}
                  onOpen={openConversation}
                />
              </li>
            );
          })}
        </ul>
      </div>
    </nav>
  );
}

const CATEGORY_MARKS: Record<Category, { letter: string; className: string }> = {
  EMERGENCY: { letter: "E", className: "bg-red-700 text-white" },
  DRIVER: { letter: "D", className: "bg-sky-700 text-white" },
  REGULATOR: { letter: "R", className: "bg-violet-700 text-white" },
  GENERAL: { letter: "G", className: "bg-slate-600 text-white" },
};

interface QueueRowProps {
  conversation: ConversationView;
  myId: string;
  isActive: boolean;
  isEscalated: boolean;
  waited: string;
  onOpen(id: string): void;
}

/** Two lines, never more: who and where, waiting time; then the request and the last word, unread, holder. */
const QueueRow = memo(function QueueRow({ conversation: c, myId, isActive, isEscalated, waited, onOpen }: QueueRowProps) {
  const isAlarm = isUnacknowledgedEmergency(c);
  const mark = CATEGORY_MARKS[c.category];
  const holder = c.assignee ? (c.assignee.id === myId ? "Me" : c.assignee.name) : c.status === "RESOLVED" ? "Resolved" : "Unclaimed";
  const preview = c.lastMessage ? `${c.lastMessage.kind === "NOTE" ? "Note · " : ""}${c.lastMessage.senderName}: ${c.lastMessage.body}` : "";
  return (
    <button
      type="button"
      data-testid="queue-item"
      data-conversation-id={c.id}
      data-category={c.category}
      aria-current={isActive ? "true" : undefined}
      onClick={() => onOpen(c.id)}
      className={`flex h-full w-full flex-col justify-center gap-0.5 border-b border-l-4 border-b-slate-200 px-2 text-left dark:border-b-slate-800 ${
        isAlarm ? "border-l-red-600 bg-red-50 dark:bg-red-950/60" : c.category === "EMERGENCY" ? "border-l-red-400" : "border-l-transparent"
      } ${isActive ? "bg-teal-50 outline outline-2 -outline-offset-2 outline-teal-600 dark:bg-teal-950/60 dark:outline-teal-400" : "hover:bg-slate-100 dark:hover:bg-slate-800/70"}`}
    >
      <span className="flex w-full min-w-0 items-center gap-1.5 text-sm leading-[18px]">
        <span aria-label={CATEGORY_LABELS[c.category]} title={CATEGORY_LABELS[c.category]} className={`inline-flex size-4 shrink-0 items-center justify-center rounded text-[11px] font-black ${mark.className}`}>
          {mark.letter}
        </span>
        <span className="min-w-0 truncate">
          <span className="font-semibold">{c.creator.name}</span>
          <span className="text-slate-700 dark:text-slate-300"> · {vehicleAndRoute(c)}</span>
        </span>
        {isEscalated ? (
          <span data-testid="queue-escalated" className="shrink-0 rounded bg-black px-1 text-[11px] font-bold text-yellow-300">
            ESCALATED
          </span>
        ) : isAlarm ? (
          <span className="shrink-0 rounded bg-red-700 px-1 text-[11px] font-bold text-white">ALARM</span>
        ) : null}
        <span data-testid="queue-waiting" className="ml-auto shrink-0 text-[13px] tabular-nums text-slate-700 dark:text-slate-300" title="Waiting for">
          {waited}
        </span>
      </span>
      <span className="flex w-full min-w-0 items-center gap-1.5 text-[13px] leading-4 text-slate-700 dark:text-slate-300">
        <span className="min-w-0 flex-1 truncate">
          <span data-testid="queue-title" className="text-slate-900 dark:text-slate-100">
            {c.title}
          </span>
          {preview ? ` — ${preview}` : ""}
        </span>
        {c.unreadCount > 0 ? (
          <span data-testid="unread-badge" aria-label={`${c.unreadCount} unread`} className="shrink-0 rounded-full bg-teal-700 px-1.5 text-xs font-bold text-white">
            {c.unreadCount}
          </span>
        ) : null}
        <span data-testid="queue-assignee" className={`max-w-24 shrink-0 truncate ${c.assignee ? "" : "font-semibold text-amber-800 dark:text-amber-300"}`}>
          {holder}
        </span>
      </span>
    </button>
  );
});

function QueueSkeleton() {
  return (
    <ul data-testid="queue-skeleton" aria-label="Loading conversations" className="flex flex-col">
      {Array.from({ length: 8 }, (_, i) => (
        <li key={i} className="flex flex-col gap-1.5 border-b border-slate-200 px-3 py-2 dark:border-slate-800" style={{ height: QUEUE_ROW_PX }}>
          <span className="h-3 w-2/3 animate-pulse rounded bg-slate-200 dark:bg-slate-800" />
          <span className="h-3 w-5/6 animate-pulse rounded bg-slate-200 dark:bg-slate-800" />
        </li>
      ))}
    </ul>
  );
}
