"use client";

import { useState } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import { CATEGORY_LABELS } from "@/components/realtime/selectors";
import { CATEGORIES, type Category, type Role } from "@/lib/chat/types";
import { MESSAGE_MAX_LENGTH, TITLE_MAX_LENGTH } from "@/lib/chat/constants";

export function defaultCategoryFor(role: Role): Category {
  return role === "QUEUE_REGULATOR" ? "REGULATOR" : role === "BUS_DRIVER" ? "DRIVER" : "GENERAL";
}

/** `onCreated(null)`: no signal, so the conversation waits in the outbox and is opened when it returns. */
export function ContactSupportForm({ role, onCreated, onCancel }: { role: Role; onCreated(conversationId: string | null): void; onCancel(): void }) {
  const createConversation = useChat((s) => s.createConversation);
  const [category, setCategory] = useState<Category>(defaultCategoryFor(role));
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setIsBusy(true);
    const result = await createConversation({ category, title, body });
    setIsBusy(false);
    if (result.ok) onCreated(result.conversationId);
    else setError(result.message);
  }

  return (
    <form data-testid="contact-support-form" onSubmit={(e) => void submit(e)} className="flex flex-col gap-4 p-4">
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
        Message
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
      <div className="grid grid-cols-2 gap-2">
        <button type="button" onClick={onCancel} className="min-h-12 rounded-lg border border-slate-300 px-4 font-semibold dark:border-slate-600">
          Cancel
        </button>
        <button type="submit" data-testid="contact-submit" disabled={isBusy || !body.trim()} className="min-h-12 rounded-lg bg-teal-800 px-4 font-semibold text-white disabled:opacity-50">
          {isBusy ? "Sending…" : "Send"}
        </button>
      </div>
    </form>
  );
}
