"use client";

import { forwardRef, useEffect, useRef, useState } from "react";
import { useChat } from "@/components/realtime/chat-provider";
import { useConversation } from "@/components/realtime/use-conversation";
import { CATEGORY_LABELS, STATUS_LABELS, formatTime, lastSeenOwnMessage, typingLabel } from "@/components/realtime/selectors";
import type { AccountView } from "@/lib/chat/types";
import { VIEWING_THROTTLE_MS } from "@/lib/chat/constants";
import { useConfirm } from "@/components/ui/confirm-dialog";
import { ControlMessageList } from "./control-message-list";
import { ControlComposer, type ControlComposerHandle } from "./control-composer";
import { formatDuration, vehicleAndRoute } from "./queue-model";
import { useNow } from "./use-now";

interface WorkspaceProps {
  conversationId: string;
  initialDraft: string;
  onDraftChange(draft: string): void;
  /** Resolve through the dashboard (it warns about unread messages and offers Undo). */
  onResolve(): void;
}

const NO_CANNED: string[] = [];
const NO_VIEWERS = {};

/** "Sam is typing" wins over "Sam is viewing": a colleague answering right now matters most. */
export function collisionLabel(typing: Record<string, { name: string; role: string }> | undefined, viewers: Record<string, { name: string }>): { kind: "typing" | "viewing"; text: string } | null {
  const typers = Object.values(typing ?? {}).filter((t) => t.role === "CONTROL_STAFF" || t.role === "CONTROL_ADMIN").map((t) => t.name);
  if (typers.length > 0) return { kind: "typing", text: `${typers.join(", ")} ${typers.length === 1 ? "is" : "are"} typing` };
  const names = Object.values(viewers).map((v) => v.name);
  if (names.length > 0) return { kind: "viewing", text: `${names.join(", ")} ${names.length === 1 ? "is" : "are"} viewing` };
  return null;
}

