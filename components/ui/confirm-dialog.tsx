"use client";

import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";

export interface ConfirmRequest {
  title: string;
  body?: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  tone?: "danger" | "normal";
}

interface Pending extends ConfirmRequest {
  resolve(ok: boolean): void;
}

/**
 * A modal question with two answers, for actions that are hard to take back. Returns the dialog to
 * render and `ask`, which resolves true only when the user confirms (Escape and Cancel say no).
 */
export function useConfirm(): [ReactNode, (request: ConfirmRequest) => Promise<boolean>] {
  const [pending, setPending] = useState<Pending | null>(null);
  const ask = useCallback((request: ConfirmRequest) => new Promise<boolean>((resolve) => setPending({ ...request, resolve })), []);
  const answer = useCallback(
    (ok: boolean) => {
      pending?.resolve(ok);
      setPending(null);
    },
    [pending],
  );
  return [pending ? <ConfirmDialog key={pending.title} request={pending} onAnswer={answer} /> : null, ask];
}

function ConfirmDialog({ request, onAnswer }: { request: ConfirmRequest; onAnswer(ok: boolean): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      data-testid="confirm-dialog"
      aria-labelledby="confirm-title"
      onCancel={(event) => {
        event.preventDefault();
        onAnswer(false);
      }}
      className="m-auto w-[min(28rem,92vw)] rounded-xl border border-slate-300 bg-white p-0 text-slate-900 shadow-2xl backdrop:bg-black/50 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
    >
      <form
        method="dialog"
        className="flex flex-col gap-3 p-4"
        onSubmit={(event) => {
          event.preventDefault();
          onAnswer(true);
        }}
      >
        <h2 id="confirm-title" className="text-base font-bold">
          {request.title}
        </h2>
        {request.body ? <div className="text-sm text-slate-800 dark:text-slate-200">{request.body}</div> : null}
        <div className="flex justify-end gap-2">
          <button type="button" data-testid="confirm-cancel" onClick={() => onAnswer(false)} className="h-9 rounded-lg border border-slate-400 px-3 text-sm font-semibold">
            {request.cancelLabel ?? "Cancel"}
          </button>
          <button
            type="submit"
            data-testid="confirm-ok"
            autoFocus
            className={`h-9 rounded-lg px-3 text-sm font-bold text-white ${request.tone === "danger" ? "bg-red-700 hover:bg-red-800" : "bg-teal-700 hover:bg-teal-800"}`}
          >
            {request.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
