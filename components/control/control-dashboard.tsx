"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { SessionUser } from "@/lib/auth/session";
import { ChatProvider, useChat, useChatStore } from "@/components/realtime/chat-provider";
import { useConfirm } from "@/components/ui/confirm-dialog";
import { DashboardHeader } from "./dashboard-header";
import { AlertStrip } from "./alert-strip";
import { QueueFilters } from "./queue-filters";
import { Queue } from "./queue";
import { Workspace } from "./workspace";
import { ConversationTabs } from "./conversation-tabs";
import { ContextPanel } from "./context-panel";
import { ShortcutsHelp } from "./shortcuts-help";
import { HistorySearch } from "./history-search";
import { UndoToast, type UndoOffer } from "./undo-toast";
import { shortcutFor, type ShortcutAction } from "./shortcuts";
import { unlockAudio } from "./alert-sound";
import type { ControlComposerHandle } from "./control-composer";
import type { QueueFilter } from "./queue-model";

export function ControlDashboard({ user }: { user: SessionUser }) {
  return (
    <ChatProvider user={user}>
      <DashboardScreen />
    </ChatProvider>
  );
}

function DashboardScreen() {
  const store = useChatStore();
  const activeId = useChat((s) => s.activeConversationId);
  const activeCreatorId = useChat((s) => (s.activeConversationId ? s.conversations[s.activeConversationId]?.creator.id : undefined));
  const openConversation = useChat((s) => s.openConversation);
  const [filter, setFilter] = useState<QueueFilter>("all");
  const [undo, setUndo] = useState<UndoOffer | null>(null);
  const [dialog, confirm] = useConfirm();
  const [tabs, setTabs] = useState<string[]>([]);
  const [isHelpOpen, setHelpOpen] = useState(false);
  const [isHistoryOpen, setHistoryOpen] = useState(false);
  const order = useRef<string[]>([]);
  const drafts = useRef(new Map<string, string>());
  const composer = useRef<ControlComposerHandle>(null);

  // Whatever opened a conversation (queue, alert, alarm, shortcut), it gets a tab.
  useEffect(() => {
    if (activeId) setTabs((current) => (current.includes(activeId) ? current : [...current, activeId]));
  }, [activeId]);

  const closeTab = useCallback(
    (id: string) => {
      setTabs((current) => {
        const index = current.indexOf(id);
        const next = current.filter((t) => t !== id);
        if (store.getState().activeConversationId === id) void openConversation(next[Math.min(index, next.length - 1)] ?? null);
        return next;
      });
      drafts.current.delete(id);
    },
    [openConversation, store],
  );

  /**
   * Resolve, by click or shortcut: warns first when the field staff member wrote something nobody
   * has read, then resolves at once and offers Undo (a reopen) for a few seconds.
   */
  const requestResolve = useCallback(
    async (conversationId: string) => {
      const state = store.getState();
      const conversation = state.conversations[conversationId];
      if (!conversation || conversation.status === "RESOLVED") return;
      if (conversation.unreadCount > 0) {
        const ok = await confirm({
          title: `${conversation.creator.name} has ${conversation.unreadCount} unread message${conversation.unreadCount === 1 ? "" : "s"} — resolve anyway?`,
          body: "Resolving closes the request for them. Read the latest messages first if you are not sure it is done.",
          confirmLabel: "Resolve anyway",
          tone: "danger",
        });
        if (!ok) return;
      }
      const result = await state.resolve(conversationId);
      if (result.ok) setUndo({ conversationId, title: conversation.title, at: Date.now() });
    },
    [confirm, store],
  );

  const onOrderChange = useCallback((ids: string[]) => {
    order.current = ids;
  }, []);

  const run = useCallback(
    (action: ShortcutAction) => {
      const state = store.getState();
      const current = state.activeConversationId;
      const conversation = current ? state.conversations[current] : undefined;
      switch (action) {
        case "next":
        case "previous": {
          const ids = order.current;
          if (ids.length === 0) return;
          const index = current ? ids.indexOf(current) : -1;
          const step = action === "next" ? 1 : -1;
          const target = index === -1 ? ids[0] : ids[(index + step + ids.length) % ids.length];
          if (target) void state.openConversation(target);
          return;
        }
        case "take":
          if (conversation && !conversation.assignee && conversation.status !== "RESOLVED") void state.take(conversation.id);
          return;
        case "resolve":
          if (conversation && conversation.status !== "RESOLVED") void requestResolve(conversation.id);
          return;
        case "acknowledge":
          if (conversation && conversation.category === "EMERGENCY" && !conversation.emergencyAck) void state.acknowledgeEmergency(conversation.id);
          return;
        case "canned":
          composer.current?.openCanned();
          return;
        case "note":
          composer.current?.toggleNote();
          composer.current?.focus();
          return;
        case "close-tab":
          if (current) closeTab(current);
          return;
        case "search":
          document.querySelector<HTMLInputElement>('[data-testid="queue-search"]')?.focus();
          return;
        case "history":
          setHistoryOpen(true);
          return;
        case "help":
          setHelpOpen((open) => !open);
          return;
      }
    },
    [closeTab, requestResolve, store],
  );

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      unlockAudio();
      if (event.key === "Escape") {
        setHelpOpen(false);
        setHistoryOpen(false);
        return;
      }
      const action = shortcutFor(event);
      if (!action) return;
      event.preventDefault();
      run(action);
    };
    const onPointer = () => unlockAudio();
    window.addEventListener("keydown", onKeyDown);
    window.addEventListener("pointerdown", onPointer);
    return () => {
      window.removeEventListener("keydown", onKeyDown);
      window.removeEventListener("pointerdown", onPointer);
    };
  }, [run]);

  return (
    <div className="flex h-dvh flex-col overflow-hidden">
      <DashboardHeader onHelp={() => setHelpOpen(true)} onHistory={() => setHistoryOpen(true)} />
      <AlertStrip />
      <main className="grid min-h-0 flex-1 grid-cols-[minmax(20rem,26rem)_1fr] xl:grid-cols-[26rem_1fr_18rem] 2xl:grid-cols-[30rem_1fr_20rem]">
        <div className="flex min-h-0 flex-col border-r border-slate-200 dark:border-slate-800">
          <QueueFilters selected={filter} onSelect={setFilter} />
          <Queue filter={filter} onOrderChange={onOrderChange} />
        </div>
        <div className="flex min-h-0 flex-col">
          <ConversationTabs tabs={tabs} activeId={activeId} onClose={closeTab} />
          {activeId ? (
            <Workspace
              key={activeId}
              ref={composer}
              conversationId={activeId}
              initialDraft={drafts.current.get(activeId) ?? ""}
              onDraftChange={(draft) => drafts.current.set(activeId, draft)}
              onResolve={() => void requestResolve(activeId)}
            />
          ) : (
            <div data-testid="workspace-empty" className="flex flex-1 flex-col items-center justify-center gap-2 p-6 text-center text-slate-700 dark:text-slate-300">
              <p className="text-base font-semibold">No conversation open</p>
              <p className="text-sm">Pick one from the queue, or press <kbd className="rounded border px-1">j</kbd> for the longest waiting. Press <kbd className="rounded border px-1">?</kbd> for shortcuts.</p>
            </div>
          )}
        </div>
        {activeCreatorId ? (
          <div className="hidden min-h-0 border-l border-slate-200 xl:flex xl:flex-col dark:border-slate-800">
            <ContextPanel userId={activeCreatorId} />
          </div>
        ) : null}
      </main>
      {undo ? <UndoToast offer={undo} onDone={() => setUndo(null)} /> : null}
      {dialog}
      {isHelpOpen ? <ShortcutsHelp onClose={() => setHelpOpen(false)} /> : null}
      {isHistoryOpen ? <HistorySearch onClose={() => setHistoryOpen(false)} /> : null}
    </div>
  );
}
