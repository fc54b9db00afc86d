"use client";

import { useCallback, useEffect, useState } from "react";
import type { SessionUser } from "@/lib/auth/session";
import { ChatProvider, useChat, useChatStore } from "@/components/realtime/chat-provider";
import { ConnectionBanner } from "@/components/ui/connection-banner";
import { ErrorNotice } from "@/components/ui/error-notice";
import { ContactSupportForm } from "./contact-support-form";
import { ConversationList } from "./conversation-list";
import { ConversationView } from "./conversation-view";
import { EmergencyButton } from "./emergency-button";
import { ShiftDetails } from "./shift-details";
import { FieldMenu } from "./field-menu";
import type { Category } from "@/lib/chat/types";
import { registerServiceWorker } from "./service-worker";
import { useBackgroundNotifications } from "./use-background-notifications";
import { useOfflineReading } from "./use-offline-reading";

export function FieldApp({ user }: { user: SessionUser }) {
  return (
    <ChatProvider user={user}>
      <FieldScreen />
    </ChatProvider>
  );
}

/** The open conversation lives in the URL (?c=…) so a reload, or the phone's back button, keeps its place. */
function conversationInUrl(): string | null {
  return new URLSearchParams(window.location.search).get("c");
}

function FieldScreen() {
  const store = useChatStore();
  const me = useChat((s) => s.me);
  const connection = useChat((s) => s.connection);
  const connectionError = useChat((s) => s.connectionError);
  const activeId = useChat((s) => s.activeConversationId);
  const openConversation = useChat((s) => s.openConversation);
  const [isComposingNew, setIsComposingNew] = useState(false);
  /** "Start a new request" from a resolved conversation keeps its category. */
  const [newCategory, setNewCategory] = useState<Category | null>(null);

  useOfflineReading(store);
  useBackgroundNotifications(store);

  useEffect(() => {
    registerServiceWorker().catch(() => undefined);
  }, []);

  /** Without a connection, show what the device holds; the history is fetched once online. */
  const show = useCallback(
    (id: string | null) => {
      if (store.getState().connection === "online") void openConversation(id);
      else store.setState({ activeConversationId: id });
    },
    [store, openConversation],
  );

  useEffect(() => {
    if (connection !== "online") return;
    const id = store.getState().activeConversationId;
    if (id) void openConversation(id);
  }, [connection, store, openConversation]);

  useEffect(() => {
    const fromUrl = conversationInUrl();
    if (fromUrl) show(fromUrl);
    const onPopState = () => {
      setIsComposingNew(false);
      show(conversationInUrl());
    };
    window.addEventListener("popstate", onPopState);
    return () => window.removeEventListener("popstate", onPopState);
  }, [show]);

  const open = useCallback(
    (id: string | null) => {
      setIsComposingNew(false);
      if (id !== conversationInUrl()) window.history.pushState(null, "", id ? `/field?c=${encodeURIComponent(id)}` : "/field");
      show(id);
    },
    [show],
  );

  const composeNew = (category: Category | null) => {
    setNewCategory(category);
    setIsComposingNew(true);
  };

  return (
    <div className="mx-auto flex h-[var(--app-height,100dvh)] max-w-md flex-col overflow-hidden bg-slate-50 dark:bg-slate-950">
      <header className="flex min-h-12 items-center gap-2 bg-teal-800 px-3 text-white">
        <h1 className="shrink-0 text-lg font-bold">Field support</h1>
        <p data-testid="signed-in-as" className="min-w-0 flex-1 truncate text-right text-sm">
          <span className="sr-only">Signed in as </span>
          {me.name}
        </p>
        {connection === "online" ? <span aria-hidden="true" title="Online" className="size-2.5 shrink-0 rounded-full bg-emerald-300" /> : null}
        <FieldMenu />
      </header>
      <ConnectionBanner state={connection} error={connectionError} />
      <main className="flex min-h-0 flex-1 flex-col">
        <ErrorNotice />
        {isComposingNew ? (
          <ContactSupportForm
            role={me.role}
            initialCategory={newCategory}
            onCreated={(id) => open(id)}
            onCancel={() => setIsComposingNew(false)}
          />
        ) : activeId ? (
          <ConversationView key={activeId} conversationId={activeId} onBack={() => open(null)} onOpen={(id) => open(id)} onNewRequest={(category) => composeNew(category)} />
        ) : (
          <div className="flex min-h-0 flex-1 flex-col">
            <ShiftDetails />
            <div className="flex flex-col gap-2 p-2">
              <EmergencyButton onSent={(id) => open(id)} />
              <button
                type="button"
                data-testid="contact-support"
                onClick={() => composeNew(null)}
                className="min-h-12 w-full rounded-lg bg-teal-800 px-4 text-base font-semibold text-white hover:bg-teal-900"
              >
                Contact support
              </button>
            </div>
            <h2 className="px-4 pt-2 text-sm font-semibold uppercase tracking-wide text-slate-700 dark:text-slate-300">Your conversations</h2>
            <div className="min-h-0 flex-1 overflow-y-auto">
              <ConversationList onOpen={(id) => open(id)} />
            </div>
          </div>
        )}
      </main>
    </div>
  );
}
