"use client";

import { useEffect, useMemo, useRef } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import { isUnacknowledgedEmergency, sortQueue } from "@/components/realtime/selectors";
import { formatDuration, vehicleAndRoute } from "./queue-model";
import { notify, playSound } from "./alert-sound";
import { useNow } from "./use-now";

const ALARM_REPEAT_MS = 2000;
const ESCALATED_REPEAT_MS = 1000;

/**
 * An unacknowledged emergency is an alarm on every control screen: a red banner and a repeating tone
 * that stop only when someone acknowledges it (conversation:updated carries emergencyAck to everyone).
 */
export function EmergencyAlarm() {
  const conversations = useChat((s) => s.conversations);
  const escalated = useChat((s) => s.escalated);
  const acknowledge = useChat((s) => s.acknowledgeEmergency);
  const openConversation = useChat((s) => s.openConversation);
  const now = useNow();
  const active = useMemo(() => sortQueue(Object.values(conversations).filter(isUnacknowledgedEmergency)), [conversations]);
  const isAlarm = active.length > 0;
  const isEscalated = active.some((c) => escalated[c.id]);
  const notified = useRef(new Set<string>());

  useEffect(() => {
    if (!isAlarm) return;
    const kind = isEscalated ? "escalated" : "emergency";
    playSound(kind);
    const timer = setInterval(() => playSound(kind), isEscalated ? ESCALATED_REPEAT_MS : ALARM_REPEAT_MS);
    return () => clearInterval(timer);
  }, [isAlarm, isEscalated]);

  useEffect(() => {
    for (const c of active) {
      const key = `${c.id}:${escalated[c.id] ? "escalated" : "new"}`;
      if (notified.current.has(key)) continue;
      notified.current.add(key);
      notify(escalated[c.id] ? "ESCALATED emergency — not acknowledged" : "EMERGENCY", `${c.creator.name} · ${vehicleAndRoute(c)}`, `emergency-${c.id}`, () => void openConversation(c.id));
    }
  }, [active, escalated, openConversation]);

  if (!isAlarm) return null;
  return (
    <div
      role="alert"
      data-testid="emergency-alarm"
      data-escalated={isEscalated ? "true" : "false"}
      className={`flex flex-col gap-1 px-4 py-2 text-white ${isEscalated ? "animate-pulse bg-red-900" : "bg-red-700"}`}
    >
      <p className="font-bold">
        {isEscalated ? "ESCALATED — " : ""}
        {active.length === 1 ? "Emergency alarm: acknowledge to silence it for everyone." : `${active.length} emergencies waiting for acknowledgement.`}
      </p>
      <ul className="flex flex-col gap-1">
        {active.map((c) => (
          <li key={c.id} data-testid="alarm-item" data-conversation-id={c.id} className="flex flex-wrap items-center gap-2">
            {escalated[c.id] ? (
              <span data-testid="escalated-mark" className="rounded bg-yellow-300 px-1.5 text-xs font-black text-black">
                ESCALATED
              </span>
            ) : null}
            <span className="flex-1">
              {c.creator.name} · {vehicleAndRoute(c)} · {c.title} · {formatDuration(now - Date.parse(c.createdAt))} unacknowledged
            </span>
            <button type="button" onClick={() => void openConversation(c.id)} className="min-h-9 rounded-lg bg-white/15 px-3 font-semibold underline">
              Open
            </button>
            <button type="button" data-testid="alarm-acknowledge" onClick={() => void acknowledge(c.id)} className="min-h-9 rounded-lg bg-white px-3 font-bold text-red-800">
              Acknowledge
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
