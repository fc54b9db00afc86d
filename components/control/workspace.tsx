"use client";

import { useChat } from "@/components/realtime/chat-provider";
import { useConversation } from "@/components/realtime/use-conversation";
import { CATEGORY_LABELS, STATUS_LABELS, formatTime, lastSeenOwnMessage, typingLabel } from "@/components/realtime/selectors";
import { MessageList } from "@/components/ui/message-list";
import { Composer } from "@/components/ui/composer";

export function Workspace({ conversationId }: { conversationId: string }) {
  const me = useChat((s) => s.me);
  const { conversation, messages, pending, typing, hasOlder } = useConversation(conversationId);
  const take = useChat((s) => s.take);
  const resolve = useChat((s) => s.resolve);
  const reopen = useChat((s) => s.reopen);
  const acknowledgeEmergency = useChat((s) => s.acknowledgeEmergency);
  const loadOlder = useChat((s) => s.loadOlder);
  const retryMessage = useChat((s) => s.retryMessage);
  const noteTyping = useChat((s) => s.noteTyping);
  const stopTyping = useChat((s) => s.stopTyping);
  const sendMessage = useChat((s) => s.sendMessage);
  const typingText = typingLabel(typing, true);
  const seen = lastSeenOwnMessage(messages, conversation, me.id);

  if (!conversation) return <p className="p-6 text-slate-600">Loading…</p>;
  const isResolved = conversation.status === "RESOLVED";
  const canAcknowledge = conversation.category === "EMERGENCY" && !conversation.emergencyAck;

  return (
    <section data-testid="workspace" className="flex min-h-0 flex-1 flex-col">
      <header className="flex flex-wrap items-center gap-3 border-b border-slate-200 p-3 dark:border-slate-800">
        <div className="min-w-0 flex-1">
          <h2 data-testid="workspace-title" className="truncate text-lg font-bold">
            {conversation.title}
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {conversation.creator.name} · {[conversation.vehicle, conversation.route].filter(Boolean).join(" · ") || "No vehicle/route"} ·{" "}
            {CATEGORY_LABELS[conversation.category]} · <span data-testid="workspace-status">{STATUS_LABELS[conversation.status]}</span>
            {conversation.assignee ? ` · ${conversation.assignee.name}` : " · Unassigned"}
          </p>
          {conversation.emergencyAck ? (
            <p data-testid="emergency-ack" className="text-sm font-semibold text-emerald-800 dark:text-emerald-300">
              Emergency acknowledged by {conversation.emergencyAck.by.name} at {formatTime(conversation.emergencyAck.at)}
            </p>
          ) : null}
        </div>
        <div className="flex flex-wrap gap-2">
          {canAcknowledge ? (
            <button type="button" data-testid="acknowledge-emergency" onClick={() => void acknowledgeEmergency(conversationId)} className="min-h-10 rounded-lg bg-red-700 px-3 font-bold text-white">
              Acknowledge emergency
            </button>
          ) : null}
          {!conversation.assignee && !isResolved ? (
            <button type="button" data-testid="take" onClick={() => void take(conversationId)} className="min-h-10 rounded-lg bg-teal-700 px-3 font-semibold text-white">
              Take
            </button>
          ) : null}
          {isResolved ? (
            <button type="button" data-testid="reopen" onClick={() => void reopen(conversationId)} className="min-h-10 rounded-lg border border-slate-400 px-3 font-semibold">
              Reopen
            </button>
          ) : (
            <button type="button" data-testid="resolve" onClick={() => void resolve(conversationId)} className="min-h-10 rounded-lg border border-slate-400 px-3 font-semibold">
              Resolve
            </button>
          )}
        </div>
      </header>
      <MessageList
        me={me}
        conversation={conversation}
        messages={messages}
        pending={pending}
        hasOlder={hasOlder}
        onLoadOlder={() => void loadOlder(conversationId)}
        onRetry={(clientId) => retryMessage(conversationId, clientId)}
        seenLabel="Seen by driver"
        seenMessageId={seen?.id ?? null}
      />
      <p data-testid="typing-indicator" aria-live="polite" className="min-h-5 px-3 text-sm italic text-slate-600 dark:text-slate-400">
        {typingText ?? ""}
      </p>
      <Composer
        placeholder={`Reply to ${conversation.creator.name}`}
        onTyping={() => noteTyping(conversationId)}
        onStopTyping={() => stopTyping(conversationId)}
        onSend={(body) => {
          const result = sendMessage(conversationId, body);
          return result.ok ? null : result.message;
        }}
      />
    </section>
  );
}
