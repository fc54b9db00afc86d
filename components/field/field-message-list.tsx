"use client";

import { isControlRole, type ConversationView } from "@/lib/chat/types";
import { deliveryState, type DeliveryState } from "@/components/realtime/selectors";
import { MessageList, MessageRow, MessageState, type MessageListData, type MessageListLook } from "@/components/ui/message-list";

/** What a driver reads under each of their messages. */
export const FIELD_STATE_TEXT: Record<DeliveryState, string> = {
  sending: "waiting to send",
  sent: "sent",
  read: "read by control",
  failed: "not sent",
};

const FIELD_LOOK: MessageListLook = {
  stateText: FIELD_STATE_TEXT,
  stateClassName: "font-medium",
  actionClassName: "min-h-11 dark:text-teal-200",
  pendingToneClassName: "border-2 border-dashed border-teal-800 bg-white text-slate-900 dark:border-teal-300 dark:bg-slate-900 dark:text-slate-100",
};

interface FieldMessageListProps extends MessageListData {
  myId: string;
  conversation: ConversationView | undefined;
}

/**
 * The field conversation: own messages on the right with their delivery state, control's on the left.
 * Older history loads when the top is scrolled into view.
 */
export function FieldMessageList({ myId, conversation, ...list }: FieldMessageListProps) {
  return (
    <MessageList
      {...list}
      scrolling="reveal"
      look={FIELD_LOOK}
      renderMessage={(message, isContinued) => {
        const isMine = message.sender.id === myId;
        const isOurSide = isMine || !isControlRole(message.sender.role);
        return (
          <MessageRow
            isContinued={isContinued}
            message={message}
            isMine={isMine}
            isOnRight={isOurSide}
            toneClassName={isOurSide ? "bg-teal-800 text-white" : "bg-white text-slate-900 shadow-sm ring-1 ring-slate-200 dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-700"}
          >
            {isMine ? <MessageState state={deliveryState(message, conversation)} look={FIELD_LOOK} /> : null}
          </MessageRow>
        );
      }}
    />
  );
}
