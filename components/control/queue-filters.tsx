"use client";

import { useMemo } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import { QUEUE_FILTERS, QUEUE_FILTER_LABELS, countFilters, type QueueFilter } from "./queue-model";

interface QueueFiltersProps {
  selected: QueueFilter;
  onSelect(filter: QueueFilter): void;
}

/**
 * One row of category chips with labelled open counts. "All" is every support request (the seed's
 * general_support room); the others narrow the queue to one category.
 */
export function QueueFilters({ selected, onSelect }: QueueFiltersProps) {
  const conversations = useChat((s) => s.conversations);
  const counts = useMemo(() => countFilters(Object.values(conversations)), [conversations]);

  return (
    <div role="group" aria-label="Filter the queue by category" className="flex gap-1 border-b border-slate-200 px-2 py-1 dark:border-slate-800">
      {QUEUE_FILTERS.map((filter) => {
        const count = counts[filter];
        const isSelected = selected === filter;
        const isAlarm = filter === "EMERGENCY" && count.open > 0;
        return (
          <button
            key={filter}
            type="button"
            aria-pressed={isSelected}
            data-testid={`filter-${filter}`}
            data-open={count.open}
            data-unread={count.unread}
            onClick={() => onSelect(filter)}
            title={`${count.open} open, ${count.unread} with unread messages`}
            className={`flex h-7 shrink-0 items-center gap-1 whitespace-nowrap rounded-full border px-2 text-[13px] font-medium ${
              isSelected
                ? "border-teal-700 bg-teal-700 text-white dark:border-teal-400 dark:bg-teal-400 dark:text-slate-950"
                : isAlarm
                  ? "border-red-600 text-red-800 hover:bg-red-50 dark:border-red-400 dark:text-red-300 dark:hover:bg-red-950"
                  : "border-slate-300 text-slate-800 hover:bg-slate-100 dark:border-slate-600 dark:text-slate-200 dark:hover:bg-slate-800"
            }`}
          >
            <span>{QUEUE_FILTER_LABELS[filter]}</span>{" "}
            <span data-testid="filter-open-count" className="font-bold tabular-nums">
              {count.open}
            </span>
          </button>
        );
      })}
    </div>
  );
}
