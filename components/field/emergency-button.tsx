"use client";

import { useState } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import { HoldToConfirm } from "./hold-to-confirm";
import { EMERGENCY_MESSAGE } from "./quick-replies";

/**
 * The SOS control: opening it shows the hold-to-confirm panel, the only way an alarm is raised.
 * `compact`: a small button for a conversation header (reachable, not a banner).
 * `onSent(null)`: no signal; the emergency waits in the outbox and goes out first when it returns.
 */
export function EmergencyButton({ onSent, compact = false }: { onSent(conversationId: string | null): void; compact?: boolean }) {
  const createConversation = useChat((s) => s.createConversation);
  const [isOpen, setIsOpen] = useState(false);
  const [isSending, setIsSending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function send() {
    setIsSending(true);
    const result = await createConversation({ category: "EMERGENCY", body: EMERGENCY_MESSAGE });
    setIsSending(false);
    if (result.ok) {
      setError(null);
      setIsOpen(false);
      onSent(result.conversationId);
    } else {
      setError(result.message);
    }
  }

  if (!isOpen) {
    return (
      <button
        type="button"
        data-testid="emergency-button"
        onClick={() => setIsOpen(true)}
        className={
          compact
            ? "min-h-11 shrink-0 rounded-lg bg-red-700 px-3 text-sm font-bold uppercase text-white hover:bg-red-800"
            : "min-h-12 w-full rounded-lg bg-red-700 px-4 text-base font-bold uppercase tracking-wide text-white hover:bg-red-800"
        }
      >
        {compact ? "SOS" : "Emergency"}
      </button>
    );
  }

  return (
    <EmergencyConfirm
      isSending={isSending}
      error={error}
      onConfirm={() => void send()}
      onCancel={() => {
        setIsOpen(false);
        setError(null);
      }}
    />
  );
}

/** The panel every emergency path shows: what will happen, the hold control, and a way out. */
export function EmergencyConfirm({ isSending, error, onConfirm, onCancel }: { isSending: boolean; error: string | null; onConfirm(): void; onCancel(): void }) {
  return (
    <div
      role="alertdialog"
      aria-labelledby="emergency-question"
      data-testid="emergency-confirm"
      className="fixed inset-x-0 bottom-0 z-30 mx-auto flex max-w-md flex-col gap-3 rounded-t-2xl border-t-4 border-red-700 bg-white p-4 shadow-2xl dark:bg-slate-900"
    >
      <p id="emergency-question" className="text-lg font-bold text-red-900 dark:text-red-100">
        Send an emergency alarm to control?
      </p>
      <p className="text-sm text-slate-800 dark:text-slate-200">Every controller on duty is alerted at once, with a siren.</p>
      <HoldToConfirm label={isSending ? "Sending…" : "Hold to send alarm"} disabled={isSending} onConfirm={onConfirm} testId="emergency-hold" />
      {error ? (
        <p role="alert" className="text-sm text-red-800 dark:text-red-200">
          {error}
        </p>
      ) : null}
      <button
        type="button"
        data-testid="emergency-cancel"
        onClick={onCancel}
        disabled={isSending}
        className="min-h-12 rounded-lg border border-slate-400 bg-white px-3 font-semibold text-slate-900 dark:bg-slate-800 dark:text-slate-100"
      >
        Cancel
      </button>
    </div>
  );
}
