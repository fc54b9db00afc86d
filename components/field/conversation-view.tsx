"use client";

import { useCallback } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import { useConversation } from "@/components/realtime/use-conversation";
import { STATUS_LABELS, formatTime, typingLabel } from "@/components/realtime/selectors";
import { Composer } from "@/components/ui/composer";
import { FieldMessageList } from "./field-message-list";
import { NotificationPrompt } from "./notification-prompt";
import { QUICK_REPLIES } from "./quick-replies";

export function ConversationView({ conversationId, onBack }: { conversationId: string; onBack(): void }) {
  const me = useChat((s) => s.me);
  const { conversation, messages, pending, typing, hasOlder } = useConversation(conversationId);
  const sendMessage = useChat((s) => s.sendMessage);
  const retryMessage = useChat((s) => s.retryMessage);
  const loadOlder = useChat((s) => s.loadOlder);
  const noteTyping = useChat((s) => s.noteTyping);
  const stopTyping = useChat((s) => s.stopTyping);
  const typingText = typingLabel(typing, false);
  const onLoadOlder = useCallback(() => void loadOlder(conversationId), [loadOlder, conversationId]);

  const send = (body: string) => {
    const result = sendMessage(conversationId, body);
    return result.ok ? null : result.message;
  };

  return (
    <section data-testid="conversation-view" aria-labelledby="conversation-title" className="flex min-h-0 flex-1 flex-col">
      <div className="flex items-center gap-2 border-b border-slate-200 px-2 py-1 dark:border-slate-800">
        <button type="button" onClick={onBack} data-testid="back-to-list" className="min-h-11 min-w-11 rounded-lg px-2 font-semibold text-teal-800 dark:text-teal-200">
          ← Back
        </button>
        <h2 id="conversation-title" className="flex-1 truncate font-semibold">
          {conversation?.title ?? "Conversation"}
        </h2>
        {conversation ? (
          <span data-testid="conversation-status" className="rounded bg-slate-200 px-2 py-0.5 text-xs text-slate-900 dark:bg-slate-800 dark:text-slate-100">
            {STATUS_LABELS[conversation.status]}
          </span>
        ) : null}
      </div>
      {conversation?.assignee ? <p className="px-3 pt-1 text-xs text-slate-700 dark:text-slate-300">Handled by {conversation.assignee.name}</p> : null}
      {conversation?.category === "EMERGENCY" ? (
        <p
          data-testid="emergency-status"
          role="status"
          className={`m-2 rounded-lg p-3 font-semibold ${
            conversation.emergencyAck ? "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100" : "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-100"
          }`}
        >
          {conversation.emergencyAck
            ? `Acknowledged by ${conversation.emergencyAck.by.name} at ${formatTime(conversation.emergencyAck.at)}`
            : "Emergency sent — waiting for control"}
        </p>
      ) : null}
      <NotificationPrompt />
      <FieldMessageList
        myId={me.id}
        conversation={conversation}
        messages={messages}
        pending={pending}
        hasOlder={hasOlder}
        onLoadOlder={onLoadOlder}
        onRetry={(clientId) => retryMessage(conversationId, clientId)}
      />
      <p data-testid="typing-indicator" aria-live="polite" className="min-h-5 px-3 text-sm italic text-slate-700 dark:text-slate-300">
        {typingText ?? ""}
      </p>
      <div data-testid="quick-replies" role="group" aria-label="Quick replies" className="grid grid-cols-3 gap-1.5 px-2 pb-2">
        {QUICK_REPLIES.map((text) => (
          <button
            key={text}
            type="button"
            data-testid="quick-reply"
            onClick={() => send(text)}
            className="min-h-12 rounded-lg border border-teal-800 bg-white px-1 text-sm leading-tight font-semibold text-teal-900 hover:bg-teal-50 dark:border-teal-300 dark:bg-slate-900 dark:text-teal-100"
          >
            {text}
          </button>
        ))}
      </div>
      <Composer placeholder="Message control" onTyping={() => noteTyping(conversationId)} onStopTyping={() => stopTyping(conversationId)} onSend={send} />
    </section>
  );
}
