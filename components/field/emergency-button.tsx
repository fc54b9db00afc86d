"use client";

import { useState } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import { EMERGENCY_MESSAGE } from "./quick-replies";

type Step = "idle" | "first" | "second" | "sending";

/** Two confirmations before an emergency goes out: a pocket tap must never alert control. */
/** `onSent(null)`: no signal; the emergency waits in the outbox and goes out first when it returns. */
export function EmergencyButton({ onSent }: { onSent(conversationId: string | null): void }) {
  const createConversation = useChat((s) => s.createConversation);
  const [step, setStep] = useState<Step>("idle");
  const [error, setError] = useState<string | null>(null);

  async function send() {
    setStep("sending");
    const result = await createConversation({ category: "EMERGENCY", body: EMERGENCY_MESSAGE });
    setStep("idle");
    if (result.ok) {
      setError(null);
      onSent(result.conversationId);
    } else {
      setError(result.message);
    }
  }

  if (step === "idle") {
    return (
      <div className="flex flex-col gap-1">
        <button
          type="button"
          data-testid="emergency-button"
          onClick={() => setStep("first")}
          className="min-h-12 w-full rounded-lg bg-red-700 px-4 text-base font-bold uppercase tracking-wide text-white hover:bg-red-800"
        >
          Emergency
        </button>
        {error ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-300">
            {error}
          </p>
        ) : null}
      </div>
    );
  }

  return (
    <div role="alertdialog" aria-labelledby="emergency-question" className="flex flex-col gap-2 rounded-lg border-2 border-red-700 bg-red-50 p-3 dark:bg-red-950">
      <p id="emergency-question" className="font-semibold text-red-900 dark:text-red-100">
        {step === "first" ? "Send an emergency alert to control?" : "Are you sure? Every controller will be alerted now."}
      </p>
      <div className="grid grid-cols-2 gap-2">
        <button
          type="button"
          data-testid="emergency-cancel"
          onClick={() => setStep("idle")}
          disabled={step === "sending"}
          className="min-h-12 rounded-lg border border-slate-400 bg-white px-3 font-semibold text-slate-900 dark:bg-slate-900 dark:text-slate-100"
        >
          Cancel
        </button>
        {step === "first" ? (
          <button type="button" data-testid="emergency-confirm-1" onClick={() => setStep("second")} className="min-h-12 rounded-lg bg-red-700 px-3 font-bold text-white">
            Yes, emergency
          </button>
        ) : (
          <button
            type="button"
            data-testid="emergency-confirm-2"
            disabled={step === "sending"}
            onClick={() => void send()}
            className="min-h-12 rounded-lg bg-red-700 px-3 font-bold text-white disabled:opacity-60"
          >
            {step === "sending" ? "Sending…" : "Send emergency"}
          </button>
        )}
      </div>
    </div>
  );
}
