// The snippet of a search hit, made from the message body as written (PostgreSQL's ts_headline drops
// anything that looks like markup, so a message about "<b>" would read differently in results than in
// the thread). Matched words are marked with HIGHLIGHT_START / HIGHLIGHT_STOP; everything else is the
// body's own text, which the browser renders as text.

export const HIGHLIGHT_START = "\u0002";
export const HIGHLIGHT_STOP = "\u0003";
/** Longer bodies are cut to a window of about this many characters around the first match. */
const WINDOW = 200;
const LEAD = 60;
const WORD = /[\p{L}\p{N}_]+/gu;

/**
 * The words a websearch_to_tsquery query looks for: every word except those after a minus sign and
 * the `or` keyword (the simple configuration: lower case, no stemming).
 */
export function queryTerms(query: string): string[] {
  const terms = new Set<string>();
  for (const match of query.matchAll(/(-?)("[^"]*"?|[^\s"]+)/g)) {
    if (match[1] === "-") continue;
    for (const word of (match[2] ?? "").match(WORD) ?? []) {
      const lower = word.toLowerCase();
      if (lower !== "or") terms.add(lower);
    }
  }
  return [...terms];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function makeSnippet(body: string, query: string): string {
  // The marks are ours alone: a body cannot bring its own.
  const text = body.replaceAll(HIGHLIGHT_START, " ").replaceAll(HIGHLIGHT_STOP, " ");
  const terms = queryTerms(query);
  if (terms.length === 0) return text.length > WINDOW ? `${text.slice(0, WINDOW)}…` : text;
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${terms.map(escapeRegExp).join("|")})(?![\\p{L}\\p{N}_])`, "giu");
  const first = pattern.exec(text);
  let start = 0;
  let end = text.length;
  if (text.length > WINDOW) {
    start = Math.max(0, (first?.index ?? 0) - LEAD);
    // Start at a word: step forward past the cut word (at most 20 characters).
    if (start > 0) {
      const space = text.slice(start, start + 20).search(/\s/);
      if (space >= 0) start += space + 1;
    }
    end = Math.min(text.length, start + WINDOW);
  }
  const window = text.slice(start, end);
  const marked = window.replace(pattern, (word) => `${HIGHLIGHT_START}${word}${HIGHLIGHT_STOP}`);
  return `${start > 0 ? "…" : ""}${marked}${end < text.length ? "…" : ""}`;
}
