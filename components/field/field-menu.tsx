"use client";

import { useState } from "react";
import { useSignOut } from "@/components/ui/use-sign-out";
import { ThemeToggle } from "@/components/ui/theme-toggle";

/** The field app's menu: theme and sign-out (useSignOut: warns about unsent messages, clears the device). */
export function FieldMenu() {
  const [isOpen, setIsOpen] = useState(false);
  const [dialog, signOut] = useSignOut();

  async function onSignOut() {
    setIsOpen(false);
    await signOut();
  }

  return (
    <div className="relative shrink-0">
      <button
        type="button"
        data-testid="field-menu"
        aria-expanded={isOpen}
        aria-haspopup="true"
        onClick={() => setIsOpen((open) => !open)}
        className="min-h-11 min-w-11 rounded-lg px-2 text-sm font-semibold text-white hover:bg-teal-900"
      >
        Menu
      </button>
      {isOpen ? (
        <div className="absolute right-0 top-full z-20 mt-1 flex w-56 flex-col gap-2 rounded-lg border border-slate-300 bg-white p-2 text-slate-900 shadow-lg dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100">
          <ThemeToggle className="h-11" />
          <button
            type="button"
            data-testid="sign-out"
            onClick={() => void onSignOut()}
            className="min-h-11 rounded-lg border border-slate-400 px-3 text-left font-semibold hover:bg-slate-100 dark:hover:bg-slate-800"
          >
            Sign out
          </button>
        </div>
      ) : null}
      {dialog}
    </div>
  );
}
