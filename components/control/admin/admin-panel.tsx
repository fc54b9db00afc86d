"use client";

import { useCallback, useEffect, useState } from "react";
import type { SessionUser } from "@/lib/auth/session";
import { ChatProvider, useChat } from "@/components/realtime/chat-provider";
import { ConnectionBanner } from "@/components/ui/connection-banner";
import { ROLES, type AccountView, type AuditView, type Role } from "@/lib/chat/types";
import { ROLE_LABELS } from "../queue-model";

/** Same minimum as the server's PASSWORD_MIN_LENGTH (lib/auth/password.ts, not importable in the browser). */
const PASSWORD_MIN = 8;
const AUDIT_PAGE = 50;

export function AdminPanel({ user }: { user: SessionUser }) {
  return (
    <ChatProvider user={user}>
      <AdminScreen />
    </ChatProvider>
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : "Something went wrong.";
}

function AdminScreen() {
  const connection = useChat((s) => s.connection);
  const connectionError = useChat((s) => s.connectionError);
  const me = useChat((s) => s.me);
  const call = useChat((s) => s.call);
  const [users, setUsers] = useState<AccountView[]>([]);
  const [status, setStatus] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [auditVersion, setAuditVersion] = useState(0);

  const loadUsers = useCallback(async () => {
    try {
      const { users: list } = await call("user:list", { includeInactive: true });
      setUsers([...list].sort((a, b) => a.name.localeCompare(b.name)));
    } catch (error) {
      setStatus({ kind: "error", text: messageOf(error) });
    }
  }, [call]);

  useEffect(() => {
    if (connection === "online") void loadUsers();
  }, [connection, loadUsers]);

  async function act(done: string, action: () => Promise<unknown>) {
    try {
      await action();
      setStatus({ kind: "ok", text: done });
      await loadUsers();
      setAuditVersion((v) => v + 1);
    } catch (error) {
      setStatus({ kind: "error", text: messageOf(error) });
    }
  }

  return (
    <div className="flex min-h-dvh flex-col">
      <header className="flex items-center gap-4 bg-teal-900 px-4 py-2 text-white">
        <h1 className="text-lg font-bold">Administration</h1>
        <p className="text-sm">Signed in as {me.name}</p>
        <a href="/control" className="ml-auto underline">
          Back to the dashboard
        </a>
      </header>
      <ConnectionBanner state={connection} error={connectionError} />
      <main className="flex flex-col gap-6 p-4">
        {status ? (
          <p role={status.kind === "error" ? "alert" : "status"} data-testid="admin-status" data-kind={status.kind} className={status.kind === "error" ? "text-red-800 dark:text-red-300" : "text-emerald-800 dark:text-emerald-300"}>
            {status.text}
          </p>
        ) : null}
        <CreateUserForm onCreate={(input) => act(`Created ${input.email}.`, () => call("user:create", input))} />
        <section aria-labelledby="users-heading">
          <h2 id="users-heading" className="text-lg font-bold">
            Users
          </h2>
          <table data-testid="users-table" className="mt-2 w-full text-left text-sm">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Vehicle / route</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <UserRow
                  key={u.id}
                  account={u}
                  isSelf={u.id === me.id}
                  onSetRole={(role) => act(`${u.name} is now ${ROLE_LABELS[role]}.`, () => call("user:set-role", { userId: u.id, role }))}
                  onResetPassword={(password) => act(`Password reset for ${u.name}.`, () => call("user:reset-password", { userId: u.id, password }))}
                  onDeactivate={() => act(`${u.name} deactivated.`, () => call("user:deactivate", { userId: u.id }))}
                  onReactivate={() => act(`${u.name} reactivated.`, () => call("user:reactivate", { userId: u.id }))}
                />
              ))}
            </tbody>
          </table>
        </section>
        <AuditList version={auditVersion} />
      </main>
    </div>
  );
}

interface NewUser {
  email: string;
  name: string;
  role: Role;
  password: string;
  vehicle?: string;
  route?: string;
}

