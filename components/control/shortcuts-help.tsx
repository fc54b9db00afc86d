"use client";

import { useEffect, useRef } from "react";
import { SHORTCUTS } from "./shortcuts";

/** The "?" overlay listing every shortcut. */
export function ShortcutsHelp({ onClose }: { onClose(): void }) {
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), []);
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-black/50 p-4" onClick={onClose}>
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby="shortcuts-heading"
        data-testid="shortcuts-help"
        onClick={(event) => event.stopPropagation()}
        onKeyDown={(event) => event.key === "Escape" && onClose()}
        className="w-full max-w-lg rounded-xl bg-white p-4 text-slate-900 shadow-xl dark:bg-slate-900 dark:text-slate-100"
      >
        <h2 id="shortcuts-heading" className="text-lg font-bold">
          Keyboard shortcuts
        </h2>
        <table className="mt-2 w-full text-sm">
          <thead>
            <tr className="text-left">
              <th scope="col" className="py-1">Key</th>
              <th scope="col" className="py-1">Anywhere</th>
              <th scope="col" className="py-1">Does</th>
            </tr>
          </thead>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.action} className="border-t border-slate-200 dark:border-slate-700">
                <td className="py-1">
                  <kbd className="rounded border border-slate-400 px-1.5 font-mono">{s.keys.join(" / ")}</kbd>
                </td>
                <td className="py-1">
                  <kbd className="rounded border border-slate-400 px-1.5 font-mono">Alt+{s.alt.length === 1 ? s.alt.toUpperCase() : s.alt.replace("Arrow", "")}</kbd>
                </td>
                <td className="py-1">{s.description}</td>
              </tr>
            ))}
            <tr className="border-t border-slate-200 dark:border-slate-700">
              <td className="py-1">
                <kbd className="rounded border border-slate-400 px-1.5 font-mono">Esc</kbd>
              </td>
              <td />
              <td className="py-1">Close this help or the canned list</td>
            </tr>
          </tbody>
        </table>
        <button ref={closeRef} type="button" data-testid="shortcuts-close" onClick={onClose} className="mt-3 min-h-10 rounded-lg bg-teal-700 px-4 font-semibold text-white">
          Close
        </button>
      </div>
    </div>
  );
}
