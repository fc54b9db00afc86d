import { test } from "node:test";
import assert from "node:assert/strict";
import { makeSnippet, queryTerms } from "../../lib/chat/search-snippet";

// Search snippets are the body as written, with the query's words marked (never markup dropped or added).

const mark = (word: string) => `\u0002${word}\u0003`;

void test("query terms: words of the query, not excluded ones nor the or keyword", () => {
  assert.deepEqual(queryTerms('Brake "quarry lane" -noise or tyre'), ["brake", "quarry", "lane", "tyre"]);
  assert.deepEqual(queryTerms("()"), []);
  assert.deepEqual(queryTerms("Ölstand prüfen"), ["ölstand", "prüfen"]);
});

void test("every whole-word match is marked, in any case; parts of words are not", () => {
  assert.equal(makeSnippet("Brake squeal at Quarry Lane; brakes checked", "brake"), `${mark("Brake")} squeal at Quarry Lane; brakes checked`);
  assert.equal(makeSnippet("quarry QUARRY Quarry", "Quarry"), `${mark("quarry")} ${mark("QUARRY")} ${mark("Quarry")}`);
});

void test("markup in a body is kept as written, and a body cannot bring its own marks", () => {
  assert.equal(makeSnippet("zeb <img src=x onerror=alert(1)> zeb", "zeb"), `${mark("zeb")} <img src=x onerror=alert(1)> ${mark("zeb")}`);
  assert.equal(makeSnippet("zeb \u0002fake\u0003", "zeb"), `${mark("zeb")}  fake `);
  assert.equal(makeSnippet("a.b (c) [d] $e zeb", "zeb.*"), `a.b (c) [d] $e ${mark("zeb")}`, "regular-expression characters in the query match literally");
});

void test("a long body is cut to a window around the first match, from a word start", () => {
  const body = `${"lorem ipsum dolor ".repeat(20)}the hydraulic fluid leaked ${"sit amet ".repeat(40)}`;
  const snippet = makeSnippet(body, "hydraulic");
  assert.ok(snippet.startsWith("…"));
  assert.ok(snippet.endsWith("…"));
  assert.ok(snippet.includes(`the ${mark("hydraulic")} fluid`));
  assert.ok(snippet.length <= 210);
  assert.match(snippet, /^…[a-z]/, "starts at a whole word");
  assert.equal(makeSnippet("short body", "absent"), "short body");
});
