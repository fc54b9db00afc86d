"use client";

import { useState } from "react";
import { ROLES, type Role } from "@/lib/chat/types";
import { ROLE_LABELS } from "../queue-model";

/** Same minimum as the server's PASSWORD_MIN_LENGTH (lib/auth/password.ts, not importable in the browser). */
export const PASSWORD_MIN = 8;

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  password: string;
  vehicle?: string;
  route?: string;
}

const INPUT = "min-h-10 rounded-lg border border-slate-400 bg-white px-2 dark:bg-slate-900";
const EMPTY = { email: "", name: "", password: "", vehicle: "", route: "" };

/** The new-account form, folded away until needed; it clears only when the server accepted it. */
export function CreateUserForm({ onCreate }: { onCreate(input: NewUser): Promise<boolean> }) {
  const [form, setForm] = useState({ ...EMPTY, role: "BUS_DRIVER" as Role });
  const field = (key: keyof typeof form) => ({
    value: form[key],
    onChange: (event: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setForm({ ...form, [key]: event.target.value }),
  });

  return (
    <details data-testid="create-user" className="rounded-lg border border-slate-300 dark:border-slate-700">
      <summary data-testid="create-user-open" className="cursor-pointer px-3 py-2 font-semibold">
        Create a user
      </summary>
      <form
        data-testid="create-user-form"
        className="grid grid-cols-2 gap-2 p-3 pt-0 md:grid-cols-4"
        onSubmit={(event) => {
          event.preventDefault();
          void onCreate({
            email: form.email,
            name: form.name,
            role: form.role,
            password: form.password,
            ...(form.vehicle.trim() ? { vehicle: form.vehicle } : {}),
            ...(form.route.trim() ? { route: form.route } : {}),
          }).then((created) => created && setForm({ ...EMPTY, role: form.role }));
        }}
      >
        <label className="flex flex-col text-sm">
          Name
          <input required data-testid="new-user-name" className={INPUT} {...field("name")} />
        </label>
        <label className="flex flex-col text-sm">
          Email
          <input required type="email" data-testid="new-user-email" className={INPUT} {...field("email")} />
        </label>
        <label className="flex flex-col text-sm">
          Role
          <select data-testid="new-user-role" className={INPUT} {...field("role")}>
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {ROLE_LABELS[role]}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-sm">
          Password (at least {PASSWORD_MIN})
          <input required type="password" minLength={PASSWORD_MIN} autoComplete="new-password" data-testid="new-user-password" className={INPUT} {...field("password")} />
        </label>
        <label className="flex flex-col text-sm">
          Vehicle (field staff)
          <input data-testid="new-user-vehicle" className={INPUT} {...field("vehicle")} />
        </label>
        <label className="flex flex-col text-sm">
          Route (field staff)
          <input data-testid="new-user-route" className={INPUT} {...field("route")} />
        </label>
        <button type="submit" data-testid="create-user-submit" className="min-h-10 self-end rounded-lg bg-teal-700 px-4 font-semibold text-white hover:bg-teal-800 md:col-start-4">
          Create user
        </button>
      </form>
    </details>
  );
}
