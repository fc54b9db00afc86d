"use client";

import { isControlRole, type ConversationView } from "@/lib/chat/types";
import { deliveryState } from "@/components/realtime/selectors";
import { MessageList, MessageRow, MessageState, type MessageListData, type MessageListLook } from "@/components/ui/message-list";

const CONTROL_LOOK: MessageListLook = {
  stateText: { sending: "sending", sent: "sent", read: "read", failed: "not sent" },
  stateClassName: "",
  actionClassName: "min-h-9 dark:text-teal-300",
  pendingToneClassName: "bg-teal-800 text-white",
};

interface ControlMessageListProps extends MessageListData {
  myId: string;
  conversation: ConversationView;
  seenMessageId: string | null;
  onLoadOlder(): Promise<void>;
  focus?: { sequence: number; key: number } | null;
}

/**
 * The control side of a conversation. Older history loads as you scroll up (keeping your place);
 * new messages scroll into view. Internal notes are marked staff-only.
 */
export function ControlMessageList({ myId, conversation, seenMessageId, ...list }: ControlMessageListProps) {
  return (
    <MessageList
      {...list}
      scrolling="anchored"
      look={CONTROL_LOOK}
      isLive
      renderMessage={(message, isContinued, isFocused) => {
        const isMine = message.sender.id === myId;
        const isOurs = isControlRole(message.sender.role);
        const isNote = message.kind === "NOTE";
        return (
          <MessageRow
            isContinued={isContinued}
            isFocused={isFocused}
            message={message}
            isMine={isMine}
            isOnRight={isOurs}
            toneClassName={
              isNote
                ? "border-2 border-dashed border-yellow-500 bg-yellow-50 text-yellow-950 dark:bg-yellow-950 dark:text-yellow-50"
                : isOurs
                  ? "bg-teal-700 text-white"
                  : "bg-white text-slate-900 shadow-sm dark:bg-slate-800 dark:text-slate-100"
            }
            badge={
              isNote ? (
                <span data-testid="note-label" className="rounded bg-yellow-300 px-1.5 text-xs font-bold text-yellow-950">
                  Internal note — staff only
                </span>
              ) : null
            }
          >
            {isMine && !isNote ? <MessageState state={deliveryState(message, conversation)} look={CONTROL_LOOK} /> : null}
            {seenMessageId === message.id ? (
              <span data-testid="seen-marker" className="text-xs font-medium text-teal-800 dark:text-teal-300">
                Seen by driver
              </span>
            ) : null}
          </MessageRow>
        );
      }}
    />
  );
}
