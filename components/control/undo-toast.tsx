"use client";

import { useEffect, useState } from "react";
import { useChat } from "@/components/realtime/chat-provider";

export interface UndoOffer {
  conversationId: string;
  title: string;
  at: number;
}

/** How long Undo stays on screen after a resolve. */
export const UNDO_MS = 8000;

/** "Resolved ‹title› — Undo": Undo reopens the conversation (the thread records both). */
export function UndoToast({ offer, onDone }: { offer: UndoOffer; onDone(): void }) {
  const reopen = useChat((s) => s.reopen);
  const [isBusy, setBusy] = useState(false);
  useEffect(() => {
    const timer = setTimeout(onDone, Math.max(0, offer.at + UNDO_MS - Date.now()));
    return () => clearTimeout(timer);
  }, [offer, onDone]);
  return (
    <div role="status" data-testid="resolve-toast" className="fixed bottom-4 left-1/2 z-40 flex -translate-x-1/2 items-center gap-3 rounded-lg bg-slate-900 px-4 py-2 text-sm text-white shadow-2xl dark:bg-slate-100 dark:text-slate-900">
      <span className="max-w-[28rem] truncate">Resolved “{offer.title}”.</span>
      <button
        type="button"
        data-testid="resolve-undo"
        disabled={isBusy}
        onClick={() => {
          setBusy(true);
          void reopen(offer.conversationId).finally(onDone);
        }}
        className="h-8 rounded-md bg-teal-400 px-3 font-bold text-slate-950 hover:bg-teal-300"
      >
        Undo
      </button>
    </div>
  );
}
