// The dashboard's keyboard shortcuts: one table, read by the key handler and the help overlay.
// Plain keys work when focus is not in a text field; the Alt combinations work everywhere.

export type ShortcutAction = "next" | "previous" | "take" | "resolve" | "acknowledge" | "canned" | "note" | "close-tab" | "search" | "history" | "help";

export interface Shortcut {
  action: ShortcutAction;
  keys: string[];
  alt: string;
  description: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { action: "next", keys: ["j"], alt: "ArrowDown", description: "Next conversation in the queue" },
  { action: "previous", keys: ["k"], alt: "ArrowUp", description: "Previous conversation in the queue" },
  { action: "take", keys: ["t"], alt: "t", description: "Take the open conversation" },
  { action: "resolve", keys: ["r"], alt: "r", description: "Resolve the open conversation" },
  { action: "acknowledge", keys: ["a"], alt: "a", description: "Acknowledge the emergency" },
  { action: "canned", keys: ["c"], alt: "c", description: "Canned responses (then 1–9 to insert)" },
  { action: "note", keys: ["n"], alt: "n", description: "Switch between reply and internal note" },
  { action: "close-tab", keys: ["x"], alt: "w", description: "Close the conversation tab" },
  { action: "search", keys: ["/"], alt: "s", description: "Search the queue" },
  { action: "history", keys: ["f"], alt: "f", description: "Search all history (every message, however old)" },
  { action: "help", keys: ["?"], alt: "h", description: "Show or hide this help" },
];

function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** The action a key press asks for, if any. */
export function shortcutFor(event: KeyboardEvent): ShortcutAction | null {
  if (event.ctrlKey || event.metaKey) return null;
  if (event.altKey) {
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    // Alt+letter can produce another character on some layouts; fall back to the physical key.
    const code = event.code.startsWith("Key") ? event.code.slice(3).toLowerCase() : key;
    return SHORTCUTS.find((s) => s.alt === key || s.alt === code)?.action ?? null;
  }
  if (isTextField(event.target)) return null;
  return SHORTCUTS.find((s) => s.keys.includes(event.key))?.action ?? null;
}
