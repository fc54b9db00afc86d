"use client";

import { forwardRef, useEffect, useState } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import { useConversation } from "@/components/realtime/use-conversation";
import { CATEGORY_LABELS, STATUS_LABELS, formatTime, lastSeenOwnMessage, typingLabel } from "@/components/realtime/selectors";
import type { AccountView } from "@/lib/chat/types";
import { ControlMessageList } from "./control-message-list";
import { ControlComposer, type ControlComposerHandle } from "./control-composer";
import { vehicleAndRoute } from "./queue-model";

interface WorkspaceProps {
  conversationId: string;
  initialDraft: string;
  onDraftChange(draft: string): void;
}

const NO_CANNED: string[] = [];

export const Workspace = forwardRef<ControlComposerHandle, WorkspaceProps>(function Workspace({ conversationId, initialDraft, onDraftChange }, composerRef) {
  const me = useChat((s) => s.me);
  const { conversation, messages, pending, typing, hasOlder } = useConversation(conversationId);
  const isEscalated = useChat((s) => Boolean(s.escalated[conversationId]));
  const canned = useChat((s) => s.settings?.cannedResponses ?? NO_CANNED);
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

  if (!conversation) return <p className="p-6 text-slate-700 dark:text-slate-300">Loading…</p>;
  const isResolved = conversation.status === "RESOLVED";
  const isEmergency = conversation.category === "EMERGENCY";
  const canAcknowledge = isEmergency && !conversation.emergencyAck;

  return (
    <section data-testid="workspace" data-conversation-id={conversationId} aria-label={`Conversation: ${conversation.title}`} className="flex min-h-0 flex-1 flex-col">
      <header className={`flex flex-wrap items-center gap-3 border-b p-3 ${canAcknowledge ? "border-red-600 bg-red-50 dark:bg-red-950" : "border-slate-200 dark:border-slate-800"}`}>
        <div className="min-w-0 flex-1">
          <h2 data-testid="workspace-title" className="truncate text-lg font-bold">
            {conversation.title}
          </h2>
          <p className="text-sm text-slate-700 dark:text-slate-300">
            {conversation.creator.name} · {vehicleAndRoute(conversation)} · {CATEGORY_LABELS[conversation.category]} ·{" "}
            <span data-testid="workspace-status">{STATUS_LABELS[conversation.status]}</span> ·{" "}
            <span data-testid="workspace-assignee">{conversation.assignee ? `Taken by ${conversation.assignee.name}` : "Unclaimed"}</span>
          </p>
          {isEscalated && canAcknowledge ? (
            <p data-testid="workspace-escalated" className="text-sm font-black text-red-800 dark:text-red-300">
              ESCALATED — nobody has acknowledged this emergency.
            </p>
          ) : null}
          {conversation.emergencyAck ? (
            <p data-testid="emergency-ack" className="text-sm font-semibold text-emerald-800 dark:text-emerald-300">
              Emergency acknowledged by {conversation.emergencyAck.by.name} at {formatTime(conversation.emergencyAck.at)}
            </p>
          ) : null}
        </div>
        <div className="flex flex-wrap items-center gap-2">
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
          {!isResolved ? <TransferControl conversationId={conversationId} currentAssigneeId={conversation.assignee?.id ?? null} /> : null}
          {isResolved ? (
            <button type="button" data-testid="reopen" onClick={() => void reopen(conversationId)} className="min-h-10 rounded-lg border border-slate-500 px-3 font-semibold">
              Reopen
            </button>
          ) : (
            <button type="button" data-testid="resolve" onClick={() => void resolve(conversationId)} className="min-h-10 rounded-lg border border-slate-500 px-3 font-semibold">
              Resolve
            </button>
          )}
        </div>
      </header>
      <ControlMessageList
        myId={me.id}
        conversation={conversation}
        messages={messages}
        pending={pending}
        hasOlder={hasOlder}
        seenMessageId={seen?.id ?? null}
        onLoadOlder={() => loadOlder(conversationId)}
        onRetry={(clientId) => retryMessage(conversationId, clientId)}
      />
      <p data-testid="typing-indicator" aria-live="polite" className="min-h-5 px-3 text-sm italic text-slate-700 dark:text-slate-300">
        {typingText ?? ""}
      </p>
      <ControlComposer
        ref={composerRef}
        placeholder={`Reply to ${conversation.creator.name}`}
        cannedResponses={canned}
        initialDraft={initialDraft}
        onDraftChange={onDraftChange}
        onTyping={() => noteTyping(conversationId)}
        onStopTyping={() => stopTyping(conversationId)}
        onSend={(body, isNote) => {
          const result = sendMessage(conversationId, body, isNote ? { isNote: true } : undefined);
          return result.ok ? null : result.message;
        }}
      />
    </section>
  );
});

/** Hands the conversation to a colleague from user:list (control staff). */
function TransferControl({ conversationId, currentAssigneeId }: { conversationId: string; currentAssigneeId: string | null }) {
  const me = useChat((s) => s.me);
  const call = useChat((s) => s.call);
  const upsertConversations = useChat((s) => s.upsertConversations);
  const [staff, setStaff] = useState<AccountView[] | null>(null);
  const [target, setTarget] = useState("");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let isCurrent = true;
    call("user:list", {}).then(
      ({ users }) => isCurrent && setStaff(users.filter((u) => (u.role === "CONTROL_STAFF" || u.role === "CONTROL_ADMIN") && u.isActive)),
      (caught: unknown) => isCurrent && setError(caught instanceof Error ? caught.message : "Could not load staff."),
    );
    return () => {
      isCurrent = false;
    };
  }, [call]);

  const candidates = (staff ?? []).filter((u) => u.id !== currentAssigneeId);

  async function transfer() {
    if (!target) return;
    try {
      const { conversation } = await call("conversation:transfer", { conversationId, toUserId: target });
      upsertConversations([conversation]);
      setTarget("");
      setError(null);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : "Transfer failed.");
    }
  }

  return (
    <div className="flex items-center gap-1">
      <label className="sr-only" htmlFor={`transfer-${conversationId}`}>
        Transfer to
      </label>
      <select
        id={`transfer-${conversationId}`}
        data-testid="transfer-target"
        value={target}
        onChange={(event) => setTarget(event.target.value)}
        className="min-h-10 max-w-40 rounded-lg border border-slate-500 bg-white px-2 text-sm dark:bg-slate-900"
      >
        <option value="">Transfer to…</option>
        {candidates.map((u) => (
          <option key={u.id} value={u.id}>
            {u.id === me.id ? `${u.name} (me)` : u.name}
          </option>
        ))}
      </select>
      <button type="button" data-testid="transfer" disabled={!target} onClick={() => void transfer()} className="min-h-10 rounded-lg border border-slate-500 px-3 font-semibold disabled:opacity-60">
        Transfer
      </button>
      {error ? (
        <span role="alert" className="text-xs text-red-800 dark:text-red-300">
          {error}
        </span>
      ) : null}
    </div>
  );
}
