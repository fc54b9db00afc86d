"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { SessionUser } from "@/lib/auth/session";
import { ChatProvider, useChat, useChatStore } from "@/components/realtime/chat-provider";
import { ConnectionBanner } from "@/components/ui/connection-banner";
import { ErrorNotice } from "@/components/ui/error-notice";
import { NewConversationAlert } from "./new-conversation-alert";
import { EmergencyAlarm } from "./emergency-alarm";
import { Rooms } from "./rooms";
import { Queue } from "./queue";
import { Workspace } from "./workspace";
import { ConversationTabs } from "./conversation-tabs";
import { ContextPanel } from "./context-panel";
import { PresencePanel } from "./presence-panel";
import { ShortcutsHelp } from "./shortcuts-help";
import { NotificationPermission } from "./notification-permission";
import { shortcutFor, type ShortcutAction } from "./shortcuts";
import { unlockAudio } from "./alert-sound";
import type { ControlComposerHandle } from "./control-composer";
import type { RoomView } from "./queue-model";

export function ControlDashboard({ user }: { user: SessionUser }) {
  return (
    <ChatProvider user={user}>
      <DashboardScreen />
    </ChatProvider>
  );
}

function DashboardScreen() {
  const store = useChatStore();
  const me = useChat((s) => s.me);
  const connection = useChat((s) => s.connection);
  const connectionError = useChat((s) => s.connectionError);
  const activeId = useChat((s) => s.activeConversationId);
  const activeCreatorId = useChat((s) => (s.activeConversationId ? s.conversations[s.activeConversationId]?.creator.id : undefined));
  const openConversation = useChat((s) => s.openConversation);
  const [room, setRoom] = useState<RoomView>("all");
  const [tabs, setTabs] = useState<string[]>([]);
  const [isHelpOpen, setHelpOpen] = useState(false);
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
          if (conversation && conversation.status !== "RESOLVED") void state.resolve(conversation.id);
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
        case "help":
          setHelpOpen((open) => !open);
          return;
      }
    },
    [closeTab, store],
  );

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      unlockAudio();
      if (event.key === "Escape") {
        setHelpOpen(false);
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
    <div className="flex h-dvh flex-col">
      <header className="flex flex-wrap items-center gap-4 bg-teal-900 px-4 py-2 text-white">
        <h1 className="text-lg font-bold">Control dashboard</h1>
        <p data-testid="signed-in-as" className="text-sm">
          Signed in as {me.name}
        </p>
        <div className="ml-auto flex items-center gap-2 text-sm">
          <NotificationPermission />
          {me.role === "CONTROL_ADMIN" ? (
            <a href="/admin" data-testid="admin-link" className="rounded-lg px-2 py-1 underline">
              Admin
            </a>
          ) : null}
          <button type="button" data-testid="shortcuts-open" onClick={() => setHelpOpen(true)} className="min-h-9 rounded-lg border border-white/60 px-2">
            Shortcuts <kbd>?</kbd>
          </button>
        </div>
      </header>
      <ConnectionBanner state={connection} error={connectionError} />
      <EmergencyAlarm />
      <NewConversationAlert />
      <ErrorNotice />
      <main className="grid min-h-0 flex-1 grid-cols-[minmax(18rem,24rem)_1fr] xl:grid-cols-[minmax(18rem,24rem)_1fr_18rem]">
        <div className="flex min-h-0 flex-col border-r border-slate-200 dark:border-slate-800">
          <Rooms selected={room} onSelect={setRoom} />
          <Queue room={room} onOrderChange={onOrderChange} />
          <PresencePanel />
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
            />
          ) : (
            <p className="p-6 text-slate-700 dark:text-slate-300">Select a conversation from the queue. Press ? for shortcuts.</p>
          )}
        </div>
        {activeCreatorId ? (
          <div className="hidden min-h-0 xl:flex xl:flex-col">
            <ContextPanel userId={activeCreatorId} />
          </div>
        ) : null}
      </main>
      {isHelpOpen ? <ShortcutsHelp onClose={() => setHelpOpen(false)} /> : null}
    </div>
  );
}
