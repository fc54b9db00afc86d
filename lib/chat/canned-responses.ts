/** Canned responses offered to control staff in the composer (staff-only; edit here). */
export const CANNED_RESPONSES: readonly string[] = [
  "Thanks, we have your message and are looking into it.",
  "Please stay with the vehicle; help is on the way.",
  "Can you confirm your exact location (stop name or cross street)?",
  "Relief driver dispatched; expected in about 20 minutes.",
  "Please continue on the diversion route and report when clear.",
  "Noted. Resolving this now — contact us again if anything changes.",
];
