// The value model of generated payloads. fast-check builds these; the harness turns them into what
// each transport carries: JavaScript values for Socket.IO (the client serialises them) and JSON text
// written by hand for the JSON WebSocket, so that a frame can hold what JSON.stringify cannot write:
// duplicate keys, an own "__proto__" key, number literals such as -0 or 1e309, and nesting far deeper
// than a recursive serialiser allows.

/** A reference to a real id, resolved when the case runs against the actor that sends it. */
export type RefKind =
  | "ownConversation"
  | "foreignConversation"
  | "anyConversation"
  | "ownMessage"
  | "foreignMessage"
  | "self"
  | "otherField"
  | "control"
  | "victim"
  | "unknown";

export class Ref {
  constructor(
    readonly ref: RefKind,
    /** Whitespace around the id (ids are trimmed by the schemas, so a padded id is still that id). */
    readonly pad: string = "",
  ) {}
}

/** An object as a list of entries: keys may repeat and may be "__proto__" (an own property, as JSON.parse makes it). */
export class Obj {
  constructor(readonly entries: [string, FuzzValue][]) {}
}

/** A JSON literal written as is into JSON WebSocket frames (Socket.IO gets JSON.parse of it). */
export class Raw {
  constructor(readonly text: string) {}
}

/** Bytes: a binary attachment on Socket.IO; on the JSON WebSocket, JSON of a Node Buffer. */
export class Bytes {
  constructor(readonly data: Uint8Array) {}
}

/** `depth` levels of arrays or single-key objects around a leaf, built without recursion. */
export class Deep {
  constructor(
    readonly depth: number,
    readonly shape: "array" | "object",
    readonly leaf: FuzzValue,
  ) {}
}

/** `count` copies of one item in an array. */
export class Huge {
  constructor(
    readonly count: number,
    readonly item: FuzzValue,
  ) {}
}

export type FuzzValue = null | boolean | number | string | FuzzValue[] | Obj | Raw | Bytes | Ref | Deep | Huge;

export type Resolver = (ref: Ref) => string;

/** A plain object whose keys are all own, enumerable properties (also "__proto__"). */
function ownObject(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
  return out;
}

/** For Socket.IO: the JavaScript value the client will serialise. */
export function toJs(value: FuzzValue, resolve: Resolver): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => toJs(item, resolve));
  if (value instanceof Ref) return resolve(value);
  if (value instanceof Obj) return ownObject(value.entries.map(([key, item]) => [key, toJs(item, resolve)]));
  if (value instanceof Raw) return JSON.parse(value.text) as unknown;
  if (value instanceof Bytes) return Buffer.from(value.data);
  if (value instanceof Huge) {
    const item = toJs(value.item, resolve);
    return Array.from({ length: value.count }, () => item);
  }
  let out = toJs(value.leaf, resolve);
  for (let i = 0; i < value.depth; i += 1) out = value.shape === "array" ? [out] : { a: out };
  return out;
}

/** For the JSON WebSocket: JSON text. Strings go through JSON.stringify, which escapes lone surrogates. */
export function toJsonText(value: FuzzValue, resolve: Resolver): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) return "null";
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => toJsonText(item, resolve)).join(",")}]`;
  if (value instanceof Ref) return JSON.stringify(resolve(value));
  if (value instanceof Obj) return `{${value.entries.map(([key, item]) => `${JSON.stringify(key)}:${toJsonText(item, resolve)}`).join(",")}}`;
  if (value instanceof Raw) return value.text;
  if (value instanceof Bytes) return JSON.stringify(Buffer.from(value.data));
  if (value instanceof Huge) {
    const item = toJsonText(value.item, resolve);
    return value.count === 0 ? "[]" : `[${`${item},`.repeat(value.count - 1)}${item}]`;
  }
  const leaf = toJsonText(value.leaf, resolve);
  return value.shape === "array" ? "[".repeat(value.depth) + leaf + "]".repeat(value.depth) : '{"a":'.repeat(value.depth) + leaf + "}".repeat(value.depth);
}

/** Whether a value holds bytes (a Socket.IO binary packet, whose size this harness only estimates). */
export function hasBytes(value: FuzzValue): boolean {
  if (value instanceof Bytes) return true;
  if (Array.isArray(value)) return value.some(hasBytes);
  if (value instanceof Obj) return value.entries.some(([, item]) => hasBytes(item));
  if (value instanceof Huge) return hasBytes(value.item);
  if (value instanceof Deep) return hasBytes(value.leaf);
  return false;
}

/** A short, printable description of a value, for failure reports. */
export function describe(value: FuzzValue, limit = 300): string {
  const text = describeValue(value);
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length} chars)` : text;
}

function describeValue(value: FuzzValue): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "string" && value.length > 80) return `${JSON.stringify(value.slice(0, 40))}…×${value.length}`;
    return Object.is(value, -0) ? "-0" : JSON.stringify(value) ?? String(value);
  }
  if (Array.isArray(value)) return `[${value.map(describeValue).join(",")}]`;
  if (value instanceof Ref) return `<${value.ref}${value.pad ? ` padded ${JSON.stringify(value.pad)}` : ""}>`;
  if (value instanceof Obj) return `{${value.entries.map(([key, item]) => `${JSON.stringify(key)}:${describeValue(item)}`).join(",")}}`;
  if (value instanceof Raw) return value.text.length > 80 ? `raw(${value.text.slice(0, 40)}…×${value.text.length})` : `raw(${value.text})`;
  if (value instanceof Bytes) return `bytes(${value.data.length})`;
  if (value instanceof Huge) return `array(${value.count} × ${describeValue(value.item)})`;
  return `${value.shape}-nest(${value.depth}, ${describeValue(value.leaf)})`;
}
