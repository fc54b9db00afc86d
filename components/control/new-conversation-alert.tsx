"use client";

import { useEffect } from "react";
import { useChat } from "@/components/realtime/chat-provider";

const BASE_TITLE = "Control · Transit Support";

/** A banner and a count in the tab title while new conversations wait to be looked at. */
export function NewConversationAlert() {
  const alerts = useChat((s) => s.alerts);
  const conversations = useChat((s) => s.conversations);
  const openConversation = useChat((s) => s.openConversation);
  const dismiss = useChat((s) => s.dismissAlerts);

  useEffect(() => {
    document.title = alerts.length > 0 ? `(${alerts.length}) New — ${BASE_TITLE}` : BASE_TITLE;
  }, [alerts.length]);

  const latestId = alerts[alerts.length - 1];
  const latest = latestId ? conversations[latestId] : undefined;
  if (!latest) return null;
  const isEmergency = latest.category === "EMERGENCY";
  return (
    <div
      role="alert"
      data-testid="new-conversation-alert"
      className={`flex items-center gap-3 px-4 py-2 font-medium ${isEmergency ? "bg-red-700 text-white" : "bg-amber-200 text-amber-950"}`}
    >
      <span className="flex-1">
        {alerts.length > 1 ? `${alerts.length} new conversations. Latest: ` : "New conversation: "}
        {isEmergency ? `EMERGENCY from ${latest.creator.name}` : `${latest.creator.name} — ${latest.title}`}
        {latest.vehicle || latest.route ? ` (${[latest.vehicle, latest.route].filter(Boolean).join(", ")})` : ""}
      </span>
      <button type="button" data-testid="alert-open" onClick={() => void openConversation(latest.id)} className="min-h-9 rounded-lg bg-white/90 px-3 text-slate-900">
        Open
      </button>
      <button type="button" onClick={dismiss} className="min-h-9 rounded-lg px-3 underline">
        Dismiss
      </button>
    </div>
  );
}
