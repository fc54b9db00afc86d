"use client";

import { useEffect, useState, type ReactNode } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import type { ConversationView } from "@/lib/chat/types";
import { formatDuration, vehicleAndRoute } from "./queue-model";
import { useEmergencyAlarm } from "./use-emergency-alarm";
import { useArrivalNotices } from "./use-arrival-notices";
import { useNow } from "./use-now";
import { ALERT_LINE_PX as LINE_PX, ALERT_STRIP_LINES, ALERT_STRIP_PX } from "./dimensions";

const PERMISSION_DISMISSED_KEY = "control:notifications-dismissed";

interface StripItem {
  key: string;
  kind: "emergency" | "notice";
  render(): ReactNode;
}

/**
 * The dashboard's one alert area, under the header, at a fixed height: unacknowledged emergencies
 * first (one line each, up to three), then connection problems, refused actions, new conversations,
 * reminders and the notification-permission request. What does not fit is one "+N more" line that
 * opens the full list. Nothing here can push the queue down.
 */
export function AlertStrip() {
  const now = useNow();
  const alarm = useEmergencyAlarm();
  const arrivals = useArrivalNotices(alarm.active.length);
  const connection = useChat((s) => s.connection);
  const connectionError = useChat((s) => s.connectionError);
  const lastError = useChat((s) => s.lastError);
  const dismissError = useChat((s) => s.dismissError);
  const openConversation = useChat((s) => s.openConversation);
  const acknowledge = useChat((s) => s.acknowledgeEmergency);
  const permission = useNotificationPermission();

  const items: StripItem[] = alarm.active.map((c) => ({
    key: `emergency-${c.id}`,
    kind: "emergency",
    render: () => (
      <EmergencyLine conversation={c} isEscalated={Boolean(alarm.escalated[c.id])} age={formatDuration(now - Date.parse(c.createdAt))} onOpen={() => void openConversation(c.id)} onAcknowledge={() => void acknowledge(c.id)} />
    ),
  }));
  if (connection !== "online" && connection !== "connecting") {
    items.push({
      key: "connection",
      kind: "notice",
      render: () => (
        <Notice tone={connection === "offline" ? "danger" : "warning"} testId="connection-alert" role="status">
          {connection === "offline" ? `Offline${connectionError ? ` — ${connectionError}` : ""}. ` : connection === "no-signal" ? "No network — messages you send wait in the outbox. " : "Connection lost — reconnecting… Messages you send wait in the outbox. "}
          {connection === "offline" ? (
            <a className="underline" href="/signin">
              Sign in again
            </a>
          ) : null}
        </Notice>
      ),
    });
  }
  if (lastError) {
    items.push({
      key: "error",
      kind: "notice",
      render: () => (
        <Notice tone="danger" testId="action-error" role="alert" onDismiss={dismissError}>
          {lastError}
        </Notice>
      ),
    });
  }
  const latest = arrivals.latest;
  if (latest) {
    items.push({
      key: "arrival",
      kind: "notice",
      render: () => (
        <Notice tone={latest.category === "EMERGENCY" ? "danger" : "warning"} testId="new-conversation-alert" role="alert" dataCount={arrivals.count} onDismiss={arrivals.dismiss}>
          {arrivals.count > 1 ? `${arrivals.count} new conversations. Latest: ` : "New conversation: "}
          {latest.category === "EMERGENCY" ? `EMERGENCY from ${latest.creator.name}` : `${latest.creator.name} — ${latest.title}`}
          {latest.vehicle || latest.route ? ` (${vehicleAndRoute(latest)})` : ""}{" "}
          <button type="button" data-testid="alert-open" onClick={() => void openConversation(latest.id)} className="ml-1 h-6 rounded bg-white px-2 text-[13px] font-semibold text-slate-900">
            Open
          </button>
        </Notice>
      ),
    });
  } else if (arrivals.backlog !== null) {
    const backlog = arrivals.backlog;
    items.push({
      key: "backlog",
      kind: "notice",
      render: () => (
        <Notice tone="warning" testId="backlog-alert" role="status" onDismiss={arrivals.dismissBacklog}>
          {backlog} conversation{backlog === 1 ? "" : "s"} waiting while you were away.
        </Notice>
      ),
    });
  }
  if (arrivals.reminderTimes !== null) {
    const waiting = arrivals.waitingCount;
    items.push({
      key: "reminder",
      kind: "notice",
      render: () => (
        <Notice tone="warning" testId="unclaimed-reminder" role="status" dataTimes={arrivals.reminderTimes ?? 0}>
          Reminder: {waiting} conversation{waiting === 1 ? "" : "s"} still unclaimed.
        </Notice>
      ),
    });
  }
  if (permission.isAsking) {
    items.push({
      key: "permission",
      kind: "notice",
      render: () => (
        <Notice tone="info" testId="notification-request" role="status" onDismiss={permission.dismiss}>
          Get desktop alerts for emergencies and new requests when this tab is in the background.{" "}
          <button type="button" data-testid="enable-notifications" onClick={permission.request} className="ml-1 h-6 rounded bg-teal-700 px-2 text-[13px] font-semibold text-white">
            Enable desktop alerts
          </button>
        </Notice>
      ),
    });
  }

  const fits = items.length <= ALERT_STRIP_LINES;
  const shown = fits ? items : items.slice(0, ALERT_STRIP_LINES - 1);
  const hidden = fits ? [] : items.slice(ALERT_STRIP_LINES - 1);
  const shownEmergencies = shown.filter((i) => i.kind === "emergency");
  const hiddenEmergencies = hidden.filter((i) => i.kind === "emergency").length;

  return (
    <section
      aria-label="Alerts"
      data-testid="alert-strip"
      data-count={items.length}
      className="flex shrink-0 flex-col justify-start gap-0 overflow-hidden border-b border-slate-300 bg-white px-2 py-0.5 dark:border-slate-700 dark:bg-slate-900"
      style={{ height: ALERT_STRIP_PX }}
    >
      {items.length === 0 ? (
        <p data-testid="alert-strip-empty" className="flex items-center text-[13px] text-slate-700 dark:text-slate-300" style={{ height: LINE_PX }}>
          No alerts. Emergencies and new requests appear here.
        </p>
      ) : null}
      {alarm.active.length > 0 ? (
        <div role="alert" data-testid="emergency-alarm" data-escalated={alarm.isEscalated ? "true" : "false"} aria-label={`${alarm.active.length} emergencies waiting for acknowledgement`}>
          {shownEmergencies.map((item) => (
            <div key={item.key}>{item.render()}</div>
          ))}
        </div>
      ) : null}
      {shown
        .filter((i) => i.kind === "notice")
        .map((item) => (
          <div key={item.key}>{item.render()}</div>
        ))}
      {hidden.length > 0 ? <MoreLine hidden={hidden} emergencies={hiddenEmergencies} /> : null}
    </section>
  );
}