function CreateUserForm({ onCreate }: { onCreate(input: NewUser): Promise<void> }) {
  const [form, setForm] = useState({ email: "", name: "", role: "BUS_DRIVER" as Role, password: "", vehicle: "", route: "" });
  const field = (key: keyof typeof form) => ({
    value: form[key],
    onChange: (event: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setForm({ ...form, [key]: event.target.value }),
  });
  const inputClass = "min-h-10 rounded-lg border border-slate-400 bg-white px-2 dark:bg-slate-900";

  return (
    <section aria-labelledby="create-heading">
      <h2 id="create-heading" className="text-lg font-bold">
        Create a user
      </h2>
      <form
        data-testid="create-user-form"
        className="mt-2 grid grid-cols-2 gap-2 md:grid-cols-3"
        onSubmit={(event) => {
          event.preventDefault();
          void onCreate({
            email: form.email,
            name: form.name,
            role: form.role,
            password: form.password,
            ...(form.vehicle.trim() ? { vehicle: form.vehicle } : {}),
            ...(form.route.trim() ? { route: form.route } : {}),
          }).then(() => setForm({ email: "", name: "", role: form.role, password: "", vehicle: "", route: "" }));
        }}
      >
        <label className="flex flex-col text-sm">
          Name
          <input required data-testid="new-user-name" className={inputClass} {...field("name")} />
        </label>
        <label className="flex flex-col text-sm">
          Email
          <input required type="email" data-testid="new-user-email" className={inputClass} {...field("email")} />
        </label>
        <label className="flex flex-col text-sm">
          Role
          <select data-testid="new-user-role" className={inputClass} {...field("role")}>
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {ROLE_LABELS[role]}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-sm">
          Password (at least {PASSWORD_MIN})
          <input required type="password" minLength={PASSWORD_MIN} autoComplete="new-password" data-testid="new-user-password" className={inputClass} {...field("password")} />
        </label>
        <label className="flex flex-col text-sm">
          Vehicle (field staff)
          <input data-testid="new-user-vehicle" className={inputClass} {...field("vehicle")} />
        </label>
        <label className="flex flex-col text-sm">
          Route (field staff)
          <input data-testid="new-user-route" className={inputClass} {...field("route")} />
        </label>
        <button type="submit" data-testid="create-user" className="min-h-10 rounded-lg bg-teal-700 px-4 font-semibold text-white md:col-start-3">
          Create user
        </button>
      </form>
    </section>
  );
}

interface UserRowProps {
  account: AccountView;
  isSelf: boolean;
  onSetRole(role: Role): Promise<void>;
  onResetPassword(password: string): Promise<void>;
  onDeactivate(): Promise<void>;
  onReactivate(): Promise<void>;
}

function UserRow({ account: u, isSelf, onSetRole, onResetPassword, onDeactivate, onReactivate }: UserRowProps) {
  const [role, setRole] = useState<Role>(u.role);
  const [password, setPassword] = useState("");
  useEffect(() => setRole(u.role), [u.role]);
  const controlClass = "min-h-9 rounded-lg border border-slate-400 bg-white px-2 dark:bg-slate-900";
  return (
    <tr data-testid="user-row" data-email={u.email} data-active={u.isActive ? "true" : "false"} className="border-t border-slate-200 align-top dark:border-slate-700">
      <td className="py-1 font-medium">{u.name}</td>
      <td className="py-1">{u.email}</td>
      <td className="py-1">
        <div className="flex gap-1">
          <label className="sr-only" htmlFor={`role-${u.id}`}>
            Role of {u.name}
          </label>
          <select id={`role-${u.id}`} data-testid="user-role" value={role} disabled={isSelf} onChange={(event) => setRole(event.target.value as Role)} className={controlClass}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
          <button type="button" data-testid="user-set-role" disabled={isSelf || role === u.role} onClick={() => void onSetRole(role)} className={`${controlClass} disabled:opacity-60`}>
            Change
          </button>
        </div>
      </td>
      <td className="py-1">{[u.vehicle, u.route].filter(Boolean).join(" · ") || "—"}</td>
      <td className="py-1" data-testid="user-status">
        {u.isActive ? "Active" : "Deactivated"}
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
            className={`${controlClass} w-36`}
          />
          <button
            type="button"
            data-testid="user-reset-password"
            disabled={password.length < PASSWORD_MIN}
            onClick={() => void onResetPassword(password).then(() => setPassword(""))}
            className={`${controlClass} disabled:opacity-60`}
          >
            Reset password
          </button>
          {isSelf ? null : u.isActive ? (
            <button type="button" data-testid="user-deactivate" onClick={() => void onDeactivate()} className="min-h-9 rounded-lg bg-red-700 px-2 font-semibold text-white">
              Deactivate
            </button>
          ) : (
            <button type="button" data-testid="user-reactivate" onClick={() => void onReactivate()} className="min-h-9 rounded-lg bg-teal-700 px-2 font-semibold text-white">
              Reactivate
            </button>
          )}
        </div>
      </td>
    </tr>
  );
}

function AuditList({ version }: { version: number }) {
  const call = useChat((s) => s.call);
  const connection = useChat((s) => s.connection);
  const [events, setEvents] = useState<AuditView[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (connection !== "online") return;
    let isCurrent = true;
    call("audit:list", { limit: AUDIT_PAGE }).then(
      ({ events: list }) => {
        if (!isCurrent) return;
        setEvents(list);
        setHasMore(list.length === AUDIT_PAGE);
      },
      (caught: unknown) => isCurrent && setError(messageOf(caught)),
    );
    return () => {
      isCurrent = false;
    };
  }, [call, connection, version]);

  async function loadMore() {
    const last = events[events.length - 1];
    if (!last) return;
    try {
      const { events: older } = await call("audit:list", { limit: AUDIT_PAGE, before: last.createdAt });
      setEvents((current) => [...current, ...older.filter((e) => !current.some((c) => c.id === e.id))]);
      setHasMore(older.length === AUDIT_PAGE);
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  return (
    <section aria-labelledby="audit-heading">
      <h2 id="audit-heading" className="text-lg font-bold">
        Audit record
      </h2>
      {error ? <p role="alert" className="text-red-800 dark:text-red-300">{error}</p> : null}
      <table data-testid="audit-table" className="mt-2 w-full text-left text-sm">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Action</th>
            <th scope="col">By</th>
            <th scope="col">Subject</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id} data-testid="audit-row" data-action={e.action} className="border-t border-slate-200 align-top dark:border-slate-700">
              <td className="py-1 whitespace-nowrap">{new Date(e.createdAt).toLocaleString()}</td>
              <td className="py-1 font-mono">{e.action}</td>
              <td className="py-1">{e.actor?.name ?? "system"}</td>
              <td className="py-1">{e.subject ?? "—"}</td>
              <td className="py-1 break-all font-mono text-xs">{e.detail === null || e.detail === undefined ? "" : JSON.stringify(e.detail)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {hasMore ? (
        <button type="button" onClick={() => void loadMore()} className="mt-2 min-h-9 rounded-lg border border-slate-400 px-3">
          Load older entries
        </button>
      ) : null}
    </section>
  );
}
