"use client";

import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import { CATEGORY_LABELS, dayLabel, formatTime } from "@/components/realtime/selectors";
import { useDebouncedValue } from "@/components/ui/use-debounced-value";
import { HIGHLIGHT_START, HIGHLIGHT_STOP } from "@/lib/chat/search-snippet";
import type { MessageSearchHit, SupportRoom } from "@/lib/chat/types";

// Search over every stored message (message:search), not only the conversations this browser holds.
// Results are newest first, a page at a time; choosing one opens its conversation at that message.

const ROOM_CHOICES: { value: "" | SupportRoom; label: string }[] = [
  { value: "", label: "All requests" },
  { value: "driver_support", label: "Driver" },
  { value: "regulator_support", label: "Regulator" },
  { value: "emergency_support", label: "Emergency" },
];

interface Filters {
  query: string;
  room: "" | SupportRoom;
  driver: string;
  vehicle: string;
  status: "" | "open" | "resolved";
  from: string;
  to: string;
}

const EMPTY: Filters = { query: "", room: "", driver: "", vehicle: "", status: "", from: "", to: "" };

/** The request for a set of filters (dates are whole local days). */
function searchInput(filters: Filters, after?: string) {
  return {
    query: filters.query.trim(),
    ...(filters.room ? { room: filters.room } : {}),
    ...(filters.driver.trim() ? { driver: filters.driver.trim() } : {}),
    ...(filters.vehicle.trim() ? { vehicle: filters.vehicle.trim() } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.from ? { from: new Date(`${filters.from}T00:00:00`).toISOString() } : {}),
    ...(filters.to ? { to: new Date(`${filters.to}T23:59:59.999`).toISOString() } : {}),
    ...(after ? { after } : {}),
  };
}

