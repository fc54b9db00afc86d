"use client";

import { useState } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import { SUPPORT_ROOMS, type SupportRoom } from "@/lib/chat/types";
import { MONITOR_LABELS } from "./queue-model";

/**
 * Which support rooms alert this screen (persisted per user by room:join / room:leave). A compact
 * popover: the choice is made once a shift, so it does not take queue space.
 */
export function MonitorMenu() {
  const monitored = useChat((s) => s.rooms);
  const call = useChat((s) => s.call);
  const setRooms = useChat((s) => s.setRooms);
  const [error, setError] = useState<string | null>(null);
  // The checkbox follows the click at once; the server's answer then replaces it.
  const [optimistic, setOptimistic] = useState<Partial<Record<SupportRoom, boolean>>>({});

  async function toggle(room: SupportRoom, isOn: boolean) {
    setError(null);
    setOptimistic((current) => ({ ...current, [room]: isOn }));
    try {
      const { rooms } = await call(isOn ? "room:join" : "room:leave", { room });
      setRooms(rooms);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : "Could not change the room.");
    } finally {
      setOptimistic(({ [room]: _done, ...rest }) => rest);
    }
  }

  return (
    <>
      <button
        type="button"
        popoverTarget="monitor-menu"
        data-testid="monitor-open"
        style={{ anchorName: "--monitor-menu" } as React.CSSProperties}
        className="h-8 shrink-0 rounded-md border border-slate-300 px-2 text-[13px] font-medium hover:bg-slate-100 dark:border-slate-600 dark:hover:bg-slate-800"
      >
        Rooms <span className="tabular-nums">{monitored.length}</span>
      </button>
      <div
        id="monitor-menu"
        popover="auto"
        data-testid="monitor-menu"
        aria-label="Rooms that alert this screen"
        className="m-0 w-72 rounded-lg border border-slate-300 bg-white p-3 text-sm text-slate-900 shadow-xl [inset:auto] dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
        style={{ positionAnchor: "--monitor-menu", positionArea: "bottom span-right", marginTop: 4 } as React.CSSProperties}
      >
        <p className="pb-2 font-semibold">Alert me for new conversations in</p>
        <ul className="flex flex-col gap-1">
          {SUPPORT_ROOMS.map((room) => (
            <li key={room} data-testid={`room-${room}`}>
              <label className="flex min-h-8 items-center gap-2">
                <input
                  type="checkbox"
                  data-testid="room-monitor"
                  checked={optimistic[room] ?? monitored.includes(room)}
                  onChange={(event) => void toggle(room, event.target.checked)}
                  className="size-4"
                />
                {MONITOR_LABELS[room]}
              </label>
            </li>
          ))}
        </ul>
        <p className="pt-2 text-xs text-slate-700 dark:text-slate-300">Emergencies alert every control screen, whatever you choose.</p>
        {error ? (
          <p role="alert" className="pt-1 text-xs text-red-800 dark:text-red-300">
            {error}
          </p>
        ) : null}
      </div>
    </>
  );
}
