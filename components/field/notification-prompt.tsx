"use client";

import { useEffect, useState } from "react";
import { canNotify } from "./service-worker";

const DISMISSED_KEY = "field:notifications-dismissed";

/**
 * Asks for notification permission where the reason is obvious (inside a conversation), with an
 * explanation and a button; never on first load, and not again once answered or dismissed.
 */
export function NotificationPrompt() {
  const [isShown, setIsShown] = useState(false);

  useEffect(() => {
    if (!canNotify() || localStorage.getItem(DISMISSED_KEY) === "1") return;
    let isCurrent = true;
    // The Permissions API is the reliable "not asked yet" signal; Notification.permission the fallback.
    navigator.permissions
      .query({ name: "notifications" })
      .then((status) => status.state === "prompt")
      .catch(() => Notification.permission === "default")
      .then((canAsk) => {
        if (isCurrent) setIsShown(canAsk);
      })
      .catch(() => undefined);
    return () => {
      isCurrent = false;
    };
  }, []);

  if (!isShown) return null;

  async function enable() {
    await Notification.requestPermission().catch(() => "denied" as const);
    setIsShown(false);
  }

  function dismiss() {
    localStorage.setItem(DISMISSED_KEY, "1");
    setIsShown(false);
  }

  return (
    <div data-testid="notification-prompt" className="m-2 flex flex-col gap-2 rounded-lg border border-teal-800 bg-teal-50 p-3 text-sm text-slate-900 dark:border-teal-300 dark:bg-teal-950 dark:text-slate-100">
      <p>Get a notification when control replies while this app is in the background or your screen is off.</p>
      <div className="grid grid-cols-2 gap-2">
        <button type="button" onClick={dismiss} className="min-h-11 rounded-lg border border-slate-400 px-3 font-semibold">
          Not now
        </button>
        <button type="button" data-testid="enable-notifications" onClick={() => void enable()} className="min-h-11 rounded-lg bg-teal-800 px-3 font-semibold text-white">
          Turn on notifications
        </button>
      </div>
    </div>
  );
}
