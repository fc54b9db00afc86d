"use client";

import { forwardRef, useImperativeHandle, useRef, useState } from "react";
import { MESSAGE_MAX_LENGTH } from "@/lib/chat/constants";

export interface ControlComposerHandle {
  focus(): void;
  insert(text: string): void;
  toggleNote(): void;
  openCanned(): void;
}

interface ControlComposerProps {
  placeholder: string;
  cannedResponses: readonly string[];
  initialDraft: string;
  onDraftChange(draft: string): void;
  onTyping(): void;
  onStopTyping(): void;
  /** Returns an error to show, or null when the message was queued (may ask the user first). */
  onSend(body: string, isNote: boolean): string | null | Promise<string | null>;
}

/** Reply box with canned responses (Alt+C, then 1–9) and an internal-note mode (Alt+N). */
export const ControlComposer = forwardRef<ControlComposerHandle, ControlComposerProps>(function ControlComposer(
  { placeholder, cannedResponses, initialDraft, onDraftChange, onTyping, onStopTyping, onSend },
  ref,
) {
  const [draft, setDraftState] = useState(initialDraft);
  const [isNote, setIsNote] = useState(false);
  const [isCannedOpen, setCannedOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);

  function setDraft(next: string) {
    setDraftState(next);
    onDraftChange(next);
  }

  function insert(text: string) {
    const input = inputRef.current;
    const start = input?.selectionStart ?? draft.length;
    const end = input?.selectionEnd ?? draft.length;
    const next = `${draft.slice(0, start)}${text}${draft.slice(end)}`.slice(0, MESSAGE_MAX_LENGTH);
    setDraft(next);
    setCannedOpen(false);
    if (!isNote && next.trim()) onTyping();
    requestAnimationFrame(() => {
      input?.focus();
      input?.setSelectionRange(start + text.length, start + text.length);
    });
  }

  useImperativeHandle(ref, () => ({
    focus: () => inputRef.current?.focus(),
    insert,
    toggleNote: () => setIsNote((v) => !v),
    openCanned: () => {
      setCannedOpen(true);
      inputRef.current?.focus();
    },
  }));

  async function submit(event?: React.FormEvent) {
    event?.preventDefault();
    const sent = draft;
    const problem = await onSend(sent, isNote);
    setError(problem);
    // Cleared only if nothing was typed meanwhile (a confirmation may have been open).
    if (!problem) setDraftState((current) => (current === sent ? (onDraftChange(""), "") : current));
  }

  return (
    <form
      onSubmit={(event) => void submit(event)}
      data-testid="composer"
      data-note={isNote ? "true" : "false"}
      className={`flex flex-col gap-1 border-t p-2 ${isNote ? "border-yellow-500 bg-yellow-50 dark:bg-yellow-950" : "border-slate-200 bg-white dark:border-slate-700 dark:bg-slate-900"}`}
    >
      {error ? (
        <p role="alert" className="text-sm text-red-800 dark:text-red-300">
          {error}
        </p>
      ) : null}
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <label className="flex items-center gap-1 font-medium">
          <input type="checkbox" data-testid="note-toggle" checked={isNote} onChange={(event) => setIsNote(event.target.checked)} className="size-4" />
          Internal note (staff only)
        </label>
        <button
          type="button"
          data-testid="canned-toggle"
          aria-expanded={isCannedOpen}
          onClick={() => setCannedOpen((v) => !v)}
          className="min-h-8 rounded-lg border border-slate-400 px-2 font-medium"
        >
          Canned responses <kbd className="text-xs">Alt+C</kbd>
        </button>
        {isNote ? <span className="font-semibold text-yellow-900 dark:text-yellow-200">The driver will not see this.</span> : null}
      </div>
      {isCannedOpen ? (
        <ul data-testid="canned-list" aria-label="Canned responses" className="flex flex-col gap-1 rounded-lg border border-slate-300 p-1 dark:border-slate-600">
          {cannedResponses.length === 0 ? <li className="p-1 text-sm">No canned responses configured.</li> : null}
          {cannedResponses.slice(0, 9).map((text, index) => (
            <li key={text}>
              <button type="button" data-testid="canned-response" onClick={() => insert(text)} className="w-full rounded px-2 py-1 text-left text-sm hover:bg-slate-200 dark:hover:bg-slate-800">
                <kbd className="mr-2 font-bold">{index + 1}</kbd>
                {text}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="flex items-end gap-2">
        <label className="sr-only" htmlFor="control-composer-input">
          {isNote ? "Internal note" : "Message"}
        </label>
        <textarea
          id="control-composer-input"
          ref={inputRef}
          data-testid="composer-input"
          value={draft}
          rows={2}
          maxLength={MESSAGE_MAX_LENGTH}
          placeholder={isNote ? "Internal note for control staff" : placeholder}
          onChange={(event) => {
            setDraft(event.target.value);
            if (!isNote && event.target.value.trim()) onTyping();
            else onStopTyping();
          }}
          onBlur={onStopTyping}
          onKeyDown={(event) => {
            if (isCannedOpen && /^[1-9]$/.test(event.key)) {
              const text = cannedResponses[Number(event.key) - 1];
              if (text) {
                event.preventDefault();
                insert(text);
                return;
              }
            }
            if (event.key === "Escape" && isCannedOpen) {
              event.preventDefault();
              setCannedOpen(false);
              return;
            }
            if (event.key === "Enter" && !event.shiftKey) {
              event.preventDefault();
              void submit();
            }
          }}
          className="min-h-11 flex-1 resize-none rounded-lg border border-slate-400 bg-white px-3 py-2 text-base text-slate-900 dark:border-slate-600 dark:bg-slate-950 dark:text-slate-100"
        />
        <button
          type="submit"
          data-testid="composer-send"
          disabled={!draft.trim()}
          className={`min-h-11 min-w-16 rounded-lg px-4 font-semibold text-white disabled:opacity-60 ${isNote ? "bg-yellow-800" : "bg-teal-700 hover:bg-teal-800"}`}
        >
          {isNote ? "Add note" : "Send"}
        </button>
      </div>
    </form>
  );
});
