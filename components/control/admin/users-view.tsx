"use client";

import { useCallback, useEffect, useState } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import { useConfirm } from "@/components/ui/confirm-dialog";
import { useDebouncedValue } from "@/components/ui/use-debounced-value";
import { ROLES, type AccountView, type Role } from "@/lib/chat/types";
import { ROLE_LABELS } from "../queue-model";
import { CreateUserForm, PASSWORD_MIN, type NewUser } from "./create-user-form";

export const USERS_PAGE = 50;
const CONTROL = "min-h-9 rounded-lg border border-slate-400 bg-white px-2 text-sm hover:bg-slate-50 dark:bg-slate-900 dark:hover:bg-slate-800";

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : "Something went wrong.";
}

/**
 * Every account, 50 a page, searched on the server (name, email, vehicle, route) and filtered by role.
 * Deactivation, role changes and password resets ask first, naming the person.
 */
export function UsersView({ onChanged }: { onChanged(): void }) {
  const call = useChat((s) => s.call);
  const connection = useChat((s) => s.connection);
  const me = useChat((s) => s.me);
  const [confirmDialog, confirm] = useConfirm();
  const [search, setSearch] = useState("");
  const [role, setRole] = useState<Role | "">("");
  const [result, setResult] = useState<{ users: AccountView[]; total: number } | null>(null);
  const [status, setStatus] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const query = useDebouncedValue(search.trim());
  // The page belongs to a search and filter: a new one starts at the first page (derived, no effect).
  const filterKey = `${query}\u0000${role}`;
  const [paging, setPaging] = useState({ key: filterKey, page: 0 });
  const page = paging.key === filterKey ? paging.page : 0;
  const setPage = (next: number) => setPaging({ key: filterKey, page: next });

  const load = useCallback(async () => {
    try {
      setResult(
        await call("user:list", {
          includeInactive: true,
          limit: USERS_PAGE,
          offset: page * USERS_PAGE,
          ...(query ? { search: query } : {}),
          ...(role ? { role } : {}),
        }),
      );
    } catch (error) {
      setStatus({ kind: "error", text: messageOf(error) });
    }
  }, [call, page, query, role]);

  useEffect(() => {
    if (connection === "online") void load();
  }, [connection, load]);

  async function act(done: string, action: () => Promise<unknown>): Promise<boolean> {
    try {
      await action();
      setStatus({ kind: "ok", text: done });
      await load();
      onChanged();
      return true;
    } catch (error) {
      setStatus({ kind: "error", text: messageOf(error) });
      return false;
    }
  }

  async function deactivate(u: AccountView) {
    const ok = await confirm({
      title: `Deactivate ${u.name}?`,
      body: `${u.name} (${u.email}) is signed out on every device at once and cannot sign in until an admin reactivates the account.`,
      confirmLabel: `Deactivate ${u.name}`,
      tone: "danger",
    });
    if (ok) await act(`${u.name} deactivated.`, () => call("user:deactivate", { userId: u.id }));
  }

  async function setUserRole(u: AccountView, next: Role) {
    const ok = await confirm({
      title: `Change ${u.name}'s role?`,
      body: `${u.name} (${u.email}) goes from ${ROLE_LABELS[u.role]} to ${ROLE_LABELS[next]}. What they can see and do changes at their next connection.`,
      confirmLabel: `Make ${u.name} ${ROLE_LABELS[next]}`,
    });
    if (ok) await act(`${u.name} is now ${ROLE_LABELS[next]}.`, () => call("user:set-role", { userId: u.id, role: next }));
    return ok;
  }

  async function resetPassword(u: AccountView, password: string) {
    const ok = await confirm({
      title: `Reset ${u.name}'s password?`,
      body: `The current password of ${u.name} (${u.email}) stops working now. Give them the new one in person or by phone.`,
      confirmLabel: `Reset ${u.name}'s password`,
      tone: "danger",
    });
    return ok && (await act(`Password reset for ${u.name}.`, () => call("user:reset-password", { userId: u.id, password })));
  }

  const total = result?.total ?? 0;
  const first = total === 0 ? 0 : page * USERS_PAGE + 1;
  const last = Math.min(total, (page + 1) * USERS_PAGE);
  return (
    <section aria-labelledby="users-heading" className="flex flex-col gap-3">
      {confirmDialog}
      <div className="flex flex-wrap items-center gap-3">
        <h2 id="users-heading" className="text-lg font-bold">
          Users
        </h2>
        <label className="flex items-center gap-2 text-sm">
          <span className="sr-only">Search users</span>
          <input
            type="search"
            data-testid="user-search"
            placeholder="Search name, email, vehicle, route"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            className={`${CONTROL} w-72`}
          />
        </label>
        <label className="flex items-center gap-2 text-sm">
          Role
          <select data-testid="user-role-filter" value={role} onChange={(event) => setRole(event.target.value as Role | "")} className={CONTROL}>
            <option value="">All roles</option>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
        </label>
        <Pager first={first} last={last} total={total} onPrevious={page > 0 ? () => setPage(page - 1) : null} onNext={last < total ? () => setPage(page + 1) : null} />
      </div>
      {status ? (
        <p role={status.kind === "error" ? "alert" : "status"} data-testid="admin-status" data-kind={status.kind} className={status.kind === "error" ? "text-red-800 dark:text-red-300" : "text-emerald-800 dark:text-emerald-300"}>
          {status.text}
        </p>
      ) : null}
      <CreateUserForm onCreate={(input: NewUser) => act(`Created ${input.email}.`, () => call("user:create", input))} />
      {result === null ? (
        <TableSkeleton />
      ) : result.users.length === 0 ? (
        <p data-testid="users-empty" className="rounded-lg border border-dashed border-slate-400 p-4 text-slate-700 dark:text-slate-300">
          {query || role
            ? `No account matches${query ? ` “${query}”` : ""}${role ? ` among ${ROLE_LABELS[role]} accounts` : ""}. Check the spelling, or create the account above.`
            : "No accounts yet. Create the first one above."}
        </p>
      ) : (
        <table data-testid="users-table" className="w-full text-left text-sm">
          <thead className="border-b border-slate-300 text-xs uppercase tracking-wide text-slate-700 dark:border-slate-600 dark:text-slate-300">
            <tr>
              <th scope="col" className="py-1">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Vehicle / route</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {result.users.map((u) => (
              <UserRow
                key={u.id}
                account={u}
                isSelf={u.id === me.id}
                onSetRole={(next) => setUserRole(u, next)}
                onResetPassword={(password) => resetPassword(u, password)}
                onDeactivate={() => deactivate(u)}
                onReactivate={() => act(`${u.name} reactivated.`, () => call("user:reactivate", { userId: u.id }))}
              />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Pager({ first, last, total, onPrevious, onNext }: { first: number; last: number; total: number; onPrevious: (() => void) | null; onNext: (() => void) | null }) {
  return (
    <div className="ml-auto flex items-center gap-2 text-sm">
      <span data-testid="users-range" aria-live="polite">
        {first}–{last} of {total}
      </span>
      <button type="button" data-testid="users-prev" disabled={!onPrevious} onClick={() => onPrevious?.()} className={`${CONTROL} disabled:opacity-60`}>
        Previous
      </button>
      <button type="button" data-testid="users-next" disabled={!onNext} onClick={() => onNext?.()} className={`${CONTROL} disabled:opacity-60`}>
        Next
      </button>
    </div>
  );
}

function TableSkeleton() {
  return (
    <div data-testid="users-skeleton" aria-label="Loading accounts" className="flex flex-col gap-2">
      {Array.from({ length: 8 }, (_, i) => (
        <div key={i} className="h-9 animate-pulse rounded bg-slate-200 dark:bg-slate-800" />
      ))}
    </div>
  );
}

interface UserRowProps {
  account: AccountView;
  isSelf: boolean;
  onSetRole(role: Role): Promise<boolean>;
  onResetPassword(password: string): Promise<boolean>;
  onDeactivate(): Promise<void>;
  onReactivate(): Promise<boolean>;
}

function UserRow({ account: u, isSelf, onSetRole, onResetPassword, onDeactivate, onReactivate }: UserRowProps) {
  const [role, setRole] = useState<Role>(u.role);
  const [password, setPassword] = useState("");
  useEffect(() => setRole(u.role), [u.role]);
  return (
    <tr data-testid="user-row" data-email={u.email} data-active={u.isActive ? "true" : "false"} className="border-t border-slate-200 align-middle hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-900">
      <td className="py-1 font-medium">{u.name}</td>
      <td className="py-1">{u.email}</td>
      <td className="py-1">
        <div className="flex gap-1">
          <label className="sr-only" htmlFor={`role-${u.id}`}>
            Role of {u.name}
          </label>
          <select id={`role-${u.id}`} data-testid="user-role" value={role} disabled={isSelf} onChange={(event) => setRole(event.target.value as Role)} className={CONTROL}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
          <button
            type="button"
            data-testid="user-set-role"
            disabled={isSelf || role === u.role}
            onClick={() => void onSetRole(role).then((ok) => ok || setRole(u.role))}
            className={`${CONTROL} disabled:opacity-60`}
          >
            Change
          </button>
        </div>
      </td>
      <td className="py-1">{[u.vehicle, u.route].filter(Boolean).join(" · ") || "—"}</td>
      <td className="py-1" data-testid="user-status">
        {u.isActive ? "Active" : <span className="font-semibold text-red-800 dark:text-red-300">Deactivated</span>}
      </td>
      <td className="py-1">
        <div className="flex flex-wrap gap-1">
          <label className="sr-only" htmlFor={`password-${u.id}`}>
            New password for {u.name}
          </label>
          <input
            id={`password-${u.id}`}
            type="password"
            autoComplete="new-password"
            placeholder="New password"
            data-testid="user-new-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            className={`${CONTROL} w-36`}
          />
          <button
            type="button"
            data-testid="user-reset-password"
            disabled={password.length < PASSWORD_MIN}
            onClick={() => void onResetPassword(password).then((ok) => ok && setPassword(""))}
            className={`${CONTROL} disabled:opacity-60`}
          >
            Reset password
          </button>
          {isSelf ? null : u.isActive ? (
            <button type="button" data-testid="user-deactivate" onClick={() => void onDeactivate()} className="min-h-9 rounded-lg bg-red-700 px-2 text-sm font-semibold text-white hover:bg-red-800">
              Deactivate
            </button>
          ) : (
            <button type="button" data-testid="user-reactivate" onClick={() => void onReactivate()} className="min-h-9 rounded-lg bg-teal-700 px-2 text-sm font-semibold text-white hover:bg-teal-800">
              Reactivate
            </button>
          )}
        </div>
      </td>
    </tr>
  );
}
