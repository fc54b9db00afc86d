"use client";

import { useEffect, useState } from "react";

/** Asks for browser notifications once the user chooses to (browsers require a click). */
export function NotificationPermission() {
  const [permission, setPermission] = useState<NotificationPermission | "unsupported" | null>(null);
  useEffect(() => setPermission("Notification" in window ? Notification.permission : "unsupported"), []);
  if (permission !== "default") return null;
  return (
    <button
      type="button"
      data-testid="enable-notifications"
      onClick={() => void Notification.requestPermission().then(setPermission)}
      className="min-h-9 rounded-lg bg-white px-2 font-semibold text-teal-900"
    >
      Enable desktop alerts
    </button>
  );
}
