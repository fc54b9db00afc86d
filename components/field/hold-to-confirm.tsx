"use client";

import { useEffect, useRef, useState } from "react";

/** How long the driver must keep pressing: long enough that a pocket or a slip never raises an alarm. */
export const HOLD_TO_CONFIRM_MS = 1500;
const RING_RADIUS = 22;
const RING_LENGTH = 2 * Math.PI * RING_RADIUS;

interface HoldToConfirmProps {
  label: string;
  /** Called once, when the hold completes. */
  onConfirm(): void;
  disabled?: boolean;
  testId?: string;
}

/**
 * The one way to raise an emergency: press and hold (pointer, or Space/Enter held on a keyboard or
 * switch device) until the ring fills. Letting go early cancels. A single tap or click never confirms;
 * screen readers hear the instruction, the progress and the outcome.
 */
export function HoldToConfirm({ label, onConfirm, disabled, testId = "hold-to-confirm" }: HoldToConfirmProps) {
  const [progress, setProgress] = useState(0);
  const [announcement, setAnnouncement] = useState("");
  const startedAt = useRef<number | null>(null);
  const frame = useRef<number | null>(null);
  const isDone = useRef(false);

  function stop(completed: boolean) {
    if (frame.current !== null) cancelAnimationFrame(frame.current);
    frame.current = null;
    const wasHolding = startedAt.current !== null;
    startedAt.current = null;
    if (!completed) {
      setProgress(0);
      if (wasHolding && !isDone.current) setAnnouncement("Released too early — nothing was sent. Press and hold to send.");
    }
  }

  function tick() {
    if (startedAt.current === null) return;
    const value = Math.min(1, (performance.now() - startedAt.current) / HOLD_TO_CONFIRM_MS);
    setProgress(value);
    if (value >= 1) {
      isDone.current = true;
      stop(true);
      setAnnouncement("Confirmed.");
      onConfirm();
      return;
    }
    frame.current = requestAnimationFrame(tick);
  }

  function start() {
    if (disabled || startedAt.current !== null || isDone.current) return;
    startedAt.current = performance.now();
    setAnnouncement("Keep holding…");
    frame.current = requestAnimationFrame(tick);
  }

  useEffect(() => () => stop(true), []);

  return (
    <div className="flex flex-col items-stretch gap-1">
      <button
        type="button"
        data-testid={testId}
        data-progress={progress.toFixed(2)}
        disabled={disabled}
        aria-describedby={`${testId}-help`}
        onPointerDown={(event) => {
          event.currentTarget.setPointerCapture?.(event.pointerId);
          start();
        }}
        onPointerUp={() => stop(false)}
        onPointerCancel={() => stop(false)}
        onKeyDown={(event) => {
          if ((event.key === " " || event.key === "Enter") && !event.repeat) {
            event.preventDefault();
            start();
          }
        }}
        onKeyUp={(event) => {
          if (event.key === " " || event.key === "Enter") stop(false);
        }}
        onContextMenu={(event) => event.preventDefault()}
        className="flex min-h-14 touch-none select-none items-center justify-center gap-3 rounded-xl bg-red-700 px-4 text-base font-bold text-white hover:bg-red-800 disabled:opacity-60"
      >
        <svg width="52" height="52" viewBox="0 0 52 52" aria-hidden="true" className="-my-1 shrink-0 -rotate-90">
          <circle cx="26" cy="26" r={RING_RADIUS} fill="none" stroke="currentColor" strokeOpacity="0.35" strokeWidth="5" />
          <circle
            cx="26"
            cy="26"
            r={RING_RADIUS}
            fill="none"
            stroke="currentColor"
            strokeWidth="5"
            strokeLinecap="round"
            strokeDasharray={RING_LENGTH}
            strokeDashoffset={RING_LENGTH * (1 - progress)}
          />
        </svg>
        <span>{label}</span>
      </button>
      <p id={`${testId}-help`} className="text-center text-sm text-slate-800 dark:text-slate-200">
        Press and hold until the ring is full. Let go to stop.
      </p>
      <p aria-live="assertive" className="sr-only">
        {announcement}
      </p>
    </div>
  );
}
