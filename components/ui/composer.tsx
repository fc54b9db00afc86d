"use client";

import { useState } from "react";
import { MESSAGE_MAX_LENGTH } from "@/lib/chat/constants";

interface ComposerProps {
  placeholder: string;
  disabled?: boolean;
  onTyping(): void;
  onStopTyping(): void;
  /** Returns an error to show, or null when the message was queued. */
  onSend(body: string): string | null;
}

export function Composer({ placeholder, disabled, onTyping, onStopTyping, onSend }: ComposerProps) {
  const [draft, setDraft] = useState("");
  const [error, setError] = useState<string | null>(null);

  function submit(event?: React.FormEvent) {
    event?.preventDefault();
    const problem = onSend(draft);
    setError(problem);
    if (!problem) setDraft("");
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-1 border-t border-slate-200 bg-white p-2 dark:border-slate-700 dark:bg-slate-900">
      {error ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
      <div className="flex items-end gap-2">
        <label className="sr-only" htmlFor="composer-input">
          Message
        </label>
        <textarea
          id="composer-input"
          data-testid="composer-input"
          value={draft}
          rows={2}
          maxLength={MESSAGE_MAX_LENGTH}
          placeholder={placeholder}
          disabled={disabled}
          onChange={(event) => {
            setDraft(event.target.value);
            if (event.target.value.trim()) onTyping();
            else onStopTyping();
          }}
          onBlur={onStopTyping}
          onKeyDown={(event) => {
            if (event.key === "Enter" && !event.shiftKey) {
              event.preventDefault();
              submit();
            }
          }}
          className="min-h-11 flex-1 resize-none rounded-lg border border-slate-300 bg-white px-3 py-2 text-base text-slate-900 dark:border-slate-600 dark:bg-slate-950 dark:text-slate-100"
        />
        <button
          type="submit"
          data-testid="composer-send"
          disabled={disabled || !draft.trim()}
          className="min-h-11 min-w-16 rounded-lg bg-teal-700 px-4 font-semibold text-white hover:bg-teal-800 disabled:opacity-50"
        >
          Send
        </button>
      </div>
    </form>
  );
}
