"use client";

import { useEffect, useState } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import { formatTime } from "@/components/realtime/selectors";
import { EMERGENCY_CANCEL_WINDOW_MS } from "@/lib/chat/constants";
import type { ConversationView } from "@/lib/chat/types";

/** Not acknowledged this long after raising it: offer the phone prominently. */
const CALL_PROMPT_AFTER_MS = 30_000;
const PHONE_KEY = "transit-support:control-phone";

/** The control room's number from the server's settings, remembered on the device for a start without signal. */
export function useControlPhone(): string | null {
  const fromServer = useChat((s) => s.settings?.controlPhone ?? null);
  const [stored, setStored] = useState<string | null>(null);
  useEffect(() => {
    try {
      if (fromServer) localStorage.setItem(PHONE_KEY, fromServer);
      else setStored(localStorage.getItem(PHONE_KEY));
    } catch {
      // storage may be unavailable (private mode): the number is then only known while connected
    }
  }, [fromServer]);
  return fromServer ?? stored;
}

/** Re-renders every second while `isActive`, for ages and windows that run out. */
function useNow(isActive: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!isActive) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [isActive]);
  return now;
}

export function CallControlLink({ phone, isProminent }: { phone: string; isProminent: boolean }) {
  return (
    <a
      href={`tel:${phone.replace(/[^+0-9]/g, "")}`}
      data-testid="call-control"
      data-prominent={isProminent ? "true" : "false"}
      className={
        isProminent
          ? "flex min-h-12 items-center justify-center rounded-lg bg-red-700 px-4 text-base font-bold text-white"
          : "inline-flex min-h-11 items-center font-semibold underline"
      }
    >
      Call control {phone}
    </a>
  );
}

/**
 * The state of the driver's alarm, full width at the top of the emergency conversation: sent,
 * acknowledged (by whom, when) or cancelled; "False alarm — cancel" for the first minute; and the
 * phone number of control, prominent when the alarm is not through or not acknowledged in 30 s.
 */
export function EmergencyStatus({ conversation }: { conversation: ConversationView }) {
  const cancelEmergency = useChat((s) => s.cancelEmergency);
  const connection = useChat((s) => s.connection);
  const phone = useControlPhone();
  const [isCancelling, setIsCancelling] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const raisedAt = Date.parse(conversation.createdAt);
  const isCancelled = Boolean(conversation.emergencyCancelledAt);
  const isClosed = isCancelled || conversation.status === "RESOLVED";
  const now = useNow(!isClosed);
  const age = now - raisedAt;
  const canCancel = !isClosed && age < EMERGENCY_CANCEL_WINDOW_MS;
  const needsCall = !isClosed && (connection !== "online" || (!conversation.emergencyAck && age > CALL_PROMPT_AFTER_MS));

  async function cancel() {
    setIsCancelling(true);
    const result = await cancelEmergency(conversation.id);
    setIsCancelling(false);
    setError(result.ok ? null : result.message);
  }

  const tone = isCancelled
    ? "bg-slate-200 text-slate-900 dark:bg-slate-800 dark:text-slate-100"
    : conversation.emergencyAck
      ? "bg-emerald-100 text-emerald-950 dark:bg-emerald-950 dark:text-emerald-100"
      : "bg-red-100 text-red-950 dark:bg-red-950 dark:text-red-100";
  return (
    <div data-testid="emergency-status" className={`flex flex-col gap-2 px-3 py-2 ${tone}`}>
      <p role="status" data-testid="emergency-status-text" className="font-bold">
        {isCancelled
          ? `Alarm cancelled — false alarm ${formatTime(conversation.emergencyCancelledAt!)}`
          : conversation.emergencyAck
            ? `Acknowledged by ${conversation.emergencyAck.by.name} ${formatTime(conversation.emergencyAck.at)}`
            : `Alarm sent — control notified ${formatTime(conversation.createdAt)}`}
      </p>
      {canCancel ? (
        <button
          type="button"
          data-testid="false-alarm"
          disabled={isCancelling}
          onClick={() => void cancel()}
          className="min-h-11 rounded-lg border-2 border-current bg-white/70 px-3 font-semibold dark:bg-black/20"
        >
          {isCancelling ? "Cancelling…" : `False alarm — cancel (${Math.max(0, Math.ceil((EMERGENCY_CANCEL_WINDOW_MS - age) / 1000))} s)`}
        </button>
      ) : null}
      {error ? (
        <p role="alert" className="text-sm">
          {error}
        </p>
      ) : null}
      {phone && !isClosed ? <CallControlLink phone={phone} isProminent={needsCall} /> : null}
    </div>
  );
}