function EmergencyLine({ conversation: c, isEscalated, age, onOpen, onAcknowledge }: { conversation: ConversationView; isEscalated: boolean; age: string; onOpen(): void; onAcknowledge(): void }) {
  return (
    <div data-testid="alarm-item" data-conversation-id={c.id} className={`flex items-center gap-2 rounded px-2 text-[13px] text-white ${isEscalated ? "bg-red-900" : "bg-red-700"}`} style={{ height: LINE_PX - 2, marginBottom: 2 }}>
      {isEscalated ? (
        <span data-testid="escalated-mark" className="shrink-0 animate-pulse rounded bg-yellow-300 px-1 text-[11px] font-black text-black">
          ESCALATED
        </span>
      ) : (
        <span className="shrink-0 rounded bg-white px-1 text-[11px] font-black text-red-800">EMERGENCY</span>
      )}
      <span className="min-w-0 flex-1 truncate">
        <span className="font-bold">{c.creator.name}</span> · {vehicleAndRoute(c)} · {c.title}
      </span>
      <span className="shrink-0 font-semibold tabular-nums" title="Unacknowledged for">
        {age}
      </span>
      <button type="button" onClick={onOpen} className="h-6 shrink-0 rounded bg-white/20 px-2 font-semibold hover:bg-white/30">
        Open
      </button>
      <button type="button" data-testid="alarm-acknowledge" onClick={onAcknowledge} className="h-6 shrink-0 rounded bg-white px-2 font-bold text-red-800 hover:bg-red-50">
        Acknowledge
      </button>
    </div>
  );
}