/** A snippet from the server: plain text with matched words between the highlight marks, drawn as text. */
export function Snippet({ text }: { text: string }) {
  const parts: { text: string; isMatch: boolean }[] = [];
  let rest = text;
  while (rest.length > 0) {
    const start = rest.indexOf(HIGHLIGHT_START);
    if (start === -1) {
      parts.push({ text: rest, isMatch: false });
      break;
    }
    if (start > 0) parts.push({ text: rest.slice(0, start), isMatch: false });
    const stop = rest.indexOf(HIGHLIGHT_STOP, start + 1);
    const end = stop === -1 ? rest.length : stop;
    parts.push({ text: rest.slice(start + 1, end), isMatch: true });
    rest = stop === -1 ? "" : rest.slice(stop + 1);
  }
  return (
    <>
      {parts.map((part, i) =>
        part.isMatch ? (
          <mark key={i} className="rounded bg-amber-200 px-0.5 text-slate-950 dark:bg-amber-400">
            {part.text}
          </mark>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </>
  );
}

export function HistorySearch({ onClose }: { onClose(): void }) {
  const call = useChat((s) => s.call);
  const openConversationAt = useChat((s) => s.openConversationAt);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [hits, setHits] = useState<MessageSearchHit[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [state, setState] = useState<"idle" | "searching" | "done" | "error">("idle");
  const [error, setError] = useState<string | null>(null);
  const queryRef = useRef<HTMLInputElement>(null);
  const settled = useDebouncedValue(filters, 300);
  const generation = useRef(0);

  useEffect(() => queryRef.current?.focus(), []);

  const search = useCallback(
    async (current: Filters, after?: string) => {
      if (!current.query.trim()) {
        // A search still on its way must not fill the cleared box.
        generation.current += 1;
        setHits([]);
        setNext(null);
        setState("idle");
        return;
      }
      const mine = ++generation.current;
      setState("searching");
      try {
        const page = await call("message:search", searchInput(current, after));
        if (mine !== generation.current) return;
        setHits((earlier) => (after ? [...earlier, ...page.hits] : page.hits));
        setNext(page.next);
        setError(null);
        setState("done");
      } catch (failure) {
        if (mine !== generation.current) return;
        setError(failure instanceof Error ? failure.message : "The search failed.");
        setState("error");
      }
    },
    [call],
  );

  useEffect(() => {
    void search(settled);
  }, [settled, search]);

  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => setFilters((current) => ({ ...current, [key]: value }));
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void search(filters);
  };
  const open = (hit: MessageSearchHit) => {
    onClose();
    void openConversationAt(hit.conversationId, hit.sequence);
  };

  const inputClass = "h-9 min-w-0 rounded-md border border-slate-400 bg-white px-2 text-sm text-slate-900 dark:border-slate-600 dark:bg-slate-950 dark:text-slate-100";
  return (
    <div className="fixed inset-0 z-50 flex items-start justify-center bg-black/50 p-4 pt-[6vh]" onClick={onClose}>
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby="history-search-heading"
        data-testid="history-search"
        onClick={(event) => event.stopPropagation()}
        onKeyDown={(event) => event.key === "Escape" && onClose()}
        className="flex max-h-[88vh] w-full max-w-3xl flex-col rounded-xl bg-white text-slate-900 shadow-xl dark:bg-slate-900 dark:text-slate-100"
      >
        <form onSubmit={onSubmit} className="flex flex-col gap-2 border-b border-slate-200 p-3 dark:border-slate-700">
          <div className="flex items-center gap-2">
            <h2 id="history-search-heading" className="shrink-0 text-base font-bold">
              Search all history
            </h2>
            <input
              ref={queryRef}
              type="search"
              data-testid="history-query"
              aria-label="Words to find in any message"
              placeholder={'Words, "a phrase", -without'}
              value={filters.query}
              onChange={(event) => set("query", event.target.value)}
              maxLength={100}
              className={`${inputClass} flex-1 text-base`}
            />
            <button type="button" data-testid="history-close" onClick={onClose} className="h-9 rounded-md border border-slate-400 px-3 text-sm font-semibold dark:border-slate-600">
              Close
            </button>
          </div>
          <div className="grid grid-cols-2 gap-2 sm:grid-cols-6">
            <select aria-label="Room" data-testid="history-room" value={filters.room} onChange={(event) => set("room", event.target.value as Filters["room"])} className={inputClass}>
              {ROOM_CHOICES.map((choice) => (
                <option key={choice.value} value={choice.value}>
                  {choice.label}
                </option>
              ))}
            </select>
            <input aria-label="Driver or regulator" data-testid="history-driver" placeholder="Driver" value={filters.driver} onChange={(event) => set("driver", event.target.value)} maxLength={100} className={inputClass} />
            <input aria-label="Vehicle or route" data-testid="history-vehicle" placeholder="Vehicle / route" value={filters.vehicle} onChange={(event) => set("vehicle", event.target.value)} maxLength={100} className={inputClass} />
            <select aria-label="Status" data-testid="history-status" value={filters.status} onChange={(event) => set("status", event.target.value as Filters["status"])} className={inputClass}>
              <option value="">Any status</option>
              <option value="open">Open</option>
              <option value="resolved">Resolved</option>
            </select>
            <input type="date" aria-label="From date" data-testid="history-from" value={filters.from} onChange={(event) => set("from", event.target.value)} className={inputClass} />
            <input type="date" aria-label="To date" data-testid="history-to" value={filters.to} onChange={(event) => set("to", event.target.value)} className={inputClass} />
          </div>
        </form>
        <div className="min-h-0 flex-1 overflow-y-auto">
          <p role="status" data-testid="history-state" data-state={state} className="px-3 py-2 text-sm text-slate-700 dark:text-slate-300">
            {state === "idle" ? "Type a word from any message, however old." : null}
            {state === "searching" ? "Searching…" : null}
            {state === "done" ? (hits.length === 0 ? "No message matches." : `${hits.length}${next ? "+" : ""} message${hits.length === 1 ? "" : "s"}, newest first`) : null}
            {state === "error" ? error : null}
          </p>
          <ul className="divide-y divide-slate-200 dark:divide-slate-700">
            {hits.map((hit) => (
              <li key={hit.messageId}>
                <button
                  type="button"
                  data-testid="history-hit"
                  data-conversation-id={hit.conversationId}
                  data-sequence={hit.sequence}
                  onClick={() => open(hit)}
                  className="flex w-full min-w-0 flex-col gap-0.5 px-3 py-2 text-left hover:bg-slate-100 focus-visible:bg-slate-100 dark:hover:bg-slate-800 dark:focus-visible:bg-slate-800"
                >
                  <span className="flex w-full min-w-0 items-center gap-2 text-sm">
                    <span className={`shrink-0 rounded px-1.5 text-xs font-bold ${hit.conversation.category === "EMERGENCY" ? "bg-red-700 text-white" : "bg-slate-200 text-slate-900 dark:bg-slate-700 dark:text-slate-100"}`}>
                      {CATEGORY_LABELS[hit.conversation.category]}
                    </span>
                    <span className="min-w-0 flex-1 truncate font-semibold">
                      {hit.conversation.title}
                      <span className="font-normal text-slate-700 dark:text-slate-300">
                        {" "}
                        · {hit.conversation.creatorName}
                        {hit.conversation.vehicle || hit.conversation.route ? ` · ${[hit.conversation.vehicle, hit.conversation.route].filter(Boolean).join(", ")}` : ""}
                        {hit.conversation.status === "RESOLVED" ? " · resolved" : ""}
                      </span>
                    </span>
                    <time dateTime={hit.createdAt} className="shrink-0 text-xs text-slate-700 dark:text-slate-300">
                      {dayLabel(hit.createdAt)} {formatTime(hit.createdAt)}
                    </time>
                  </span>
                  <span data-testid="history-snippet" className="line-clamp-2 text-sm">
                    {hit.isNote ? <span className="mr-1 rounded bg-yellow-300 px-1 text-xs font-bold text-yellow-950">Internal note</span> : null}
                    <span className="text-slate-700 dark:text-slate-300">{hit.senderName}: </span>
                    <Snippet text={hit.snippet} />
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {next ? (
            <div className="flex justify-center p-2">
              <button type="button" data-testid="history-more" onClick={() => void search(filters, next)} className="h-9 rounded-md border border-slate-400 px-3 text-sm font-semibold dark:border-slate-600">
                More results
              </button>
            </div>
          ) : null}
        </div>
      </div>
    </div>
  );
}
