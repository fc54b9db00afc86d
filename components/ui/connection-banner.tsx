"use client";

import type { ConnectionState } from "@/components/realtime/chat-store";

const TEXT: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  online: "Online",
  reconnecting: "Connection lost — reconnecting…",
  offline: "Offline",
};

const STYLE: Record<ConnectionState, string> = {
  connecting: "bg-slate-200 text-slate-800 dark:bg-slate-800 dark:text-slate-100",
  online: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100",
  reconnecting: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-100",
  offline: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-100",
};

/** Always present so the user knows whether what they send will arrive now. */
export function ConnectionBanner({ state, error }: { state: ConnectionState; error: string | null }) {
  return (
    <div role="status" data-testid="connection-state" data-state={state} className={`px-3 py-1.5 text-sm font-medium ${STYLE[state]}`}>
      <span>{TEXT[state]}</span>
      {state === "offline" && error ? <span> — {error} </span> : null}
      {state === "offline" ? (
        <a className="ml-1 underline" href="/signin">
          Sign in again
        </a>
      ) : null}
    </div>
  );
}
