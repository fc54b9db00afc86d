"use client";

import { useEffect, useState } from "react";
import type { SessionUser } from "@/lib/auth/session";
import { ChatProvider, useChat } from "@/components/realtime/chat-provider";
import { ConnectionBanner } from "@/components/ui/connection-banner";
import { ThemeToggle } from "@/components/ui/theme-toggle";
import { UsersView } from "./users-view";
import { AuditView } from "./audit-view";

type Tab = "users" | "audit";
const TABS: { id: Tab; label: string }[] = [
  { id: "users", label: "Users" },
  { id: "audit", label: "Audit record" },
];

/** Admins: accounts (search, paging, guarded changes) and the audit record, as two tabs (#users, #audit). */
export function AdminPanel({ user }: { user: SessionUser }) {
  return (
    <ChatProvider user={user}>
      <AdminScreen />
    </ChatProvider>
  );
}

function tabFromHash(): Tab {
  return typeof window !== "undefined" && window.location.hash === "#audit" ? "audit" : "users";
}

function AdminScreen() {
  const connection = useChat((s) => s.connection);
  const connectionError = useChat((s) => s.connectionError);
  const me = useChat((s) => s.me);
  const [tab, setTab] = useState<Tab>("users");
  // Bumped after each account change, so the audit tab shows it without a reload.
  const [auditVersion, setAuditVersion] = useState(0);
  useEffect(() => setTab(tabFromHash()), []);

  function choose(next: Tab) {
    setTab(next);
    window.history.replaceState(null, "", `#${next}`);
  }

  return (
    <div className="flex min-h-dvh flex-col">
      <header className="flex h-11 shrink-0 items-center gap-3 overflow-hidden whitespace-nowrap bg-teal-900 px-3 text-white">
        <h1 className="shrink-0 text-base font-bold">Administration</h1>
        <p className="min-w-0 truncate text-sm">Signed in as {me.name}</p>
        <nav aria-label="Administration" className="flex h-full items-stretch gap-1 pl-2">
          {TABS.map((t) => (
            <button
              key={t.id}
              type="button"
              data-testid={`admin-tab-${t.id}`}
              aria-current={tab === t.id ? "page" : undefined}
              onClick={() => choose(t.id)}
              className={`border-b-4 px-3 text-sm font-semibold hover:bg-white/10 ${tab === t.id ? "border-white" : "border-transparent text-teal-100"}`}
            >
              {t.label}
            </button>
          ))}
        </nav>
        <div className="ml-auto flex shrink-0 items-center gap-2 text-sm">
          <ThemeToggle />
          <a href="/control" className="rounded-md px-2 py-1 underline hover:bg-white/10">
            Back to the dashboard
          </a>
        </div>
      </header>
      <ConnectionBanner state={connection} error={connectionError} />
      <main className="flex min-h-0 flex-1 flex-col p-4">
        {tab === "users" ? <UsersView onChanged={() => setAuditVersion((v) => v + 1)} /> : <AuditView version={auditVersion} />}
      </main>
    </div>
  );
}