const TONES = {
  danger: "bg-red-100 text-red-950 dark:bg-red-950 dark:text-red-50",
  warning: "bg-amber-100 text-amber-950 dark:bg-amber-900/60 dark:text-amber-50",
  info: "bg-sky-100 text-sky-950 dark:bg-sky-950 dark:text-sky-50",
} as const;

interface NoticeProps {
  tone: keyof typeof TONES;
  testId: string;
  role: "alert" | "status";
  children: ReactNode;
  onDismiss?(): void;
  dataCount?: number;
  dataTimes?: number;
}

function Notice({ tone, testId, role, children, onDismiss, dataCount, dataTimes }: NoticeProps) {
  return (
    <div
      role={role}
      data-testid={testId}
      data-count={dataCount}
      data-times={dataTimes}
      className={`flex items-center gap-2 rounded px-2 text-[13px] font-medium ${TONES[tone]}`}
      style={{ height: LINE_PX - 2, marginBottom: 2 }}
    >
      <span className="min-w-0 flex-1 truncate">{children}</span>
      {onDismiss ? (
        <button type="button" onClick={onDismiss} className="h-6 shrink-0 rounded px-2 underline">
          Dismiss
        </button>
      ) : null}
    </div>
  );
}

function MoreLine({ hidden, emergencies }: { hidden: StripItem[]; emergencies: number }) {
  const notices = hidden.length - emergencies;
  const parts = [emergencies > 0 ? `${emergencies} more emergenc${emergencies === 1 ? "y" : "ies"}` : null, notices > 0 ? `${notices} more notice${notices === 1 ? "" : "s"}` : null].filter(Boolean);
  return (
    <>
      <button
        type="button"
        popoverTarget="alert-overflow"
        data-testid="alert-more"
        data-hidden={hidden.length}
        className={`flex items-center rounded px-2 text-left text-[13px] font-bold ${emergencies > 0 ? "bg-red-800 text-white" : "bg-slate-200 text-slate-900 dark:bg-slate-800 dark:text-slate-100"}`}
        style={{ height: LINE_PX - 2 }}
      >
        +{hidden.length} more: {parts.join(", ")} — show all
      </button>
      <div
        id="alert-overflow"
        popover="auto"
        data-testid="alert-overflow"
        className="m-0 max-h-[70vh] w-[min(56rem,95vw)] overflow-y-auto rounded-lg border border-slate-300 bg-white p-2 shadow-2xl dark:border-slate-600 dark:bg-slate-900"
        style={{ top: "5rem", left: "50%", transform: "translateX(-50%)" }}
      >
        {hidden.map((item) => (
          <div key={item.key}>{item.render()}</div>
        ))}
      </div>
    </>
  );
}

/** Asks for browser notifications once the user chooses to (browsers require a click); dismissible. */
function useNotificationPermission(): { isAsking: boolean; request(): void; dismiss(): void } {
  const [permission, setPermission] = useState<NotificationPermission | "unsupported" | null>(null);
  const [isDismissed, setDismissed] = useState(true);
  useEffect(() => {
    setPermission("Notification" in window ? Notification.permission : "unsupported");
    setDismissed(window.localStorage.getItem(PERMISSION_DISMISSED_KEY) === "1");
  }, []);
  return {
    isAsking: permission === "default" && !isDismissed,
    request: () => void Notification.requestPermission().then(setPermission),
    dismiss: () => {
      window.localStorage.setItem(PERMISSION_DISMISSED_KEY, "1");
      setDismissed(true);
    },
  };
}
