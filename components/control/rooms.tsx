"use client";

import { useMemo, useState } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import type { SupportRoom } from "@/lib/chat/types";
import { ROOM_LABELS, ROOM_VIEWS, countRooms, type RoomView } from "./queue-model";

interface RoomsProps {
  selected: RoomView;
  onSelect(room: RoomView): void;
}

/** Support rooms with live open/unread counts, and which of them this staff member monitors. */
export function Rooms({ selected, onSelect }: RoomsProps) {
  const conversations = useChat((s) => s.conversations);
  const monitored = useChat((s) => s.rooms);
  const call = useChat((s) => s.call);
  const setRooms = useChat((s) => s.setRooms);
  const [error, setError] = useState<string | null>(null);
  // The checkbox follows the click at once; the server's answer then replaces it.
  const [optimistic, setOptimistic] = useState<Partial<Record<SupportRoom, boolean>>>({});
  const counts = useMemo(() => countRooms(Object.values(conversations)), [conversations]);

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
    <section aria-labelledby="rooms-heading" className="border-b border-slate-200 p-2 dark:border-slate-800">
      <h2 id="rooms-heading" className="px-1 pb-1 text-xs font-bold uppercase tracking-wide text-slate-600 dark:text-slate-300">
        Support rooms
      </h2>
      <ul className="flex flex-col gap-1">
        {ROOM_VIEWS.map((room) => {
          const count = counts[room];
          const isSelected = selected === room;
          return (
            <li key={room} data-testid={`room-${room}`} data-open={count.open} data-unread={count.unread} className="flex items-center gap-2">
              <button
                type="button"
                aria-pressed={isSelected}
                data-testid="room-select"
                onClick={() => onSelect(room)}
                className={`flex min-h-9 flex-1 items-center gap-2 rounded-lg px-2 text-left text-sm font-medium ${
                  isSelected ? "bg-teal-700 text-white" : "hover:bg-slate-200 dark:hover:bg-slate-800"
                } ${room === "emergency_support" && count.open > 0 && !isSelected ? "text-red-800 dark:text-red-300" : ""}`}
              >
                <span className="flex-1">{ROOM_LABELS[room]}</span>
                <span data-testid="room-open-count" aria-label={`${count.open} open`} className="tabular-nums">
                  {count.open}
                </span>
                <span
                  data-testid="room-unread-count"
                  aria-label={`${count.unread} unread`}
                  className={`min-w-6 rounded-full px-1.5 text-center text-xs tabular-nums ${
                    count.unread > 0 ? "bg-amber-300 text-amber-950" : isSelected ? "text-teal-50" : "text-slate-600 dark:text-slate-300"
                  }`}
                >
                  {count.unread}
                </span>
              </button>
              {room === "all" ? (
                <span className="w-20" aria-hidden="true" />
              ) : (
                <label className="flex w-20 items-center gap-1 text-xs">
                  <input
                    type="checkbox"
                    data-testid="room-monitor"
                    checked={optimistic[room] ?? monitored.includes(room)}
                    onChange={(event) => void toggle(room, event.target.checked)}
                    className="size-4"
                  />
                  Monitor
                </label>
              )}
            </li>
          );
        })}
      </ul>
      {error ? (
        <p role="alert" className="px-1 pt-1 text-xs text-red-800 dark:text-red-300">
          {error}
        </p>
      ) : null}
    </section>
  );
}
