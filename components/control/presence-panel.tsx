"use client";

import { useMemo } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import { isControlRole } from "@/lib/chat/types";
import { ROLE_LABELS } from "./queue-model";

/** Who is on duty in control, and which field staff are connected. */
export function PresencePanel() {
  const presence = useChat((s) => s.presence);
  const { control, field } = useMemo(() => {
    const users = Object.values(presence).sort((a, b) => a.name.localeCompare(b.name));
    return { control: users.filter((u) => isControlRole(u.role)), field: users.filter((u) => !isControlRole(u.role)) };
  }, [presence]);

  return (
    <section aria-labelledby="presence-heading" data-testid="presence-panel" className="border-t border-slate-200 p-2 text-sm dark:border-slate-800">
      <h2 id="presence-heading" className="px-1 text-xs font-bold uppercase tracking-wide text-slate-600 dark:text-slate-300">
        Presence
      </h2>
      <p className="px-1 pt-1 text-xs font-semibold">On duty ({control.length})</p>
      <ul data-testid="presence-control" className="px-1">
        {control.map((u) => (
          <li key={u.id} title={ROLE_LABELS[u.role]}>
            <span aria-hidden="true" className="text-emerald-600">● </span>
            {u.name}
          </li>
        ))}
      </ul>
      <p className="px-1 pt-1 text-xs font-semibold">Field staff online ({field.length})</p>
      <ul data-testid="presence-field" className="px-1">
        {field.map((u) => (
          <li key={u.id}>
            <span aria-hidden="true" className="text-emerald-600">● </span>
            {u.name} <span className="text-xs text-slate-600 dark:text-slate-300">({ROLE_LABELS[u.role]})</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