export const Workspace = forwardRef<ControlComposerHandle, WorkspaceProps>(function Workspace({ conversationId, initialDraft, onDraftChange, onResolve }, composerRef) {
  const me = useChat((s) => s.me);
  const { conversation, messages, pending, typing, hasOlder } = useConversation(conversationId);
  const isEscalated = useChat((s) => Boolean(s.escalated[conversationId]));
  const canned = useChat((s) => s.settings?.cannedResponses ?? NO_CANNED);
  const take = useChat((s) => s.take);
  const reopen = useChat((s) => s.reopen);
  const acknowledgeEmergency = useChat((s) => s.acknowledgeEmergency);
  const loadOlder = useChat((s) => s.loadOlder);
  const focus = useChat((s) => (s.focus?.conversationId === conversationId ? s.focus : null));
  const retryMessage = useChat((s) => s.retryMessage);
  const noteTyping = useChat((s) => s.noteTyping);
  const stopTyping = useChat((s) => s.stopTyping);
  const sendMessage = useChat((s) => s.sendMessage);
  const viewers = useChat((s) => s.viewers[conversationId] ?? NO_VIEWERS);
  const connection = useChat((s) => s.connection);
  const setViewing = useChat((s) => s.setViewing);
  const [dialog, confirm] = useConfirm();
  const repliedAnyway = useRef(false);
  const now = useNow();
  const typingText = typingLabel(typing, true);
  const collision = collisionLabel(typing, viewers);
  const seen = lastSeenOwnMessage(messages, conversation, me.id);

  // Colleagues see "X is viewing" while this is open here; refreshed before the server's expiry.
  useEffect(() => {
    if (connection !== "online") return;
    setViewing(conversationId, true);
    const timer = setInterval(() => setViewing(conversationId, true), VIEWING_THROTTLE_MS);
    return () => {
      clearInterval(timer);
      setViewing(conversationId, false);
    };
  }, [connection, conversationId, setViewing]);

  if (!conversation) return <WorkspaceSkeleton />;
  const isResolved = conversation.status === "RESOLVED";
  const isEmergency = conversation.category === "EMERGENCY";
  const canAcknowledge = isEmergency && !conversation.emergencyAck && !conversation.emergencyCancelledAt;
  const heldByColleague = conversation.assignee && conversation.assignee.id !== me.id ? conversation.assignee : null;

  /** The safety rails before a reply: a resolved conversation is reopened first; a colleague's is confirmed. */
  async function send(body: string, isNote: boolean): Promise<string | null> {
    if (!isNote && isResolved) {
      const ok = await confirm({
        title: "This conversation is resolved — reopen it and send?",
        body: `${conversation?.creator.name ?? "The driver"} will see it reopened, and the thread records who reopened it.`,
        confirmLabel: "Reopen and send",
      });
      if (!ok) return "Not sent: the conversation is resolved. Reopen it to reply.";
      const reopened = await reopen(conversationId);
      if (!reopened.ok) return reopened.message;
    } else if (!isNote && heldByColleague && !repliedAnyway.current) {
      const ok = await confirm({
        title: `${heldByColleague.name} has taken this — reply anyway?`,
        body: `Your reply goes to ${conversation?.creator.name ?? "the driver"} as well. Consider a note to ${heldByColleague.name} or a transfer instead.`,
        confirmLabel: "Reply anyway",
      });
      if (!ok) return "Not sent.";
      repliedAnyway.current = true;
    }
    const result = sendMessage(conversationId, body, isNote ? { isNote: true } : undefined);
    return result.ok ? null : result.message;
  }

  return (
    <section data-testid="workspace" data-conversation-id={conversationId} aria-label={`Conversation: ${conversation.title}`} className="flex min-h-0 flex-1 flex-col">
      <header className={`flex flex-wrap items-center gap-3 border-b p-3 ${canAcknowledge ? "border-red-600 bg-red-50 dark:bg-red-950" : "border-slate-200 dark:border-slate-800"}`}>
        <div className="min-w-0 flex-1">
          <h2 data-testid="workspace-title" className="truncate text-lg font-bold">
            {conversation.title}
          </h2>
          <p className="truncate text-sm text-slate-700 dark:text-slate-300">
            <span data-testid="workspace-person" className="font-semibold text-slate-900 dark:text-slate-100">{conversation.creator.name}</span> ·{" "}
            <span data-testid="workspace-vehicle">{vehicleAndRoute(conversation)}</span>
            {conversation.creatorShiftStartedAt ? <span data-testid="workspace-shift"> · on shift since {formatTime(conversation.creatorShiftStartedAt)}</span> : null} · {CATEGORY_LABELS[conversation.category]} ·{" "}
            <span data-testid="workspace-status">{STATUS_LABELS[conversation.status]}</span> ·{" "}
            <span data-testid="workspace-assignee">{conversation.assignee ? `Taken by ${conversation.assignee.name}` : "Unclaimed"}</span> · opened {formatTime(conversation.createdAt)}
            {canAcknowledge ? (
              <>
                {" "}
                · <span data-testid="workspace-alarm-age" className="font-bold text-red-800 dark:text-red-300">alarm {formatDuration(now - Date.parse(conversation.createdAt))}</span>
              </>
            ) : null}
          </p>
          <p data-testid="collision" data-kind={collision?.kind ?? "none"} aria-live="polite" className={`h-5 truncate text-sm font-semibold ${collision?.kind === "typing" ? "text-amber-800 dark:text-amber-300" : "text-sky-800 dark:text-sky-300"}`}>
            {collision ? `${collision.text} — ${collision.kind === "typing" ? "they are answering now" : "they have it open"}` : ""}
          </p>
          {isEscalated && canAcknowledge ? (
            <p data-testid="workspace-escalated" className="text-sm font-black text-red-800 dark:text-red-300">
              ESCALATED — nobody has acknowledged this emergency.
            </p>
          ) : null}
          {conversation.emergencyCancelledAt ? (
            <p data-testid="emergency-cancelled" className="text-sm font-semibold text-slate-800 dark:text-slate-200">
              False alarm — cancelled by the driver at {formatTime(conversation.emergencyCancelledAt)}
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
            <button type="button" data-testid="resolve" onClick={onResolve} className="min-h-10 rounded-lg border border-slate-500 px-3 font-semibold">
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
        focus={focus}
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
        onSend={send}
      />
      {dialog}
    </section>
  );
});

function WorkspaceSkeleton() {
  return (
    <div data-testid="workspace-skeleton" aria-label="Loading the conversation" className="flex flex-1 flex-col gap-3 p-4">
      <span className="h-5 w-1/2 animate-pulse rounded bg-slate-200 dark:bg-slate-800" />
      <span className="h-4 w-3/4 animate-pulse rounded bg-slate-200 dark:bg-slate-800" />
      {Array.from({ length: 5 }, (_, i) => (
        <span key={i} className={`h-10 animate-pulse rounded-xl bg-slate-200 dark:bg-slate-800 ${i % 2 ? "ml-auto w-1/2" : "w-2/3"}`} />
      ))}
    </div>
  );
}

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
