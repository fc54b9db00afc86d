"use client";

import { useState } from "react";
import { useChat } from "@/components/realtime/chat-provider";

/**
 * Vehicle and route for this shift, set once and attached by the server to every conversation the
 * user opens. Starts from what the server last attached to one of their conversations.
 */
export function ShiftDetails() {
  const me = useChat((s) => s.me);
  const call = useChat((s) => s.call);
  const isOnline = useChat((s) => s.connection === "online");
  const known = useChat((s) => {
    const mine = Object.values(s.conversations).filter((c) => c.creator.id === s.me.id);
    mine.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return mine[0] ? `${mine[0].creator.vehicle ?? ""}\u0000${mine[0].creator.route ?? ""}` : null;
  });
  const [saved, setSaved] = useState<{ vehicle: string; route: string } | null>(null);
  const [isEditing, setIsEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fromServerVehicle = "", fromServerRoute = ""] = known?.split("\u0000") ?? [];
  const current = saved ?? { vehicle: fromServerVehicle, route: fromServerRoute };

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const vehicle = String(form.get("vehicle") ?? "").trim();
    const route = String(form.get("route") ?? "").trim();
    try {
      const { user } = await call("profile:update", { vehicle: vehicle || null, route: route || null });
      setSaved({ vehicle: user.vehicle ?? "", route: user.route ?? "" });
      setIsEditing(false);
      setError(null);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Could not save.");
    }
  }

  if (!isEditing) {
    const summary = [current.vehicle, current.route].filter(Boolean).join(" · ");
    return (
      <div className="flex items-center justify-between gap-2 px-3 py-1 text-sm" data-testid="shift-details">
        <span className="truncate text-slate-700 dark:text-slate-300">{summary || "No vehicle or route set for this shift"}</span>
        <button
          type="button"
          onClick={() => setIsEditing(true)}
          disabled={!isOnline}
          className="min-h-11 shrink-0 rounded-lg px-3 font-semibold text-teal-800 underline disabled:opacity-50 dark:text-teal-300"
        >
          {summary ? "Change" : "Set vehicle & route"}
        </button>
      </div>
    );
  }

  return (
    <form onSubmit={(e) => void onSubmit(e)} className="flex flex-col gap-2 px-3 py-2" aria-label="Shift details" data-testid="shift-form">
      <p className="text-sm text-slate-700 dark:text-slate-300">Attached to every conversation you open, {me.name.split(" ")[0]}.</p>
      <div className="flex gap-2">
        <label className="flex min-w-0 flex-1 flex-col text-sm font-medium">
          Vehicle
          <input name="vehicle" defaultValue={current.vehicle} maxLength={40} className="min-h-11 w-full min-w-0 rounded-lg border border-slate-300 bg-white px-2 text-base text-slate-900 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100" />
        </label>
        <label className="flex min-w-0 flex-1 flex-col text-sm font-medium">
          Route
          <input name="route" defaultValue={current.route} maxLength={40} className="min-h-11 w-full min-w-0 rounded-lg border border-slate-300 bg-white px-2 text-base text-slate-900 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100" />
        </label>
      </div>
      {error ? (
        <p role="alert" className="text-sm text-red-800 dark:text-red-200">
          {error}
        </p>
      ) : null}
      <div className="flex gap-2">
        <button type="submit" className="min-h-11 flex-1 rounded-lg bg-teal-800 px-3 font-semibold text-white">
          Save
        </button>
        <button type="button" onClick={() => setIsEditing(false)} className="min-h-11 flex-1 rounded-lg border border-slate-400 px-3 font-semibold">
          Cancel
        </button>
      </div>
    </form>
  );
}
