"use client";

import type { ConnectionState } from "@/components/realtime/chat-store";

const TEXT: Record<Exclude<ConnectionState, "online">, string> = {
  connecting: "Connecting…",
  reconnecting: "Reconnecting…",
  "no-signal": "No signal — messages will send when you're back",
  offline: "Offline",
};

const STYLE: Record<Exclude<ConnectionState, "online">, string> = {
  connecting: "bg-slate-200 text-slate-900 dark:bg-slate-800 dark:text-slate-100",
  reconnecting: "bg-amber-100 text-amber-950 dark:bg-amber-950 dark:text-amber-100",
  "no-signal": "bg-red-100 text-red-950 dark:bg-red-950 dark:text-red-100",
  offline: "bg-red-100 text-red-950 dark:bg-red-950 dark:text-red-100",
};

/**
 * Says whether what the user sends will arrive now. Online is the quiet case (a dot in the header);
 * every other state is a line of its own, worded for a driver at a stop.
 */
export function ConnectionBanner({ state, error }: { state: ConnectionState; error: string | null }) {
  if (state === "online") {
    return <span role="status" data-testid="connection-state" data-state="online" className="sr-only">Online</span>;
  }
  return (
    <div role="status" data-testid="connection-state" data-state={state} className={`px-3 py-1.5 text-sm font-semibold ${STYLE[state]}`}>
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
