"use client";

import { useChat } from "@/components/realtime/chat-provider";

/** The last refused action (e.g. someone else took the conversation first). */
export function ErrorNotice() {
  const error = useChat((s) => s.lastError);
  const dismiss = useChat((s) => s.dismissError);
  if (!error) return null;
  return (
    <div role="alert" data-testid="action-error" className="m-2 flex items-center gap-2 rounded-lg bg-red-100 p-2 text-sm text-red-900 dark:bg-red-950 dark:text-red-100">
      <span className="flex-1">{error}</span>
      <button type="button" onClick={dismiss} className="min-h-11 rounded px-2 font-semibold underline">
        Dismiss
      </button>
    </div>
  );
}
