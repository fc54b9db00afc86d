"use client";

import { useEffect, useState } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import { formatDateTime } from "@/components/realtime/selectors";
import { useDebouncedValue } from "@/components/ui/use-debounced-value";
import type { AuditView as AuditEvent } from "@/lib/chat/types";

export const AUDIT_PAGE = 50;

/** What each recorded action means, in the words an admin uses. */
const ACTION_LABELS: Record<string, string> = {
  "auth.sign_in": "Signed in",
  "auth.sign_in_failed": "Sign-in refused",
  "auth.sign_in_throttled": "Sign-in throttled",
  "auth.token_issued": "API token issued",
  "user.created": "Account created",
  "user.deactivated": "Account deactivated",
  "user.reactivated": "Account reactivated",
  "user.role_changed": "Role changed",
  "user.password_set": "Password reset",
  "conversation.taken": "Conversation taken",
  "conversation.transferred": "Conversation transferred",
  "conversation.resolved": "Conversation resolved",
  "conversation.reopened": "Conversation reopened",
  "emergency.acknowledged": "Emergency acknowledged",
  "emergency.raised": "Emergency raised",
  "emergency.escalated": "Emergency escalated",
  "emergency.cancelled": "Emergency cancelled (false alarm)",
};

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : "Something went wrong.";
}

/** The audit record, newest first: names and conversation titles, a server-side search, and older pages. */
export function AuditView({ version }: { version: number }) {
  const call = useChat((s) => s.call);
  const connection = useChat((s) => s.connection);
  const [search, setSearch] = useState("");
  const query = useDebouncedValue(search.trim());
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [hasMore, setHasMore] = useState(false);
  // The search the shown events answer (tests and screen readers can tell a stale page from a fresh one).
  const [shownQuery, setShownQuery] = useState("");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (connection !== "online") return;
    let isCurrent = true;
    call("audit:list", { limit: AUDIT_PAGE, ...(query ? { search: query } : {}) }).then(
      ({ events: list }) => {
        if (!isCurrent) return;
        setError(null);
        setEvents(list);
        setShownQuery(query);
        setHasMore(list.length === AUDIT_PAGE);
      },
      (caught: unknown) => isCurrent && setError(messageOf(caught)),
    );
    return () => {
      isCurrent = false;
    };
  }, [call, connection, version, query]);

  async function loadOlder() {
    const last = events?.at(-1);
    if (!last) return;
    try {
      const { events: older } = await call("audit:list", { limit: AUDIT_PAGE, afterId: last.id, ...(query ? { search: query } : {}) });
      setEvents((current) => [...(current ?? []), ...older.filter((e) => !current?.some((c) => c.id === e.id))]);
      setHasMore(older.length === AUDIT_PAGE);
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  return (
    <section aria-labelledby="audit-heading" className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-3">
        <h2 id="audit-heading" className="text-lg font-bold">
          Audit record
        </h2>
        <label className="text-sm">
          <span className="sr-only">Search the audit record</span>
          <input
            type="search"
            data-testid="audit-search"
            placeholder="Search action, person, email, conversation"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            className="min-h-9 w-80 rounded-lg border border-slate-400 bg-white px-2 dark:bg-slate-900"
          />
        </label>
        <span data-testid="audit-count" className="ml-auto text-sm text-slate-700 dark:text-slate-300">
          {events ? `${events.length}${hasMore ? "+" : ""} entries shown` : ""}
        </span>
      </div>
      {error ? (
        <p role="alert" className="text-red-800 dark:text-red-300">
          {error}
        </p>
      ) : null}
      {events === null ? (
        <div data-testid="audit-skeleton" aria-label="Loading the audit record" className="flex flex-col gap-2">
          {Array.from({ length: 8 }, (_, i) => (
            <div key={i} className="h-8 animate-pulse rounded bg-slate-200 dark:bg-slate-800" />
          ))}
        </div>
      ) : events.length === 0 ? (
        <p data-testid="audit-empty" data-query={shownQuery} className="rounded-lg border border-dashed border-slate-400 p-4 text-slate-700 dark:text-slate-300">
          {query ? `Nothing in the record matches “${query}”. Try a name, an email or a conversation title.` : "Nothing recorded yet. Sign-ins, account changes and conversation hand-offs appear here."}
        </p>
      ) : (
        <table data-testid="audit-table" data-query={shownQuery} className="w-full text-left text-sm">
          <thead className="border-b border-slate-300 text-xs uppercase tracking-wide text-slate-700 dark:border-slate-600 dark:text-slate-300">
            <tr>
              <th scope="col" className="py-1">When</th>
              <th scope="col">What</th>
              <th scope="col">By</th>
              <th scope="col">Subject</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id} data-testid="audit-row" data-action={e.action} className="border-t border-slate-200 align-top hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-900">
                <td className="whitespace-nowrap py-1 tabular-nums">{formatDateTime(e.createdAt)}</td>
                <td className="py-1" title={e.action}>
                  {ACTION_LABELS[e.action] ?? e.action}
                </td>
                <td className="py-1">{e.actor?.name ?? "System"}</td>
                <td data-testid="audit-subject" className="max-w-md truncate py-1" title={e.subjectLabel ?? undefined}>
                  {e.subjectLabel ?? "—"}
                </td>
                <td className="py-1">{e.summary ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {hasMore ? (
        <button type="button" data-testid="audit-more" onClick={() => void loadOlder()} className="min-h-9 self-start rounded-lg border border-slate-400 px-3 hover:bg-slate-50 dark:hover:bg-slate-800">
          Load older entries
        </button>
      ) : null}
    </section>
  );
}
