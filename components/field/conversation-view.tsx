"use client";

import { useCallback } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import { useConversation } from "@/components/realtime/use-conversation";
import { CATEGORY_LABELS, typingLabel } from "@/components/realtime/selectors";
import { Composer } from "@/components/ui/composer";
import type { Category } from "@/lib/chat/types";
import { EmergencyButton } from "./emergency-button";
import { EmergencyStatus } from "./emergency-status";
import { FieldMessageList } from "./field-message-list";
import { NotificationPrompt } from "./notification-prompt";
import { QUICK_REPLIES } from "./quick-replies";
import { fieldStatusLabel } from "./field-status";
import { useKeyboardOpen } from "./use-keyboard-open";

interface ConversationViewProps {
  conversationId: string;
  onBack(): void;
  /** A new conversation was opened (emergency), or a new request is to be written with this category. */
  onOpen(conversationId: string | null): void;
  onNewRequest(category: Category): void;
}

/**
 * One conversation on a phone: a one-line header (back, title, status, a compact SOS), the alarm's
 * state for an emergency, then the messages, which keep most of the screen; quick replies are one
 * scrolling row, hidden while the keyboard is up. A resolved conversation takes no new messages: it
 * offers a new request instead.
 */
export function ConversationView({ conversationId, onBack, onOpen, onNewRequest }: ConversationViewProps) {
  const me = useChat((s) => s.me);
  const { conversation, messages, pending, typing, hasOlder } = useConversation(conversationId);
  const sendMessage = useChat((s) => s.sendMessage);
  const retryMessage = useChat((s) => s.retryMessage);
  const loadOlder = useChat((s) => s.loadOlder);
  const noteTyping = useChat((s) => s.noteTyping);
  const stopTyping = useChat((s) => s.stopTyping);
  const isKeyboardOpen = useKeyboardOpen();
  const typingText = typingLabel(typing, false);
  const onLoadOlder = useCallback(() => void loadOlder(conversationId), [loadOlder, conversationId]);
  const isResolved = conversation?.status === "RESOLVED";

  const send = (body: string) => {
    const result = sendMessage(conversationId, body);
    return result.ok ? null : result.message;
  };

  return (
    <section data-testid="conversation-view" aria-labelledby="conversation-title" className="flex min-h-0 flex-1 flex-col">
      <div className="flex min-h-12 items-center gap-1 border-b border-slate-200 px-1 dark:border-slate-800">
        <button type="button" onClick={onBack} data-testid="back-to-list" aria-label="Back to conversations" className="min-h-11 min-w-11 shrink-0 rounded-lg px-2 font-semibold text-teal-800 dark:text-teal-200">
          ←
        </button>
        <div className="flex min-w-0 flex-1 flex-col">
          <h2 id="conversation-title" className="truncate font-semibold leading-tight">
            {conversation?.title ?? "Conversation"}
          </h2>
          {conversation ? (
            <span data-testid="conversation-status" data-status={conversation.status} className="truncate text-xs text-slate-700 dark:text-slate-300">
              {fieldStatusLabel(conversation)} · {CATEGORY_LABELS[conversation.category]}
            </span>
          ) : null}
        </div>
        <EmergencyButton compact onSent={(id) => onOpen(id)} />
      </div>
      {conversation?.category === "EMERGENCY" ? <EmergencyStatus conversation={conversation} /> : null}
      {isKeyboardOpen ? null : <NotificationPrompt />}
      <FieldMessageList
        myId={me.id}
        conversation={conversation}
        messages={messages}
        pending={pending}
        hasOlder={hasOlder}
        onLoadOlder={onLoadOlder}
        onRetry={(clientId) => retryMessage(conversationId, clientId)}
      />
      {isResolved && conversation ? (
        <div data-testid="resolved-notice" className="flex flex-col gap-2 border-t border-slate-200 bg-white p-3 dark:border-slate-700 dark:bg-slate-900">
          <p className="font-semibold">This conversation is resolved. Messages can no longer be sent here.</p>
          <button
            type="button"
            data-testid="start-new-request"
            onClick={() => onNewRequest(conversation.category)}
            className="min-h-12 rounded-lg bg-teal-800 px-4 font-semibold text-white hover:bg-teal-900"
          >
            Start a new request
          </button>
        </div>
      ) : (
        <>
          <p data-testid="typing-indicator" aria-live="polite" className="min-h-5 px-3 text-sm italic text-slate-700 dark:text-slate-300">
            {typingText ?? ""}
          </p>
          {isKeyboardOpen ? null : (
            <div data-testid="quick-replies" role="group" aria-label="Quick replies" className="flex gap-1.5 overflow-x-auto px-2 pb-2 [scrollbar-width:none]">
              {QUICK_REPLIES.map((text) => (
                <button
                  key={text}
                  type="button"
                  data-testid="quick-reply"
                  onClick={() => send(text)}
                  className="min-h-11 shrink-0 whitespace-nowrap rounded-full border border-teal-800 bg-white px-3 text-sm font-semibold text-teal-900 hover:bg-teal-50 dark:border-teal-300 dark:bg-slate-900 dark:text-teal-100"
                >
                  {text}
                </button>
              ))}
            </div>
          )}
          <Composer placeholder="Message control" onTyping={() => noteTyping(conversationId)} onStopTyping={() => stopTyping(conversationId)} onSend={send} />
        </>
      )}
    </section>
  );
}
