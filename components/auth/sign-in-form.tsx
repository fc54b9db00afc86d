"use client";

import { useState } from "react";
import { signIn } from "next-auth/react";

const MESSAGES: Record<string, string> = {
  UNAUTHENTICATED: "Wrong email or password.",
  ACCOUNT_DISABLED: "Your account is deactivated — contact your supervisor.",
  RATE_LIMITED: "Too many attempts. Wait a few minutes and try again.",
  VALIDATION: "Enter your email and password.",
};

export function SignInForm() {
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setIsBusy(true);
    setError(null);
    const result = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    setIsBusy(false);
    if (!result || result.error) {
      setError(MESSAGES[result?.error ?? ""] ?? "Sign-in failed. Try again.");
      return;
    }
    // The home page sends each role to its own area.
    window.location.assign("/");
  }

  return (
    // method="post" to next-auth's own endpoint: a submission before the script has loaded never puts
    // the password in the URL (without the CSRF token next-auth refuses it and shows this page again).
    <form method="post" action="/api/auth/callback/credentials" onSubmit={onSubmit} className="flex flex-col gap-4" noValidate>
      <label className="flex flex-col gap-1 text-sm font-medium">
        Email
        <input name="email" type="email" autoComplete="username" required className="min-h-11 rounded-lg border border-slate-300 bg-white px-3 text-base text-slate-900 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100" />
      </label>
      <label className="flex flex-col gap-1 text-sm font-medium">
        Password
        <input name="password" type="password" autoComplete="current-password" required className="min-h-11 rounded-lg border border-slate-300 bg-white px-3 text-base text-slate-900 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100" />
      </label>
      {error ? (
        <p role="alert" className="rounded-lg bg-red-100 p-3 text-sm text-red-900 dark:bg-red-950 dark:text-red-100">
          {error}
        </p>
      ) : null}
      <button type="submit" disabled={isBusy} className="min-h-12 rounded-lg bg-teal-700 px-4 text-base font-semibold text-white hover:bg-teal-800 disabled:opacity-60">
        {isBusy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
