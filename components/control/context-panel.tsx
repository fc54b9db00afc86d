"use client";

import { useEffect, useState } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import { CATEGORY_LABELS, STATUS_LABELS, formatTime } from "@/components/realtime/selectors";
import type { UserContext } from "@/lib/chat/types";
import { ROLE_LABELS } from "./queue-model";

/** The field staff member behind the open conversation: role, vehicle and route, online now, history. */
export function ContextPanel({ userId }: { userId: string }) {
  const call = useChat((s) => s.call);
  const connection = useChat((s) => s.connection);
  const isInPresence = useChat((s) => userId in s.presence);
  // Once presence:list answered, the list includes ourselves and is kept live by presence:updated.
  const hasPresence = useChat((s) => s.me.id in s.presence);
  const openConversation = useChat((s) => s.openConversation);
  const [context, setContext] = useState<{ userId: string; data: UserContext } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (connection !== "online") return;
    let isCurrent = true;
    call("user:context", { userId }).then(
      (data) => {
        if (!isCurrent) return;
        setContext({ userId, data });
        setError(null);
      },
      (caught: unknown) => isCurrent && setError(caught instanceof Error ? caught.message : "Could not load the context."),
    );
    return () => {
      isCurrent = false;
    };
  }, [call, connection, userId]);

  const data = context?.userId === userId ? context.data : null;
  // Presence updates are live; the context answer is a snapshot.
  const isOnline = hasPresence ? isInPresence : Boolean(data?.online);

  return (
    <aside aria-labelledby="context-heading" data-testid="context-panel" className="flex min-h-0 flex-col gap-2 overflow-y-auto border-l border-slate-200 p-3 text-sm dark:border-slate-800">
      <h2 id="context-heading" className="text-xs font-bold uppercase tracking-wide text-slate-600 dark:text-slate-300">
        Field staff
      </h2>
      {error ? <p role="alert" className="text-red-800 dark:text-red-300">{error}</p> : null}
      {!data && !error ? <p>Loading…</p> : null}
      {data ? (
        <>
          <p className="text-base font-bold">{data.user.name}</p>
          <dl className="grid grid-cols-[auto_1fr] gap-x-2 gap-y-1">
            <dt className="text-slate-600 dark:text-slate-300">Role</dt>
            <dd data-testid="context-role">{ROLE_LABELS[data.user.role]}</dd>
            <dt className="text-slate-600 dark:text-slate-300">Vehicle</dt>
            <dd data-testid="context-vehicle">{data.user.vehicle ?? "—"}</dd>
            <dt className="text-slate-600 dark:text-slate-300">Route</dt>
            <dd data-testid="context-route">{data.user.route ?? "—"}</dd>
            <dt className="text-slate-600 dark:text-slate-300">Now</dt>
            <dd data-testid="context-online" data-online={isOnline ? "true" : "false"} className={isOnline ? "font-semibold text-emerald-800 dark:text-emerald-300" : ""}>
              {isOnline ? "Online" : "Offline"}
            </dd>
          </dl>
          <h3 className="pt-2 text-xs font-bold uppercase tracking-wide text-slate-600 dark:text-slate-300">Previous conversations</h3>
          {data.conversations.length === 0 ? <p>None.</p> : null}
          <ul data-testid="context-conversations" className="flex flex-col gap-1">
            {data.conversations.map((c) => (
              <li key={c.id}>
                <button type="button" onClick={() => void openConversation(c.id)} className="w-full rounded px-1 py-0.5 text-left hover:bg-slate-200 dark:hover:bg-slate-800">
                  <span className="block truncate font-medium">{c.title}</span>
                  <span className="text-xs text-slate-600 dark:text-slate-300">
                    {CATEGORY_LABELS[c.category]} · {STATUS_LABELS[c.status]} · {formatTime(c.createdAt)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </aside>
  );
}
