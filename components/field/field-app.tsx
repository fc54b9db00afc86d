"use client";

import { useState } from "react";
import type { SessionUser } from "@/lib/auth/session";
import { ChatProvider, useChat } from "@/components/realtime/chat-provider";
import { ConnectionBanner } from "@/components/ui/connection-banner";
import { ErrorNotice } from "@/components/ui/error-notice";
import { ContactSupportForm } from "./contact-support-form";
import { ConversationList } from "./conversation-list";
import { ConversationView } from "./conversation-view";
import { EmergencyButton } from "./emergency-button";

export function FieldApp({ user }: { user: SessionUser }) {
  return (
    <ChatProvider user={user}>
      <FieldScreen />
    </ChatProvider>
  );
}

function FieldScreen() {
  const me = useChat((s) => s.me);
  const connection = useChat((s) => s.connection);
  const connectionError = useChat((s) => s.connectionError);
  const activeId = useChat((s) => s.activeConversationId);
  const openConversation = useChat((s) => s.openConversation);
  const [isComposingNew, setIsComposingNew] = useState(false);

  const open = (id: string | null) => {
    setIsComposingNew(false);
    void openConversation(id);
  };

  return (
    <div className="mx-auto flex h-dvh max-w-md flex-col bg-slate-50 dark:bg-slate-950">
      <header className="flex flex-col gap-2 bg-teal-800 p-3 text-white">
        <div className="flex items-baseline justify-between gap-2">
          <h1 className="text-lg font-bold">Field support</h1>
          <p data-testid="signed-in-as" className="truncate text-sm">
            Signed in as {me.name}
          </p>
        </div>
      </header>
      <ConnectionBanner state={connection} error={connectionError} />
      <div className="p-2">
        <EmergencyButton onSent={(id) => open(id)} />
      </div>
      <ErrorNotice />
      {isComposingNew ? (
        <ContactSupportForm role={me.role} onCreated={(id) => open(id)} onCancel={() => setIsComposingNew(false)} />
      ) : activeId ? (
        <ConversationView key={activeId} conversationId={activeId} onBack={() => open(null)} />
      ) : (
        <div className="flex min-h-0 flex-1 flex-col">
          <div className="p-2">
            <button
              type="button"
              data-testid="contact-support"
              onClick={() => setIsComposingNew(true)}
              className="min-h-12 w-full rounded-lg bg-teal-700 px-4 text-base font-semibold text-white hover:bg-teal-800"
            >
              Contact support
            </button>
          </div>
          <h2 className="px-4 pt-2 text-sm font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400">Your conversations</h2>
          <div className="min-h-0 flex-1 overflow-y-auto">
            <ConversationList onOpen={(id) => open(id)} />
          </div>
        </div>
      )}
    </div>
  );
}
