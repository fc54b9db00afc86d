"use client";

import type { SessionUser } from "@/lib/auth/session";
import { ChatProvider, useChat } from "@/components/realtime/chat-provider";
import { ConnectionBanner } from "@/components/ui/connection-banner";
import { ErrorNotice } from "@/components/ui/error-notice";
import { NewConversationAlert } from "./new-conversation-alert";
import { Queue } from "./queue";
import { Workspace } from "./workspace";

export function ControlDashboard({ user }: { user: SessionUser }) {
  return (
    <ChatProvider user={user}>
      <DashboardScreen />
    </ChatProvider>
  );
}

function DashboardScreen() {
  const me = useChat((s) => s.me);
  const connection = useChat((s) => s.connection);
  const connectionError = useChat((s) => s.connectionError);
  const activeId = useChat((s) => s.activeConversationId);

  return (
    <div className="flex h-dvh flex-col">
      <header className="flex items-center justify-between gap-4 bg-teal-900 px-4 py-2 text-white">
        <h1 className="text-lg font-bold">Control dashboard</h1>
        <p data-testid="signed-in-as" className="text-sm">
          Signed in as {me.name}
        </p>
      </header>
      <ConnectionBanner state={connection} error={connectionError} />
      <NewConversationAlert />
      <ErrorNotice />
      <div className="grid min-h-0 flex-1 grid-cols-[minmax(18rem,24rem)_1fr]">
        <Queue />
        {activeId ? (
          <Workspace key={activeId} conversationId={activeId} />
        ) : (
          <p className="p-6 text-slate-600 dark:text-slate-400">Select a conversation from the queue.</p>
        )}
      </div>
    </div>
  );
}
