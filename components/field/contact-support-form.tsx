"use client";

import { useState } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import { CATEGORY_LABELS } from "@/components/realtime/selectors";
import { CATEGORIES, type Category, type Role } from "@/lib/chat/types";
import { MESSAGE_MAX_LENGTH, TITLE_MAX_LENGTH } from "@/lib/chat/constants";
import { HoldToConfirm } from "./hold-to-confirm";
import { EMERGENCY_MESSAGE } from "./quick-replies";

export function defaultCategoryFor(role: Role): Category {
  return role === "QUEUE_REGULATOR" ? "REGULATOR" : role === "BUS_DRIVER" ? "DRIVER" : "GENERAL";
}

interface ContactSupportFormProps {
  role: Role;
  /** "Start a new request" from a resolved conversation: the same category. */
  initialCategory?: Category | null;
  onCreated(conversationId: string | null): void;
  onCancel(): void;
}

/**
 * A new request. Emergency goes through the same hold-to-confirm as the SOS button: with it chosen,
 * Send is replaced by "Hold to send alarm", and pressing Enter or tapping does nothing.
 * `onCreated(null)`: no signal, so the conversation waits in the outbox and is opened when it returns.
 */
export function ContactSupportForm({ role, initialCategory, onCreated, onCancel }: ContactSupportFormProps) {
  const createConversation = useChat((s) => s.createConversation);
  const [category, setCategory] = useState<Category>(initialCategory ?? defaultCategoryFor(role));
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  const isEmergency = category === "EMERGENCY";

  async function create() {
    setIsBusy(true);
    const result = await createConversation({ category, title, body: isEmergency && !body.trim() ? EMERGENCY_MESSAGE : body });
    setIsBusy(false);
    if (result.ok) onCreated(result.conversationId);
    else setError(result.message);
  }

  function submit(event: React.FormEvent) {
    event.preventDefault();
    // An emergency is raised only by completing the hold, never by a submit.
    if (!isEmergency) void create();
  }

  return (
    <form data-testid="contact-support-form" onSubmit={submit} className="flex min-h-0 flex-1 flex-col gap-4 overflow-y-auto p-4">
      <h2 className="text-lg font-bold">Contact support</h2>
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium">Category</legend>
        <div className="grid grid-cols-2 gap-2">
          {CATEGORIES.map((value) => (
            <label
              key={value}
              className={`flex min-h-12 cursor-pointer items-center gap-2 rounded-lg border px-3 ${
                category === value ? "border-teal-800 bg-teal-50 dark:border-teal-300 dark:bg-teal-950" : "border-slate-300 dark:border-slate-600"
              }`}
            >
              <input type="radio" className="size-5" name="category" value={value} checked={category === value} onChange={() => setCategory(value)} data-testid={`category-${value.toLowerCase()}`} />
              {CATEGORY_LABELS[value]}
            </label>
          ))}
        </div>
      </fieldset>
      <label className="flex flex-col gap-1 text-sm font-medium">
        Title (optional)
        <input
          data-testid="contact-title"
          value={title}
          maxLength={TITLE_MAX_LENGTH}
          onChange={(e) => setTitle(e.target.value)}
          className="min-h-11 rounded-lg border border-slate-300 bg-white px-3 text-base text-slate-900 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
        />
      </label>
      <label className="flex flex-col gap-1 text-sm font-medium">
        {isEmergency ? "Message (optional)" : "Message"}
        <textarea
          data-testid="contact-body"
          value={body}
          rows={4}
          maxLength={MESSAGE_MAX_LENGTH}
          onChange={(e) => setBody(e.target.value)}
          className="rounded-lg border border-slate-300 bg-white px-3 py-2 text-base text-slate-900 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
        />
      </label>
      {error ? (
        <p role="alert" className="rounded-lg bg-red-100 p-3 text-sm text-red-900 dark:bg-red-950 dark:text-red-100">
          {error}
        </p>
      ) : null}
      {isEmergency ? (
        <div className="flex flex-col gap-2" data-testid="contact-emergency">
          <p className="text-sm font-semibold text-red-900 dark:text-red-200">Every controller on duty is alerted at once, with a siren.</p>
          <HoldToConfirm label={isBusy ? "Sending…" : "Hold to send alarm"} disabled={isBusy} onConfirm={() => void create()} testId="contact-emergency-hold" />
          <button type="button" onClick={onCancel} className="min-h-12 rounded-lg border border-slate-300 px-4 font-semibold dark:border-slate-600">
            Cancel
          </button>
        </div>
      ) : (
        <div className="grid grid-cols-2 gap-2">
          <button type="button" onClick={onCancel} className="min-h-12 rounded-lg border border-slate-300 px-4 font-semibold dark:border-slate-600">
            Cancel
          </button>
          <button type="submit" data-testid="contact-submit" disabled={isBusy || !body.trim()} className="min-h-12 rounded-lg bg-teal-800 px-4 font-semibold text-white disabled:opacity-50">
            {isBusy ? "Sending…" : "Send"}
          </button>
        </div>
      )}
    </form>
  );
}
