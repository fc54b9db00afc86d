"use client";

import { useEffect, useMemo, useRef } from "react";
import type { ConversationView } from "@/lib/chat/types";
import { useChat } from "@/components/realtime/chat-provider";
import { isUnacknowledgedEmergency, sortQueue } from "@/components/realtime/selectors";
import { vehicleAndRoute } from "./queue-model";
import { notify, playSound } from "./alert-sound";

const ALARM_REPEAT_MS = 2000;
const ESCALATED_REPEAT_MS = 1000;

export interface EmergencyAlarmState {
  /** Unacknowledged emergencies, longest waiting first. */
  active: ConversationView[];
  escalated: Record<string, string>;
  isEscalated: boolean;
}

/**
 * An unacknowledged emergency is an alarm on every control screen: a repeating tone (and a browser
 * notification) that stops only when someone acknowledges it — conversation:updated carries
 * emergencyAck to everyone. The alert strip draws what this returns.
 */
export function useEmergencyAlarm(): EmergencyAlarmState {
  const conversations = useChat((s) => s.conversations);
  const escalated = useChat((s) => s.escalated);
  const openConversation = useChat((s) => s.openConversation);
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

  return { active, escalated, isEscalated };
}
