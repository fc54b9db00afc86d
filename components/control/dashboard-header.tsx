"use client";

import { useMemo } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import type { ConnectionState } from "@/components/realtime/chat-store";
import { ThemeToggle } from "@/components/ui/theme-toggle";
import { useSignOut } from "@/components/ui/use-sign-out";
import { isControlRole } from "@/lib/chat/types";
import { ROLE_LABELS } from "./queue-model";

const CONNECTION_TEXT: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  online: "Online",
  reconnecting: "Reconnecting…",
  "no-signal": "No network",
  offline: "Offline",
};

const CONNECTION_DOT: Record<ConnectionState, string> = {
  connecting: "bg-slate-300",
  online: "bg-emerald-400",
  reconnecting: "bg-amber-400",
  "no-signal": "bg-red-500",
  offline: "bg-red-500",
};

/**
 * The dashboard's one header line: product, who is signed in, connection, colleagues on duty, admin,
 * theme, shortcuts and sign-out. It never wraps; nothing in it grows with the number of alerts.
 */
export function DashboardHeader({ onHelp, onHistory }: { onHelp(): void; onHistory(): void }) {
  const me = useChat((s) => s.me);
  const connection = useChat((s) => s.connection);
  const [dialog, onSignOut] = useSignOut();

  return (
    <header className="flex h-11 shrink-0 items-center gap-3 overflow-hidden whitespace-nowrap bg-teal-900 px-3 text-white">
      <h1 className="shrink-0 text-base font-bold">Transit Control</h1>
      <p data-testid="signed-in-as" className="min-w-0 truncate text-sm">
        Signed in as {me.name} <span className="text-teal-100">· {ROLE_LABELS[me.role]}</span>
      </p>
      <span role="status" data-testid="connection-state" data-state={connection} className="flex shrink-0 items-center gap-1.5 text-sm">
        <span aria-hidden="true" className={`size-2.5 rounded-full ${CONNECTION_DOT[connection]}`} />
        {CONNECTION_TEXT[connection]}
      </span>
      <div className="ml-auto flex shrink-0 items-center gap-2 text-sm">
        <button type="button" data-testid="history-search-open" onClick={onHistory} className="h-8 rounded-md border border-white/50 px-2 hover:bg-white/10">
          Search history <kbd>f</kbd>
        </button>
        <PresenceButton />
        {me.role === "CONTROL_ADMIN" ? (
          <a href="/admin" data-testid="admin-link" className="rounded-md px-2 py-1 underline hover:bg-white/10">
            Admin
          </a>
        ) : null}
        <ThemeToggle />
        <button type="button" data-testid="shortcuts-open" onClick={onHelp} className="h-8 rounded-md border border-white/50 px-2 hover:bg-white/10">
          Help <kbd>?</kbd>
        </button>
        <button type="button" data-testid="sign-out" onClick={() => void onSignOut()} className="h-8 rounded-md bg-white px-2 font-semibold text-teal-900 hover:bg-teal-50">
          Sign out
        </button>
      </div>
      {dialog}
    </header>
  );
}

/** Who is on duty in control and which field staff are connected: a popover, not a block. */
function PresenceButton() {
  const presence = useChat((s) => s.presence);
  const { control, field } = useMemo(() => {
    const users = Object.values(presence).sort((a, b) => a.name.localeCompare(b.name));
    return { control: users.filter((u) => isControlRole(u.role)), field: users.filter((u) => !isControlRole(u.role)) };
  }, [presence]);
  return (
    <>
      <button
        type="button"
        popoverTarget="presence-panel"
        data-testid="presence-open"
        className="h-8 rounded-md border border-white/50 px-2 hover:bg-white/10"
        style={{ anchorName: "--presence" } as React.CSSProperties}
      >
        On duty {control.length} · Field {field.length}
      </button>
      <div
        id="presence-panel"
        popover="auto"
        data-testid="presence-panel"
        aria-label="Presence"
        className="m-0 max-h-[70vh] w-72 overflow-y-auto rounded-lg border border-slate-300 bg-white p-3 text-sm text-slate-900 shadow-xl [inset:auto] dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
        style={{ positionAnchor: "--presence", positionArea: "bottom span-left", marginTop: 4 } as React.CSSProperties}
      >
        <p className="text-xs font-bold uppercase tracking-wide text-slate-700 dark:text-slate-300">On duty ({control.length})</p>
        <ul data-testid="presence-control" className="pb-2">
          {control.map((u) => (
            <li key={u.id} title={ROLE_LABELS[u.role]}>
              <span aria-hidden="true" className="text-emerald-600">● </span>
              {u.name}
            </li>
          ))}
        </ul>
        <p className="text-xs font-bold uppercase tracking-wide text-slate-700 dark:text-slate-300">Field staff online ({field.length})</p>
        <ul data-testid="presence-field">
          {field.map((u) => (
            <li key={u.id}>
              <span aria-hidden="true" className="text-emerald-600">● </span>
              {u.name} <span className="text-xs text-slate-700 dark:text-slate-300">({ROLE_LABELS[u.role]})</span>
            </li>
          ))}
        </ul>
      </div>
    </>
  );
}
