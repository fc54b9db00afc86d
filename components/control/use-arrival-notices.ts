"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import type { ConversationView } from "@/lib/chat/types";
import { useChat } from "@/components/realtime/chat-provider";
import { isMonitored, isWaiting } from "./queue-model";
import { notify, playSound } from "./alert-sound";

const BASE_TITLE = "Control · Transit Support";
/** New conversations arriving this close together make one sound and one notification. */
const COLLAPSE_MS = 400;
const DEFAULT_REMINDER_SECONDS = 30;

export interface ArrivalNotices {
  /** The newest conversation not yet looked at, and how many arrived. */
  latest: ConversationView | undefined;
  count: number;
  dismiss(): void;
  /** Waiting conversations found on (re)connecting. */
  backlog: number | null;
  dismissBacklog(): void;
  /** How often the unclaimed reminder fired, while something waits. */
  reminderTimes: number | null;
  waitingCount: number;
}

/**
 * New conversations in monitored rooms: a notice, a sound and a browser notification, whether or not
 * the tab has focus, and the counts in the tab title. A burst (or a backlog found on reconnecting)
 * collapses into one notice. While something stays unclaimed, a reminder repeats.
 */
export function useArrivalNotices(emergencies: number): ArrivalNotices {
  const alerts = useChat((s) => s.alerts);
  const conversations = useChat((s) => s.conversations);
  const rooms = useChat((s) => s.rooms);
  const connection = useChat((s) => s.connection);
  const reminderSeconds = useChat((s) => s.settings?.unclaimedReminderSeconds ?? DEFAULT_REMINDER_SECONDS);
  const openConversation = useChat((s) => s.openConversation);
  const dismiss = useChat((s) => s.dismissAlerts);
  const [reminder, setReminder] = useState<{ count: number; times: number } | null>(null);
  const [backlog, setBacklog] = useState<number | null>(null);
  const isArmed = useRef(true);
  const known = useRef(new Set<string>());
  const seenAlerts = useRef(0);

  const waiting = useMemo(() => Object.values(conversations).filter((c) => isWaiting(c) && isMonitored(c, rooms)), [conversations, rooms]);
  const waitingCount = waiting.length;

  useEffect(() => {
    const alarm = emergencies > 0 ? `(${emergencies} EMERGENCY) ` : "";
    const prefix = alerts.length > 0 ? `(${alerts.length}) New · ` : "";
    document.title = `${alarm}${prefix}${waitingCount > 0 ? `${waitingCount} waiting — ` : ""}${BASE_TITLE}`;
  }, [alerts.length, waitingCount, emergencies]);

  useEffect(() => () => void (document.title = BASE_TITLE), []);

  // New arrivals: one sound and one notification per burst (read when the timer fires).
  const latestRef = useRef({ alerts, conversations, openConversation });
  latestRef.current = { alerts, conversations, openConversation };
  const burstTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    const previous = seenAlerts.current;
    seenAlerts.current = alerts.length;
    if (alerts.length <= previous || burstTimer.current) return;
    burstTimer.current = setTimeout(() => {
      burstTimer.current = null;
      const now = latestRef.current;
      const latestId = now.alerts[now.alerts.length - 1];
      const latest = latestId ? now.conversations[latestId] : undefined;
      if (!latest) return;
      if (latest.category !== "EMERGENCY") playSound("new-conversation");
      const title = now.alerts.length > 1 ? `${now.alerts.length} new conversations` : "New conversation";
      notify(title, `${latest.creator.name} — ${latest.title}`, "new-conversations", () => void now.openConversation(latest.id));
    }, COLLAPSE_MS);
  }, [alerts.length]);
  useEffect(
    () => () => {
      if (burstTimer.current) clearTimeout(burstTimer.current);
    },
    [],
  );

  // A backlog found on (re)connecting: waiting conversations that did not arrive live, in one alert.
  useEffect(() => {
    if (connection !== "online") {
      isArmed.current = true;
      return;
    }
    for (const id of alerts) known.current.add(id);
    const fresh = waiting.filter((c) => !known.current.has(c.id));
    for (const c of waiting) known.current.add(c.id);
    if (!isArmed.current || fresh.length === 0) return;
    isArmed.current = false;
    setBacklog(fresh.length);
    playSound("new-conversation");
    notify(`${fresh.length} conversation${fresh.length === 1 ? "" : "s"} waiting`, "Unclaimed conversations in your rooms.", "new-conversations");
  }, [alerts, connection, waiting]);

  // The repeating reminder while anything stays unclaimed.
  const hasWaiting = waitingCount > 0;
  const waitingRef = useRef(waitingCount);
  waitingRef.current = waitingCount;
  useEffect(() => {
    if (!hasWaiting) {
      setReminder(null);
      return;
    }
    const timer = setInterval(() => {
      const count = waitingRef.current;
      setReminder((current) => ({ count, times: (current?.times ?? 0) + 1 }));
      playSound("reminder");
      notify("Still unclaimed", `${count} conversation${count === 1 ? "" : "s"} waiting for someone to take ${count === 1 ? "it" : "them"}.`, "unclaimed-reminder");
    }, reminderSeconds * 1000);
    return () => clearInterval(timer);
  }, [hasWaiting, reminderSeconds]);

  const latestId = alerts[alerts.length - 1];
  return {
    latest: latestId ? conversations[latestId] : undefined,
    count: alerts.length,
    dismiss,
    backlog: backlog !== null && waitingCount > 0 ? backlog : null,
    dismissBacklog: () => setBacklog(null),
    reminderTimes: reminder && waitingCount > 0 ? reminder.times : null,
    waitingCount,
  };
}
