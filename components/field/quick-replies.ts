/** One-tap messages for field staff, in the order shown. Sent as ordinary text messages. */
export const QUICK_REPLIES = [
  "Running late",
  "Bus full",
  "Mechanical problem",
  "Need relief",
  "Passenger incident",
  "Road blocked",
] as const;

/** The first message of a conversation opened with the Emergency button. */
export const EMERGENCY_MESSAGE = "EMERGENCY — immediate assistance needed";
